"""数电票 XML: exact fields and line items, any namespace, unsafe XML refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from extraction.machine.einvoice_xml import read_einvoice_xml
from extraction.machine.safexml import parse_xml
from extraction.schema import DocumentType, FieldSource
from tests.extraction.machine.einvoice_files import DEFAULT, EXEMPT, einvoice_xml

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<EInvoice><Header><EIid>&lol4;</EIid></Header></EInvoice>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE EInvoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<EInvoice><EInvoiceData><SellerInformation><SellerName>&xxe;</SellerName>
</SellerInformation></EInvoiceData></EInvoice>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE EInvoice SYSTEM "http://127.0.0.1:1/evil.dtd">
<EInvoice><Header><EIid>1</EIid></Header></EInvoice>"""


def contract(data: bytes) -> dict[str, object]:
    return read_einvoice_xml(data).fields.to_contract()


def test_every_field_and_line_item_is_read_exactly() -> None:
    # Given a 数电票 XML as the tax platform delivers it
    data = einvoice_xml(DEFAULT, words=True)
    # When it is read
    reading = read_einvoice_xml(data)
    # Then every field is the issuer's value, money as Decimal, rates canonical
    fields = reading.fields.to_contract()
    items = fields.pop("line_items")
    assert fields == DEFAULT.expected()
    assert items == DEFAULT.expected_items()
    assert reading.fields.total_amount == Decimal("1348.15")
    assert reading.fields.issue_date == dt.date(2025, 3, 14)
    assert reading.source is FieldSource.XML
    assert reading.complete
    assert reading.document_type is DocumentType.DIGITAL_INVOICE


@pytest.mark.parametrize(
    "layout",
    [
        {"namespace": "urn:example:einvoice"},
        {"namespace": "urn:example:einvoice", "prefix": "inv"},
        {"encoding": "GBK"},
        {"encoding": "UTF-16"},
    ],
    ids=["default-namespace", "prefixed-namespace", "gbk", "utf16"],
)
def test_namespaces_and_encodings_do_not_change_the_reading(layout: dict[str, str]) -> None:
    # Given the same invoice written with a namespace or in another encoding
    data = einvoice_xml(DEFAULT, words=True, **layout)
    # When it is read
    fields = contract(data)
    # Then the fields are the same as without
    assert fields == contract(einvoice_xml(DEFAULT, words=True))


def test_the_words_total_is_read_only_when_the_file_has_it() -> None:
    # Given an XML without the 大写 element (most of them)
    fields = contract(einvoice_xml(DEFAULT))
    # Then total_in_words stays empty: it is never computed
    assert fields["total_in_words"] is None
    assert fields["total_amount"] == "1348.15"


def test_missing_optional_elements_leave_their_fields_empty() -> None:
    # Given an XML without the buyer's tax ID, the number section and line items
    data = einvoice_xml(
        EXEMPT, omit=("BuyerIdNum", "InvoiceNumber", "IssueTime", "IssuItemInformation")
    )
    # When it is read
    reading = read_einvoice_xml(data)
    # Then the rest is read, the number from Header/EIid and the date from RequestTime
    assert reading.fields.buyer_tax_id is None
    assert reading.fields.line_items == []
    assert reading.fields.invoice_number == EXEMPT.number
    assert reading.fields.issue_date == EXEMPT.date


def test_an_exempt_line_has_no_tax() -> None:
    # Given a 免税 line (its tax element is empty)
    item = read_einvoice_xml(einvoice_xml(EXEMPT)).fields.line_items[0]
    # Then its rate is 免税 and its tax absent
    assert (item.tax_rate, item.tax_amount, item.amount) == ("免税", None, Decimal("860.00"))


def test_a_malformed_amount_is_an_error_not_a_guess() -> None:
    data = einvoice_xml(DEFAULT).replace(b"<TotalTaxAm>93.15<", b"<TotalTaxAm>93,1x<")
    with pytest.raises(ValueError, match="TotalTaxAm '93,1x' is not a number"):
        read_einvoice_xml(data)


def test_another_xml_document_is_refused_with_its_root_named() -> None:
    with pytest.raises(ValueError, match=r"root element is <Invoice>, expected <EInvoice>"):
        read_einvoice_xml(b"<?xml version='1.0'?><Invoice><ID>1</ID></Invoice>")


def test_broken_xml_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match="not well-formed XML"):
        read_einvoice_xml(b"<EInvoice><Header></EInvoice>")


@pytest.mark.parametrize(
    "data", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD], ids=["bomb", "xxe", "dtd"]
)
def test_entity_expansion_and_external_references_are_refused(data: bytes) -> None:
    # Given XML that declares entities or refers to an external DTD
    # When it is parsed, Then it is refused before anything expands or is fetched
    with pytest.raises(ValueError, match="refused: it declares a DTD or entities"):
        read_einvoice_xml(data)


def test_the_safe_parser_names_what_it_refused() -> None:
    with pytest.raises(ValueError, match=r"^OFD member OFD\.xml is refused"):
        parse_xml(BILLION_LAUGHS, what="OFD member OFD.xml")
