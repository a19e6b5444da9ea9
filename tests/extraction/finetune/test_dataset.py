"""The chat-messages JSONL training format."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from extraction.finetune.dataset import (
    DatasetError,
    TrainingExample,
    example_for,
    image_path,
    read_jsonl,
    write_jsonl,
)
from extraction.parsing.model_answer import parse_answer
from extraction.prompts import get_prompt
from extraction.schema import DocumentType, InvoiceFields

FIELDS = InvoiceFields(
    invoice_code="1100153130",
    invoice_number="01234567",
    issue_date=dt.date(2024, 1, 2),
    seller_name="北京示例科技有限公司",
    seller_tax_id="91110000600037341L",
    total_amount=Decimal("1130.00"),
    currency="CNY",
)


def test_an_example_holds_the_inference_prompt_and_the_corrected_answer() -> None:
    # given corrected fields of a special VAT invoice
    example = example_for("images/1.jpg", FIELDS, DocumentType.VAT_SPECIAL, example_id="doc-7")
    # then the prompt is the one inference uses, and the answer parses back to the fields
    prompt = get_prompt(DocumentType.VAT_SPECIAL)
    assert example.prompt == prompt.text
    assert example.prompt_version == prompt.version
    fields, document_type, problems = parse_answer(example.answer)
    assert fields == FIELDS
    assert document_type is DocumentType.VAT_SPECIAL
    assert problems == []


def test_a_line_is_a_user_turn_with_image_and_text_then_an_assistant_turn() -> None:
    example = example_for("images/1.jpg", FIELDS, DocumentType.VAT_SPECIAL, example_id="doc-7")
    line = example.to_json()
    user, assistant = line["messages"]
    assert user == {
        "role": "user",
        "content": [
            {"type": "image", "image": "images/1.jpg"},
            {"type": "text", "text": example.prompt},
        ],
    }
    assert assistant == {"role": "assistant", "content": [{"type": "text", "text": example.answer}]}
    assert line["prompt_version"] == "invoice.fields.v1"
    assert line["id"] == "doc-7"


def test_jsonl_round_trip(tmp_path: Path) -> None:
    # given two examples written to a file
    examples = [
        example_for("images/a.jpg", FIELDS, DocumentType.VAT_SPECIAL),
        example_for(
            "images/b.jpg", InvoiceFields(total_amount=Decimal("9.90")), DocumentType.RECEIPT
        ),
    ]
    path = tmp_path / "train.jsonl"
    # when written and read back
    assert write_jsonl(examples, path) == 2
    # then nothing changed, the file is UTF-8 JSON lines, and images resolve next to it
    assert read_jsonl(path) == examples
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    assert "北京示例科技有限公司" in lines[0]  # written as UTF-8, not \u escapes
    assert json.loads(lines[1])["prompt_version"] == "receipt.fields.v1"
    assert image_path(path, examples[0]) == tmp_path / "images" / "a.jpg"


@pytest.mark.parametrize("bad", ["/etc/passwd", "../secrets/x.jpg", "images/../../x.jpg", ""])
def test_image_paths_must_stay_inside_the_data_folder(bad: str) -> None:
    with pytest.raises(DatasetError, match="relative"):
        example_for(bad, FIELDS, DocumentType.VAT_SPECIAL)


def test_a_bad_line_names_its_line_number(tmp_path: Path) -> None:
    good = example_for("images/a.jpg", FIELDS, DocumentType.VAT_SPECIAL)
    path = tmp_path / "train.jsonl"
    path.write_text(
        json.dumps(good.to_json()) + "\n" + json.dumps({"messages": []}) + "\n", encoding="utf-8"
    )
    with pytest.raises(DatasetError, match=r"train\.jsonl:2"):
        read_jsonl(path)


def test_an_example_needs_exactly_one_image() -> None:
    line = example_for("images/a.jpg", FIELDS, DocumentType.VAT_SPECIAL).to_json()
    line["messages"][0]["content"].append({"type": "image", "image": "images/b.jpg"})
    with pytest.raises(DatasetError, match="exactly one image"):
        TrainingExample.from_json(line)
