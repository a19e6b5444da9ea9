"""The hand-built document representation says exactly what DRF's generic one would."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from rest_framework import serializers

from reimbursements.api.documents.serializers import DocumentSerializer
from reimbursements.models import Document, Extraction, ScanResult
from tests.reimbursements.factories import ClaimFactory, UserFactory

pytestmark = pytest.mark.django_db


class GenericDocumentSerializer(DocumentSerializer):
    """The same declared fields, represented by DRF's own field-by-field walk."""

    def to_representation(self, instance: Document) -> dict[str, Any]:
        return dict(serializers.ModelSerializer.to_representation(self, instance))


def both(document: Document) -> tuple[dict[str, Any], dict[str, Any]]:
    document = Document.objects.select_related("extraction").get(pk=document.pk)
    return DocumentSerializer(document).data, GenericDocumentSerializer(document).data


def test_a_fresh_upload_is_represented_as_drf_would() -> None:
    # Given a document just received: no scan, no extraction, no claim, null timestamps
    document = Document.objects.create(
        owner=UserFactory(),
        file="documents/a.png",
        original_filename="a.png",
        sha256="a" * 64,
        size=10,
        mime_type="image/png",
        status=Document.Status.RECEIVED,
        status_changed_at=timezone.now(),
    )

    # When it is represented both ways
    hand_built, generic = both(document)

    # Then every key and value agrees
    assert hand_built == generic


def test_an_extracted_duplicate_in_a_claim_is_represented_as_drf_would() -> None:
    # Given a processed document in a claim, scanned twice, flagged as a duplicate, failed
    # once before (an error text kept), with a non-UTC timestamp and microseconds
    owner = UserFactory()
    original = Document.objects.create(
        owner=owner, file="documents/o.png", sha256="b" * 64, size=3, mime_type="image/png"
    )
    moment = dt.datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    document = Document.objects.create(
        owner=owner,
        claim=ClaimFactory(owner=owner),
        file="documents/b.png",
        original_filename="发票.png",
        sha256="b" * 64,
        size=3,
        mime_type="image/png",
        page_count=1,
        status=Document.Status.NEEDS_REVIEW,
        status_changed_at=moment,
        scanned_at=moment,
        processing_started_at=moment,
        completed_at=moment,
        error="engine timed out once",
        duplicate_of=original,
        duplicate_reason="image_hash",
    )
    for minutes in (1, 5):
        ScanResult.objects.create(
            document=document,
            scanner_version="ClamAV 1.0",
            verdict=ScanResult.Verdict.CLEAN,
            scanned_at=moment + dt.timedelta(minutes=minutes),
        )
    Extraction.objects.create(
        document=document,
        engine="ocr",
        document_type="vat_special",
        total_amount=Decimal("1130.00"),
        fields={"total_amount": "1130.00"},
        confidence={"total_amount": 0.93},
        warnings=[{"code": "sum_mismatch", "message": "金额 + 税额 ≠ 价税合计"}],
    )

    # When it is represented both ways
    hand_built, generic = both(document)

    # Then every key and value agrees, relations and timestamps included
    assert hand_built == generic
    assert hand_built["duplicate_of"] == original.pk
    latest_scan = dt.datetime.fromisoformat(hand_built["scan"]["scanned_at"])
    assert latest_scan == moment + dt.timedelta(minutes=5)


def test_the_hand_built_representation_has_every_declared_field() -> None:
    # Given the serializer's declared fields (what the OpenAPI schema promises)
    declared = set(DocumentSerializer.Meta.fields)

    # When a document is represented
    document = Document.objects.create(
        owner=UserFactory(), file="documents/c.png", sha256="c" * 64, size=1, mime_type="x"
    )
    hand_built, _ = both(document)

    # Then it has those keys and no others
    assert set(hand_built) == declared
