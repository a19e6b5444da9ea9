"""Receipt parsing from hand-placed OCR boxes: merchant, date formats, which amount is the total."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from extraction.engines.base import OcrLine
from extraction.parsing.document import parse_lines
from extraction.parsing.receipt import receipt_date
from extraction.schema import DocumentType


def box(x: float, y: float, text: str, *, h: float = 22) -> OcrLine:
    width = 0.55 * h * len(text)
    return OcrLine(
        box=((x, y), (x + width, y), (x + width, y + h), (x, y + h)), text=text, score=0.98
    )


def till_receipt(
    totals: list[tuple[str, str]], *, header: list[str] | None = None
) -> list[OcrLine]:
    """A receipt: header lines, one item, then (label, amount) rows in print order."""
    lines = []
    y = 40.0
    for text in header or [
        "KEDAI RUNCIT MAJU JAYA SDN BHD",
        "(123456-X)",
        "NO. 12, JALAN MERDEKA,",
        "43000 KAJANG, SELANGOR",
        "TEL: 03-8736 1234",
        "TAX INVOICE",
    ]:
        lines.append(box(60, y, text))
        y += 30
    lines.append(box(20, y, "DATE: 05/03/2018 14:22"))
    y += 40
    lines.append(box(20, y, "2 MILO 1KG"))
    lines.append(box(380, y, "35.80"))
    y += 40
    for label, amount in totals:
        lines.append(box(20, y, label))
        lines.append(box(380, y, amount))
        y += 30
    lines.append(box(60, y + 20, "THANK YOU. PLEASE COME AGAIN"))
    return lines


def test_total_is_not_subtotal_tax_cash_or_change() -> None:
    # given SUBTOTAL, tax, TOTAL, CASH and CHANGE rows
    lines = till_receipt(
        [
            ("SUBTOTAL", "35.80"),
            ("GST 6%", "2.15"),
            ("TOTAL RM", "37.95"),
            ("CASH", "50.00"),
            ("CHANGE", "12.05"),
        ]
    )
    # when parsed
    parsed = parse_lines(lines)
    # then the payable total is taken, and subtotal/tax fill 金额/税额
    assert parsed.document_type == DocumentType.RECEIPT
    assert parsed.fields.total_amount == Decimal("37.95")
    assert parsed.fields.amount_excluding_tax == Decimal("35.80")
    assert parsed.fields.tax_amount == Decimal("2.15")


def test_rounded_total_wins_over_the_unrounded_one() -> None:
    # given a total, a rounding adjustment and the rounded total
    lines = till_receipt(
        [
            ("TOTAL", "37.93"),
            ("ROUNDING ADJUSTMENT", "0.02"),
            ("TOTAL ROUNDED", "37.95"),
            ("CASH", "40.00"),
            ("CHANGE", "2.05"),
        ]
    )
    # when parsed
    total = parse_lines(lines).fields.total_amount
    # then the rounded (payable) amount is the total
    assert total == Decimal("37.95")


def test_unlabelled_rounded_amount_below_the_total_is_payable() -> None:
    # given the rounded amount printed under the rounding line without a label
    lines = till_receipt([("Total Incl GST", "8.48"), ("Rounding Adj", "0.02"), ("", "8.50")])
    lines = [line for line in lines if line.text]
    # when parsed
    total = parse_lines(lines).fields.total_amount
    # then the till's cash rounding is applied
    assert total == Decimal("8.50")


def test_tax_summary_table_is_never_the_total() -> None:
    # given a GST summary table with its own TOTAL row after the payable total
    lines = till_receipt(
        [
            ("TOTAL", "37.95"),
            ("CASH", "50.00"),
            ("CHANGE", "12.05"),
            ("GST SUMMARY", "AMOUNT"),
            ("TOTAL:", "35.80"),
        ]
    )
    # when parsed
    total = parse_lines(lines).fields.total_amount
    # then the summary's TOTAL does not override the payable total
    assert total == Decimal("37.95")


def test_merchant_is_the_header_line_with_a_legal_form() -> None:
    # given a logo word and a branch line above the registered name
    lines = till_receipt(
        [("TOTAL", "10.00")],
        header=["Cafe", "BANGSAR BRANCH", "GOLDEN SPOON SDN. BHD. (998877-K)", "TEL: 03-2201 1234"],
    )
    # when parsed
    fields = parse_lines(lines).fields
    # then the registered name (without its registration number) is the seller
    assert fields.seller_name == "GOLDEN SPOON SDN. BHD."
    assert fields.currency == "MYR"


def test_chinese_receipt_reads_title_tax_number_and_payable() -> None:
    # given a Chinese till receipt with a discount
    lines = [
        box(150, 30, "鲜丰水果（人民路店）", h=32),
        box(120, 80, "税号：91330106MA2GL7KX18"),
        box(120, 110, "地址：杭州市西湖区人民路8号"),
        box(20, 160, "日期：2025年3月9日 10:21"),
        box(20, 200, "苹果"),
        box(400, 230, "25.00"),
        box(20, 270, "合计："),
        box(400, 270, "25.00"),
        box(20, 300, "优惠："),
        box(400, 300, "-2.50"),
        box(20, 330, "应付："),
        box(400, 330, "22.50"),
        box(20, 360, "实收："),
        box(400, 360, "30.00"),
        box(20, 390, "找零："),
        box(400, 390, "7.50"),
    ]
    # when parsed
    fields = parse_lines(lines).fields
    # then the title is the seller, 应付 the total, and the 税号 the seller's tax ID
    assert fields.seller_name == "鲜丰水果(人民路店)"
    assert fields.seller_tax_id == "91330106MA2GL7KX18"
    assert fields.issue_date == dt.date(2025, 3, 9)
    assert fields.total_amount == Decimal("22.50")
    assert fields.currency == "CNY"


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("18-11-18 13:58SH01Z153", dt.date(2018, 11, 18)),
        ("Date:30/08/2017", dt.date(2017, 8, 30)),
        ("12Mar201818:19", dt.date(2018, 3, 12)),
        ("7 JAN 2018", dt.date(2018, 1, 7)),
        ("15-JAN-2018", dt.date(2018, 1, 15)),
        ("Oct 9, 2018", dt.date(2018, 10, 9)),
        ("ORD #15-REG #19-02/03/2018 12:59:16", dt.date(2018, 3, 2)),
        ("2018-01-07", dt.date(2018, 1, 7)),
        ("05.03.2018", dt.date(2018, 3, 5)),
    ],
)
def test_receipt_dates_in_printed_formats(printed: str, expected: dt.date) -> None:
    # given a date as a till prints it / when read / then the calendar date is right
    assert receipt_date(printed) == expected


def test_phone_numbers_are_not_dates() -> None:
    # given a phone number with dotted groups / when read / then no date
    assert receipt_date("Tel.:05.22.95.66.66") is None


def test_us_receipts_put_the_month_first() -> None:
    # given a US-style numeric date / when read month-first / then month and day are right
    assert receipt_date("03/05/2024", month_first=True) == dt.date(2024, 3, 5)
    assert receipt_date("03/05/2024") == dt.date(2024, 5, 3)


@pytest.mark.parametrize(
    "printed",
    ["(GST Reg No. 001234567890)", "GST ID No 001234567890", "GST REG NO : 001234567890"],
)
def test_gst_registration_without_a_colon_is_the_seller_tax_id(printed: str) -> None:
    # given a till receipt printing its GST registration with or without a colon
    header = ["KEDAI RUNCIT MAJU JAYA SDN BHD", printed, "TEL: 03-8736 1234", "TAX INVOICE"]
    lines = till_receipt([("GST 6%", "2.15"), ("TOTAL", "37.95")], header=header)
    # when parsed
    fields = parse_lines(lines).fields
    # then the registration number is the seller's tax id
    assert fields.seller_tax_id == "001234567890"


def test_gst_rate_line_is_not_a_tax_registration() -> None:
    # given a receipt whose only GST words are the tax line of the totals
    lines = till_receipt([("GST 6%", "2.15"), ("TOTAL", "37.95")])
    # when parsed
    fields = parse_lines(lines).fields
    # then no tax id is invented
    assert fields.seller_tax_id is None


def test_us_state_and_zip_mean_dollars_and_month_first_dates() -> None:
    # given a receipt whose $ sign was misread, with a New York address and 9/11/26
    header = ["SRI MURNI RESTAURANT", "215, 5TH AVENUE,", "NEW YORK, NY 10001", "TAX INVOICE"]
    lines = till_receipt([("TOTALS", "50.56")], header=header)
    lines[len(header)] = box(20, 40 + 30 * len(header), "9/11/26 08:56")
    # when parsed
    fields = parse_lines(lines).fields
    # then the address gives the currency, and the date is read month first
    assert fields.currency == "USD"
    assert fields.issue_date == dt.date(2026, 9, 11)


def test_amount_received_is_cash_not_the_total() -> None:
    # given the tendered amount printed as "AMOUNT RECEIVED" under the total
    lines = till_receipt([("TOTAL", "37.95"), ("AMOUNT RECEIVED", "50.00"), ("CHANGE", "12.05")])
    # when parsed / then the total is the payable amount, not the cash handed over
    assert parse_lines(lines).fields.total_amount == Decimal("37.95")


def test_candidate_repeating_the_cash_tendered_loses_to_the_total() -> None:
    # given a total that CASH - CHANGE does not confirm (one is misread) and a later
    # AMOUNT row repeating the cash tendered
    lines = till_receipt(
        [("TOTAL", "37.97"), ("CASH", "50.00"), ("CHANGE", "12.00"), ("AMOUNT", "50.00")]
    )
    # when parsed / then the TOTAL row wins: the cash is never the total when change was given
    assert parse_lines(lines).fields.total_amount == Decimal("37.97")
