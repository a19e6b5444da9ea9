"""Shop and restaurant receipts (English/Malay and Chinese): merchant, date, total.

Receipts have no fixed form, so the rules are about wording and order:
- merchant: the first header line that reads like a business name (legal suffixes such
  as SDN BHD or 有限公司 win; addresses, phone/tax numbers and "TAX INVOICE" lose);
- date: a labelled date first, else the first date in reading order;
- total: rows labelled as the payable total, ranked (rounded/nett/grand > incl. tax >
  plain TOTAL); SUBTOTAL, TAX, CHANGE, CASH, ROUNDING rows and the tax summary table
  are never the total; CASH - CHANGE breaks ties, and a candidate repeating the change
  or the cash tendered loses to any other. The receipt's own arithmetic is also handed
  on as evidence for the total (``Parsed.checks``): CASH - CHANGE when change was given
  (``calibration.TENDER``), SUBTOTAL + charges + tax (+/- a printed rounding) when
  something was added (``calibration.ARITHMETIC``) -- only when the total chosen passes
  it, no other candidate does, and CASH - CHANGE does not contradict it. A total printed
  before and after cash rounding is a convention, not a reading: the amount paid is
  taken, contested, with a ``total_rounded`` warning (``Parsed.warnings``) that holds the
  receipt for a person.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import NamedTuple

from extraction import calibration
from extraction.parsing.layout import Box, Layout
from extraction.parsing.result import Parsed

# Warning code: the receipt prints its total before and after cash rounding; which one is
# "the total" is a convention (the amount paid is taken), so a person settles it.
TOTAL_ROUNDED = "total_rounded"

# Legal forms: the line that carries one is the registered business name.
_LEGAL = re.compile(
    r"(SDN\.?\s*BHD|\bBHD\b|\bS/B\b|BERHAD|\bENTERPRISES?\b|\bTRADING\b|\bLTD\b|"
    r"LIMITED|\bINC\b|\bLLC\b|\bCORP|\bGMBH\b|\bPTE\b|\bPLC\b|有限公司|公司|"
    # other countries' forms: SARL, SAS, S.A., S.R.L., AG, KG, B.V., N.V., PTY, OY, AB
    r"\bSARL\b|\bSAS\b|\bS\.\s?A\.?(?!\w)|\bSA$|\bS\.?R\.?L\b|\bA\.?G\.?$|\bK\.?G\.?$|"
    r"\bB\.V\.|\bN\.V\.|\bPTY\b|\bOY\b|\bAB$|\bS\.?P\.?A\.?$|\bCO\.?$)",
    re.IGNORECASE,
)
# Kinds of business: a hint, weaker than a legal form.
_KIND = re.compile(
    r"\b(RESTAURANTS?|CAFE|BAKERY|BAKERIES|HARDWARE|STATIONERY|PHARMACY|MART|"
    r"STORES?|SHOP|BOOKS?|MARKETING|HOLDINGS|PUB|BISTRO|KITCHEN|"
    r"FLORIST|SUPERMARKET|HOTEL|CENTRE|CENTER|TRADERS?|MINI\s*MARKET)\b"
    r"|\b(KEDAI|SYARIKAT|RESTORAN|PERNIAGAAN)"
    r"|商店|超市|餐厅|饭店|酒店|便利店|商行|药房|书店",
    re.IGNORECASE,
)
_NOT_NAME = re.compile(
    r"TAX\s*INVOICE|INVOICE|RECEIPT|WELCOME|THANK|GST|TEL\b|TEL[:.]|FAX|PHONE|JALAN|JLN|"
    r"\bLOT\b|\bNO\.|TAMAN|ROAD|STREET|LORONG|PERSIARAN|BANDAR|KUALA|SELANGOR|JOHOR|"
    r"\d{5}|CO\.?\s*REG|COMPANY\s*NO|REG\s*NO|CASHIER|TABLE|SHOPPING|HOURS|OPEN|"
    r"收银|小票|欢迎|地址|电话",
    re.IGNORECASE,
)
# The caption of a company registration number: such a row is never the name.
_REG_LABEL = re.compile(r"\bCO(?:MPANY)?\.?\s*(?:NO\b|REG)|\bREG(?:ISTRATION)?\.?\s*NO\b", re.I)
_HEADER_END = re.compile(
    r"TAX\s*INVOICE|INVOICE|RECEIPT|GST\s*(ID|REG|NO)|TEL\b|TEL[:.]|\bQTY\b|CASHIER",
    re.IGNORECASE,
)
_COLUMN_WORDS = re.compile(r"\b(QTY|PRICE|AMOUNT|DESC|ITEM|TOTAL|AMT|U/P)\b", re.IGNORECASE)
# Registration numbers printed after the name: "(126926-H)", "273500-U (GKJ)".
_REG_TAIL = re.compile(r"\s*[(\[]?\s*(?:CO\.?\s*(?:NO|REG)[.:]*\s*)?\d{4,}-?\s?[A-Z]?\b[)\]]?.*$")
# A company registration number: "(0005583085-K)", "(162761-M)", "CO. REG: 123456-X".
_REG_NUMBER = re.compile(r"\(\s*\d{4,}\s?-?\s?[A-Z]\s*\)")
_REG_ROW = re.compile(
    r"^\(?\s*(?:CO(?:MPANY)?\.?\s*(?:NO|REG)\.?\s*(?:NO\.?)?\s*[:.]?\s*)?\d{4,}\s?-?\s?[A-Z]\s*\)?$",
    re.IGNORECASE,
)
# OCR spellings of the legal suffix, canonicalised: SDN BHD read as SON BHD, SUN BHU, 5DN 3HD.
_SDN = re.compile(r"\b[S5][DO0IBU][NM](\.?)(\s*)[B83R][HN][DI0OU]\b", re.IGNORECASE)
# A name-like row of fewer letters is mostly a logo read as a word ("MRT", "AECC").
_LOGO_LETTERS = 5
# What may stand before a legal form without being a name ("CO. (M) SDN BHD").
_BARE_LEGAL = re.compile(r"^(?:CO\.?|COMPANY|&|AND)?\s*(?:\([A-Z]{1,6}\))?\s*$", re.IGNORECASE)

# The payable total after rounding: the best evidence there is.
_FINAL_TOTAL = re.compile(
    r"ROUNDED|NETT?\s*TOTAL|GRAND\s*TOTAL|AFTER\s*ADJ|AMOUNT\s*DUE|TOTAL\s*DUE|"
    r"TOTAL.{0,10}ROUND|AF[TL]ER\s*ROUND|^DUE\b|"
    r"TOTAL\s*PAYABLE|应付|实付|应收|"
    # other countries: to pay / balance due (DE, FR, UK, US)
    r"ZU\s*ZAHLEN|NET\s*[AÀ]\s*PAYER|^[AÀ]\s*PAYER|BALANCE\s*(DUE|TO\s*PAY)|TOTAL\s*TO\s*PAY",
    re.IGNORECASE,
)
_STRONG_TOTAL = re.compile(
    r"TOTAL\s*AMOUNT|TOTAL\s*\(?RM|TOTAL\s*INCL|TOTAL\s*SALES|"
    r"TOTAL\s*FACTURE|TOTAL\s*TTC|MONTANT\s*TTC|^SUMME|GESAMTBETRAG|^GESAMT|合计|总计",
    re.IGNORECASE,
)
# An amount paid or totalled including tax: the payable total. "Including GST" alone is
# the tax the total includes, and a paid amount that says it includes the tax is no cash
# tendered ("AMT PAID INCL GST").
_INCL_TOTAL = re.compile(
    r"(TOTAL|AMOUNT|AMT|PAID|PAYABLE|SALES)\W*(\w+\W*)?INCL\w*\.?\s*(OF\s*)?(GST|SST|TAX|VAT)",
    re.IGNORECASE,
)
_PLAIN_TOTAL = re.compile(r"TOTAL|TOTAI|T0TAL|TOTA1|TOTAl|AMOUNT", re.IGNORECASE)
_NOT_TOTAL = re.compile(
    r"SUB|QTY|QUANTITY|ITEM|TAX|GST\s*(PAYABLE|@|\d)|EXCL|CHANGE|CASH|ROUND|DISC|"
    r"SAVING|SERVICE|TENDER|VISA|MASTER|CARD|POINT|BEFORE|DEPOSIT|BALANCE|找零|现金|"
    r"ZWISCHEN|MWST|TVA(?![A-Z])|(?<![A-Z])VAT(?![A-Z])|TOTAL\s*HT|(?<![A-Z])BAR(?![A-Z])|GEGEBEN|"
    r"R[UÜ]E?CKGELD|ESP[EÈ]CES|RENDU|"
    r"优惠|折扣|小计",
    re.IGNORECASE,
)
# The tax summary table: its caption, or its column headers read as one box
# ("Amount(RM)GST(RM)").
_SUMMARY = re.compile(
    r"SUMM?[AE]RY|税率汇总|AMOUNT\s*(?:\(\w+\))?\s*(?:GST|SST|TAX|VAT)\s*\(", re.IGNORECASE
)
_CASH = re.compile(
    r"CASH|TENDER|PAID|RECEIVED|现金|实收|(?<![A-Z])BAR(?![A-Z])|GEGEBEN|ESP[EÈ]CES?|EFECTIVO",
    re.IGNORECASE,
)
_CHANGE = re.compile(r"CHANGE|找零|R[UÜ]E?CKGELD|ZUR[UÜ]E?CK|RENDU|MONNAIE|CAMBIO", re.IGNORECASE)
_DATE_LABEL = re.compile(r"DATE|DT\b|DATUM|FECHA|日期|时间", re.IGNORECASE)
_MONEY = re.compile(r"(?<![\d.])(-?\d{1,3}(?:,\d{3})+\.\d{2}|-?\d+[.,]\d{2})(?![\d])")
_MONEY_NO_POINT = re.compile(r"(?<![\d.])(\d{3,6})(?![\d.])")


def parse_receipt(layout: Layout, parsed: Parsed) -> None:
    currency = _currency(layout)
    parsed.put("currency", currency, 0.6)
    name = _merchant(layout)
    if name is not None:
        parsed.put("seller_name", name.name, name.score)
        parsed.read_from("seller_name", name.boxes)
        parsed.contested("seller_name", 1 + len(name.rivals))
    date = _date(layout, month_first=currency == "USD")
    if date is not None:
        parsed.put("issue_date", date[0], date[1], at=date[2])
    total = _total(layout)
    if total is not None:
        parsed.put("total_amount", total.value, total.score, at=total.box)
        for check in total.checks:
            parsed.passed("total_amount", check)
        parsed.contested("total_amount", 1 + len(total.unrounded))
        if total.unrounded:
            before = ", ".join(str(v) for v in sorted(total.unrounded))
            parsed.warn(
                TOTAL_ROUNDED,
                f"The receipt prints the total {before} before cash rounding and "
                f"{total.value} after it; {total.value} (the amount paid) was taken.",
                "total_amount",
                unrounded=before,
                total=total.value,
            )
    _numbers(layout, parsed)
    _tax_lines(layout, parsed)


_NUMBER_LABEL = re.compile(
    r"(?:INV[O0]ICE|INV|RECE[I1]PT|B[I1]LL)\s*(?:N[O0]|NUMBER|#)\.?\s*[:#]?\s*([A-Z0-9/-]{3,})",
    re.I,
)
_TAX_REG = re.compile(
    r"(?:GST|SST|VAT|TAX)\s*(?:REG(?:ISTRATION)?|ID)?\.?\s*(?:N[O0]|ID)?\.?\s*[:：]\s*([A-Z0-9-]{8,20})"
    r"|税号[:：]?\s*([0-9A-Z]{15,20})"
    # Without a colon (``(GST Reg No. 001234567890)``, ``GST ID No 0012...``) the REG/ID/NO
    # word must be there and the number must hold 6+ digits in a row: not a GST 6% line.
    r"|(?:GST|SST|VAT)\s*(?:REG(?:ISTRATION)?\.?\s*(?:N[O0]\.?)?|ID\.?\s*(?:N[O0]\.?)?|N[O0]\.?)\s*"
    r"([A-Z0-9-]*?\d{6}[A-Z0-9-]*)",
    re.I,
)
_SUBTOTAL = re.compile(r"SUB\s*-?\s*TOTAL|小计|ZWISCHENSUMME|TOTAL\s*HT", re.I)
_TAX_LINE = re.compile(r"^(?:GST|SST|VAT|TAX|SALES\s*TAX|SERVICE\s*TAX|MWST|TVA)\b", re.I)


def _numbers(layout: Layout, parsed: Parsed) -> None:
    """Invoice/receipt number and the seller's tax registration, when labelled."""
    for box in layout.boxes:
        text = box.text.upper()
        if not parsed.has("invoice_number"):
            match = _NUMBER_LABEL.search(text.replace(" ", "") if ":" in text else text)
            if match and any(c.isdigit() for c in match.group(1)):
                parsed.put("invoice_number", match.group(1), box.score)
        if not parsed.has("seller_tax_id"):
            match = _TAX_REG.search(box.text.replace(" ", ""))
            if match:
                value = match.group(1) or match.group(2) or match.group(3)
                parsed.put("seller_tax_id", value.upper(), box.score)


def _tax_lines(layout: Layout, parsed: Parsed) -> None:
    """SUBTOTAL and a tax line printed above the total give 金额 and 税额."""
    subtotal: tuple[Decimal, float] | None = None
    tax: tuple[Decimal, float] | None = None
    summary_top = min(
        (b.top for b in layout.boxes if _SUMMARY.search(b.flat)), default=float("inf")
    )
    for box in layout.boxes:
        if box.seal or box.top >= summary_top:
            continue
        words = _MONEY.sub(" ", box.text).strip()
        if subtotal is None and _SUBTOTAL.search(words) and not re.search("EXCL|QTY", words, re.I):
            found = _row_amount(layout, box)
            if found is not None:
                subtotal = (found[0], found[1])
        elif (
            tax is None
            and _TAX_LINE.match(words)
            and not re.search(r"INVOICE|REG|ID\b|SUMMARY|INCL|CODE|TOTAL", words, re.I)
        ):
            found = _row_amount(layout, box)
            if found is not None:
                tax = (found[0], found[1])
    if subtotal is not None and tax is not None:
        parsed.put("amount_excluding_tax", abs(subtotal[0]), subtotal[1])
        parsed.put("tax_amount", abs(tax[0]), tax[1])


# -- merchant -------------------------------------------------------------------------


# A caption that names the company owning or running the shop ("Owned By :", "A
# DIVISION OF", "OPERATED BY"): the legal name after it is the owner, the shop's own name
# is the one printed above it.
_OWNER = re.compile(
    r"^\W*(?:OWNED|OWN|OPERATED|MANAGED|RUN)\s*BY\b\W*|^\W*\(?\s*A\s+(?:DIVISION|MEMBER|UNIT|"
    r"SUBSIDIARY|BRANCH)\s+OF\b\W*",
    re.IGNORECASE,
)


class _Merchant(NamedTuple):
    name: str
    score: float  # the lowest OCR score of its boxes
    rivals: set[str]  # other rows of its name block that read like a name for the seller
    boxes: tuple[int, ...]  # the boxes of the rows it was read from


def _merchant(layout: Layout) -> _Merchant | None:
    """The seller's name, its reading's score, its rivals: other rows of its name block
    that read like a name for the same seller (``_rivals``), which make the choice itself
    uncertain; and the boxes it was read from."""
    rows = [row for row in layout.rows() if any(_letters(b.flat) for b in row)]
    texts = [" ".join(b.text for b in row).strip() for row in rows[:10]]
    candidates: list[tuple[float, int]] = []
    ended = False
    owned = [
        _OWNER.match(text) is not None
        or (position > 0 and _OWNER.fullmatch(texts[position - 1]) is not None)
        for position, text in enumerate(texts)
    ]
    for position, text in enumerate(texts):
        if owned[position] and candidates:
            # The owner's legal name under the shop's: the shop's name above is the seller.
            text = texts[position] = _OWNER.sub("", text)
            if _namelike(_clean_name(text)):
                candidates.append((float(position) + 30, position))
            continue
        name = _clean_name(text)
        if _namelike(name):
            rank = float(position)
            if _LEGAL.search(name):
                rank -= 20
            elif _KIND.search(name):
                rank -= 0.5
            if _letters(name) < _LOGO_LETTERS:
                rank += 5
            if _REG_NUMBER.search(text) or (
                position + 1 < len(texts) and _REG_ROW.match(texts[position + 1])
            ):
                rank -= 3  # the registered name carries its company number, or has it below
            if ended:
                rank += 8  # after the address/tax-number block the header is over
            if name.islower():
                rank += 10  # handwriting and stamps at the top are rarely the shop name
            candidates.append((rank, position))
        if _HEADER_END.search(text):
            ended = True
    if not candidates:
        return None
    _, position = min(candidates)
    # A bracket opened on one row and closed on the next holds one name over two rows
    # ("AIK HUAT HARDWARE ENTERPRISE (SETIA" / "ALAM) SDN BHD").
    if position > 0 and _closes(texts[position - 1], texts[position]):
        position -= 1
    end = position + int(
        position + 1 < len(texts) and _closes(texts[position], texts[position + 1])
    )
    name = _clean_name(" ".join(texts[position : end + 1]))
    used = set(range(position, end + 1))
    # A legal form printed on the next line ("SINNATHAMBY HOLDINGS" / "SDN. BHD.").
    if end == position and position + 1 < len(texts) and not _LEGAL.search(name):
        following = _clean_name(texts[position + 1])
        legal = _LEGAL.search(following)
        if legal and _BARE_LEGAL.match(following[: legal.start()]):
            name = f"{name} {following}"
            used.add(position + 1)
    # A row that holds only the end of the name ("CO. (M) SDN BHD", "& TEA LEAF ...")
    # continues the row above.
    legal = _LEGAL.search(name)
    starts_mid = re.match(r"^[&(]", name) is not None
    if position > 0 and (starts_mid or (legal and _BARE_LEGAL.match(name[: legal.start()]))):
        previous = _clean_name(texts[position - 1])
        if _namelike(previous) or starts_mid:
            name = f"{previous} {name}"
            used.add(position - 1)
    score = min(b.score for row in rows[position : end + 1] for b in row)
    name = _canonical(name)
    rivals = {_canonical(_clean_name(texts[p])) for p in _rivals(texts, owned, used)} - {name}
    boxes = tuple(b.index for p in sorted(used) for b in rows[p])
    return _Merchant(name, score, rivals, boxes)


def _rivals(texts: list[str], owned: list[bool], used: set[int]) -> list[int]:
    """Rows of the chosen name's block that read like another name for the same seller.

    The block is the run of name-like rows around the chosen one, up to a row that is
    none (an address, a registration number, a date, "TAX INVOICE"). Above the name,
    every such row is a rival (a brand or trade name over the legal one); below it, only
    one with a legal form or a kind of business (else it is a branch, a slogan, a
    caption). A logo read as a short word is no rival, and an owner's name is the
    owner's, not the shop's.
    """

    def inside(position: int) -> bool:
        text = texts[position]
        return _namelike(_clean_name(text)) and not owned[position] and receipt_date(text) is None

    def named(position: int) -> bool:
        return _letters(_clean_name(texts[position])) >= _LOGO_LETTERS

    found = []
    position = min(used) - 1
    while position >= 0 and inside(position):
        if named(position):
            found.append(position)
        position -= 1
    position = max(used) + 1
    while position < len(texts) and inside(position):
        name = _clean_name(texts[position])
        if named(position) and (_LEGAL.search(name) or _KIND.search(name)):
            found.append(position)
        position += 1
    return found


def _closes(above: str, below: str) -> bool:
    """``below`` closes a bracket of a name that ``above`` left open."""
    return (
        above.count("(") > above.count(")")
        and below.count(")") > below.count("(")
        and _letters(above[above.rfind("(") :]) >= 2
    )


def _letters(text: str) -> int:
    return sum(c.isalpha() for c in text)


def _namelike(text: str) -> bool:
    letters = _letters(text)
    if letters < 3 or letters < 0.5 * len(text.replace(" ", "")):
        return False
    if _MONEY.search(text.replace(" ", "")):
        return False
    if len(_COLUMN_WORDS.findall(text)) >= 2:
        return False
    if _NOT_NAME.search(text) and not _LEGAL.search(text):
        return False
    if _REG_LABEL.search(text):
        return False  # "Company No : SA0099552-P" cut to "Company No : SA" ends like a S.A.
    return not re.search(r"TAX\s*INVOICE|RECEIPT|INVOICE", text, re.IGNORECASE)


def _clean_name(text: str) -> str:
    if not re.search(r"[\u4e00-\u9fff]", text):
        text = _SDN.sub(lambda m: f"SDN{m.group(1)}{m.group(2)}BHD", text)
    text = _REG_TAIL.sub("", text)
    # An unclosed bracket at the end, or a bracketed number, is a registration tail.
    text = re.sub(r"\s*\([^)]*$", "", text)
    text = re.sub(r"\s*\([^)]*\d{3}[^)]*\)\s*$", "", text)
    return re.sub(r"\s+", " ", text).strip(" ,:;-*")


# Words of business names that OCR often gets one letter wrong (COMFANY, HEAUTY): a
# token one substitution away from exactly one of them is read as that word.
_BUSINESS_WORDS = frozenset(
    (
        "COMPANY",
        "BEAUTY",
        "HEALTH",
        "CONFECTIONERY",
        "STATIONERY",
        "HARDWARE",
        "TRADING",
        "ENTERPRISE",
        "RESTAURANT",
        "RESTAURANTS",
        "PHARMACY",
        "MARKETING",
        "SUPERMARKET",
        "BAKERY",
        "BAKERIES",
        "SERVICES",
        "SERVICE",
        "CENTRE",
        "CENTER",
        "INTERNATIONAL",
        "HOLDINGS",
        "INDUSTRIES",
        "MART",
        "SPEED",
        "STORE",
        "STORES",
        "KITCHEN",
        "FOODS",
        "TRADERS",
        "SUPPLY",
        "SUPPLIES",
        "ELECTRICAL",
        "HANDICRAFT",
        "FLORIST",
        "BOOKSTORE",
        "MALAYSIA",
        "BERHAD",
        "KEDAI",
        "SYARIKAT",
        "PERNIAGAAN",
        "RESTORAN",
        "GROCERY",
        "MINIMARKET",
        "CAFE",
        "COFFEE",
        "PRODUCTS",
        "DISTRIBUTION",
        "MANUFACTURING",
        "TRAVEL",
        "HOTEL",
        "MOTOR",
        "AUTO",
        "PARTS",
    )
)


def _spell(token: str) -> str:
    if len(token) < 4 or token in _BUSINESS_WORDS or not token.isalpha():
        return token
    near = [
        word
        for word in _BUSINESS_WORDS
        if len(word) == len(token) and sum(a != b for a, b in zip(word, token, strict=True)) == 1
    ]
    return near[0] if len(near) == 1 else token


def _canonical(name: str) -> str:
    """Latin names in capitals, as registered, with OCR's usual letter damage undone."""
    if re.search(r"[\u4e00-\u9fff]", name):
        return name
    name = name.upper()
    # O read as 0 inside or at the start of a word ("C0.", "0LD TOWN").
    name = re.sub(r"(?<=[A-Z])0(?=[A-Z.])|(?<=[A-Z])0(?=0?[A-Z])|\b0(?=[A-Z]{2})", "O", name)
    name = re.sub(r"\b[S5]/[BRD8]\b", "S/B", name)
    legal = list(_LEGAL.finditer(name))
    tail = name[legal[-1].end() :] if legal else ""
    if tail and re.search(r"[A-Z0-9]", tail) and (len(tail.strip()) <= 3 or not _letters(tail)):
        name = name[: legal[-1].end()]  # a stray mark read after the legal form
    return re.sub(r"[A-Z]+", lambda m: _spell(m.group(0)), name)


# -- date -----------------------------------------------------------------------------

_NUMERIC_DATE = re.compile(r"(\d{1,2})\s?([/\-.])\s?(\d{1,2})\s?\2\s?(\d{4}|\d{2})(?![.\-/]\d)")
_ISO_DATE = re.compile(r"(?<!\d)(20\d{2})\s?([/\-.年])\s?(\d{1,2})\s?[/\-.月]\s?(\d{1,2})(?!\d)")
_MONTH_NAMES = (
    "JAN",
    "FEB",
    "MAR",
    "APR",
    "MAY",
    "JUN",
    "JUL",
    "AUG",
    "SEP",
    "OCT",
    "NOV",
    "DEC",
)
# OCR reads the O of OCT and NOV as a zero ("11-0CT-2026").
_MONTH = r"(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|[O0]CT|N[O0]V|DEC)[A-Z]*"
_DAY_MONTH_YEAR = re.compile(
    r"(?<!\d)(\d{1,2})\s?[\-/ ]?\s?" + _MONTH + r"\.?\s?[\-/ ,]?\s?(\d{4}|\d{2})(?!\d)"
)
_MONTH_DAY_YEAR = re.compile(_MONTH + r"\.?\s?(\d{1,2})(?:ST|ND|RD|TH)?\s?,?\s?(\d{4})(?!\d)")
# Receipts are recent: a two-digit year is 20YY, and only up to a few years ahead.
_MAX_YEAR = dt.date.today().year + 2


def _year(text: str) -> int | None:
    year = int(text)
    if year < 100:
        year += 2000
    return year if 1990 <= year <= _MAX_YEAR else None


def _make(year: int | None, month: int, day: int) -> dt.date | None:
    if year is None:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def receipt_date(text: str, *, month_first: bool = False) -> dt.date | None:
    """A date as receipts print it: numeric (day first), ISO, or with a month name.

    Tolerant to a time glued after the date and to O read for 0; phone numbers
    (more digit groups after the date) are not dates.
    """
    clean = re.sub(r"(?<=\d)[Oo]|[Oo](?=\d)", "0", text).upper()
    # A time glued to the year: "12MAR201818:19" -> "12MAR2018 18:19".
    clean = re.sub(r"(\d)([0-2]\d:[0-5]\d)", r"\1 \2", clean)
    match = _ISO_DATE.search(clean)
    if match:
        found = _make(_year(match.group(1)), int(match.group(3)), int(match.group(4)))
        if found:
            return found
    for match in _numeric_dates(clean):
        first, second, year_text = int(match.group(1)), int(match.group(3)), match.group(4)
        if month_first:
            month, day = (first, second) if first <= 12 else (second, first)
        else:
            day, month = (first, second) if second <= 12 else (second, first)
        found = _make(_year(year_text), month, day)
        if found is None and len(year_text) == 4:
            # "18/03/1815:17": a two-digit year with the time glued on.
            found = _make(_year(year_text[:2]), month, day)
        if found:
            return found
    for match in _DAY_MONTH_YEAR.finditer(clean):
        month = _MONTH_NAMES.index(match.group(2).replace("0", "O")) + 1
        found = _make(_year(match.group(3)), month, int(match.group(1)))
        if found:
            return found
    for match in _MONTH_DAY_YEAR.finditer(clean):
        month = _MONTH_NAMES.index(match.group(1).replace("0", "O")) + 1
        found = _make(_year(match.group(3)), month, int(match.group(2)))
        if found:
            return found
    # Last: the separator between day and month lost by OCR ("2703/2018" for 27/03/2018).
    for match in _DROPPED_SEPARATOR.finditer(clean):
        first, second = int(match.group(1)), int(match.group(2))
        day, month = (second, first) if month_first else (first, second)
        found = _make(_year(match.group(3)), month, day)
        if found:
            return found
    return None


_DROPPED_SEPARATOR = re.compile(r"(?<![\d/.\-])(\d{2})(\d{2})[/\-.](\d{4})(?![\d/.\-])")


def _numeric_dates(text: str) -> list[re.Match[str]]:
    """Day/month/year runs that are not the tail of a longer number.

    "19-02/03/2018" is a register number then a date (other separator), whereas in
    "05.22.95.66.66" every group is part of one phone number. Digits glued in front
    ("100007017/04/2018") are tried last, as the last two digits.
    """
    strict: list[re.Match[str]] = []
    glued: list[re.Match[str]] = []
    for start in range(len(text)):
        match = _NUMERIC_DATE.match(text, start)
        if match is None or (start > 0 and text[start - 1].isdigit() and len(match.group(1)) == 1):
            continue
        before = text[max(0, start - 2) : start]
        if before[-1:].isdigit():
            glued.append(match)
        elif len(before) == 2 and before[0].isdigit() and before[1] == match.group(2):
            continue
        else:
            strict.append(match)
    return strict + glued


_PHONE = re.compile(r"TEL|FAX|PHONE|H/P|HP:|电话", re.IGNORECASE)


def _date(layout: Layout, *, month_first: bool = False) -> tuple[dt.date, float, Box] | None:
    labelled: list[tuple[dt.date, float, Box]] = []
    anywhere: list[tuple[dt.date, float, Box]] = []
    for row in layout.rows():
        for i, box in enumerate(row):
            if _PHONE.search(box.flat):
                continue
            value = receipt_date(box.text, month_first=month_first) or receipt_date(
                box.flat, month_first=month_first
            )
            if value is None:
                continue
            before = " ".join(b.flat for b in row[: i + 1])
            target = labelled if _DATE_LABEL.search(before) else anywhere
            target.append((value, box.score, box))
    best = labelled or anywhere
    return best[0] if best else None


# -- total ----------------------------------------------------------------------------


def _one_after_currency(text: str) -> str:
    """A 1 read as I, l or | right after the currency ("RMI11.90")."""
    return re.sub(r"(?<=RM)[Il|](?=\d)", "1", text, flags=re.IGNORECASE)


def _amounts(text: str) -> list[Decimal]:
    compact = _one_after_currency(text.replace(" ", ""))
    compact = re.sub(r"(?<=\d),(?=\d{2}(?!\d))", ".", compact)
    return [Decimal(m.replace(",", "")) for m in _MONEY.findall(compact)]


# Words of the totals block that OCR gets one letter wrong ("Tetal Amt", "Totel Amt
# Peyable", "Chenge"): a word one substitution away from exactly one of them is read as it.
_LABEL_WORDS = (
    "TOTAL",
    "PAYABLE",
    "AMOUNT",
    "CHANGE",
    "ROUNDING",
    "SUBTOTAL",
    "RECEIVED",
    "INCLUSIVE",
    "EXCLUSIVE",
)


def _label_text(text: str) -> str:
    def fix(match: re.Match[str]) -> str:
        token = match.group(0)
        upper = token.upper()
        if len(upper) < 5 or upper in _LABEL_WORDS:
            return token
        near = [
            word
            for word in _LABEL_WORDS
            if len(word) == len(upper)
            and sum(a != b for a, b in zip(word, upper, strict=True)) == 1
        ]
        return near[0] if len(near) == 1 else token

    return re.sub(r"[A-Za-z]+", fix, text)


_TRAILING_CURRENCY = re.compile(r"(?<=\d)\s*(?:RM|MYR|DH|MAD|EUR|USD|SGD|GBP|€|£|元)\s*$", re.I)


def _row_amount(layout: Layout, label: Box) -> tuple[Decimal, float, bool, Box] | None:
    """The amount printed for ``label``: in its own box after the words, or to its right.

    Returns (amount, score, had_decimal_point, the box it was read from).
    """
    # "Total Facture : 56.00 DH": a currency printed after the amount is not a word
    flat = re.sub(_TRAILING_CURRENCY, "", _one_after_currency(label.flat))
    tail = re.split(r"[A-Za-z\u4e00-\u9fff]{2,}", flat)[-1]
    own = _amounts(tail)
    if own:
        return own[-1], label.score, True, label
    best: tuple[float, Box] | None = None
    for box in layout.boxes:
        if box is label or box.seal or box.left < label.right - 0.2 * label.height:
            continue
        overlap = box.v_overlap(label)
        if overlap < 0.4:
            continue
        amount = _strip_currency(box.flat)
        if not (
            _amounts(box.flat)
            or _MONEY_NO_POINT.fullmatch(amount)
            or _HYPHEN_POINT.fullmatch(amount)
        ):
            continue
        key = overlap - abs(box.cy - label.cy) / (10 * label.height)
        if best is None or key > best[0]:
            best = (key, box)
    if best is None:
        return None
    box = best[1]
    values = _amounts(box.flat)
    if values:
        return values[-1], box.score, True, box
    misread = _HYPHEN_POINT.fullmatch(_strip_currency(box.flat))
    if misread:
        return Decimal(f"{misread.group(1)}.{misread.group(2)}"), box.score, True, box
    return Decimal(_strip_currency(box.flat)).quantize(Decimal("0.01")), box.score, False, box


# An amount alone in its box with a hyphen read for the decimal point ("19-80").
_HYPHEN_POINT = re.compile(r"(\d{1,6})-(\d{2})")


def _strip_currency(text: str) -> str:
    return re.sub(r"^(RM|MYR|\$|S\$|USD|¥|元)|(RM|元|DH)$", "", text.replace(" ", ""), flags=re.I)


class _Total(NamedTuple):
    value: Decimal  # the payable total
    score: float  # its reading's score
    box: Box  # where it was read
    checks: frozenset[str]  # the receipt's own cross-checks it passed (calibration names)
    unrounded: frozenset[Decimal]  # the same total printed before cash rounding


def _total(layout: Layout) -> _Total | None:
    """The payable total, with what supports or contests it (``_Total``)."""
    summary_top = min(
        (b.top for b in layout.boxes if _SUMMARY.search(b.flat)), default=float("inf")
    )
    ranked: list[tuple[int, float, Decimal, float, Box]] = []
    cash: list[Decimal] = []
    change: list[Decimal] = []
    for box in layout.boxes:
        if box.seal or not re.search(r"[A-Za-z\u4e00-\u9fff]", box.flat):
            continue
        words = _MONEY.sub(" ", _label_text(box.text).replace(" ", ""))
        included = _INCL_TOTAL.search(words) is not None
        if _CHANGE.search(words) or (_CASH.search(words) and not included):
            found = _row_amount(layout, box)
            if found is not None:
                (change if _CHANGE.search(words) else cash).append(found[0])
            continue
        if box.top >= summary_top:
            continue
        if re.search(r"EXCL|SUB|QTY|INCLUDES|INCLUDED|SAVING|ZWISCHEN|TOTAL\s*HT", words, re.I):
            continue
        if _FINAL_TOTAL.search(words):
            rank = 3
        elif _STRONG_TOTAL.search(words) or included:
            rank = 2
        elif _PLAIN_TOTAL.search(words) and not _NOT_TOTAL.search(words):
            rank = 1
        else:
            continue
        found = _row_amount(layout, box)
        if found is None:
            continue
        value, score, pointed, read_at = found
        ranked.append((rank, box.top, value if pointed else value / 100, score, read_at))
    if not ranked:
        return None
    paid = {c - ch for c in cash for ch in change if c >= ch}
    # Two independent checks choose among the labelled candidates: CASH - CHANGE, and
    # SUBTOTAL + tax (+ rounding) as printed above the total.
    sums, added = _sums(layout, summary_top)
    if not sums:
        # Tills that print no SUBTOTAL print the total before tax as "Total (Excluding
        # GST)": it verifies the total, but stays out of the choice made before it was used.
        added = _sums(layout, summary_top, excluding_tax=True)[1]
    confirmed = paid | sums
    consistent = [r for r in ranked if abs(r[2]) in confirmed]
    # The change, and the cash handed over when change was given, are never the payable
    # total: a labelled candidate of another value wins over one that repeats them.
    given = {ch for ch in change if ch > 0}
    tendered = given | ({c for c in cash if c not in given} if given else set())
    # Nothing is payable at 0.00: such a row is an included tax or an empty rounding.
    ranked = [r for r in ranked if r[2] != 0] or ranked
    consistent = [r for r in consistent if r[2] != 0] or consistent
    pool = consistent or [r for r in ranked if r[2] not in tendered] or ranked
    rank, top, value, score, read_at = max(pool, key=lambda r: (r[0], r[1]))
    # A total is never negative: "RM-38.80" is a misread separator.
    value = abs(value).quantize(Decimal("0.01"))
    total = _cash_rounded(layout, value, top, paid)
    # Change given makes CASH - CHANGE independent of the total's own row: with none,
    # the cash row only repeats the total.
    tendered_less_change = {c - ch for c in cash for ch in given if c > ch}
    candidates = {abs(r[2]).quantize(Decimal("0.01")) for r in ranked} | {total}
    # The total printed before and after cash rounding: which of the two is "the total"
    # is a convention, not a reading, so the choice stays the reviewer's -- a check of
    # the amount paid verifies the rounded one only.
    twins = frozenset(c for c in candidates if c != total and abs(c - total) < _FIVE_SEN)
    if twins:
        return _Total(total, score, read_at, frozenset(), twins)
    checks = _passed(total, candidates, tendered_less_change, added)
    return _Total(total, score, read_at, checks, frozenset())


def _passed(
    total: Decimal, candidates: set[Decimal], tender: set[Decimal], added: set[Decimal]
) -> frozenset[str]:
    """The receipt's cross-checks ``total`` passes: a check counts only when the total
    equals what it computes and no other candidate does (several matching it say
    nothing about which one is payable); CASH - CHANGE contradicting the total voids
    every check (one of the rows, or the total, is misread)."""
    if tender and total not in tender:
        return frozenset()
    passed = set()
    for check, computed in ((calibration.TENDER, tender), (calibration.ARITHMETIC, added)):
        if total in computed and candidates & computed == {total}:
            passed.add(check)
    return frozenset(passed)


_ROUNDING = re.compile(r"ROUND", re.I)
# "Total (Excluding GST)", "Total Sales Excl. Tax": at most one word between.
_EXCL_TOTAL = re.compile(r"TOTAL\W*(?:\w+\W*)?EXCL", re.I)
_SERVICE_CHARGE = re.compile(r"SERVICE|\bSRV\b|\bSVC\b|\bS/C\b", re.I)


def _sums(
    layout: Layout, summary_top: float, *, excluding_tax: bool = False
) -> tuple[set[Decimal], set[Decimal]]:
    """What the total must be by the receipt's own arithmetic: the first SUBTOTAL plus
    the service charge and tax rows printed after it, with and without the rounding row.

    Sums of rows in the totals block are independent of the total's own label, so a
    candidate equal to one is confirmed; nothing is confirmed without a subtotal and a
    tax or rounding row. Returned twice: every sum (to choose among candidates), and the
    sums that verify a total (``added``): something non-zero added to the subtotal (a
    0.00 tax row leaves the subtotal repeating the total) and, when a non-zero rounding
    row is printed, only the rounded sums (the unrounded one is then not the payable).
    ``excluding_tax``: the first total labelled as excluding tax is the subtotal.
    """
    subtotal: tuple[Decimal, float] | None = None
    taxes: list[Decimal] = []
    rounding: list[Decimal] = []
    for box in layout.boxes:
        if box.seal or box.top >= summary_top:
            continue
        words = _MONEY.sub(" ", box.text).strip()
        words = _label_text(words)
        if subtotal is None:
            if (
                _EXCL_TOTAL.search(words)
                if excluding_tax
                else _SUBTOTAL.search(words) and not re.search("EXCL|QTY", words, re.I)
            ):
                found = _row_amount(layout, box)
                if found is not None and found[2]:
                    subtotal = (found[0], box.top)
            continue
        if box.top <= subtotal[1]:
            continue
        if _ROUNDING.search(words):
            found = _row_amount(layout, box)
            if found is not None and found[2] and abs(found[0]) < _FIVE_SEN:
                rounding.append(found[0])
        elif _SERVICE_CHARGE.search(words) and not re.search(r"TOTAL|TAX|GST", words, re.I):
            found = _row_amount(layout, box)  # restaurants add it before tax
            if found is not None and found[2]:
                taxes.append(abs(found[0]))
        elif _TAX_LINE.match(words) and not re.search(
            r"INVOICE|REG|ID\b|SUMMARY|INCL|CODE|TOTAL", words, re.I
        ):
            found = _row_amount(layout, box)
            if found is not None and found[2]:
                taxes.append(abs(found[0]))
    if subtotal is None or not (taxes or rounding):
        return set(), set()
    base = abs(subtotal[0]) + sum(taxes, Decimal(0))
    rounded = {*(base + r for r in rounding if r), *(base - abs(r) for r in rounding if r)}
    added = (rounded or {base}) - {abs(subtotal[0])}
    return {base} | rounded, added  # a 0.00 rounding row adds only the base itself


_FIVE_SEN = Decimal("0.05")


def _cash_rounded(layout: Layout, value: Decimal, top: float, paid: set[Decimal]) -> Decimal:
    """The amount actually payable when the till rounds cash to 5 sen below the total.

    Receipts print the unrounded total, a rounding line, then the rounded amount --
    sometimes without a label. The rounded amount is taken only when it is printed
    below the total (or CASH - CHANGE equals it).
    """
    rounded = (value / _FIVE_SEN).quantize(Decimal(1)) * _FIVE_SEN
    if rounded == value:
        return value
    if rounded in paid:
        return rounded
    for box in layout.boxes:
        if box.top > top and rounded in _amounts(box.flat):
            return rounded
    return value


# -- currency -------------------------------------------------------------------------


# A US state and ZIP code (``NEW YORK, NY 10001``): says USD when the $ was misread.
_US_ADDRESS = re.compile(
    r"\b(?:AL|AK|AZ|AR|CA|CO|CT|DC|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|"
    r"NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY)\s?\d{5}(?:-\d{4})?\b"
)


def _currency(layout: Layout) -> str | None:
    text = " ".join(b.text for b in layout.boxes)
    if re.search(r"\bRM\s?\d|\bRM\b|MYR", text):
        return "MYR"
    if re.search(r"[¥￥元]|人民币|CNY|RMB", text):
        return "CNY"
    if "€" in text or re.search(r"\bEUR\b", text):
        return "EUR"
    if "£" in text or re.search(r"\bGBP\b", text):
        return "GBP"
    if re.search(r"\bDH\b|\bMAD\b", text):
        return "MAD"
    if re.search(r"S\$|\bSGD\b|PTE\.?\s*LTD|SINGAPORE", text, re.I):
        return "SGD"
    malaysian = re.search(r"SDN\.?\s*BHD|\bBHD\b|\bS/B\b|GST|JALAN|JLN|MALAYSIA|SELANGOR", text)
    if malaysian:
        return "MYR"
    if "$" in text or re.search(r"\bUSD\b", text) or _US_ADDRESS.search(text):
        return "USD"
    return None
