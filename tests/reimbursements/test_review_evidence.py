"""Edits are evidence: every changed field shows its original reading, who changed it and
when, in the document API, the correction history and the export; an edited field has
no engine confidence; warnings of the original reading stay as history."""

from __future__ import annotations

import datetime as dt

import pytest

from reimbursements import corrections, workflow
from tests.reimbursements.factories import ClaimFactory
from tests.reimbursements.workflow_helpers import client_for, days_ago, make_document, make_org

OLD_DATE_WARNING = {
    "code": "date_too_old",
    "message": "The issue date 2018-05-01 is more than five years ago.",
    "field": "issue_date",
}


@pytest.fixture
def org(db):
    org = make_org()
    org.employee.first_name, org.employee.last_name = "Emma", "Li"
    org.employee.save(update_fields=["first_name", "last_name"])
    return org


def extraction_of(user, document) -> dict:
    response = client_for(user).get(f"/api/v1/documents/{document.pk}/")
    assert response.status_code == 200, response.content
    return response.json()["extraction"]


def correct(actor, document, field, value) -> None:
    corrections.document_correct_field(
        actor=actor, document_id=document.pk, field=field, value=value
    )


def test_an_edited_field_shows_its_original_reading_who_and_when(org):
    # Given a document read with an issue date of 2018 (and the warning that came with it)
    document = make_document(
        org.employee, issue_date=dt.date(2018, 5, 1), warnings=[OLD_DATE_WARNING]
    )
    # When the employee changes the date to a recent one
    recent = days_ago(3)
    correct(org.employee, document, "issue_date", recent.isoformat())
    # Then the manager sees what it was read as, by what, who changed it and when
    extraction = extraction_of(org.manager, document)
    edit = extraction["edits"]["issue_date"]
    assert extraction["fields"]["issue_date"] == recent.isoformat()
    assert extraction["status"]["issue_date"] == "edited"
    assert (edit["original"], edit["original_source"]) == ("2018-05-01", "ocr")
    assert (edit["edited_by"], edit["edited_by_username"]) == ("Emma Li", org.employee.username)
    assert edit["edited_at"]
    assert (edit["made_up"], edit["cleared"], edit["edit_count"]) == (False, False, 1)
    # Fields nobody changed have no edit entry
    assert set(extraction["edits"]) == {"issue_date"}


def test_an_edited_field_has_no_engine_confidence(org):
    # Given a document whose date was read with 95% confidence
    document = make_document(org.employee)
    # When the employee changes it
    correct(org.employee, document, "issue_date", days_ago(2).isoformat())
    # Then no confidence is shown for the edited field; the others keep theirs
    confidence = extraction_of(org.employee, document)["confidence"]
    assert "issue_date" not in confidence
    assert confidence["total_amount"] == 0.95


def test_the_original_readings_warnings_are_kept_as_history(org):
    # Given a document whose 2018 date carried a date warning
    document = make_document(
        org.employee, issue_date=dt.date(2018, 5, 1), warnings=[OLD_DATE_WARNING]
    )
    # When the date is changed to a recent one
    correct(org.employee, document, "issue_date", days_ago(3).isoformat())
    # Then the warning is re-run on the new value (gone from the current warnings) but kept
    # with the edit and in the correction history
    extraction = extraction_of(org.employee, document)
    assert all(w["code"] != "date_too_old" for w in extraction["warnings"])
    kept = extraction["edits"]["issue_date"]["original_warnings"]
    assert [w["code"] for w in kept] == ["date_too_old"]
    history = client_for(org.employee).get(f"/api/v1/documents/{document.pk}/corrections/")
    (row,) = history.json()
    assert [w["code"] for w in row["old_warnings"]] == ["date_too_old"]
    assert row["actor_name"] == "Emma Li"


def test_a_value_for_a_field_the_document_did_not_have_is_marked_made_up(org):
    # Given a document read without an issue date
    document = make_document(org.employee, issue_date=None)
    # When the employee types one in
    correct(org.employee, document, "issue_date", "2026年11月28日")
    # Then the value is stored as a date and marked as supplied by a person
    extraction = extraction_of(org.employee, document)
    assert extraction["fields"]["issue_date"] == "2026-11-28"
    edit = extraction["edits"]["issue_date"]
    assert (edit["original"], edit["made_up"]) == (None, True)


def test_the_first_reading_stays_the_original_over_several_edits(org):
    # Given a total read as 100.00, changed twice
    document = make_document(org.employee, total="100.00")
    correct(org.employee, document, "total_amount", "90.00")
    correct(org.employee, document, "total_amount", "80.00")
    # Then the original is still the reading, and two edits are counted
    edit = extraction_of(org.employee, document)["edits"]["total_amount"]
    assert (edit["original"], edit["original_source"], edit["edit_count"]) == ("100.00", "ocr", 2)


def test_the_export_carries_the_original_reading_and_the_editor(org):
    # Given a claim whose document's date the employee changed, approved by both steps
    claim = ClaimFactory(owner=org.employee)
    read_as = days_ago(20)
    document = make_document(org.employee, claim, issue_date=read_as)
    correct(org.employee, document, "issue_date", days_ago(5).isoformat())
    workflow.claim_submit(actor=org.employee, claim_id=claim.pk)
    workflow.claim_approve(actor=org.manager, claim_id=claim.pk)
    workflow.claim_approve(actor=org.finance, claim_id=claim.pk)
    # When finance fetches the export
    response = client_for(org.finance).get("/api/v1/exports/approved/")
    (item,) = response.json()["items"]
    # Then the item says what the date was read as, which fields were edited, by whom
    assert item["issue_date"] == days_ago(5).isoformat()
    assert item["issue_date_status"] == "edited"
    assert item["issue_date_original"] == read_as.isoformat()
    assert item["total_amount_original"] is None
    assert (item["edited_fields"], item["edited_by"]) == ("issue_date", "Emma Li")
    assert item["edited_at"]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("2026年11月28日", "2026-11-28"),
        ("2026年1月5日", "2026-01-05"),
        ("2026/11/28", "2026-11-28"),
        ("2026.11.28", "2026-11-28"),
        ("２０２６－１１－２８", "2026-11-28"),
    ],
)
def test_dates_are_accepted_as_invoices_print_them(org, typed, stored):
    # Given a document
    document = make_document(org.employee)
    # When the employee types the date as it is printed
    correct(org.employee, document, "issue_date", typed)
    # Then it is stored as an ISO date
    assert extraction_of(org.employee, document)["fields"]["issue_date"] == stored


def test_an_impossible_date_is_refused(org):
    # Given a document
    document = make_document(org.employee)
    # When a date that does not exist is typed
    response = client_for(org.employee).patch(
        f"/api/v1/documents/{document.pk}/fields/",
        {"field": "issue_date", "value": "2026年2月30日"},
        format="json",
    )
    # Then it is a 400 that says what to type
    assert response.status_code == 400
    assert "2026年3月31日" in response.json()["error"]["message"]
