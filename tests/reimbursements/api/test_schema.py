"""The OpenAPI schema is valid, and the API answers as it documents (schemathesis)."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as settings_
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from invoice_assistant.wsgi import application
from reimbursements.tokens import auth_token_issue
from tests.reimbursements.workflow_helpers import (
    finance_approved_claim,
    make_org,
    manager_approved_claim,
    submitted_claim,
)

# Operations that leave the process: a model answer (inference) and WeChat's servers; and
# the sign-outs, which would revoke the token every later operation is called with.
EXCLUDED_PATHS = r"^/api/v1/(inference|auth/wechat/|auth/logout)"
MAX_EXAMPLES = 5  # per operation: bounded run time (~30 operations)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


def test_the_schema_validates_without_warnings(tmp_path: Path):
    # When the schema is generated with validation, failing on any warning
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    # Then it was written and documents the workflow endpoints
    text = out.read_text()
    assert "/api/v1/claims/{id}/approve/" in text
    assert "/api/v1/exports/approved/" in text


@pytest.fixture
def keep_db_connection():
    """Requests here bypass Django's test client, which normally stops each request from
    closing the connection that holds the test's transaction; do what it does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def finance_headers(db) -> dict[str, str]:
    # Some rows to find: claims in each review state and exported items.
    org = make_org()
    submitted_claim(org)
    manager_approved_claim(org)
    finance_approved_claim(org, documents=2)
    token = auth_token_issue(user=org.finance)
    return {"Authorization": f"Token {token.key}"}


def test_the_api_answers_as_documented(finance_headers, settings, tmp_path, keep_db_connection):
    # Given the served schema, and valid requests generated from it for every operation
    settings.MEDIA_ROOT = tmp_path / "media"
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application).exclude(
        path_regex=EXCLUDED_PATHS
    )
    failures: dict[str, str] = {}
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy(GenerationMode.POSITIVE))
        @settings_(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case) -> None:
            # When each request is sent to the application in-process with a finance token
            response = case.call(headers=finance_headers)
            case.validate_response(response, checks=CHECKS)

        try:
            call()
        except (Exception, BaseExceptionGroup) as exc:  # one report for all operations
            failures[operation.label] = _describe(exc)
    # Then no answer is a server error, and status, type, body and headers match the schema
    assert operations >= 20
    assert failures == {}


def _describe(exc: BaseException) -> str:
    """Schemathesis raises groups of check failures; keep every message, briefly."""
    parts = exc.exceptions if isinstance(exc, BaseExceptionGroup) else (exc,)
    return " | ".join(str(part)[:600] for part in parts)
