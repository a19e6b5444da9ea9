"""Reviewer corrections: stored as history, applied to JSON and columns, re-checked."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from reimbursements import corrections, workflow
from reimbursements.models import AuditEvent, Document, Extraction, FieldCorrection
from reimbursements.services import ServiceError
from reimbursements.warning_messages import field_label
from tests.reimbursements.factories import ClaimFactory
from tests.reimbursements.workflow_helpers import make_document, submitted_claim


def correct(actor, document, field, value):
    return corrections.document_correct_field(
        actor=actor, document_id=document.pk, field=field, value=value
    )


def refused(actor, document, field, value) -> ServiceError:
    with pytest.raises(ServiceError) as info:
        correct(actor, document, field, value)
    return info.value


def test_a_correction_updates_json_column_history_and_claim_total(org):
    # Given a draft claim with a document read as 100.00
    claim = ClaimFactory(owner=org.employee)
    document = make_document(org.employee, claim, total="100.00")
    # When the owner corrects the total to 12.3
    correct(org.employee, document, "total_amount", "12.3")
    # Then JSON and column hold 12.30, the change is stored with who, and the claim follows
    extraction = Extraction.objects.get(document=document)
    assert extraction.fields["total_amount"] == "12.30"
    assert extraction.total_amount == Decimal("12.30")
    row = FieldCorrection.objects.get()
    assert (row.field, row.old_value, row.new_value, row.actor) == (
        "total_amount",
        "100.00",
        "12.30",
        org.employee,
    )
    claim.refresh_from_db()
    assert claim.total == Decimal("12.30")
    assert AuditEvent.objects.filter(action="document.field_corrected").count() == 1


def test_a_corrected_field_is_marked_certain(org):
    # Given an extracted document
    document = make_document(org.employee)
    # When a person corrects the seller
    correct(org.employee, document, "seller_name", "上海某某酒店有限公司")
    # Then the field's confidence is 1.0
    assert Extraction.objects.get(document=document).confidence["seller_name"] == 1.0


def test_the_same_value_again_stores_no_correction(org):
    # Given a document whose total is 100.00
    document = make_document(org.employee, total="100.00")
    # When the owner "corrects" it to 100
    correct(org.employee, document, "total_amount", "100")
    # Then nothing is recorded
    assert FieldCorrection.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("total_amount", "12.345", "two decimal places"),
        ("total_amount", "twelve", "amount"),
        ("issue_date", "31/03/2026", "2026-03-31 or 2026年3月31日"),
        ("seller_tax_id", "91-ÄÖ", "tax ID"),
        ("currency", "yuan", "ISO 4217"),
        ("line_items", [], "line items cannot be edited"),
        ("engine", "vlm", "cannot be edited"),
    ],
)
def test_invalid_values_are_refused_with_a_clear_message(org, field, value, fragment):
    # Given an extracted document
    document = make_document(org.employee)
    # When a bad value is sent
    error = refused(org.employee, document, field, value)
    # Then it is a 400 that names the field (in words, not its key) and the rule
    assert (error.code, error.status_code) == ("invalid_value", 400)
    assert error.message.lower().startswith(field_label(field).lower() + ": ")
    assert fragment in error.message


def test_a_date_is_stored_as_an_iso_date_in_json_and_column(org):
    # Given an extracted document
    document = make_document(org.employee)
    # When the issue date is corrected
    correct(org.employee, document, "issue_date", "2026-03-31")
    # Then both representations hold it
    extraction = Extraction.objects.get(document=document)
    assert extraction.fields["issue_date"] == "2026-03-31"
    assert extraction.issue_date == dt.date(2026, 3, 31)


def test_a_tax_id_is_stored_upper_case_without_separators(org):
    # Given an extracted document
    document = make_document(org.employee)
    # When a tax ID is typed in lower case with spaces
    correct(org.employee, document, "seller_tax_id", "9144 0300 ma5e jrpe xf")
    # Then it is normalised
    assert Extraction.objects.get(document=document).seller_tax_id == "91440300MA5EJRPEXF"


PHONE = "13812345678"
RESIDENT_ID = "11010519491231002X"
# 18 digits passing Luhn, not a valid 统一社会信用代码: a card to the detectors when it
# stands alone, a tax ID (or its misread) on a tax-ID field.
TAX_ID_PASSING_LUHN = "914403007152600003"


def test_a_personal_number_typed_into_a_name_is_masked_everywhere_it_is_stored(org):
    # Given an extracted document
    document = make_document(org.employee)
    # When the owner types the buyer as a person with a phone number and an ID number
    correct(org.employee, document, "buyer_name", f"张三 {PHONE} 身份证{RESIDENT_ID}")
    # Then the contract, the column, the history and the audit trail hold it masked
    extraction = Extraction.objects.get(document=document)
    assert extraction.fields["buyer_name"] == "张三 *******5678 身份证**************002X"
    assert extraction.buyer_name == extraction.fields["buyer_name"]
    stored = [
        str(extraction.fields),
        extraction.buyer_name,
        str(FieldCorrection.objects.get().new_value),
        str(AuditEvent.objects.get(action="document.field_corrected").after),
    ]
    for text in stored:
        assert PHONE not in text and RESIDENT_ID not in text


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("invoice_number", "25442000000123456789"),  # 数电票: 20 digits
        ("invoice_code", "044001900111"),
        ("check_code", "76939056883466677916"),
        ("seller_tax_id", "91440300MA5EJRPEXF"),
        ("seller_tax_id", TAX_ID_PASSING_LUHN),
        ("buyer_tax_id", "110105491231002"),  # an old 15-digit 税号 with a date-like middle
        ("total_amount", "13812345678.00"),
    ],
)
def test_business_numbers_are_stored_as_typed(org, field, value):
    # Given an extracted document
    document = make_document(org.employee)
    # When a field whose value is legitimately a number is corrected
    correct(org.employee, document, field, value)
    # Then the number is kept readable
    assert Extraction.objects.get(document=document).fields[field] == value


def test_a_resident_id_typed_into_a_tax_id_field_is_masked(org):
    # Given an extracted document
    document = make_document(org.employee)
    # When an individual buyer's resident ID is typed as the buyer's tax ID
    correct(org.employee, document, "buyer_tax_id", RESIDENT_ID)
    # Then it is masked as the same number read from the image would be
    assert Extraction.objects.get(document=document).buyer_tax_id == "**************002X"


def test_fixing_the_arithmetic_clears_its_warning(org):
    # Given a VAT invoice whose total was misread (100 + 13 != 120), so the check warns
    document = make_document(
        org.employee,
        amount="100.00",
        tax="13.00",
        total="120.00",
        warnings=[{"code": "arithmetic_mismatch", "message": "off", "field": "total_amount"}],
    )
    # When the reviewer corrects the total to 113.00
    correct(org.employee, document, "total_amount", "113.00")
    # Then the cross-checks run again and the warning is gone
    codes = [w["code"] for w in Extraction.objects.get(document=document).warnings]
    assert "arithmetic_mismatch" not in codes


def test_breaking_the_arithmetic_adds_its_warning(org):
    # Given a consistent VAT invoice (100 + 13 = 113)
    document = make_document(org.employee, amount="100.00", tax="13.00", total="113.00")
    # When the total is changed to 120.00
    correct(org.employee, document, "total_amount", "120.00")
    # Then the mismatch is flagged
    codes = [w["code"] for w in Extraction.objects.get(document=document).warnings]
    assert "arithmetic_mismatch" in codes


def test_a_human_value_is_kept_when_the_checks_disagree_and_the_suggestion_is_shown(org):
    # Given an invoice whose 大写 and amounts say 113.00
    document = make_document(
        org.employee, amount="100.00", tax="13.00", total="113.00", total_in_words="壹佰壹拾叁元整"
    )
    # When a reviewer sets the total to 120.00
    correct(org.employee, document, "total_amount", "120.00")
    # Then 120.00 is kept, and a warning suggests 113.00
    extraction = Extraction.objects.get(document=document)
    assert extraction.total_amount == Decimal("120.00")
    suggestions = [w for w in extraction.warnings if w["code"] == "suggested_change"]
    assert [(w["field"], "113.00" in w["message"]) for w in suggestions] == [("total_amount", True)]


def test_engine_warnings_survive_a_correction(org):
    # Given a document with a warning the validator does not own
    note = {"code": "low_resolution", "message": "small photo", "field": None}
    document = make_document(org.employee, warnings=[note])
    # When a field is corrected
    correct(org.employee, document, "seller_name", "新名字")
    # Then that warning is still there
    assert note in Extraction.objects.get(document=document).warnings


def test_correcting_the_invoice_number_can_reveal_a_duplicate(org):
    # Given another employee's invoice numbered 12345678 and a later one misread as 12345679
    original = make_document(org.outsider, invoice_number="12345678", invoice_code="1100221130")
    later = make_document(org.employee, invoice_number="12345679", invoice_code="1100221130")
    # When the later one's number is corrected
    correct(org.employee, later, "invoice_number", "12345678")
    # Then it is flagged as a duplicate of the original
    later.refresh_from_db()
    assert (later.duplicate_of_id, later.duplicate_reason) == (original.pk, "business_key")


def test_correcting_the_invoice_number_can_reveal_another_file_of_the_same_invoice(org):
    # Given the employee's own earlier file of invoice 12345678, and a later one misread
    original = make_document(org.employee, invoice_number="12345678", invoice_code="1100221130")
    later = make_document(org.employee, invoice_number="12345679", invoice_code="1100221130")
    # When the later one's number is corrected
    correct(org.employee, later, "invoice_number", "12345678")
    # Then it is linked to the original as the same invoice, not flagged
    later.refresh_from_db()
    assert (later.same_invoice_as_id, later.duplicate_of_id) == (original.pk, None)


def test_the_owner_cannot_edit_once_the_claim_is_submitted(org):
    # Given a submitted claim
    claim = submitted_claim(org)
    document = claim.documents.get()
    # When the owner edits a field
    error = refused(org.employee, document, "total_amount", "1.00")
    # Then the claim's state forbids it
    assert (error.code, error.status_code) == ("conflict", 409)


def test_the_reviewing_manager_can_edit_a_submitted_claim(org):
    # Given a submitted claim
    claim = submitted_claim(org)
    document = claim.documents.get()
    # When the manager corrects the seller
    correct(org.manager, document, "seller_name", "正确的公司")
    # Then it is stored with the manager as actor
    assert FieldCorrection.objects.get().actor == org.manager


def test_finance_can_edit_while_the_claim_is_in_review(org):
    # Given a submitted claim
    claim = submitted_claim(org)
    document = claim.documents.get()
    # When finance corrects the date
    correct(org.finance, document, "issue_date", "2026-01-02")
    # Then it is applied
    assert FieldCorrection.objects.get().new_value == "2026-01-02"


def test_nobody_edits_an_approved_claims_documents(org):
    # Given a finance-approved claim (its export items are frozen)
    claim = submitted_claim(org)
    workflow.claim_approve(actor=org.manager, claim_id=claim.pk)
    workflow.claim_approve(actor=org.finance, claim_id=claim.pk)
    # When finance edits a field
    error = refused(org.finance, claim.documents.get(), "total_amount", "1.00")
    # Then the claim is locked, and the answer says so (not a lost race)
    assert (error.code, error.status_code) == ("claim_locked", 409)
    assert error.message == (
        "This claim is locked (approved by finance): it can no longer be changed."
    )


def test_another_employee_cannot_edit(org):
    # Given someone else's document
    document = make_document(org.employee)
    # When another employee edits it
    error = refused(org.outsider, document, "seller_name", "x")
    # Then it is forbidden
    assert error.status_code == 403


def test_the_category_can_be_chosen_and_reset(org):
    # Given a train ticket (derived category: travel)
    document = make_document(org.employee, document_type="train_ticket")
    # When the owner sets it to meals, then back to empty
    correct(org.employee, document, "category", "meals")
    chosen = Document.objects.get(pk=document.pk).category
    correct(org.employee, document, "category", "")
    # Then it was stored, and reset to "derive it"
    assert (chosen, Document.objects.get(pk=document.pk).category) == ("meals", "")


def test_finance_resolves_a_duplicate_flag(org):
    # Given a document flagged as a duplicate
    original = make_document(org.employee)
    duplicate = make_document(org.employee)
    Document.objects.filter(pk=duplicate.pk).update(duplicate_of=original)
    # When finance resolves it with a reason
    corrections.document_resolve_duplicate(
        actor=org.finance, document_id=duplicate.pk, comment="two separate dinners"
    )
    # Then it is resolved and the reason is audited
    duplicate.refresh_from_db()
    assert duplicate.duplicate_resolved
    event = AuditEvent.objects.get(action="document.duplicate_resolved")
    assert event.comment == "two separate dinners"


def test_only_finance_resolves_duplicates(org):
    # Given a flagged document
    original = make_document(org.employee)
    duplicate = make_document(org.employee)
    Document.objects.filter(pk=duplicate.pk).update(duplicate_of=original)
    # When the manager tries
    with pytest.raises(ServiceError) as info:
        corrections.document_resolve_duplicate(actor=org.manager, document_id=duplicate.pk)
    # Then it is forbidden
    assert info.value.status_code == 403
