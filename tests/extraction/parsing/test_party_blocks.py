"""Buyer and seller blocks found by their captions wherever they stand: letter-spaced
row captions read as one OCR box per character, vertical block captions read as one box
per character, and the two parties never taken for one another (hand-placed boxes)."""

from __future__ import annotations

from collections.abc import Sequence

from extraction.checksums import uscc_check_char
from extraction.engines.base import OcrLine
from extraction.parsing.document import parse_lines
from extraction.parsing.layout import Layout
from extraction.schema import DocumentType
from tests.extraction.parsing.test_vat_layout import box

SELLER_ID = "91330106MA2GL7KX1" + (uscc_check_char("91330106MA2GL7KX1") or "")
BUYER_ID = "91110108551385082" + (uscc_check_char("91110108551385082") or "")
# Valid, with more letters than digits (organisation codes such as MALGTKYEX exist).
LETTERED_ID = "91120116MALGTKYEX" + (uscc_check_char("91120116MALGTKYEX") or "")


def spaced(x: float, y: float, text: str, gap: float) -> list[OcrLine]:
    """A letter-spaced caption as OCR returns it: one box per character, the colon on
    the last one."""
    out = []
    for index, char in enumerate(text):
        piece = char + ("：" if index == len(text) - 1 else "")
        out.append(box(x + index * (20 + gap), y, piece))
    return out


def stacked(x: float, top: float, text: str, step: float) -> list[OcrLine]:
    """A vertical block caption read as one box per character."""
    return [box(x, top + index * step, char, h=24) for index, char in enumerate(text)]


def party_rows(
    top: float, name: str, tax_id: str, *, gap: float, caption: str | None
) -> list[OcrLine]:
    lines = []
    if caption is not None:
        # Spread over the block's full height: only its extent reaches every row.
        lines += stacked(40, top - 10, caption, 60)
    lines += spaced(100, top, "名称", gap * 3)
    lines.append(box(330, top, name))
    lines += spaced(100, top + 40, "纳税人识别号", gap)
    lines.append(box(330, top + 40, tax_id))
    lines.append(box(100, top + 80, "地址、电话：北京市海淀区学院路1号 010-88886666"))
    lines.append(box(100, top + 120, "开户行及账号：招商银行北京分行 110901234567890"))
    return lines


def vat_special(
    upper: tuple[str, str, str], lower: tuple[str, str, str], *, gap: float = 18
) -> list[OcrLine]:
    """A 专票 whose two party blocks are ``(caption, name, tax ID)``, top then bottom."""
    lines = [
        box(420, 30, "北京增值税专用发票", h=36),
        box(60, 40, "1100191130"),
        box(900, 40, "No 01234567"),
        box(880, 100, "开票日期：2025年03月09日"),
    ]
    lines += party_rows(170, upper[1], upper[2], gap=gap, caption=upper[0] or None)
    lines += [
        box(80, 360, "货物或应税劳务、服务名称"),
        box(600, 360, "金额"),
        box(800, 360, "税额"),
        box(60, 400, "*信息技术服务*软件开发"),
        box(600, 400, "1000.00"),
        box(800, 400, "130.00"),
        box(80, 460, "价税合计（大写）"),
        box(330, 460, "⊗壹仟壹佰叁拾圆整"),
        box(800, 460, "（小写）¥1130.00"),
    ]
    lines += party_rows(540, lower[1], lower[2], gap=gap, caption=lower[0] or None)
    lines.append(box(880, 720, "销售方：（章）"))
    return lines


BUYER = ("购买方", "杭州云帆科技有限公司", BUYER_ID)
SELLER = ("销售方", "上海星河贸易有限公司", SELLER_ID)


def _fields(lines: Sequence[OcrLine]) -> tuple[str | None, ...]:
    fields = parse_lines(lines, hint=DocumentType.VAT_SPECIAL).fields
    return fields.buyer_name, fields.buyer_tax_id, fields.seller_name, fields.seller_tax_id


def test_letter_spaced_captions_and_vertical_block_captions() -> None:
    # given a clean 专票 whose row captions are letter-spaced (one OCR box per character)
    # and whose block captions are printed vertically, one box per character
    lines = vat_special(BUYER, SELLER)
    # when parsed / then each party comes from its own block
    assert _fields(lines) == (BUYER[1], BUYER_ID, SELLER[1], SELLER_ID)


def test_block_captions_decide_even_when_the_seller_block_is_on_top() -> None:
    # given the seller's block printed above the buyer's, each with its vertical caption
    lines = vat_special(SELLER, BUYER)
    # when parsed / then the captions, not the order, assign the blocks
    assert _fields(lines) == (BUYER[1], BUYER_ID, SELLER[1], SELLER_ID)


def test_without_block_captions_the_buyer_block_is_the_upper_one() -> None:
    # given neither block caption was read
    lines = vat_special(("", BUYER[1], BUYER_ID), ("", SELLER[1], SELLER_ID))
    # when parsed / then the VAT form's order decides: buyer above, seller below
    assert _fields(lines) == (BUYER[1], BUYER_ID, SELLER[1], SELLER_ID)


def test_a_valid_tax_id_with_many_letters_is_read() -> None:
    lines = vat_special(BUYER, ("销售方", SELLER[1], LETTERED_ID))
    assert _fields(lines)[3] == LETTERED_ID


def test_spaced_caption_pieces_are_joined_into_one_box() -> None:
    # given 纳/税/人/识/别/号： as six boxes on one row
    layout = Layout.from_lines([*spaced(100, 100, "纳税人识别号", 18), box(330, 100, BUYER_ID)])
    # then the layout holds the caption whole (NFKC: a half-width colon), the value apart
    assert [b.flat for b in layout.boxes] == ["纳税人识别号:", BUYER_ID]


def test_values_are_never_joined_as_captions() -> None:
    # given short CJK values on one row (units of a goods table) / then they stay apart
    layout = Layout.from_lines([box(100, 100, "个"), box(160, 100, "台"), box(220, 100, "项")])
    assert len(layout.boxes) == 3


def test_seal_caption_is_never_the_seller_and_the_next_label_is_taken() -> None:
    # given the seller's name row read as the seal's caption, and a second 名称 label in the
    # seller block (as a form with 名称 printed twice would have)
    lines = vat_special(BUYER, ("销售方", "上海星河贸易有限公司发票专用章", SELLER_ID))
    lines.append(box(100, 690, "名称：上海星河贸易有限公司"))
    # when parsed / then the seal text is skipped for the real name
    assert _fields(lines)[2] == "上海星河贸易有限公司"


def test_seller_never_takes_the_buyers_name_when_another_candidate_exists() -> None:
    # given the seller block's first 名称 row repeating the buyer's name, and another
    # 名称 row in the seller block
    lines = vat_special(BUYER, ("销售方", BUYER[1], SELLER_ID))
    lines.append(box(100, 690, "名称：上海星河贸易有限公司"))
    # when parsed / then the seller takes the candidate that is not the buyer
    assert _fields(lines)[2] == "上海星河贸易有限公司"


def test_a_spaced_caption_missing_one_character_or_with_its_colon_apart_is_a_caption() -> None:
    # given OCR lost the 号 of 纳/税/人/识/别/号 and read the colon of 名 称 as its own box
    lines = [line for line in vat_special(BUYER, SELLER) if not 500 < line.box[0][1] < 700]
    lines += [box(100 + i * 38, 540, c) for i, c in enumerate("名称")]
    lines += [box(178, 540, "：", h=20), box(330, 540, SELLER[1])]
    lines += [box(100 + i * 38, 580, c) for i, c in enumerate("纳税人识别")]
    lines += [box(330, 580, SELLER_ID), *stacked(40, 530, "销售方", 60)]
    # when parsed / then the seller's name and tax ID are read from their captions
    assert _fields(lines)[2:] == (SELLER[1], SELLER_ID)


def test_a_printing_business_is_a_seller_like_any_other() -> None:
    # given a seller whose trade is printing (not a form's printer imprint)
    lines = vat_special(BUYER, ("销售方", "天元印务有限公司", SELLER_ID))
    # when parsed / then its name is the seller's
    assert _fields(lines)[2] == "天元印务有限公司"


def test_a_seal_caption_as_the_only_candidate_is_kept_for_validation_to_flag() -> None:
    # given the seller's only 名称 row read as the seal's caption
    lines = vat_special(BUYER, ("销售方", "上海星河贸易有限公司发票专用章", SELLER_ID))
    # when parsed / then it is returned (validation's name_not_a_party flags it)
    assert _fields(lines)[2] == "上海星河贸易有限公司发票专用章"


def party_named_rows(top: float, side: str, name: str, tax_id: str) -> list[OcrLine]:
    """A block whose labels name their party (购买方名称：, 销售方纳税人识别号：) and no
    block caption, as some issuers print it."""
    return [
        box(60, top, f"{side}名称："),
        box(330, top, name),
        box(60, top + 40, f"{side}纳税人识别号："),
        box(330, top + 40, tax_id),
    ]


def test_labels_that_name_their_party_decide_the_side() -> None:
    # given the seller's block printed above the buyer's, without block captions, each
    # label carrying its party's name (销售方名称：, 购买方纳税人识别号：)
    lines = [
        box(420, 30, "北京增值税专用发票", h=36),
        box(880, 100, "开票日期：2025年03月09日"),
        *party_named_rows(170, "销售方", SELLER[1], SELLER_ID),
        box(80, 360, "价税合计（大写）"),
        box(330, 360, "⊗壹仟壹佰叁拾圆整"),
        box(800, 360, "（小写）¥1130.00"),
        *party_named_rows(540, "购买方", BUYER[1], BUYER_ID),
    ]
    # when parsed / then the labels, not the order on the page, assign the parties
    assert _fields(lines) == (BUYER[1], BUYER_ID, SELLER[1], SELLER_ID)


def test_a_name_cut_into_overlapping_pieces_under_a_seal_is_read_whole() -> None:
    # given a seal over the seller's name: OCR read its first character alone, then the
    # rest, and the last character again in a box overlapping the one before
    lines = [line for line in vat_special(BUYER, SELLER) if line.text != SELLER[1]]
    rest = box(352, 540, SELLER[1][1:])
    end = rest.box[1][0]
    lines += [box(330, 540, SELLER[1][0]), rest, box(end - 8, 540, SELLER[1][-1])]
    # when parsed / then the seller's name is the pieces joined, the overlap read once
    assert _fields(lines)[2] == SELLER[1]
