"""Versioned prompt templates per document family and task, with optional few-shot examples.

``get_prompt(document_type, task)`` picks the template: ``fields`` (strict JSON of the
extraction contract, worded per family: invoice, receipt, ticket), ``table`` (Markdown)
or ``describe`` (a scene description). The returned ``Prompt.version`` names the exact
text -- template version plus a digest of the few-shot examples -- and is stored with
each extraction (``ExtractionResult.prompt_version``) and each training example.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from extraction.prompts import templates
from extraction.schema import DocumentType

Task = Literal["fields", "table", "describe"]
Family = Literal["invoice", "receipt", "ticket"]

FAMILY_OF: Final[Mapping[DocumentType, Family]] = {
    DocumentType.VAT_SPECIAL: "invoice",
    DocumentType.VAT_GENERAL: "invoice",
    DocumentType.VAT_ELECTRONIC: "invoice",
    DocumentType.DIGITAL_INVOICE: "invoice",
    DocumentType.QUOTA_INVOICE: "invoice",
    DocumentType.OTHER: "invoice",
    DocumentType.RECEIPT: "receipt",
    DocumentType.TAXI_RECEIPT: "receipt",
    DocumentType.TOLL_RECEIPT: "receipt",
    DocumentType.TRAIN_TICKET: "ticket",
    DocumentType.BUS_TICKET: "ticket",
    DocumentType.AIR_ITINERARY: "ticket",
}

# The answer keys each family's prompt asks for, in the order the skeleton shows them.
KEYS_OF: Final[Mapping[Family, tuple[str, ...]]] = {
    "invoice": (
        "document_type",
        "invoice_code",
        "invoice_number",
        "issue_date",
        "seller_name",
        "seller_tax_id",
        "buyer_name",
        "buyer_tax_id",
        "amount_excluding_tax",
        "tax_amount",
        "total_amount",
        "total_in_words",
        "check_code",
        "currency",
        "line_items",
    ),
    "receipt": (
        "document_type",
        "invoice_number",
        "issue_date",
        "seller_name",
        "seller_tax_id",
        "amount_excluding_tax",
        "tax_amount",
        "total_amount",
        "currency",
        "line_items",
    ),
    "ticket": (
        "document_type",
        "invoice_number",
        "issue_date",
        "seller_name",
        "buyer_name",
        "buyer_tax_id",
        "tax_amount",
        "total_amount",
        "currency",
    ),
}

_FIELD_TEMPLATES: Final[Mapping[Family, tuple[str, str]]] = {
    "invoice": templates.INVOICE_FIELDS_V1,
    "receipt": templates.RECEIPT_FIELDS_V1,
    "ticket": templates.TICKET_FIELDS_V1,
}
LINE_ITEM_KEYS: Final = ("name", "quantity", "unit_price", "amount", "tax_rate", "tax_amount")


@dataclass(frozen=True)
class FewShotExample:
    """A correct answer for another document of the same family, shown as text only.

    Text-only examples teach the answer format and conventions without costing the
    ~1.3k image tokens a second image would.
    """

    answer: Mapping[str, Any]
    note: str = ""

    def render(self) -> str:
        body = json.dumps(self.answer, ensure_ascii=False, default=str)
        return f"({self.note}) {body}" if self.note else body


@dataclass(frozen=True)
class Prompt:
    version: str
    text: str
    task: Task
    family: Family | None = None
    document_type: DocumentType | None = None
    # Keys of the JSON answer, for the ``fields`` task only.
    keys: tuple[str, ...] = ()
    few_shot: tuple[FewShotExample, ...] = field(default=(), compare=False)

    @property
    def expects_json(self) -> bool:
        return self.task == "fields"


def family_of(document_type: DocumentType | str | None) -> Family:
    """The prompt family for a document type; unknown or missing types read as invoices."""
    if document_type is None:
        return "invoice"
    try:
        return FAMILY_OF[DocumentType(document_type)]
    except ValueError:
        return "invoice"


def get_prompt(
    document_type: DocumentType | str | None = None,
    task: Task = "fields",
    *,
    few_shot: Sequence[FewShotExample] = (),
    known: Mapping[str, str] | None = None,
) -> Prompt:
    """The prompt for ``task`` on a document of ``document_type`` (``None``: not yet known).

    ``known``: answer keys already read exactly from machine-readable data (the QR code),
    as contract strings; the ``fields`` prompt names them (version suffix ``+known.v1``).
    """
    doc_type = _as_type(document_type)
    if task == "table":
        version, text = templates.TABLE_MARKDOWN_V1
        return Prompt(version=version, text=text, task=task, document_type=doc_type)
    if task == "describe":
        version, text = templates.SCENE_DESCRIPTION_V1
        return Prompt(version=version, text=text, task=task, document_type=doc_type)
    if task != "fields":
        raise ValueError(f"unknown prompt task {task!r}; known: fields, table, describe")

    family = family_of(doc_type)
    keys = KEYS_OF[family]
    version, template = _FIELD_TEMPLATES[family]
    text = template.format(
        rules=templates.JSON_RULES,
        line_items=templates.LINE_ITEMS_RULE,
        skeleton=json.dumps(skeleton(keys), ensure_ascii=False),
    )
    values = {key: value for key, value in (known or {}).items() if key in keys}
    if values:
        known_version, known_text = templates.KNOWN_VALUES_V1
        rendered_values = json.dumps(values, ensure_ascii=False, sort_keys=True)
        text = f"{text}\n\n{known_text.format(values=rendered_values)}"
        version = f"{version}+{known_version}"
    examples = tuple(few_shot)
    if examples:
        rendered = "\n".join(f"- {example.render()}" for example in examples)
        text = f"{text}\n\n{templates.FEW_SHOT_HEADER}\n{rendered}"
        version = f"{version}+fs.{_digest(examples)}"
    return Prompt(
        version=version,
        text=text,
        task=task,
        family=family,
        document_type=doc_type,
        keys=keys,
        few_shot=examples,
    )


def skeleton(keys: Sequence[str]) -> dict[str, Any]:
    """The empty answer object shown to the model: every key present, nothing filled."""
    return {key: ([] if key == "line_items" else None) for key in keys}


def json_schema(prompt: Prompt) -> dict[str, Any]:
    """JSON Schema of a ``fields`` answer, for servers that enforce structured output."""
    if not prompt.expects_json:
        raise ValueError(f"prompt {prompt.version} does not ask for JSON")
    nullable_string: dict[str, Any] = {"type": ["string", "null"]}
    properties: dict[str, Any] = {}
    for key in prompt.keys:
        if key == "line_items":
            item = {
                "type": "object",
                "properties": {name: nullable_string for name in LINE_ITEM_KEYS},
            }
            properties[key] = {"type": "array", "items": item}
        else:
            properties[key] = nullable_string
    return {
        "type": "object",
        "properties": properties,
        "required": list(prompt.keys),
        "additionalProperties": False,
    }


def _as_type(document_type: DocumentType | str | None) -> DocumentType | None:
    if document_type is None or isinstance(document_type, DocumentType):
        return document_type
    try:
        return DocumentType(document_type)
    except ValueError:
        return None


def _digest(examples: Sequence[FewShotExample]) -> str:
    payload = json.dumps(
        [[example.note, example.answer] for example in examples],
        ensure_ascii=False,
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:8]
