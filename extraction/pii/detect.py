"""Detectors for personal data in free text: resident IDs, bank cards, mobiles, e-mails,
passports and HK/Macau/Taiwan travel permits.

Detection runs on an NFKC copy of the text (OCR and users type full-width digits) and
maps every match back to the ORIGINAL string, so a masker can replace exactly the
personal characters and leave the rest of the text byte-for-byte intact.

What counts as personal data, and what is business data that must survive:

* An 18-character resident ID with a valid GB 11643 check character is masked wherever
  it appears (it is also how individual buyers are identified as 纳税人). A value that is
  also a valid 统一社会信用代码 and cannot be a birth date is a company tax ID: kept.
* An 18-character ID-shaped value with a WRONG check character is masked only right
  after an ID label (身份证, 证件号码, ...): OCR misreads a digit now and then, and a
  labelled value is personal whatever its checksum; unlabelled, it is more likely some
  other number.
* The old 15-digit ID (area + yymmdd + 3 digits) is masked when its date is plausible,
  unless the value is labelled as a tax number (old 15-character 税号 look the same)
  or as a bank account.
* Bank cards: 16-19 digits passing Luhn, contiguous or in groups of 4 -- except an
  18-digit value that is a valid USCC or sits right after a tax-ID label (one company
  tax ID in ten passes Luhn). Any 12-25 digit number right after a bank label (卡号,
  账号, 开户行, 银行, account, ...) is masked even when Luhn fails (company accounts
  have no check digit and run to 20+ digits).
* Mobiles: ``1[3-9]`` + 9 digits, optionally +86/0086/86, grouped 3-4-4 or contiguous.
* Passports and permits are masked only right after their labels (best effort: their
  shapes -- a letter and 8 digits -- are too common to mask blindly).

Numbers are only ever matched as WHOLE digit runs: a 19-digit slice of a 20-digit
数电票 number or check code is never a card. A grouped match ("6222 0212 ...") must
not continue into another group either ("... 7890 1234" of a grouped 20-digit run).
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from extraction.checksums import luhn_is_valid, resident_id_is_valid, uscc_is_valid
from extraction.parsing.normalize import nfkc


class PiiKind(StrEnum):
    RESIDENT_ID = "resident_id"
    BANK_CARD = "bank_card"
    MOBILE = "mobile"
    EMAIL = "email"
    PASSPORT = "passport"
    PERMIT = "permit"  # 港澳/台湾 travel permits (通行证, 回乡证, 台胞证)


@dataclass(frozen=True)
class PiiMatch:
    """One personal value: ``text[start:end] == value`` in the ORIGINAL text."""

    kind: PiiKind
    start: int
    end: int
    value: str


# A label owns the value that follows it within this many characters on the same line
# (long bank names sit between 开户行 and the account number).
LABEL_WINDOW = 30

_SEP = r"[ \-\u2010-\u2015]"  # one group separator; NFKC already folded full-width ones
_SEPS = frozenset(" -\u2010\u2011\u2012\u2013\u2014\u2015")
# A number glued to a following letter is part of an alphanumeric code (the 17 digits of
# the USCC 91110000600037341L pass Luhn), so numbers end before a digit OR a letter.
# A leading letter is allowed: "Tel13812345678" is how OCR reads "Tel: 138...".
_END = r"(?![0-9A-Za-z])"

_RESIDENT_ID_RE = re.compile(
    rf"(?<![0-9])(?:[0-9]{{17}}[0-9Xx]|[0-9]{{6}}{_SEP}[0-9]{{8}}{_SEP}[0-9]{{3}}[0-9Xx]){_END}"
)
_OLD_ID_RE = re.compile(rf"(?<![0-9])[0-9]{{15}}{_END}")
_CARD_RE = re.compile(
    rf"(?<![0-9])[0-9]{{4}}(?:{_SEP}?[0-9]{{4}}){{3}}(?:{_SEP}?[0-9]{{1,3}})?{_END}"
)
_MOBILE_RE = re.compile(
    rf"(?<![0-9+])(?:(?:\+|00)?86{_SEP}?|\((?:\+|00)?86\){_SEP}?)?"
    rf"1[3-9][0-9](?:{_SEP}?[0-9]{{4}}){{2}}{_END}"
)
_EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}(?![A-Za-z0-9])"
)
# No detector can match without a digit run or an "@": the cheap pre-check keeps
# logging fast for the usual digit-free messages.
_MAYBE_PII_RE = re.compile(rf"[0-9]{{6}}|[0-9]{_SEP}[0-9]|@")


# Values that may follow a label: a bank account, an ID/passport/permit number.
# Under a bank label any 12-25 digit number is an account: company accounts run to 20+
# digits (建设银行) and carry no check digit.
_ACCOUNT_RE = re.compile(rf"(?<![0-9])[0-9](?:{_SEP}?[0-9]){{11,24}}{_END}")
_LONGEST_TOKEN = 64  # characters an account or document number can span, separators included
# Document numbers are never written with dashes: that keeps dates (2024-01-02) out.
_DOCUMENT_RE = re.compile(
    r"(?<![0-9A-Za-z])(?:[A-Za-z]{1,2} ?)?[0-9](?: ?[0-9]){6,16}[0-9Xx]?"
    r"(?:\([0-9A-Za-z]{1,2}\))?(?![0-9A-Za-z])"
)


class _Label(StrEnum):
    BANK = "bank"
    ID = "id"
    PASSPORT = "passport"
    PERMIT = "permit"
    TAX = "tax"  # business identifiers: a following number is NOT personal
    OTHER = "other"  # any other field label: only ends the previous label's reach


_NO = r"(?:\s*号码|\s*号)?"  # 身份证 / 身份证号 / 身份证号码 are one label

# Label alternatives. Each starts with a literal character: the scanner is prefixed with
# a lookahead on those characters, which makes it ~5x faster on log lines. CJK ones are
# matched case-sensitively (case-folding CJK literals is what made the scan slow);
# English ones case-insensitively and bounded by non-letters.
_LABELS: tuple[tuple[_Label, tuple[str, ...], tuple[str, ...]], ...] = (
    (_Label.PASSPORT, ("护照" + _NO,), (r"passport(?:\s*(?:no|number))?",)),
    (
        _Label.PERMIT,
        (
            "港澳居民来往内地通行证" + _NO,
            "台湾居民来往大陆通行证" + _NO,
            "往来港澳通行证" + _NO,
            "通行证" + _NO,
            "回乡证",
            "回乡卡",
            "台胞证" + _NO,
            "居留证",
            "居住证",
        ),
        ("permit",),
    ),
    (
        _Label.ID,
        (
            "有效身份证件" + _NO,
            "身份证件?" + _NO,
            "公民身份号码",
            "身份号码",
            r"证件\s*号码",
            r"证件\s*号",
            "证件",
        ),
        (r"id\s*(?:card|no|number)",),
    ),
    (
        _Label.BANK,
        (
            "卡号",
            "银行卡号?",
            "账号",
            "帐号",
            "账户",
            "帐户",
            "开户行",
            "开户银行",
            "银行",
            "支行",
            "分行",
            "信用社",
            "储蓄所",
        ),
        (r"account(?:\s*(?:no|number))?", "acct", "a/c", r"card\s*(?:no|number)"),
    ),
    (
        _Label.TAX,
        (
            # OCR drops characters from labels too: 纳税人别号 is still a tax-ID label.
            "纳税人(?:识别号|[\u4e00-\u9fff]{0,3}号)?",
            "识别号",
            "税号",
            "信用代码",
            "发票代码",
            "发票号码",
            "校验码",
            "机器编号",
            "代码",
            "号码",
            "订单号",
            "单号",
            "流水号",
            "编号",
        ),
        (r"tax\s*id", r"invoice\s*(?:no|number)"),
    ),
    (
        _Label.OTHER,
        ("电话", "手机", "联系方式", "地址", "名称", "金额", "税额", "合计", "价税", "日期"),
        ("tel", "phone", "mobile"),
    ),
)


def _label_scanner() -> re.Pattern[str]:
    firsts: set[str] = set()
    groups = []
    for label, cjk, english in _LABELS:
        for alternative in (*cjk, *english):
            assert alternative[0] not in "\\()[]{}?*+.|^$", alternative  # literal first char
            firsts.update((alternative[0].lower(), alternative[0].upper()))
        words = "|".join(english)
        pattern = "|".join(cjk) + rf"|(?<![A-Za-z])(?i:{words})(?![A-Za-z])"
        groups.append(f"(?P<{label.value}>{pattern})")
    first_chars = "".join(sorted(firsts))
    return re.compile(f"(?=[{re.escape(first_chars)}])(?:{'|'.join(groups)})")


# One alternation, scanned left to right: the longest label at a position wins, so
# 身份证号码 is one ID label and not an ID label followed by the business label 号码.
_LABEL_RE = _label_scanner()


@dataclass(frozen=True)
class _Reach:
    """Where a label's value may start: [start, end) in the normalised text."""

    start: int
    end: int
    label: _Label


@dataclass(frozen=True)
class _Candidate:
    kind: PiiKind
    start: int  # normalised-text offsets
    end: int
    rank: int  # tie-break between overlapping candidates: lower wins


def detect(text: str) -> list[PiiMatch]:
    """All personal values in ``text``, non-overlapping, in text order."""
    if not text:
        return []
    normalised, origin = _normalise(text)
    if not _MAYBE_PII_RE.search(normalised):
        return []
    reaches = _label_reaches(normalised)
    candidates = sorted(
        _candidates(normalised, reaches), key=lambda c: (c.start, -(c.end - c.start), c.rank)
    )
    matches: list[PiiMatch] = []
    taken_until = -1
    for cand in candidates:
        if cand.start < taken_until:
            continue
        taken_until = cand.end
        start, end = cand.start, cand.end
        if origin is not None:
            start, end = origin[start], origin[end - 1] + 1
        matches.append(PiiMatch(cand.kind, start, end, text[start:end]))
    return matches


def contains_pii(text: str) -> bool:
    return bool(detect(text))


def _normalise(text: str) -> tuple[str, list[int] | None]:
    """NFKC text plus, for each of its characters, the index of its source character
    (``None`` when that is the identity, which it is for nearly all texts)."""
    if text.isascii() or unicodedata.is_normalized("NFKC", text):
        return text, None
    # Per character (not per string) so that every output char has one source char;
    # the difference only concerns combining sequences, never digits or letters.
    folded = [_fold(char) for char in text]
    normalised = "".join(folded)
    if len(normalised) == len(text):
        return normalised, None
    origin: list[int] = []
    for index, part in enumerate(folded):
        origin.extend([index] * len(part))
    return normalised, origin


@functools.lru_cache(maxsize=4096)
def _fold(char: str) -> str:
    return nfkc(char)


def _candidates(norm: str, reaches: list[_Reach]) -> Iterator[_Candidate]:
    yield from _emails(norm)
    yield from _resident_ids(norm, reaches)
    yield from _old_resident_ids(norm, reaches)
    yield from _cards(norm, reaches)
    yield from _mobiles(norm)
    yield from _labelled(norm, reaches)


def _emails(norm: str) -> Iterator[_Candidate]:
    if "@" not in norm:
        return
    for m in _EMAIL_RE.finditer(norm):
        yield _Candidate(PiiKind.EMAIL, m.start(), m.end(), 0)


def _resident_ids(norm: str, reaches: list[_Reach]) -> Iterator[_Candidate]:
    for m in _RESIDENT_ID_RE.finditer(norm):
        number = _strip_seps(m.group()).upper()
        if not _grouping_bounded(norm, m.start(), m.end()):
            continue
        labelled = _owner(reaches, m.start()) == _Label.ID
        if resident_id_is_valid(number):
            # A digit-only company code can pass both checksums; its "birth date" then
            # gives it away.
            if uscc_is_valid(number) and not _plausible_birth(number[6:14]) and not labelled:
                continue
            yield _Candidate(PiiKind.RESIDENT_ID, m.start(), m.end(), 1)
        elif labelled and not uscc_is_valid(number):
            yield _Candidate(PiiKind.RESIDENT_ID, m.start(), m.end(), 1)


def _old_resident_ids(norm: str, reaches: list[_Reach]) -> Iterator[_Candidate]:
    for m in _OLD_ID_RE.finditer(norm):
        owner = _owner(reaches, m.start())
        if owner in (_Label.TAX, _Label.BANK):
            continue  # an old 15-character 税号, or an account (found by _labelled)
        number = m.group()
        if owner == _Label.ID or (number[0] != "0" and _plausible_birth("19" + number[6:12])):
            yield _Candidate(PiiKind.RESIDENT_ID, m.start(), m.end(), 1)


def _cards(norm: str, reaches: list[_Reach]) -> Iterator[_Candidate]:
    for m in _CARD_RE.finditer(norm):
        digits = _strip_seps(m.group())
        if not luhn_is_valid(digits) or not _grouping_bounded(norm, m.start(), m.end()):
            continue
        # One 18-digit company tax ID in ten passes Luhn by chance.
        if len(digits) == 18 and (
            uscc_is_valid(digits) or _owner(reaches, m.start()) == _Label.TAX
        ):
            continue
        yield _Candidate(PiiKind.BANK_CARD, m.start(), m.end(), 2)


def _mobiles(norm: str) -> Iterator[_Candidate]:
    for m in _MOBILE_RE.finditer(norm):
        if _grouping_bounded(norm, m.start(), m.end()):
            yield _Candidate(PiiKind.MOBILE, m.start(), m.end(), 3)


def _labelled(norm: str, reaches: list[_Reach]) -> Iterator[_Candidate]:
    """Numbers that are personal because of the label in front of them."""
    for reach in reaches:
        if reach.label == _Label.BANK:
            pattern, kind = _ACCOUNT_RE, PiiKind.BANK_CARD
        elif reach.label == _Label.PASSPORT:
            pattern, kind = _DOCUMENT_RE, PiiKind.PASSPORT
        elif reach.label == _Label.PERMIT:
            pattern, kind = _DOCUMENT_RE, PiiKind.PERMIT
        elif reach.label == _Label.ID:
            pattern, kind = _DOCUMENT_RE, PiiKind.RESIDENT_ID
        else:
            continue
        m = _first_token(pattern, norm, reach)
        if m is None:
            continue
        value = _strip_seps(m.group())
        if not _grouping_bounded(norm, m.start(), m.end()):
            continue
        if len(value) == 18 and uscc_is_valid(value) and not resident_id_is_valid(value):
            continue  # a company's tax ID in a bank or ID context is still business data
        if kind == PiiKind.RESIDENT_ID and value[:1].isalpha():
            kind = PiiKind.PASSPORT  # 证件号码 of a foreigner
        yield _Candidate(kind, m.start(), m.end(), 4)


def _first_token(pattern: re.Pattern[str], norm: str, reach: _Reach) -> re.Match[str] | None:
    """The first value starting inside ``reach`` -- searched in a bounded slice, so many
    labels in a long text (a traceback) stay linear."""
    stop = min(len(norm), reach.end + _LONGEST_TOKEN)
    m = pattern.search(norm, reach.start, stop)
    if m is None or m.start() >= reach.end:
        return None
    if m.end() == stop < len(norm):
        # Lookaheads take ``stop`` for the end of the text: re-check the full context.
        return pattern.match(norm, m.start())
    return m


def _label_reaches(norm: str) -> list[_Reach]:
    labels = [
        (m.start(), m.end(), _Label(m.lastgroup or _Label.OTHER)) for m in _LABEL_RE.finditer(norm)
    ]
    reaches: list[_Reach] = []
    for index, (_, end, label) in enumerate(labels):
        stop = end + LABEL_WINDOW
        if index + 1 < len(labels):
            stop = min(stop, labels[index + 1][0])
        newline = norm.find("\n", end, stop)
        if newline >= 0:
            stop = newline
        if stop > end:
            reaches.append(_Reach(end, stop, label))
    return reaches


def _owner(reaches: list[_Reach], position: int) -> _Label | None:
    """The label whose reach covers ``position`` (reaches are sorted and disjoint)."""
    index = bisect.bisect_right(reaches, position, key=lambda r: r.start) - 1
    if index >= 0 and position < reaches[index].end:
        return reaches[index].label
    return None


def _grouping_bounded(norm: str, start: int, end: int) -> bool:
    """A match written in groups must not be a slice of a longer, regularly grouped run.

    ``4111 1111 1111 1111 1234`` is a 20-digit number in groups of 4, not a card plus
    a stub: the digit group one separator away has the length of the match's edge
    group, so the grouping goes on. ``4111 1111 1111 1111 110105 ...`` is a card
    followed by another number. Contiguous matches already stop at digit boundaries.

    The test is symmetric -- two grouped neighbours are either both accepted or both
    refused -- which is what keeps masking idempotent.
    """
    if not any(c in _SEPS for c in norm[start:end]):
        return True
    first = _group_at(norm, start)
    last = _group_at(norm, end - 1)
    before = _group_at(norm, start - 2) if _is_sep(norm, start - 1) else ""
    after = _group_at(norm, end + 1) if _is_sep(norm, end) else ""
    return not (_continues(first, before) or _continues(last, after))


def _is_sep(norm: str, index: int) -> bool:
    return 0 <= index < len(norm) and norm[index] in _SEPS


def _group_at(norm: str, index: int) -> str:
    """The whole run of letters and digits around ``index`` ("" if there is none)."""
    if not (0 <= index < len(norm) and _is_group_char(norm[index])):
        return ""
    left = index
    while left > 0 and _is_group_char(norm[left - 1]):
        left -= 1
    right = index + 1
    while right < len(norm) and _is_group_char(norm[right]):
        right += 1
    return norm[left:right]


def _is_group_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _continues(edge: str, neighbour: str) -> bool:
    return edge.isdigit() and neighbour.isdigit() and len(edge) == len(neighbour)


def _strip_seps(value: str) -> str:
    return "".join(c for c in value if c not in _SEPS)


def _plausible_birth(yyyymmdd: str) -> bool:
    try:
        born = dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return dt.date(1900, 1, 1) <= born <= dt.date.today()
