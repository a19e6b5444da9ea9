"""OFD e-invoices: exact fields from tags, CustomData, an embedded XML or the page text."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest

from extraction.machine.ofd import is_ofd, parse_ofd
from extraction.machine.ofd_fields import OFD_PARTS_DISAGREE, read_ofd
from extraction.schema import DocumentType, FieldSource
from tests.extraction.machine.einvoice_files import (
    DEFAULT,
    EXEMPT,
    REAL_OFD_EXPECTED,
    Spec,
    ofd_package,
    real_ofd_path,
    zip_bytes,
)

LAYOUTS: dict[str, dict[str, Any]] = {
    "tags+customdata": {},
    "tags-only": {"custom_data": False},
    "customdata-only": {"tags": False},
    "text-only": {"tags": False, "custom_data": False},
    "embedded-xml": {"embedded_xml": True},
    "embedded-xml-no-tags": {"embedded_xml": True, "tags": False},
    "default-namespace": {"namespace": "default"},
    "no-namespace-absolute-paths": {"namespace": "none", "absolute_paths": True},
}


def _nfkc(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {k: unicodedata.normalize("NFKC", v) if isinstance(v, str) else v for k, v in i.items()}
        for i in items
    ]


@pytest.mark.parametrize("spec", [DEFAULT, EXEMPT], ids=["two-lines", "wrapped-exempt"])
@pytest.mark.parametrize("layout", list(LAYOUTS), ids=list(LAYOUTS))
def test_every_layout_reads_every_field_exactly(spec: Spec, layout: str) -> None:
    # Given an OFD 数电票 in one of the layouts issuers produce
    data = ofd_package(spec, **LAYOUTS[layout])
    # When it is read
    reading = read_ofd(data)
    # Then every field and line item is the issuer's value, and the parts agree
    fields = reading.fields.to_contract()
    items = fields.pop("line_items")
    assert fields == spec.expected()
    # (the layout parser, used only without tags, writes names in NFKC)
    assert _nfkc(items) == _nfkc(spec.expected_items())
    assert reading.warnings == ()
    assert reading.source is FieldSource.OFD
    assert reading.complete
    assert reading.document_type is DocumentType.DIGITAL_INVOICE


def test_tagged_line_items_keep_the_printed_name_exactly() -> None:
    # Given a tagged OFD whose item name wraps onto a second printed line
    item = read_ofd(ofd_package(EXEMPT)).fields.line_items[0]
    # Then both lines are joined, full-width brackets as printed
    assert item.name == "*蔬菜*有机蔬菜礼盒（精选时令十二种组合装）"
    assert (item.tax_rate, item.tax_amount) == ("免税", None)


def test_customdata_that_disagrees_with_the_print_is_reported() -> None:
    # Given an OFD whose printed total was edited but not its CustomData
    data = ofd_package(
        DEFAULT, printed_overrides={"amount_excluding_tax": "1855.00"}, custom_data=True
    )
    # When it is read
    reading = read_ofd(data)
    # Then the printed value is kept and the disagreement is a warning naming both
    assert str(reading.fields.amount_excluding_tax) == "1855.00"
    (warning,) = reading.warnings
    assert warning.code == OFD_PARTS_DISAGREE
    assert warning.field == "amount_excluding_tax"
    assert "'1855.00'" in warning.message and "'1255.00'" in warning.message


def test_an_embedded_xml_outranks_the_print() -> None:
    # Given an OFD whose embedded XML and printed number differ
    data = ofd_package(
        DEFAULT, embedded_xml=True, printed_overrides={"invoice_number": "25442000000123450000"}
    )
    # When it is read
    reading = read_ofd(data)
    # Then the XML's number is kept and both disagreeing parts are named
    assert reading.fields.invoice_number == DEFAULT.number
    assert [w.field for w in reading.warnings] == ["invoice_number"]
    assert "embedded XML Doc_0/Attachs/invoice.xml" in reading.warnings[0].message


def test_ofd_is_recognised_by_its_structure() -> None:
    assert is_ofd(ofd_package(DEFAULT))
    assert not is_ofd(zip_bytes({"Doc_0/Document.xml": b"<Document/>"}))
    assert not is_ofd(b"%PDF-1.7")


def test_a_zip_without_a_document_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match="names no DocRoot"):
        parse_ofd(zip_bytes({"OFD.xml": b"<OFD><DocBody><DocInfo/></DocBody></OFD>"}))
    with pytest.raises(ValueError, match=r"has no Doc_0/Document\.xml"):
        parse_ofd(
            zip_bytes(
                {"OFD.xml": b"<OFD><DocBody><DocRoot>Doc_0/Document.xml</DocRoot></DocBody></OFD>"}
            )
        )


def test_an_xml_bomb_inside_an_ofd_is_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><OFD>&b;</OFD>'
    )
    with pytest.raises(ValueError, match=r"OFD member OFD\.xml is refused"):
        parse_ofd(zip_bytes({"OFD.xml": bomb}))


def test_a_location_leaving_the_package_is_refused() -> None:
    data = zip_bytes(
        {"OFD.xml": b"<OFD><DocBody><DocRoot>Doc_0/../../Document.xml</DocRoot></DocBody></OFD>"}
    )
    with pytest.raises(ValueError, match="leaves the package"):
        parse_ofd(data)


@pytest.fixture
def real_ofd() -> bytes:
    path = real_ofd_path()
    if not path.is_file():
        pytest.skip(f"the real 数电票 OFD is not here ({path}; shared data lives beside the repo)")
    return path.read_bytes()


def test_the_real_ofd_is_read_exactly(real_ofd: bytes) -> None:
    # Given the real 数电票 OFD
    reading = read_ofd(real_ofd)
    # Then every field is the labelled value, with its single line item
    fields = reading.fields.to_contract()
    items = fields.pop("line_items")
    assert fields == REAL_OFD_EXPECTED
    assert items == [
        {
            "name": "*劳务*维护保养-调压站",
            "quantity": "2",
            "unit_price": "8849.55752212389",
            "amount": "17699.12",
            "tax_rate": "13%",
            "tax_amount": "2300.88",
        }
    ]
    assert reading.warnings == ()


def test_the_real_ofd_reads_the_same_from_its_page_text_alone(real_ofd: bytes) -> None:
    # Given the real OFD stripped of its tags and CustomData
    package = parse_ofd(real_ofd)
    package.tags.clear()
    package.custom_data.clear()
    # When it is read, Then the layout parser over its text objects finds the same fields
    from extraction.machine.ofd_fields import reading_from_package

    fields = reading_from_package(package).fields.to_contract()
    fields.pop("line_items")
    assert fields == REAL_OFD_EXPECTED
