"""What an integrator reads (issue 19, item 7): docs that work offline, one description
per operation, and how to get a token, in the schema itself."""

from __future__ import annotations

import collections
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client


@pytest.fixture
def schema(db) -> dict:
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return response.json()


def operations(schema: dict) -> list[tuple[str, str, dict]]:
    return [
        (method.upper(), path, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if isinstance(operation, dict) and "operationId" in operation
    ]


def test_every_operation_has_its_own_description(schema):
    ops = operations(schema)
    assert len(ops) > 30
    missing = [f"{m} {p}" for m, p, op in ops if not op.get("description", "").strip()]
    assert missing == []
    counts = collections.Counter(op["description"] for _, _, op in ops)
    shared = {text[:60]: n for text, n in counts.items() if n > 1}
    assert shared == {}


def test_the_schema_says_how_to_get_a_token(schema):
    intro = schema["info"]["description"]
    assert "/api/v1/tokens/" in intro and "API tokens" in intro
    assert "Authorization: Token" in intro
    scheme = schema["components"]["securitySchemes"]["tokenAuth"]
    assert "/api/v1/tokens/" in scheme["description"]
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/tokens/"])
    assert "delete" in paths["/api/v1/tokens/{id}/"]


def test_the_docs_page_needs_nothing_from_the_internet(db):
    # Given the docs page as a browser loads it
    page = Client().get("/api/docs/").content.decode()
    # Then every script and stylesheet is ours (drf-spectacular-sidecar), none from a CDN
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any("swagger-ui-bundle.js" in a for a in assets)
    assert not [a for a in assets if a.startswith(("http:", "https:", "//"))]
    for asset in assets:
        if asset.startswith("/static/"):
            assert finders.find(asset.removeprefix("/static/")), asset
