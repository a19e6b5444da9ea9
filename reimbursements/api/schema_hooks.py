"""drf-spectacular hooks.

Every API answer that fails has the one error shape of ``errors.py``; documenting it on
each operation lets clients (and schemathesis) check error answers too, instead of each
view repeating the same six responses.
"""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {"type": "object", "additionalProperties": True},
            },
            "required": ["code", "message"],
        }
    },
    "required": ["error"],
}
COMMON_ERRORS = {
    "400": "Invalid request (error.details.fields names the fields).",
    "401": "Not authenticated.",
    "403": "Not allowed for this user.",
    "404": "Not found, or not visible to this user.",
    "429": "Too many requests (error.details.retry_after_s, Retry-After header).",
}
WRITE_ERRORS = {"409": "Conflicts with the current state (error.code 'conflict' and others)."}
WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})


API_DESCRIPTION = """\
Invoice Assistant's REST API: upload invoices and receipts, read their extracted fields,
group them into claims, review them, and pull approved items into accounting.

**Authentication.** Send `Authorization: Token <key>` with every request.
- An integration (an accounting system, a script) uses a *named token*: create it in the
  web app under **API tokens** (or `POST /api/v1/tokens/` while signed in), copy the key
  it shows once, revoke it there (`DELETE /api/v1/tokens/{id}/`). It lives 1-3650 days
  (default 365), acts with its creator's roles, and is never retired by device sign-ins;
  a password change or *sign out everywhere* revokes it.
- A device signs in with `POST /api/v1/auth/token/` `{"username", "password"}` and gets
  a token valid `TOKEN_TTL_HOURS` (30 days); `POST /api/v1/auth/logout/` revokes it.
- Browsers use the session cookie of the sign-in page (and `X-CSRFToken` on writes).

**Errors** are `{"error": {"code", "message", "details"}}`: `code` is stable, `message`
is for people, in the reader's language.

**Language.** Messages, warnings and policy problems are in the user's saved language
(`PATCH /api/v1/me/` `{"language": "zh-hans" | "en" | ""}`), else `Accept-Language`.

**Lists** take `?limit=` (or `page_size`, 1-200, default 50) and `page`, and answer
`{count, next, previous, results}` with exactly `limit` items per page. The export takes
`limit` (1-1000) and a `cursor`.
"""

# One sentence per operation whose view has none of its own (the views' mixins carry
# docstrings about themselves, which drf-spectacular would repeat on every operation).
OPERATION_DESCRIPTIONS: dict[str, str] = {
    "v1_auth_token_create": "Signs a device in: username and password give a new API token "
    "(one per device, valid TOKEN_TTL_HOURS). Integrations use a named token instead "
    "(/api/v1/tokens/). Too many failures answer 429 locked_out.",
    "v1_claims_list": "Your claims, newest first ('scope=all': every claim you may see).",
    "v1_claims_create": "Opens a draft claim with a title and its currency.",
    "v1_claims_retrieve": "One claim with its documents, total, conversions, events and comments.",
    "v1_claims_partial_update": "Renames a draft or returned claim, or changes its currency.",
    "v1_claims_destroy": "Deletes a draft claim; its documents stay among yours.",
    "v1_claims_approve_create": "Approves a claim: the manager first, then finance "
    "(finance's approval makes its documents exportable).",
    "v1_claims_comments_create": "Adds a comment to a claim's history.",
    "v1_claims_documents_create": "Adds one of your documents to a draft or returned claim.",
    "v1_claims_mark_paid_create": "Finance records that an approved claim was paid.",
    "v1_claims_reject_create": "Rejects a claim for good (a reason is required).",
    "v1_claims_return_create": "Sends a claim back to its owner for changes (a reason is "
    "required).",
    "v1_claims_submit_create": "Submits a claim for approval; policy problems (all of them "
    "at once) answer 400 with error.details.violations.",
    "v1_claims_bulk_approve_create": "Approves several claims at once; answers which were "
    "approved and which failed, and why.",
    "v1_documents_list": "Your documents, newest first, filtered by status or claim "
    "('scope=all': every document you may see).",
    "v1_documents_retrieve": "One document: status, extracted fields with their sources, "
    "confidence and warnings, policy problems, and what a person changed.",
    "v1_documents_corrections_list": "Every change a person made to the document's fields: "
    "old and new value, who, when.",
    "v1_documents_fields_partial_update": "Corrects one extracted field (or the category); "
    "the checks run again on the new value and the original reading is kept.",
    "v1_documents_fields_update": "Corrects one extracted field, like PATCH, for clients "
    "that cannot send PATCH (wx.request).",
    "v1_documents_resolve_duplicate_create": "Finance confirms that a document flagged as a "
    "duplicate is not one.",
    "v1_documents_retry_create": "Runs a failed document's scan and extraction again.",
    "v1_exchange_rates_list": "Finance's exchange rates (pair, rate, date, source); "
    "everyone signed in may read them.",
    "v1_exchange_rates_create": "Finance adds an exchange rate (a rate is never edited: "
    "delete it and add another).",
    "v1_exports_acknowledge_create": "Marks exported items as booked in accounting; a claim "
    "whose items are all acknowledged becomes exported. Idempotent.",
    "v1_exports_approved_retrieve": "Finance-approved items for accounting, in id order "
    "from a cursor: JSON, CSV (UTF-8 with BOM, codes kept as text for Excel), XLSX or a "
    "voucher workbook. Fetching again returns the same page.",
    "v1_notifications_preferences_partial_update": "Turns e-mail or WeChat notifications "
    "on or off.",
    "v1_notifications_preferences_update": "Turns e-mail or WeChat notifications on or off, "
    "like PATCH, for clients that cannot send PATCH (wx.request).",
    "v1_review_queue_list": "Claims waiting for your decision (approvers: your team's; "
    "finance: manager-approved ones), filtered and ordered.",
}


def describe_operations(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """Each operation its own description, and the API's introduction (auth, tokens)."""
    result.setdefault("info", {})["description"] = API_DESCRIPTION
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            own = OPERATION_DESCRIPTIONS.get(operation.get("operationId", ""))
            if own is not None:
                operation["description"] = own
    return result


def add_error_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            _bound_integer_path_parameters(operation)
            errors = dict(COMMON_ERRORS)
            if method in WRITE_METHODS:
                errors.update(WRITE_ERRORS)
            responses = operation["responses"]
            for code, description in errors.items():
                existing = responses.get(code)
                if existing is None:
                    responses[code] = {"description": description, "content": reference}
                elif "content" not in existing:
                    # A view described the case in words only: the body is still an Error.
                    existing["content"] = reference
    return result


def _bound_integer_path_parameters(operation: dict[str, Any]) -> None:
    """``<int:pk>`` routes match digits only: a negative id never reaches a view."""
    for parameter in operation.get("parameters", []):
        schema = parameter.get("schema", {})
        if parameter.get("in") == "path" and schema.get("type") == "integer":
            schema.setdefault("minimum", 0)
            schema.setdefault("maximum", 2**63 - 1)


def drop_slash_aliases(endpoints: list[tuple[Any, ...]], **kwargs: Any) -> list[tuple[Any, ...]]:
    """A route served both as ``/x`` and ``/x/`` (a compatibility alias) is documented once.

    Two operations for one view would share an operationId, which the schema forbids.
    """
    routes = {(path, method) for path, _regex, method, _callback in endpoints}
    return [
        endpoint
        for endpoint in endpoints
        if not (endpoint[0].endswith("/") and (endpoint[0].rstrip("/"), endpoint[2]) in routes)
    ]
