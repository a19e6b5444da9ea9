"""Extraction warnings in the reader's language, translated by code at the API boundary.

``extraction`` stays free of Django: each warning carries a stable ``code``, the field it
is about and ``params`` (the values its English message names, plus ``variant`` where
one code has several sentences). Here a gettext catalogue keyed by (code, variant)
turns them into a sentence in the active language. A warning stored before params
existed still gets its code's general sentence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

FIELD_LABELS: dict[str, Promise] = {
    "invoice_code": _("invoice code"),
    "invoice_number": _("invoice number"),
    "issue_date": _("issue date"),
    "seller_name": _("seller name"),
    "seller_tax_id": _("seller tax ID"),
    "buyer_name": _("buyer name"),
    "buyer_tax_id": _("buyer tax ID"),
    "amount_excluding_tax": _("amount excluding tax"),
    "tax_amount": _("tax amount"),
    "total_amount": _("total amount"),
    "total_in_words": _("total in words (大写)"),
    "check_code": _("check code"),
    "currency": _("currency"),
    "line_items": _("line items"),
    "category": _("category"),
    "document_type": _("document type"),
    # Request fields named in validation errors.
    "file": _("file"),
    "claim": _("claim"),
    "title": _("title"),
    "comment": _("comment"),
    "field": pgettext_lazy("request parameter", "field"),
    "value": _("value"),
    "username": _("username"),
    "password": _("password"),
    "language": _("language"),
    "limit": _("limit"),
    "page": _("page"),
    "page_size": _("page size"),
    "cursor": _("cursor"),
    "format": _("format"),
    "ids": _("ids"),
    "status": _("status"),
    "scope": _("scope"),
    "image": _("image"),
    "text": _("prompt text"),
    "date_from": _("start date"),
    "date_to": _("end date"),
    "name": _("name"),
    "days": _("days"),
}

DOCUMENT_TYPE_LABELS: dict[str, Promise] = {
    "vat_special": _("VAT special invoice (专票)"),
    "vat_general": _("VAT general invoice (普票)"),
    "vat_electronic": _("VAT e-invoice"),
    "digital_invoice": _("digital invoice (数电票)"),
    "train_ticket": _("train ticket"),
    "taxi_receipt": _("taxi receipt"),
    "quota_invoice": _("quota invoice"),
    "air_itinerary": _("air itinerary"),
    "bus_ticket": _("bus ticket"),
    "toll_receipt": _("toll receipt"),
    "receipt": _("receipt"),
    "other": _("other document"),
}

CATEGORY_LABELS: dict[str, Promise] = {
    "travel": _("travel"),
    "lodging": _("lodging"),
    "meals": _("meals"),
    "transport": _("local transport"),
    "office": _("office supplies"),
    "other": _("other"),
}

# Document and claim statuses as people read them in a sentence.
STATUS_LABELS: dict[str, Promise] = {
    "received": _("received"),
    "scanning": _("being virus-scanned"),
    "clean": _("scanned"),
    "infected": _("infected"),
    "rejected": _("rejected"),
    "processing": _("being read"),
    "extracted": _("read"),
    "needs_review": _("needs review"),
    "failed": _("failed"),
    "draft": _("draft"),
    "submitted": _("submitted"),
    "manager_approved": _("approved by the manager"),
    "finance_approved": _("approved by finance"),
    "exported": _("exported"),
    "paid": _("paid"),
    "returned": _("returned for changes"),
}


def label_of(labels: Mapping[str, Promise], key: str) -> str:
    label = labels.get(key)
    return str(label) if label is not None else key


def status_label(status: str) -> str:
    """A document's or claim's status as a sentence names it, in the active language."""
    return label_of(STATUS_LABELS, str(status))


# extraction.sanity.not_a_party's reasons.
NOT_A_PARTY_REASONS: dict[str, Promise] = {
    "a field label": _("a field label"),
    "a seal caption": _("a seal caption"),
    "a printing house's imprint": _("a printing house's imprint"),
    "a document title": _("a document title"),
}

# (code, variant) -> sentence; variant "" is the code's general sentence, used when the
# stored warning has no params (or an unknown variant).
TEMPLATES: dict[tuple[str, str], Promise] = {
    ("uscc_checksum", ""): _(
        "%(field)s %(value)s is not a valid unified social credit code and could not be repaired."
    ),
    ("uscc_repaired", ""): _(
        "%(field)s was read as %(value)s, which fails its checksum; corrected to "
        "%(repaired)s, the only valid look-alike."
    ),
    ("words_unparseable", ""): _("The total in words %(words)s cannot be read as an amount."),
    ("words_mismatch", ""): _("The total and the total in words (大写) disagree."),
    ("words_mismatch", "words_misread"): _(
        "The total in words %(words)s (= %(words_value)s) disagrees with the total "
        "%(total)s, which amount + tax confirms: the words are probably misread."
    ),
    ("words_mismatch", "total_disagrees"): _(
        "The total %(total)s disagrees with the total in words %(words)s (= %(words_value)s)."
    ),
    ("total_repaired", ""): _(
        "The total was read as %(total)s, but the total in words and amount + tax both say "
        "%(words_value)s: the total was set to %(words_value)s."
    ),
    ("arithmetic_mismatch", ""): _(
        "Amount %(amount)s + tax %(tax)s = %(sum)s, but the total is %(total)s."
    ),
    ("line_items_mismatch", ""): _("The line items do not add up to the invoice's totals."),
    ("line_items_mismatch", "amounts"): _(
        "The line amounts add up to %(sum)s, but the amount excluding tax is %(expected)s."
    ),
    ("line_items_mismatch", "taxes"): _(
        "The line taxes add up to %(sum)s, but the tax amount is %(expected)s."
    ),
    ("line_items_mismatch", "line_tax"): _(
        "Line %(line)s: %(amount)s at %(rate)s gives tax %(expected)s, but the line's tax is "
        "%(tax)s."
    ),
    ("line_items_mismatch", "gross"): _(
        "The line amounts plus line taxes add up to %(sum)s, but the total is %(expected)s."
    ),
    ("date_future", ""): _("The issue date %(date)s is in the future."),
    ("date_too_old", ""): _(
        "The issue date %(date)s is more than %(years)s years ago: the tax office's "
        "verification service no longer answers for it."
    ),
    ("tax_rate_unusual", ""): _(
        "Line %(line)s: tax rate %(rate)s is not one of 13%%, 9%%, 6%%, 5%%, 3%%, 1%%, 0%%, "
        "免税, 不征税."
    ),
    ("invoice_code_format", ""): _("The invoice code %(value)s does not fit this document type."),
    ("invoice_number_format", ""): _(
        "The invoice number %(value)s does not fit this document type."
    ),
    ("check_code_format", ""): _("The check code %(value)s does not fit this document type."),
    ("format", "none_expected"): _("%(field)s %(value)s was found, but a %(kind)s has none."),
    ("format", "not_digits"): _("%(field)s %(value)s should contain digits only."),
    ("format", "length"): _(
        "%(field)s %(value)s has %(digits)s digits; a %(kind)s has %(allowed)s."
    ),
    ("format", "digit_type"): _(
        "The invoice code %(value)s marks another kind of invoice than a %(kind)s."
    ),
    ("missing_required", ""): _(
        "%(field)s is needed to verify or reimburse this document but was not found."
    ),
    ("currency_unknown", ""): _("The currency %(currency)s is not a currency code we know."),
    ("seller_is_buyer", ""): _(
        "The seller and the buyer are the same: one party was probably read twice."
    ),
    ("name_not_a_party", ""): _(
        "%(field)s %(value)s is %(reason)s, not the name of a company or person."
    ),
    ("date_before_document_type", ""): _(
        "The issue date %(date)s is before %(introduced)s, when the first %(kind)s could be issued."
    ),
    ("total_rounded", ""): _(
        "The receipt prints the total %(unrounded)s before cash rounding and %(total)s "
        "after it; %(total)s, the amount paid, was taken. Check which one to reimburse."
    ),
    ("printed_differs_from_qr", ""): _(
        "%(field)s: the document reads %(printed)s but its own QR code says %(qr)s; the QR "
        "value was kept. The print may have been altered."
    ),
    ("ofd_parts_disagree", ""): _(
        "%(field)s: %(first_part)s says %(first)s but %(other_part)s says %(other)s; the "
        "first was kept. The file may have been altered."
    ),
    ("reconciled_from_ocr", ""): _(
        "%(field)s: the model read %(model)s, which failed a cross-check; OCR read %(ocr)s, "
        "which passes, and was kept."
    ),
    ("vlm_ocr_disagree", ""): _(
        "%(field)s: the model read %(model)s and OCR read %(ocr)s; neither could be "
        "confirmed by a cross-check."
    ),
    ("model_answer_unparsable", ""): _("The model's answer could not be read."),
    ("model_answer_truncated", ""): _(
        "The model's answer was cut off; only its complete part was read."
    ),
    ("model_value_unparsable", ""): _("The model's value for %(field)s could not be read."),
    ("suggested_change", ""): _(
        "The cross-checks suggest %(field)s = %(value)s; the entered value was kept."
    ),
}
FORMAT_CODES = frozenset({"invoice_code_format", "invoice_number_format", "check_code_format"})
UNKNOWN = _("Check %(field)s.")


class _Params(dict[str, Any]):
    """Missing parameters read as "…" instead of failing the whole answer."""

    def __missing__(self, key: str) -> str:
        return "…"


def field_label(name: str | None) -> str:
    if not name:
        return gettext("this document")
    label = FIELD_LABELS.get(name)
    return str(label) if label is not None else name.replace("_", " ")


def warning_text(warning: Mapping[str, Any]) -> str:
    """The warning as a sentence in the active language."""
    code = str(warning.get("code") or "")
    raw = warning.get("params")
    stored: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    variant = str(stored.get("variant") or "")
    template = None
    if code in FORMAT_CODES and variant:
        template = TEMPLATES.get(("format", variant))
    if template is None:
        template = TEMPLATES.get((code, variant)) or TEMPLATES.get((code, ""))
    field = warning.get("field")
    params = _Params({key: str(value) for key, value in stored.items()})
    fields = [name for name in str(stored.get("fields") or "").split(",") if name]
    params["field"] = " / ".join(field_label(name) for name in fields) or field_label(field)
    if "kind" in params:
        kind = DOCUMENT_TYPE_LABELS.get(params["kind"])
        params["kind"] = str(kind) if kind is not None else params["kind"]
    if "reason" in params:
        reason = NOT_A_PARTY_REASONS.get(params["reason"])
        params["reason"] = str(reason) if reason is not None else params["reason"]
    if "allowed" in params:
        params["allowed"] = params["allowed"].replace(" or ", gettext(" or "))
    if template is None:
        # A code this catalogue does not know yet: its English message, else a pointer.
        message = warning.get("message")
        return str(message) if message else str(UNKNOWN) % params
    sentence = str(template)
    if not stored and "%(" in sentence.replace("%(field)s", ""):
        # Stored before warnings had params: the code's sentence without numbers.
        general = GENERAL.get(code)
        if general is not None:
            sentence = str(general)
    text = sentence % params
    return text[:1].upper() + text[1:]


# Sentences without numbers, for warnings stored before params existed.
GENERAL: dict[str, Promise] = {
    "uscc_checksum": _("%(field)s is not a valid unified social credit code."),
    "uscc_repaired": _(
        "%(field)s failed its checksum and was corrected to the only valid look-alike."
    ),
    "words_unparseable": _("The total in words cannot be read as an amount."),
    "total_repaired": _(
        "The total was corrected to the total in words, which amount + tax confirm."
    ),
    "arithmetic_mismatch": _("Amount + tax does not equal the total."),
    "date_future": _("The issue date is in the future."),
    "date_too_old": _("The issue date is too old to be verified by the tax office."),
    "tax_rate_unusual": _("A line's tax rate is unusual."),
    "invoice_code_format": _("The invoice code does not fit this document type."),
    "invoice_number_format": _("The invoice number does not fit this document type."),
    "check_code_format": _("The check code does not fit this document type."),
    "currency_unknown": _("The currency is not a currency code we know."),
    "name_not_a_party": _("%(field)s is not the name of a company or person."),
    "date_before_document_type": _("The issue date is before this kind of document existed."),
    "total_rounded": _("The receipt prints its total before and after cash rounding."),
    "printed_differs_from_qr": _(
        "%(field)s: the printed value differs from the document's own QR code; the QR value "
        "was kept."
    ),
    "ofd_parts_disagree": _("%(field)s: the parts of the e-invoice file disagree."),
    "reconciled_from_ocr": _(
        "%(field)s: the model's reading failed a cross-check; OCR's reading passes and was kept."
    ),
    "vlm_ocr_disagree": _("%(field)s: the model and OCR read different values."),
    "suggested_change": _("The cross-checks suggest another value for %(field)s."),
}


def translated_warnings(warnings: Any) -> list[dict[str, Any]]:
    """Stored warnings as the API shows them: ``message`` in the reader's language."""
    out: list[dict[str, Any]] = []
    for warning in warnings or []:
        if not isinstance(warning, Mapping):
            continue
        shown = dict(warning)
        shown["message"] = warning_text(warning)
        out.append(shown)
    return out


# A document's failure reason is written by a worker, which speaks no one's language: the
# sentences our own code writes are recognised here and shown in the reader's language
# (anything else, such as an engine's own error text, is shown as written).
DOCUMENT_ERRORS: list[tuple[re.Pattern[str], Promise]] = [
    (
        re.compile(
            r"The virus scanner is unavailable; the scan will be retried automatically "
            r"\(attempt (?P<attempt>\d+)\)\. The document stays on hold until it is scanned\."
        ),
        _(
            "The virus scanner is unavailable; the scan will be retried automatically "
            "(attempt %(attempt)s). The document stays on hold until it is scanned."
        ),
    ),
    (
        re.compile(
            r"A virus was found in this file \((?P<signature>.*)\)\. It has been removed and "
            r"cannot be opened\. Scan your device and upload a clean copy\."
        ),
        _(
            "A virus was found in this file (%(signature)s). It has been removed and cannot "
            "be opened. Scan your device and upload a clean copy."
        ),
    ),
    (
        re.compile(r"The file is too large for the virus scanner, so it was rejected unscanned\."),
        _("The file is too large for the virus scanner, so it was rejected unscanned."),
    ),
    (
        re.compile(
            r"Reading this document started (?P<attempts>\d+) times and never finished .*",
            re.S,
        ),
        _(
            "Reading this document started %(attempts)s times and never finished (it timed "
            "out or its worker stopped each time). Retry it; if it fails again, upload a "
            "smaller or clearer photo."
        ),
    ),
    (
        re.compile(r"No extraction engine can run: (?P<reason>.*)", re.S),
        _("No extraction engine can run: %(reason)s"),
    ),
    (
        re.compile(
            r"Extraction kept failing after (?P<attempts>\d+) attempts: (?P<reason>.*)", re.S
        ),
        _("Extraction kept failing after %(attempts)s attempts: %(reason)s"),
    ),
]


def document_error_text(error: str) -> str:
    """A document's stored failure reason in the active language."""
    for pattern, template in DOCUMENT_ERRORS:
        match = pattern.fullmatch(error.strip())
        if match is not None:
            return str(template) % match.groupdict()
    return error
