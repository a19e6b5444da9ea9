"""Detector vectors: what is personal data, what is business data that must survive.

Decision documented here: an 18-character ID-shaped value with a WRONG check character
is masked only right after an ID label (OCR misreads a digit, the label still says it
is an ID); without a label it is left alone.
"""

from __future__ import annotations

import itertools

import pytest

from extraction.checksums import luhn_is_valid
from extraction.pii import PiiKind, contains_pii, detect

VALID_ID = "11010519491231002X"
INVALID_ID = "11010519491231003X"  # one digit changed: check character no longer fits
USCC = "91110000600037341L"
CARD_16 = "4111111111111111"
CARD_19 = "6222021234567899012"


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def kinds(text: str) -> list[PiiKind]:
    return [m.kind for m in detect(text)]


def values(text: str) -> list[str]:
    return [m.value for m in detect(text)]


def test_vectors_have_the_checksums_the_tests_assume() -> None:
    # given / when / then: guards the fixtures themselves
    assert luhn_is_valid(CARD_16) and luhn_is_valid(CARD_19)
    assert not luhn_is_valid(CARD_19[:-1] + "3")


# --- resident IDs -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f"身份证号：{VALID_ID}",
        f"{VALID_ID}",
        f"buyer {VALID_ID.lower()} ok",
        "110105 19491231 002X",
        f"ID{VALID_ID}",
    ],
)
def test_checksum_valid_resident_id_is_detected(text: str) -> None:
    # when
    matches = detect(text)
    # then
    assert [m.kind for m in matches] == [PiiKind.RESIDENT_ID]
    assert matches[0].value.replace(" ", "").upper() == VALID_ID


def test_full_width_resident_id_is_detected_and_offsets_point_into_the_original() -> None:
    # given: full-width digits AND full-width punctuation before the value
    text = f"（身份证）：{full_width(VALID_ID)}。"
    # when
    (match,) = detect(text)
    # then
    assert match.kind == PiiKind.RESIDENT_ID
    assert text[match.start : match.end] == match.value == full_width(VALID_ID)


def test_unlabelled_id_with_wrong_check_character_is_not_detected() -> None:
    assert detect(f"编号 {INVALID_ID} 备注") == []


def test_labelled_id_with_wrong_check_character_is_detected() -> None:
    # given: an OCR misread of a labelled ID number
    text = f"公民身份号码：{INVALID_ID}"
    # then
    assert values(text) == [INVALID_ID]


def test_individual_buyer_tax_id_that_is_a_resident_id_is_detected() -> None:
    assert kinds(f"纳税人识别号：{VALID_ID}") == [PiiKind.RESIDENT_ID]


@pytest.mark.parametrize(
    "text",
    [
        USCC,
        f"统一社会信用代码/纳税人识别号：{USCC}",
        f"身份证号：{USCC}",
        "销售方 91440300MA5EJRPEXF",
    ],
)
def test_company_uscc_is_not_detected(text: str) -> None:
    assert detect(text) == []


def test_old_fifteen_digit_id_with_plausible_date_is_detected() -> None:
    assert kinds("旧身份证 110105491231002") == [PiiKind.RESIDENT_ID]


def test_fifteen_digit_number_labelled_as_tax_number_is_not_detected() -> None:
    assert detect("税号 110105491231002") == []


def test_fifteen_digit_number_without_plausible_date_is_not_detected() -> None:
    assert detect("编码 110105491399002") == []


# --- bank cards ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        CARD_16,
        f"付款 {CARD_19} 元",
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "6222 0212 3456 7899 012",
        full_width("4111 1111 1111 1111"),
        "4111\u30001111\u30001111\u30001111",  # ideographic spaces
    ],
)
def test_luhn_valid_card_is_detected(text: str) -> None:
    assert kinds(text) == [PiiKind.BANK_CARD]


def test_luhn_invalid_unlabelled_number_is_not_detected() -> None:
    assert detect(f"流水 {CARD_19[:-1]}3") == []


@pytest.mark.parametrize(
    "text",
    [
        "卡号：6222 0212 3456 7890 12",
        "开户行及账号：中国工商银行北京海淀支行 0200004509089131550",
        "账号 020000450908913",
        "Account No: 1234-5678-9012-3",
    ],
)
def test_luhn_invalid_number_next_to_a_bank_label_is_detected(text: str) -> None:
    assert kinds(text) == [PiiKind.BANK_CARD]


def test_long_company_account_after_a_bank_label_is_detected() -> None:
    # given: 21 digits, too long for a card, but labelled as an account
    assert kinds("银行帐户: 310066726018800012345") == [PiiKind.BANK_CARD]


def test_account_with_an_internal_dash_is_detected_whole() -> None:
    assert values("开户行及帐号：工行123455668-234222256111") == ["123455668-234222256111"]


def test_fifteen_digit_account_after_a_bank_label_is_a_bank_account() -> None:
    # given: 15 digits whose middle reads as a plausible yymmdd
    assert kinds("招商银行北京青年路支行121907731210104") == [PiiKind.BANK_CARD]


@pytest.mark.parametrize(
    "text",
    [
        "纳税人识别号：913301833281882112",  # valid USCC that also passes Luhn
        "913301833281882112",
        "纳税人识别号：911100008000000000",  # not a valid USCC, but labelled, Luhn-valid
        "纳税人别号：911100008000000000",  # the label as OCR misread it
    ],
)
def test_eighteen_digit_tax_ids_passing_luhn_are_not_cards(text: str) -> None:
    assert detect(text) == []


def test_number_after_a_business_label_is_not_taken_by_an_earlier_bank_label() -> None:
    # given: 银行 earlier on the line, but the number belongs to 发票代码
    assert detect("中国银行 发票代码 011001900111 222233334444") == []


def test_bank_label_on_the_previous_line_does_not_reach_the_next_line() -> None:
    assert detect("开户银行\n020000450908913") == []


# --- business numbers that look like cards -----------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "发票号码：24112000000012345678",
        f"{CARD_16}1234",  # 20 digits whose first 16 pass Luhn
        f"9{CARD_19}",  # 20 digits whose last 19 pass Luhn
        "4111 1111 1111 1111 1234",  # a grouped 20-digit number, not a card + stub
        "校验码 41111 11111 11111 11234",
        "发票代码 011002200111 发票号码 12345678",
        "价税合计（小写）：¥1,130.00 合计税额 130.00",
        "开票日期：2024年11月05日 2024-11-05 20241105",
    ],
)
def test_invoice_numbers_codes_amounts_and_dates_are_not_detected(text: str) -> None:
    assert detect(text) == []


# --- mobiles, e-mails, passports, permits -------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("电话：13812345678", "13812345678"),
        ("手机 +86 138 1234 5678。", "+86 138 1234 5678"),
        ("tel 8613812345678", "8613812345678"),
        ("call 138-1234-5678 now", "138-1234-5678"),
        ("(+86)19912345678", "(+86)19912345678"),
        ("Tel13812345678", "13812345678"),
        (full_width("电话:13812345678"), full_width("13812345678")),
    ],
)
def test_mobile_number_is_detected(text: str, value: str) -> None:
    assert values(text) == [value]
    assert kinds(text) == [PiiKind.MOBILE]


@pytest.mark.parametrize(
    "text",
    ["12812345678", "号码 138123456789", "123813812345678", "138 1234 5678 1234"],
)
def test_non_mobile_numbers_are_not_detected(text: str) -> None:
    assert detect(text) == []


def test_email_is_detected() -> None:
    assert values("联系 zhang.san+inv@mail.example.com.cn 谢谢") == [
        "zhang.san+inv@mail.example.com.cn"
    ]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("护照号码：E12345678", PiiKind.PASSPORT),
        ("Passport No. G12345678", PiiKind.PASSPORT),
        ("港澳居民来往内地通行证 H1234567890", PiiKind.PERMIT),
        ("往来港澳通行证号 C12345678", PiiKind.PERMIT),
        ("台胞证 12345678", PiiKind.PERMIT),
        ("有效身份证件号码 EA1234567", PiiKind.PASSPORT),
    ],
)
def test_labelled_passport_and_permit_numbers_are_detected(text: str, kind: PiiKind) -> None:
    assert kinds(text) == [kind]


def test_passport_shape_without_a_label_is_not_detected() -> None:
    assert detect("车次 E12345678") == []


def test_several_values_in_one_text_come_back_in_order_without_overlap() -> None:
    # given
    text = f"身份证 {VALID_ID}，电话 13812345678，卡号 {CARD_16}，邮箱 a@b.cn"
    # when
    matches = detect(text)
    # then
    assert [m.kind for m in matches] == [
        PiiKind.RESIDENT_ID,
        PiiKind.MOBILE,
        PiiKind.BANK_CARD,
        PiiKind.EMAIL,
    ]
    assert all(a.end <= b.start for a, b in itertools.pairwise(matches))
    assert all(text[m.start : m.end] == m.value for m in matches)


def test_contains_pii() -> None:
    assert contains_pii(f"x {CARD_16} y")
    assert not contains_pii("发票号码：24112000000012345678 ¥1,130.00")
