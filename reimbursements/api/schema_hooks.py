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
