"""Layout parsing of VAT invoices from hand-placed OCR boxes (no OCR run)."""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal

from extraction.checksums import uscc_check_char
from extraction.engines.base import OcrLine
from extraction.parsing.document import parse_lines
from extraction.schema import DocumentType


def _uscc(body: str) -> str:
    return body + (uscc_check_char(body) or "")


SELLER_ID = _uscc("91330106MA2GL7KX1")
BUYER_ID = _uscc("91110108551385082")


def box(x: float, y: float, text: str, *, h: float = 20, score: float = 0.99) -> OcrLine:
    """A horizontal box at (x, y) sized like printed text (CJK wider than Latin)."""
    width = sum(h if re.match(r"[\u2e80-\uffff]", c) else 0.55 * h for c in text)
    return OcrLine(
        box=((x, y), (x + width, y), (x + width, y + h), (x, y + h)), text=text, score=score
    )


def vbox(x: float, y: float, text: str, *, w: float = 40) -> OcrLine:
    """A vertical side label (one character under the other), points in reading order."""
    h = w * len(text)
    return OcrLine(box=((x + w, y), (x + w, y + h), (x, y + h), (x, y)), text=text, score=0.99)


def arc_box(cx: float, cy: float, text: str, angle: float, h: float = 18) -> OcrLine:
    """A short box tilted like the curved text of a round seal."""
    width = h * len(text)
    rad = math.radians(angle)
    dx, dy = math.cos(rad) * width, math.sin(rad) * width
    ox, oy = -math.sin(rad) * h, math.cos(rad) * h
    points = ((cx, cy), (cx + dx, cy + dy), (cx + dx + ox, cy + dy + oy), (cx + ox, cy + oy))
    return OcrLine(box=points, text=text, score=0.9)


def electronic_invoice(
    *, seal_tax_id: str | None = None, rotate_180: bool = False
) -> list[OcrLine]:
    lines = [
        box(400, 50, "浙江增值税电子普通发票", h=40),
        box(870, 20, "发票代码：033002100211"),
        box(870, 57, "发票号码：12345678"),
        box(868, 92, "开票日期：2025年03月09日"),
        box(60, 125, "机器编号：499099123456"),
        box(868, 130, "校验码：12345 67890 12345 67890"),
        box(95, 172, "名", h=22),
        box(185, 170, "称：杭州云帆科技有限公司"),
        box(56, 187, "购", h=22),
        box(96, 203, f"纳税人识别号：{BUYER_ID}"),
        box(59, 218, "买", h=22),
        box(96, 232, "地址、电话：杭州市西湖区文三路1号0571-88886666"),
        box(58, 246, "方", h=22),
        box(97, 263, "开户行及账号：招商银行杭州分行 571901234567890"),
        box(704, 180, "密"),
        box(762, 172, "74/7008*38231>0917+9009481>"),
        box(89, 293, "货物或应税劳务、服务名称"),
        box(360, 295, "规格型号"),
        box(454, 294, "单位"),
        box(548, 294, "数量"),
        box(689, 295, "单价"),
        box(846, 294, "金额"),
        box(965, 293, "税率"),
        box(1072, 295, "税额"),
        box(53, 320, "*信息技术服务*软件开发"),
        box(464, 320, "项"),
        box(629, 322, "1"),
        box(731, 320, "1000.00"),
        box(900, 321, "1000.00"),
        box(962, 320, "6%"),
        box(1130, 320, "60.00"),
        box(124, 516, "合", h=22),
        box(200, 513, "计", h=22),
        box(861, 517, "¥1000.00"),
        box(1098, 515, "¥60.00"),
        box(123, 552, "价税合计（大写）"),
        box(353, 548, "⊗壹仟零陆拾圆整"),
        box(896, 548, "（小写）¥1060.00"),
        box(97, 591, "名", h=22),
        box(186, 588, "称：上海星河贸易有限公司"),
        box(58, 603, "销", h=22),
        box(94, 616, f"纳税人识别号：{SELLER_ID}"),
        box(57, 630, "售", h=22),
        box(96, 648, "地址、电话：上海市浦东新区张江路100号021-66668888"),
        box(58, 660, "方", h=22),
        box(96, 672, "开户行及账号：交通银行上海分行 310066771018000123456"),
        box(705, 605, "备"),
        box(702, 661, "注"),
        box(64, 711, "收款人：王陆"),
        box(383, 708, "复核：李思"),
        box(629, 710, "开票人：王梅"),
        box(871, 710, "销售方：（章）"),
    ]
    if seal_tax_id is not None:
        # The seller's seal overlaps the remark area: its tax ID is printed straight,
        # the company name around the arc.
        lines += [
            box(968, 675, seal_tax_id),
            box(1015, 709, "发票专用章"),
            arc_box(960, 640, "上海星河", -35),
            arc_box(1040, 600, "贸易有限", 10),
            arc_box(1120, 620, "公司", 40),
        ]
    if rotate_180:
        lines = [_rotated_180(line, 1300, 800) for line in lines]
    return lines


def _rotated_180(line: OcrLine, width: float, height: float) -> OcrLine:
    # Pixels of a page turned upside down; the points stay in reading order.
    return OcrLine(
        box=tuple((width - x, height - y) for x, y in line.box), text=line.text, score=line.score
    )


def test_electronic_invoice_fields_are_read_by_label_and_position() -> None:
    # given the OCR boxes of a 增值税电子普通发票
    lines = electronic_invoice()
    # when parsed
    parsed = parse_lines(lines)
    fields = parsed.fields
    # then header, parties, totals and check code are all found
    assert parsed.document_type == DocumentType.VAT_ELECTRONIC
    assert fields.invoice_code == "033002100211"
    assert fields.invoice_number == "12345678"
    assert fields.issue_date == dt.date(2025, 3, 9)
    assert fields.check_code == "12345678901234567890"
    assert (fields.buyer_name, fields.buyer_tax_id) == ("杭州云帆科技有限公司", BUYER_ID)
    assert (fields.seller_name, fields.seller_tax_id) == ("上海星河贸易有限公司", SELLER_ID)
    assert fields.amount_excluding_tax == Decimal("1000.00")
    assert fields.tax_amount == Decimal("60.00")
    assert fields.total_amount == Decimal("1060.00")
    assert fields.total_in_words == "壹仟零陆拾圆整"
    assert fields.currency == "CNY"


def test_line_items_are_read_from_the_goods_table() -> None:
    # given the invoice with one goods line
    parsed = parse_lines(electronic_invoice())
    # when its items are read
    items = parsed.fields.line_items
    # then name, quantity, price, amount, rate and tax come from their columns
    assert len(items) == 1
    item = items[0]
    assert item.name == "*信息技术服务*软件开发"
    assert (item.quantity, item.unit_price) == (Decimal(1), Decimal("1000.00"))
    assert (item.amount, item.tax_rate, item.tax_amount) == (
        Decimal("1000.00"),
        "6%",
        Decimal("60.00"),
    )


def test_seal_text_does_not_override_the_printed_seller() -> None:
    # given a seal whose tax ID differs from the printed one (an OCR misread of the seal)
    seal_id = _uscc("91310000MA1FL0000")
    lines = electronic_invoice(seal_tax_id=seal_id)
    # when parsed
    fields = parse_lines(lines).fields
    # then the printed label-value pairs win over the seal
    assert fields.seller_tax_id == SELLER_ID
    assert fields.seller_name == "上海星河贸易有限公司"


def test_seal_is_not_taken_when_the_printed_tax_id_is_missing() -> None:
    # given a seller block whose tax-ID label has no readable value, and a seal with one
    lines = [
        line
        for line in electronic_invoice(seal_tax_id=SELLER_ID)
        if not line.text.startswith("纳税人识别号：" + SELLER_ID)
    ]
    lines.append(box(94, 616, "纳税人识别号："))
    # when parsed
    fields = parse_lines(lines).fields
    # then the seal's tax ID is not reported as the seller's printed one
    assert fields.seller_tax_id is None


def test_upside_down_page_reads_like_an_upright_one() -> None:
    # given the same invoice photographed upside down (boxes keep reading order)
    upright = parse_lines(electronic_invoice()).fields
    # when the rotated page is parsed
    rotated = parse_lines(electronic_invoice(rotate_180=True)).fields
    # then buyer and seller are not swapped and every field matches
    assert rotated == upright


def test_digital_invoice_with_side_by_side_parties() -> None:
    # given a 数电票: buyer and seller blocks next to each other, 20-digit number
    lines = [
        box(870, 100, "电子发票(普通发票)", h=50),
        box(1835, 142, "发票号码：25117000000123456789"),
        box(1833, 212, "开票日期：2025年05月01日"),
        vbox(68, 382, "购买方信息"),
        vbox(1250, 380, "销售方信息"),
        box(133, 416, "名称：北京青松咨询有限公司"),
        box(1318, 416, "名称：天津海风酒店管理有限公司"),
        box(121, 540, f"统一社会信用代码/纳税人识别号：{BUYER_ID}"),
        box(1308, 540, f"统一社会信用代码/纳税人识别号：{SELLER_ID}"),
        box(195, 623, "项目名称"),
        box(1409, 620, "单价"),
        box(1716, 621, "金额"),
        box(1937, 621, "税率/征收率"),
        box(2330, 621, "税额"),
        box(58, 678, "*住宿服务*住宿费"),
        box(1698, 679, "200.00"),
        box(1937, 677, "6%"),
        box(2347, 676, "12.00"),
        box(355, 1085, "合计"),
        box(1671, 1092, "¥200.00"),
        box(2309, 1092, "¥12.00"),
        box(200, 1165, "价税合计（大写）"),
        box(735, 1164, "⊗贰佰壹拾贰圆整"),
        box(1707, 1162, "（小写）¥212.00"),
    ]
    # when parsed
    parsed = parse_lines(lines)
    fields = parsed.fields
    # then the left block is the buyer, the right one the seller, and no code is invented
    assert parsed.document_type == DocumentType.DIGITAL_INVOICE
    assert fields.invoice_number == "25117000000123456789"
    assert fields.invoice_code is None
    assert fields.buyer_name == "北京青松咨询有限公司"
    assert fields.seller_name == "天津海风酒店管理有限公司"
    assert (fields.buyer_tax_id, fields.seller_tax_id) == (BUYER_ID, SELLER_ID)
    assert (fields.amount_excluding_tax, fields.tax_amount, fields.total_amount) == (
        Decimal("200.00"),
        Decimal("12.00"),
        Decimal("212.00"),
    )


def test_misread_labels_are_still_recognised() -> None:
    # given labels with characters dropped or misread by OCR
    lines = electronic_invoice()
    lines = [
        box(868, 130, "校验6码：12345678901234567890") if line.text.startswith("校验码") else line
        for line in lines
    ]
    lines = [
        box(94, 616, f"纳税人别号：{SELLER_ID}") if SELLER_ID in line.text else line
        for line in lines
    ]
    # when parsed
    fields = parse_lines(lines).fields
    # then the values next to them are still found
    assert fields.check_code == "12345678901234567890"
    assert fields.seller_tax_id == SELLER_ID


def test_exempt_tax_shown_as_stars_is_not_a_tax_amount() -> None:
    # given a 合计 row whose tax column shows *** (免税)
    lines = [line for line in electronic_invoice() if line.text not in ("¥60.00", "60.00", "6%")]
    lines += [box(1139, 517, "***"), box(962, 320, "免税"), box(1156, 320, "***")]
    # when parsed
    fields = parse_lines(lines).fields
    # then the amount is read and the tax left empty
    assert fields.amount_excluding_tax == Decimal("1000.00")
    assert fields.tax_amount is None
    assert fields.line_items[0].tax_rate == "免税"


def test_a_tax_id_drifted_onto_the_name_row_is_not_taken_as_the_name() -> None:
    # given a photographed seller block where the bare 名称 label's row also touches the
    # tax ID below it (starting a pixel further left than the name)
    lines = [
        line
        for line in electronic_invoice()
        if not line.text.startswith("称：上海星河") and SELLER_ID not in line.text
    ]
    lines += [
        box(97, 591, "名称", h=22),
        box(190, 584, "上海星河贸易有限公司"),
        box(58, 603, "销", h=22),
        box(40, 606, "纳税人识别号：", h=18),
        box(189, 601, SELLER_ID),
    ]
    # when parsed
    fields = parse_lines(lines).fields
    # then the name is the company, and the tax ID stays the tax ID
    assert fields.seller_name == "上海星河贸易有限公司"
    assert fields.seller_tax_id == SELLER_ID


def test_a_yuan_sign_misread_as_a_letter_after_the_lower_case_label_is_still_money() -> None:
    # given the 价税合计 row whose ¥ after (小写) was read as "V", and no 大写 to fall back on
    lines = [
        line
        for line in electronic_invoice()
        if "小写" not in line.text and "圆整" not in line.text and line.text != "¥60.00"
    ]
    lines.append(box(896, 548, "（小写）V1060.00"))
    # when parsed / then the amount after the label is the total
    assert parse_lines(lines).fields.total_amount == Decimal("1060.00")


def test_a_tax_id_under_the_seller_name_is_the_sellers_when_no_side_label_is_read() -> None:
    # given a 数电票 whose side labels were not read and whose buyer (个人) has no tax ID
    lines = [
        box(870, 100, "电子发票(普通发票)", h=50),
        box(1835, 142, "发票号码：25117000000123456789"),
        box(1833, 212, "开票日期：2025年05月01日"),
        box(133, 416, "名称：个人"),
        box(1318, 416, "名称：天津海风酒店管理有限公司"),
        box(1308, 470, f"统一社会信用代码/纳税人识别号：{SELLER_ID}"),
        box(355, 1085, "合计"),
        box(1671, 1092, "¥200.00"),
        box(2309, 1092, "¥12.00"),
        box(200, 1165, "价税合计（大写）"),
        box(1707, 1162, "（小写）¥212.00"),
    ]
    # when parsed
    fields = parse_lines(lines).fields
    # then the tax ID goes with the name printed above it, not to the buyer
    assert fields.seller_tax_id == SELLER_ID
    assert fields.buyer_tax_id is None


def test_side_by_side_parties_split_left_and_right_when_only_the_buyer_label_is_read() -> None:
    # given a 数电票 whose seller side label was not read: the buyer's label is the only
    # side label left of both name labels
    lines = [
        box(870, 100, "电子发票(普通发票)", h=50),
        box(1835, 142, "发票号码：25117000000123456789"),
        box(1833, 212, "开票日期：2025年05月01日"),
        vbox(68, 382, "购买方信息"),
        box(133, 416, "名称：个人"),
        box(1318, 416, "名称：天津海风酒店管理有限公司"),
        box(1308, 540, f"统一社会信用代码/纳税人识别号：{SELLER_ID}"),
        box(355, 1085, "合计"),
        box(200, 1165, "价税合计（大写）"),
        box(1707, 1162, "（小写）¥212.00"),
    ]
    # when parsed
    fields = parse_lines(lines).fields
    # then the right-hand block is the seller's
    assert (fields.buyer_name, fields.seller_name) == ("个人", "天津海风酒店管理有限公司")
    assert (fields.buyer_tax_id, fields.seller_tax_id) == (None, SELLER_ID)
