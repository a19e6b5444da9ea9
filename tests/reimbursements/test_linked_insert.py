"""One-statement inserts of a document and the rows pointing at it (the cache-hit path)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import DataError, connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reimbursements.linked_insert import Child, insert_linked, save_linked
from reimbursements.models import AuditEvent, Document, Extraction, ScanResult

pytestmark = pytest.mark.django_db


def rows(
    owner, *, verdict: str = ScanResult.Verdict.CLEAN, now: dt.datetime | None = None
) -> tuple[Document, list[Child]]:
    now = now or timezone.now()
    document = Document(
        owner=owner,
        file="documents/x.png",
        original_filename="x.png",
        sha256="a" * 64,
        size=10,
        mime_type="image/png",
        status=Document.Status.EXTRACTED,
        status_changed_at=now,
    )
    children = [
        Child(
            ScanResult(document=document, scanner_version="v", verdict=verdict, scanned_at=now),
            links=("document_id",),
        ),
        Child(
            Extraction(
                document=document,
                engine="ocr",
                total_amount=Decimal("1130.00"),
                fields={"seller_name": "某某有限公司"},
                confidence={"total_amount": 0.9},
            ),
            links=("document_id",),
        ),
        Child(
            AuditEvent(actor=owner, action="document.uploaded", object_type="document"),
            links=("object_id",),
        ),
    ]
    return document, children


def stored(document: Document) -> dict[str, object]:
    skip = {"id", "document", "created_at", "updated_at", "object_id", "status_changed_at"}
    scan = ScanResult.objects.get(document=document)
    extraction = Extraction.objects.get(document=document)
    event = AuditEvent.objects.get(object_type="document", object_id=str(document.pk))
    return {
        name: {k: v for k, v in model_to_dict(obj).items() if k not in skip}
        for name, obj in (("scan", scan), ("extraction", extraction), ("event", event))
    }


def test_the_rows_go_in_as_one_statement(make_user):
    # Given a document and three rows pointing at it (two by foreign key, one by text id)
    document, children = rows(make_user("employee"))
    # When they are inserted together
    with CaptureQueriesContext(connection) as queries:
        insert_linked(document, children)
    # Then one statement wrote them, and every row points at the new document
    assert len(queries) == 1
    assert ScanResult.objects.get(pk=children[0].obj.pk).document_id == document.pk
    assert Extraction.objects.get(pk=children[1].obj.pk).document_id == document.pk
    assert AuditEvent.objects.get(pk=children[2].obj.pk).object_id == str(document.pk)


def test_the_objects_are_filled_in_as_save_would(make_user):
    # Given rows built in memory
    document, children = rows(make_user("employee"))
    # When they are inserted together
    insert_linked(document, children)
    # Then the objects carry their keys, links and auto timestamps, and are not "adding"
    event = children[2].obj
    assert isinstance(event, AuditEvent)
    assert event.object_id == str(document.pk)
    assert event.created_at is not None
    assert document.created_at is not None
    assert not document._state.adding
    reread = Document.objects.get(pk=document.pk)
    assert reread.created_at == document.created_at
    assert reread.updated_at == document.updated_at


def test_the_stored_rows_equal_what_save_writes(make_user):
    # Given the same rows twice
    owner, now = make_user("employee"), timezone.now()
    first, first_children = rows(owner, now=now)
    second, second_children = rows(owner, now=now)
    # When one set goes in as one statement and the other through save()
    insert_linked(first, first_children)
    save_linked(second, second_children)
    # Then the stored values are the same (JSON, Decimal and all)
    assert stored(first) == stored(second)


@pytest.mark.django_db(transaction=True)  # autocommit, as in a request: no outer transaction
def test_a_failing_row_leaves_nothing_behind(make_user):
    # Given a scan row the database refuses (verdict longer than its column)
    document, children = rows(make_user("employee"), verdict="x" * 50)
    before = Document.objects.count()
    # When they are inserted together
    with pytest.raises(DataError):
        insert_linked(document, children)
    # Then not even the document was stored
    assert Document.objects.count() == before
    assert not Extraction.objects.filter(engine="ocr", total_amount=Decimal("1130.00")).exists()


def test_psycopg_splits_the_statement_once_per_process(make_user):
    # Given the statement of one cache hit, which has more parameters than psycopg caches
    # by default, inserted once
    from psycopg import _queries

    owner = make_user("employee")
    insert_linked(*rows(owner))
    before = _queries._query2pg.cache_info()
    # When the same kind of rows is inserted again
    insert_linked(*rows(owner))
    # Then psycopg reuses its split of the statement instead of parsing the SQL again
    after = _queries._query2pg.cache_info()
    assert after.hits > before.hits
    assert after.misses == before.misses
