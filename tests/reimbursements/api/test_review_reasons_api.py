"""The API says which key fields nobody could verify (extraction.review on the stored row)."""

from __future__ import annotations

from rest_framework.test import APIClient

from reimbursements.models import Document, Extraction
from tests.reimbursements.workflow_helpers import make_document


def reasons(user, document) -> list[str]:
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(f"/api/v1/documents/{document.pk}/")
    assert response.status_code == 200, response.content
    return response.json()["extraction"]["review_reasons"]


def test_a_total_that_passed_its_cross_checks_is_verified_a_name_read_once_is_not(org):
    # Given a receipt read by OCR whose total passed 大写 = 小写, the date read alike by
    # a second engine, and the seller read once
    document = make_document(
        org.employee, status=Document.Status.NEEDS_REVIEW, document_type="receipt"
    )
    Extraction.objects.filter(document=document).update(
        evidence={"total_amount": {"field": "total_amount", "checks": ["words"], "failed": 0}},
        agreeing={"issue_date": ["vlm"]},
    )
    # Then the reviewer is told only that the seller could not be verified
    assert reasons(org.employee, document) == ["unverified:seller_name"]


def test_without_stored_evidence_the_total_is_unverified_too(org):
    document = make_document(
        org.employee, status=Document.Status.NEEDS_REVIEW, document_type="receipt"
    )
    Extraction.objects.filter(document=document).update(agreeing={"issue_date": ["vlm"]})
    assert reasons(org.employee, document) == [
        "unverified:seller_name",
        "unverified:total_amount",
    ]


def test_a_seller_calibrated_above_the_setting_is_verified_below_it_is_not(org, settings):
    # Given a receipt whose seller was read once, its evidence calibrated at 0.95
    document = make_document(
        org.employee, status=Document.Status.NEEDS_REVIEW, document_type="receipt"
    )
    read_once = {"field": "seller_name", "origin": "read", "checks": [], "failed": 0}
    Extraction.objects.filter(document=document).update(
        evidence={
            "total_amount": {"field": "total_amount", "checks": ["words"], "failed": 0},
            "seller_name": read_once,
        },
        agreeing={"issue_date": ["vlm"]},
    )
    # When the deployment settles fields calibrated at 0.95 or more
    settings.STRAIGHT_THROUGH_MIN_CONFIDENCE = 0.95
    # Then nothing is left to verify
    assert reasons(org.employee, document) == []
    # and under a stricter threshold the seller is looked at
    settings.STRAIGHT_THROUGH_MIN_CONFIDENCE = 0.995
    assert reasons(org.employee, document) == ["unverified:seller_name"]
