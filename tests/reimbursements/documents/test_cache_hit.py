"""The cache hit's one-statement write (PostgreSQL): the same rows as plain saves, in
fewer round trips. The API-level cache-hit behaviour is pinned in test_pipeline.py."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from reimbursements import pipeline
from reimbursements.documents import cache_hit
from reimbursements.documents.scan import document_scan
from reimbursements.models import AuditEvent, Document, Extraction, ScanResult
from synth import generate_document

pytestmark = pytest.mark.django_db

# Columns that hold the moment a row is written (so differ between two hits) or a key.
WRITTEN_AT = {"created_at", "updated_at", "status_changed_at", "processing_started_at",
              "completed_at"}  # fmt: skip
KEYS = {"id", "document_id", "object_id"}


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EXTRACTION_ENGINE = "ocr"
    cache.clear()


@pytest.fixture(scope="module")
def invoice():
    return generate_document("vat_special", seed=11, photo=False)


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def upload(client: APIClient, data: bytes, name: str) -> dict:
    response = client.post(
        "/api/v1/documents/", {"file": SimpleUploadedFile(name, data)}, format="multipart"
    )
    assert response.status_code == 201, response.content
    return response.json()


def processed_upload(client: APIClient, data: bytes) -> None:
    document_id = int(upload(client, data, "first.png")["id"])
    document_scan(document_id=document_id)
    pipeline.document_process(document_id=document_id)


def columns(obj: Model) -> dict[str, Any]:
    return {f.column: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def written_rows(document_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every column of every row a hit wrote, read back from the database."""
    audits = AuditEvent.objects.filter(object_type="document", object_id=str(document_id))
    return {
        "document": [columns(Document.objects.get(pk=document_id))],
        "scan": [columns(s) for s in ScanResult.objects.filter(document_id=document_id)],
        "extraction": [columns(Extraction.objects.get(document_id=document_id))],
        "audit": [columns(a) for a in audits.order_by("id")],
    }


def timed_hit(client: APIClient, data: bytes) -> tuple[int, dt.datetime, dt.datetime]:
    started = timezone.now()
    answer = upload(client, data, "again.png")
    assert answer["extraction"]["from_cache"] is True
    return int(answer["id"]), started, timezone.now()


def test_one_statement_writes_the_rows_plain_saves_write(make_user, invoice, monkeypatch):
    # Given one processed upload
    client = api_for(make_user("employee"))
    processed_upload(client, invoice.image_bytes)
    # When the same bytes are answered from the cache by one statement, then by plain saves
    # (the first hit's document removed in between, so both copy the same original)
    fast_id, fast_from, fast_to = timed_hit(client, invoice.image_bytes)
    fast = written_rows(fast_id)
    Document.objects.filter(pk=fast_id).delete()
    monkeypatch.setattr(cache_hit, "ONE_STATEMENT_VENDORS", ())
    saved_id, saved_from, saved_to = timed_hit(client, invoice.image_bytes)
    saved = written_rows(saved_id)
    # Then both wrote the same rows, column by column, but for keys and write times
    assert {table: len(rows) for table, rows in fast.items()} == {
        "document": 1,
        "scan": 1,
        "extraction": 1,
        "audit": 2,
    }
    for table in fast:
        for fast_row, saved_row in zip(fast[table], saved[table], strict=True):
            assert fast_row["id"] != saved_row["id"]
            for column, value in fast_row.items():
                if column in KEYS:
                    continue
                if column in WRITTEN_AT:
                    assert fast_from <= value <= fast_to, (table, column)
                    assert saved_from <= saved_row[column] <= saved_to, (table, column)
                else:
                    assert value == saved_row[column], (table, column)
                    assert type(value) is type(saved_row[column]), (table, column)


def test_one_statement_links_the_rows_to_the_new_document(make_user, invoice):
    # Given one processed upload
    client = api_for(make_user("employee"))
    processed_upload(client, invoice.image_bytes)
    # When the same bytes are answered from the cache
    document_id, _, _ = timed_hit(client, invoice.image_bytes)
    # Then the scan, the extraction and both audit rows point at the new document
    assert ScanResult.objects.filter(document_id=document_id).count() == 1
    assert Extraction.objects.filter(document_id=document_id).count() == 1
    actions = AuditEvent.objects.filter(object_id=str(document_id)).order_by("id")
    assert [a.action for a in actions] == ["document.uploaded", "document.extracted"]


def test_one_statement_is_one_insert_round_trip(make_user, invoice):
    # Given one processed upload
    client = api_for(make_user("employee"))
    processed_upload(client, invoice.image_bytes)
    # When the same bytes are uploaded again
    with CaptureQueriesContext(connection) as queries:
        timed_hit(client, invoice.image_bytes)
    # Then the four tables are written by one statement, outside any explicit transaction
    # (the verdict lookup, the write and, for this amount, the owner's roles)
    statements = [q["sql"] for q in queries.captured_queries]
    assert sum(sql.count("INSERT INTO") for sql in statements) == 4
    assert sum(sql.lstrip().startswith("WITH d AS") for sql in statements) == 1
    assert len(statements) <= 3, statements
