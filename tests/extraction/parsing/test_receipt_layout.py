"""Receipt parsing from hand-placed OCR boxes: merchant, date formats, which amount is the total."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from extraction import calibration
from extraction.engines.base import OcrLine
from extraction.parsing.document import parse_lines
from extraction.parsing.receipt import TOTAL_ROUNDED, receipt_date
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
        ("11-0CT-2026 20:12", dt.date(2026, 10, 11)),
        ("N0V 3, 2025", dt.date(2025, 11, 3)),
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


def foreign_receipt(header: list[str], date: str, rows: list[tuple[str, str]]) -> list[OcrLine]:
    """A receipt of another country: header lines, a date line, two items, then rows."""
    lines = []
    y = 40.0
    for text in header:
        lines.append(box(60, y, text))
        y += 30
    lines.append(box(20, y, date))
    y += 40
    for item, amount in (("1 LATTE", "4,50"), ("2 CROISSANT", "6,00")):
        lines.append(box(20, y, item))
        lines.append(box(380, y, amount))
        y += 30
    for label, amount in rows:
        lines.append(box(20, y, label))
        lines.append(box(380, y, amount))
        y += 30
    return lines


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # German: ZWISCHENSUMME, MWST, then SUMME; GEGEBEN BAR and RUECKGELD after it
        (
            [
                ("ZWISCHENSUMME", "10,50"),
                ("MWST 19%", "1,99"),
                ("SUMME EUR", "12,49"),
                ("GEGEBEN BAR", "20,00"),
                ("RUECKGELD", "7,51"),
            ],
            "12.49",
        ),
        # French: TOTAL HT is before tax; NET A PAYER is payable; ESPECES / RENDU
        (
            [
                ("TOTAL HT", "10,50"),
                ("TVA 20%", "2,10"),
                ("NET A PAYER", "12,60"),
                ("ESPECES", "20,00"),
                ("RENDU", "7,40"),
            ],
            "12.60",
        ),
        # UK / US: BALANCE DUE, CASH TEND, CHANGE DUE
        (
            [
                ("SUB TOTAL", "10.50"),
                ("VAT 20%", "2.10"),
                ("BALANCE DUE", "12.60"),
                ("CASH TEND", "20.00"),
                ("CHANGE DUE", "7.40"),
            ],
            "12.60",
        ),
    ],
)
def test_other_countries_words_for_total_cash_and_change(
    rows: list[tuple[str, str]], expected: str
) -> None:
    # given a receipt worded in another country's till language
    lines = foreign_receipt(["MAPLE CAFE", "HAUPTSTRASSE 5"], "05.03.2025 10:21", rows)
    # when parsed
    total = parse_lines(lines).fields.total_amount
    # then the payable total is taken, never the subtotal, the cash or the change
    assert total == Decimal(expected)


def test_german_date_label_wins_over_an_earlier_number_that_reads_as_a_date() -> None:
    # given a header number shaped like a date before the labelled DATUM
    header = ["MAPLE BACKEREI GMBH", "FILIALE 12.10.25", "HAUPTSTRASSE 5"]
    lines = foreign_receipt(header, "DATUM: 05.03.2025", [("SUMME EUR", "10,50")])
    # when parsed / then the labelled date is the sale date
    assert parse_lines(lines).fields.issue_date == dt.date(2025, 3, 5)


@pytest.mark.parametrize(
    "legal",
    ["MAPLE BAKERY SARL", "MAPLE BAKERY SAS", "MAPLE BAKERY S.A.", "MAPLE BAKERY B.V."],
)
def test_legal_forms_of_other_countries_name_the_seller_under_a_brand_line(legal: str) -> None:
    # given a brand line and a greeting above the registered name
    header = ["MAPLE", "WELCOME TO OUR STORE", legal, "12 RUE DU COMMERCE", "75002 PARIS"]
    lines = foreign_receipt(header, "05/03/2025 10:21", [("TOTAL TTC", "10,50")])
    # when parsed / then the line with the legal form is the seller
    assert parse_lines(lines).fields.seller_name == legal


def test_subtotal_plus_tax_chooses_among_total_candidates() -> None:
    # given two TOTAL rows, only one of them equal to SUBTOTAL + tax + rounding, and no
    # cash/change pair to confirm either
    lines = till_receipt(
        [
            ("SUBTOTAL", "35.80"),
            ("SST 6%", "2.15"),
            ("ROUNDING ADJ", "0.00"),
            ("TOTAL", "37.95"),
            ("TOTAL", "39.75"),
            ("VISA", "37.95"),
        ]
    )
    # when parsed
    total = parse_lines(lines).fields.total_amount
    # then the arithmetic decides (the lower TOTAL row would win on position alone)
    assert total == Decimal("37.95")


def test_tax_summary_headers_read_as_one_box_start_the_summary() -> None:
    # given the GST summary's column headers read as one box ("Amount(RM)GST(RM)") with
    # the tax amount under them, below the payable total
    lines = till_receipt([("TOTAL", "37.95"), ("Amount(RM)GST(RM)", "2.15")])
    # when parsed / then the header's AMOUNT is not a total row
    assert parse_lines(lines).fields.total_amount == Decimal("37.95")


def test_service_charge_counts_in_the_receipts_arithmetic() -> None:
    # given a restaurant bill: SUBTOTAL + 10% service charge + GST, and a later TOTAL row
    # of another value
    lines = till_receipt(
        [
            ("SUBTOTAL", "87.80"),
            ("10% SRV CHG", "8.78"),
            ("GST @6%", "5.81"),
            ("TOTAL", "102.39"),
            ("TOTAL", "96.58"),
        ]
    )
    # when parsed / then the row equal to subtotal + service charge + tax is the total
    assert parse_lines(lines).fields.total_amount == Decimal("102.39")


def test_amount_followed_by_its_currency_in_the_label_box() -> None:
    # given a total printed in one box with the currency after the amount
    lines = till_receipt([("", "")])
    lines = [line for line in lines if line.text] + [box(20, 400, "Total Facture : 56.00 DH")]
    # when parsed / then the amount is read from the label's own box
    assert parse_lines(lines).fields.total_amount == Decimal("56.00")


def test_label_words_one_letter_misread_still_name_their_rows() -> None:
    # given OCR's misreads of the totals block: Tetal, Totel, Peyable, Chenge
    lines = till_receipt(
        [
            ("Tetal Amt Incl. GST @ 6% :", "8.48"),
            ("Rounding Adjustment:", "0.02"),
            ("Totel Amt Peyable :", "8.50"),
            ("Paid Amount:", "100.00"),
            ("Chenge :", "91.50"),
        ]
    )
    # when parsed / then the payable row is the total, and the change is not
    assert parse_lines(lines).fields.total_amount == Decimal("8.50")


def test_hyphen_read_for_the_decimal_point_of_a_lone_amount() -> None:
    # given a NET TOTAL whose amount came out as "19-80"
    lines = till_receipt([("NET TOTAL", "19-80"), ("CASH", "50.00"), ("CHANGE", "30.20")])
    # when parsed / then the amount is 19.80
    assert parse_lines(lines).fields.total_amount == Decimal("19.80")


def test_date_with_the_separator_between_day_and_month_lost() -> None:
    # given "27/03/2018" read as "2703/2018" / when read / then the date is still found
    assert receipt_date("2703/2018") == dt.date(2018, 3, 27)


def test_registered_name_above_its_company_number_beats_a_logo_line() -> None:
    # given a logo read as a short word at the top, then the name with its number below
    header = ["Cele R", "KEDAI PAPAN YEW CHUAN", "(0005583085-K)", "LOT 276 JALAN BANTING"]
    lines = till_receipt([("TOTAL", "10.00")], header=header)
    # when parsed / then the registered name is the seller
    assert parse_lines(lines).fields.seller_name == "KEDAI PAPAN YEW CHUAN"


@pytest.mark.parametrize(
    "owner", [["OWNED BY :", "SANYU SUPPLY SDN BHD (1135772-K)"], ["(A DIVISION OF HUAT SDN BHD)"]]
)
def test_the_shop_name_wins_over_the_company_that_owns_it(owner: list[str]) -> None:
    # Given a shop's name on top and, under its address, the legal name of its owner
    header = ["SANYU STATIONERY SHOP", "NO. 31G, JALAN SETIA", "TEL: 03-3362 4137"]
    lines = till_receipt([("TOTAL", "35.80")], header=[*header, *owner, "TAX INVOICE"])
    # When parsed / Then the seller is the shop, not its owner
    assert parse_lines(lines).fields.seller_name == "SANYU STATIONERY SHOP"


def test_a_legal_name_without_an_owner_caption_still_wins_over_a_brand() -> None:
    # Given a brand line above the registered name (no "owned by")
    header = ["SANYU", "SANYU SUPPLY SDN BHD", "NO. 31G, JALAN SETIA", "TAX INVOICE"]
    lines = till_receipt([("TOTAL", "35.80")], header=header)
    # When parsed / Then the registered name is the seller
    assert parse_lines(lines).fields.seller_name == "SANYU SUPPLY SDN BHD"


def test_a_name_whose_bracket_closes_on_the_next_row_is_one_name() -> None:
    # Given a registered name broken inside its bracketed branch over two rows
    header = ["AIK HUAT HARDWARE ENTERPRISE (SETIA", "ALAM) SDN BHD", "(822737-X)", "TAX INVOICE"]
    lines = till_receipt([("TOTAL", "35.80")], header=header)
    # When parsed / Then both rows make the name
    name = parse_lines(lines).fields.seller_name
    assert name == "AIK HUAT HARDWARE ENTERPRISE (SETIA ALAM) SDN BHD"


def test_sdn_read_as_sun_before_bhd() -> None:
    lines = till_receipt([("TOTAL", "35.80")], header=["RAPID RAIL SUN BHD", "TAX INVOICE"])
    assert parse_lines(lines).fields.seller_name == "RAPID RAIL SDN BHD"


def test_included_gst_alone_is_not_the_total() -> None:
    # Given TOTAL 30.00, then the rounding and the GST it includes (0.00 each)
    lines = till_receipt(
        [("Total", "RM 30.00"), ("Rounding", "RM 0.00"), ("Including GST", "RM 0.00")]
    )
    # When parsed / Then the total is the payable amount
    assert parse_lines(lines).fields.total_amount == Decimal("30.00")


def test_amount_paid_including_gst_is_the_total_not_cash() -> None:
    # Given a loyalty line captioned Total and the amount paid including GST (1 read as I)
    lines = till_receipt(
        [("AMT PAID INCL GST:", "RMI11.90"), ("GST AMT:", "RM6.33"), ("Tolal SV:", "10.56")]
    )
    # When parsed / Then the amount paid including GST is the total
    assert parse_lines(lines).fields.total_amount == Decimal("111.90")


def test_a_company_number_row_is_never_the_name() -> None:
    # Given a shop name without a legal form above its company number (ending "SA...-P")
    header = ["PROSPER NIAGA", "Company No : SA0099552-P", "LOT PT 1138", "TAX INVOICE"]
    lines = till_receipt([("TOTAL", "35.80")], header=header)
    # When parsed / Then the name is the shop's, not the number's caption
    assert parse_lines(lines).fields.seller_name == "PROSPER NIAGA"


def test_sdn_bhd_misread_and_a_stray_number_after_it() -> None:
    # given SDN BHD read "SBN 3HD" and a logo's digits merged into the name's row
    header = ["SUPER.SEVEN CASH & CARRY SBN 3HD 28-05", "(590150-A)", "NO. 1 JALAN EURO 1"]
    lines = till_receipt([("TOTAL", "10.00")], header=header)
    # when parsed / then the legal form is canonical and the digits are dropped
    assert parse_lines(lines).fields.seller_name == "SUPER.SEVEN CASH & CARRY SDN BHD"


# -- rival names: the seller's name chosen among several name-like header lines -------


def name_candidates(header: list[str]) -> int:
    """How many candidates the parser reports for the seller's name under ``header``."""
    evidence = parse_lines(till_receipt([("TOTAL", "35.80")], header=header)).evidence()
    return evidence["seller_name"].candidates if "seller_name" in evidence else 1


def test_a_brand_line_above_the_legal_name_contests_the_name() -> None:
    # Given a restaurant's brand line printed above its company's legal name
    header = ["LEMON TREE RESTAURANT", "JTJ FOODS SDN BHD", "(1179227-A)", "TAX INVOICE"]
    # When parsed / Then the legal name is taken, chosen among 2 candidates
    lines = till_receipt([("TOTAL", "35.80")], header=header)
    parsed = parse_lines(lines)
    assert parsed.fields.seller_name == "JTJ FOODS SDN BHD"
    assert parsed.evidence()["seller_name"].candidates == 2


def test_a_single_name_above_its_address_is_not_contested() -> None:
    # Given one name, then its registration number and an address that reads like a name
    header = ["PINGHWAI TRADING SDN BHD", "(1211036-W)", "NO. 2, JALAN METRO"]
    header += ["KEPONG ENTREPRENEURS PARK", "TAX INVOICE"]
    # When parsed / Then the name had no rival
    assert name_candidates(header) == 1


def test_a_branch_line_under_the_name_is_no_rival() -> None:
    # Given a line under the legal name with neither a legal form nor a kind of business
    header = ["ANEKA INTERTRADE MARKETING SDN BHD", "WELLMART KEPONG", "TAX INVOICE"]
    # When parsed / Then it is the branch, not another name
    assert name_candidates(header) == 1


def test_a_kind_of_business_line_under_the_name_is_a_rival() -> None:
    # Given a trade name, then a line naming a kind of business
    header = ["THREE STOOGES", "BISTRO AND CAFE", "NO. 2, JALAN METRO", "TAX INVOICE"]
    # When parsed / Then the name was chosen among 2
    assert name_candidates(header) == 2


def test_a_logo_read_as_a_short_word_is_no_rival() -> None:
    # Given a logo read as a short word above the legal name
    header = ["AECC", "GARDENIA BAKERIES (KL) SDN BHD", "LOT 3, JALAN PELABUR", "TAX INVOICE"]
    # When parsed / Then it does not contest the name
    assert name_candidates(header) == 1


def test_a_date_above_the_name_is_no_rival() -> None:
    # Given the date printed with its month in words above the name
    header = ["15 DECEMBER 2018", "UNIHAKKA INTERNATIONAL SDN BHD", "TAX INVOICE"]
    # When parsed / Then it does not contest the name
    assert name_candidates(header) == 1


def test_the_owner_named_under_the_shop_is_no_rival() -> None:
    # Given the shop's name, then the legal name of the company that owns it
    header = ["SANYU STATIONERY SHOP", "(A DIVISION OF HUAT SDN BHD)", "TAX INVOICE"]
    # When parsed / Then the shop is the seller and its owner does not contest it
    assert name_candidates(header) == 1


def test_a_name_beyond_the_address_is_no_rival() -> None:
    # Given a shop name, its address, then a legal name (the name block ended at the address)
    header = ["KEDAI RUNCIT MAJU JAYA", "NO. 12, JALAN MERDEKA", "MAJU HOLDINGS SDN BHD"]
    # When parsed / Then only the chosen name's own block competes
    assert name_candidates([*header, "TAX INVOICE"]) == 1


# -- the receipt's own arithmetic, handed on as evidence for the total ----------------


def test_cash_less_change_given_verifies_the_total() -> None:
    # given CASH 50.00 and CHANGE 3.40 under a TOTAL of 46.60
    lines = till_receipt([("TOTAL", "46.60"), ("CASH", "50.00"), ("CHANGE", "3.40")])
    # when parsed
    parsed = parse_lines(lines)
    # then the total carries the tender check
    assert parsed.fields.total_amount == Decimal("46.60")
    assert parsed.checks["total_amount"] == {calibration.TENDER}


def test_cash_equal_to_the_total_without_change_verifies_nothing() -> None:
    # given CASH repeating the TOTAL and CHANGE 0.00
    lines = till_receipt([("TOTAL", "46.60"), ("CASH", "46.60"), ("CHANGE", "0.00")])
    # when parsed
    parsed = parse_lines(lines)
    # then the total is read but carries no check: the cash row only repeats it
    assert parsed.fields.total_amount == Decimal("46.60")
    assert "total_amount" not in parsed.checks


def test_subtotal_plus_tax_verifies_the_total() -> None:
    # given SUBTOTAL 43.96 and GST 2.64 above a TOTAL of 46.60, no cash rows
    lines = till_receipt([("SUBTOTAL", "43.96"), ("GST 6%", "2.64"), ("TOTAL", "46.60")])
    # when parsed / then the total carries the arithmetic check
    assert parse_lines(lines).checks["total_amount"] == {calibration.ARITHMETIC}


def test_subtotal_plus_tax_and_the_printed_rounding_verifies_the_rounded_total() -> None:
    # given SUBTOTAL 43.97 + GST 2.64 = 46.61, a rounding row of -0.01 and TOTAL 46.60
    lines = till_receipt(
        [
            ("SUBTOTAL", "43.97"),
            ("GST 6%", "2.64"),
            ("ROUNDING ADJ", "-0.01"),
            ("TOTAL", "46.60"),
        ]
    )
    # when parsed / then the rounded total carries the arithmetic check
    parsed = parse_lines(lines)
    assert parsed.fields.total_amount == Decimal("46.60")
    assert parsed.checks["total_amount"] == {calibration.ARITHMETIC}


def test_a_zero_tax_row_leaves_the_subtotal_repeating_the_total() -> None:
    # given SUBTOTAL 46.60, GST 0.00 and TOTAL 46.60
    lines = till_receipt([("SUBTOTAL", "46.60"), ("GST 0%", "0.00"), ("TOTAL", "46.60")])
    # when parsed / then nothing was added to the subtotal: no check
    assert "total_amount" not in parse_lines(lines).checks


def test_a_total_contradicted_by_cash_less_change_gets_no_check() -> None:
    # given a TOTAL of 46.60 that SUBTOTAL + GST confirm, but CASH 50.00 - CHANGE 3.50
    # = 46.50 (one of the rows is misread)
    lines = till_receipt(
        [
            ("SUBTOTAL", "43.96"),
            ("GST 6%", "2.64"),
            ("TOTAL", "46.60"),
            ("CASH", "50.00"),
            ("CHANGE", "3.50"),
        ]
    )
    # when parsed
    parsed = parse_lines(lines)
    # then the total stays the printed one, with no check at all
    assert parsed.fields.total_amount == Decimal("46.60")
    assert "total_amount" not in parsed.checks


def test_a_sum_two_total_candidates_match_verifies_neither() -> None:
    # given SUBTOTAL 35.78 + SST 2.15 = 37.93 and a rounding row 0.02 whose sign may be
    # lost, with TOTAL 37.91 and TOTAL ROUNDED 37.95 both equal to a rounded sum
    lines = till_receipt(
        [
            ("SUBTOTAL", "35.78"),
            ("SST 6%", "2.15"),
            ("ROUNDING", "0.02"),
            ("TOTAL", "37.91"),
            ("TOTAL ROUNDED", "37.95"),
        ]
    )
    # when parsed
    parsed = parse_lines(lines)
    # then the rounded total is chosen, but the arithmetic does not tell the two apart
    assert parsed.fields.total_amount == Decimal("37.95")
    assert "total_amount" not in parsed.checks


def test_a_total_printed_before_and_after_rounding_is_contested_not_verified() -> None:
    # given an unrounded TOTAL 37.93, ROUNDING 0.02, TOTAL ROUNDED 37.95, CASH 40.00 and
    # CHANGE 2.05, and SUBTOTAL 35.78 + SST 2.15 above
    lines = till_receipt(
        [
            ("SUBTOTAL", "35.78"),
            ("SST 6%", "2.15"),
            ("TOTAL", "37.93"),
            ("ROUNDING ADJUSTMENT", "0.02"),
            ("TOTAL ROUNDED", "37.95"),
            ("CASH", "40.00"),
            ("CHANGE", "2.05"),
        ]
    )
    # when parsed
    parsed = parse_lines(lines)
    # then the payable 37.95 is taken, but which of the two printed totals is "the total"
    # is a convention the checks of the amount paid cannot settle: chosen among two,
    # verified by none
    assert parsed.fields.total_amount == Decimal("37.95")
    assert parsed.rivals["total_amount"] == 2
    assert "total_amount" not in parsed.checks


def test_a_total_printed_before_and_after_rounding_asks_a_person_which_to_reimburse() -> None:
    # given a receipt printing TOTAL 37.93 and, after ROUNDING 0.02, TOTAL ROUNDED 37.95
    lines = till_receipt(
        [
            ("TOTAL", "37.93"),
            ("ROUNDING ADJUSTMENT", "0.02"),
            ("TOTAL ROUNDED", "37.95"),
            ("CASH", "50.00"),
            ("CHANGE", "12.05"),
        ]
    )
    # when parsed
    parsed = parse_lines(lines)
    # then a total_rounded warning on the total names both amounts
    [warning] = parsed.warnings
    assert warning.code == TOTAL_ROUNDED
    assert warning.field == "total_amount"
    assert dict(warning.params) == {"unrounded": "37.93", "total": "37.95"}


def test_a_total_printed_once_carries_no_rounding_warning() -> None:
    # given a receipt printing its total once, paid in cash with change
    lines = till_receipt([("TOTAL", "37.95"), ("CASH", "50.00"), ("CHANGE", "12.05")])
    # when parsed
    parsed = parse_lines(lines)
    # then nothing is left for a person to settle
    assert parsed.warnings == []


def test_cash_less_change_and_subtotal_plus_tax_both_verify_a_total_printed_once() -> None:
    # given SUBTOTAL 35.78 + SST 2.15 = TOTAL 37.93, CASH 40.00 and CHANGE 2.07
    lines = till_receipt(
        [
            ("SUBTOTAL", "35.78"),
            ("SST 6%", "2.15"),
            ("TOTAL", "37.93"),
            ("CASH", "40.00"),
            ("CHANGE", "2.07"),
        ]
    )
    # when parsed
    parsed = parse_lines(lines)
    # then both checks verify it, and nothing contests it
    assert parsed.checks["total_amount"] == {calibration.TENDER, calibration.ARITHMETIC}
    assert "total_amount" not in parsed.rivals


def test_a_total_excluding_gst_is_the_subtotal_that_verifies_the_total() -> None:
    # given no SUBTOTAL row, but "Total (Excluding GST)" 7.37 + GST payable 0.43 above
    # the total of 7.80
    lines = till_receipt(
        [
            ("Total (Excluding GST):", "7.37"),
            ("GST payable (6%):", "0.43"),
            ("Total (Inclusive of GST):", "7.80"),
            ("TOTAL:", "7.80"),
        ]
    )
    # when parsed / then the total carries the arithmetic check
    parsed = parse_lines(lines)
    assert parsed.fields.total_amount == Decimal("7.80")
    assert parsed.checks["total_amount"] == {calibration.ARITHMETIC}
