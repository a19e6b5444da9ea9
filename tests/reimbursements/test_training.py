"""The correction loop: bad cases and fine-tuning examples from reviewer corrections."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from extraction.finetune.dataset import image_path, read_jsonl
from reimbursements.corrections import document_correct_field
from reimbursements.training import bad_cases, describe
from tests.conftest import png_bytes
from tests.reimbursements.workflow_helpers import make_document

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def with_file(document):
    document.file.save("x.png", ContentFile(png_bytes((120, 80))), save=True)
    return document


def test_bad_cases_are_failed_warned_or_corrected_documents(make_user):
    # Given one good, one failed, one warned-about and one corrected document
    owner = make_user("employee")
    make_document(owner)
    failed = make_document(owner, status="failed", extracted=False)
    warned = make_document(owner, warnings=[{"code": "words_mismatch", "message": "m"}])
    corrected = make_document(owner)
    document_correct_field(actor=owner, document_id=corrected.pk, field="seller_name", value="X")
    # When bad cases are selected, then exactly the three bad ones come back with reasons
    cases = {d.pk: describe(d) for d in bad_cases()}
    assert set(cases) == {failed.pk, warned.pk, corrected.pk}
    assert cases[failed.pk].reasons == ("failed",)
    assert "reviewer_corrected" in cases[corrected.pk].reasons
    assert cases[corrected.pk].corrected_fields == ("seller_name",)


def test_export_bad_cases_command_writes_jsonl(make_user, tmp_path):
    make_document(make_user("employee"), status="failed", extracted=False)
    out = tmp_path / "bad.jsonl"
    call_command("export_bad_cases", "--out", str(out))
    (line,) = out.read_text().splitlines()
    assert json.loads(line)["reasons"] == ["failed"]


def test_corrected_extraction_becomes_a_training_example_with_the_corrected_value(
    make_user, tmp_path
):
    # Given a document whose total a reviewer corrected
    owner = make_user("employee")
    document = with_file(make_document(owner, total="100.00"))
    make_document(owner)  # uncorrected: not training data
    document_correct_field(
        actor=owner, document_id=document.pk, field="total_amount", value="123.45"
    )
    # When the training data is exported
    call_command("export_training_data", "--out", str(tmp_path / "train"))
    # Then one example holds the masked image, the extraction prompt and the corrected JSON
    data = tmp_path / "train" / "train.jsonl"
    (example,) = read_jsonl(data)
    assert image_path(data, example).is_file()
    assert "123.45" in example.answer
    assert "100.00" not in example.answer
    assert example.prompt_version.startswith("invoice.fields")
