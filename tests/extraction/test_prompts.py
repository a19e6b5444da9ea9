"""Prompt templates: one per family and task, versioned, with optional few-shot examples."""

from __future__ import annotations

import json
import re

import pytest

from extraction.prompts import (
    KEYS_OF,
    FewShotExample,
    family_of,
    get_prompt,
    json_schema,
    skeleton,
)
from extraction.schema import SCALAR_FIELDS, DocumentType


@pytest.mark.parametrize(
    ("document_type", "version"),
    [
        (DocumentType.VAT_SPECIAL, "invoice.fields.v1"),
        (DocumentType.DIGITAL_INVOICE, "invoice.fields.v1"),
        (DocumentType.RECEIPT, "receipt.fields.v1"),
        (DocumentType.TAXI_RECEIPT, "receipt.fields.v1"),
        (DocumentType.TRAIN_TICKET, "ticket.fields.v1"),
        (DocumentType.AIR_ITINERARY, "ticket.fields.v1"),
        (None, "invoice.fields.v1"),
    ],
)
def test_each_document_type_gets_its_family_template(
    document_type: DocumentType | None, version: str
) -> None:
    assert get_prompt(document_type).version == version


def test_every_document_type_has_a_family() -> None:
    for document_type in DocumentType:
        assert family_of(document_type) in KEYS_OF


def test_unknown_type_strings_read_as_invoices() -> None:
    assert get_prompt("no_such_type").family == "invoice"
    assert get_prompt("receipt").family == "receipt"


@pytest.mark.parametrize("document_type", list(DocumentType))
def test_fields_prompt_lists_every_key_and_shows_a_parseable_skeleton(
    document_type: DocumentType,
) -> None:
    # given the fields prompt for a type
    prompt = get_prompt(document_type)
    # then every key it expects is explained, and the shape it shows is valid JSON
    for key in prompt.keys:
        assert f'"{key}"' in prompt.text
    shape = json.loads(prompt.text.rsplit("Answer in this shape:\n", 1)[1])
    assert list(shape) == list(prompt.keys)
    assert "{rules}" not in prompt.text and "{skeleton}" not in prompt.text


def test_invoice_keys_are_the_extraction_contract() -> None:
    keys = set(KEYS_OF["invoice"])
    assert keys == {*SCALAR_FIELDS, "line_items", "document_type"}


def test_json_rules_state_the_formats() -> None:
    text = get_prompt(DocumentType.VAT_GENERAL).text
    assert "YYYY-MM-DD" in text
    assert "two decimals" in text
    assert "null" in text


@pytest.mark.parametrize(
    ("task", "version", "needle"),
    [("table", "table.markdown.v1", "Markdown"), ("describe", "scene.describe.v1", "Describe")],
)
def test_table_and_description_prompts(task: str, version: str, needle: str) -> None:
    prompt = get_prompt(DocumentType.RECEIPT, task)
    assert prompt.version == version
    assert needle in prompt.text
    assert not prompt.expects_json


def test_unknown_task_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown prompt task"):
        get_prompt(None, "poem")


def test_few_shot_examples_are_rendered_and_change_the_version() -> None:
    # given one example answer
    example = FewShotExample(
        answer={"document_type": "receipt", "total_amount": "12.50", "currency": "MYR"},
        note="a Malaysian restaurant bill",
    )
    # when added to the receipt prompt
    plain = get_prompt(DocumentType.RECEIPT)
    shot = get_prompt(DocumentType.RECEIPT, few_shot=[example])
    # then its answer is in the text and the version names the example set
    assert '"total_amount": "12.50"' in shot.text
    assert "a Malaysian restaurant bill" in shot.text
    assert re.fullmatch(r"receipt\.fields\.v1\+fs\.[0-9a-f]{8}", shot.version)
    assert shot.text.startswith(plain.text)


def test_different_example_sets_get_different_versions() -> None:
    first = get_prompt(None, few_shot=[FewShotExample(answer={"total_amount": "1.00"})])
    second = get_prompt(None, few_shot=[FewShotExample(answer={"total_amount": "2.00"})])
    assert first.version != second.version


def test_json_schema_covers_the_prompt_keys() -> None:
    prompt = get_prompt(DocumentType.TRAIN_TICKET)
    schema = json_schema(prompt)
    assert schema["required"] == list(prompt.keys)
    assert schema["properties"]["total_amount"] == {"type": ["string", "null"]}
    assert "line_items" not in schema["properties"]


def test_json_schema_describes_line_items() -> None:
    schema = json_schema(get_prompt(DocumentType.VAT_SPECIAL))
    items = schema["properties"]["line_items"]
    assert items["type"] == "array"
    assert "tax_rate" in items["items"]["properties"]


def test_skeleton_has_empty_values() -> None:
    assert skeleton(["total_amount", "line_items"]) == {"total_amount": None, "line_items": []}


def test_known_values_are_named_and_change_the_version() -> None:
    # Given values read exactly from the QR code (one of them not a key of this family)
    known = {"invoice_number": "33207675", "check_code": "76939056883466677916"}
    # When the receipt and invoice prompts are built with them
    invoice = get_prompt("vat_electronic", known=known)
    receipt = get_prompt("receipt", known=known)
    # Then the invoice prompt names both and asks for the printed values
    assert '"invoice_number": "33207675"' in invoice.text
    assert '"check_code": "76939056883466677916"' in invoice.text
    assert "write what the document prints" in invoice.text
    assert invoice.version == "invoice.fields.v1+known.v1"
    # and a key the family does not ask for is left out
    assert "check_code" not in receipt.text.split("already known")[-1]
    assert get_prompt("vat_electronic").version == "invoice.fields.v1"
