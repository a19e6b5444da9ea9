"""Parsing a PDF text layer (layout text) with the same label logic as OCR boxes."""
# ruff: noqa: E501

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from extraction.parsing.document import parse_text_layer, text_to_lines
from extraction.schema import DocumentType

# Layout text as extraction.pdf builds it: runs at their columns (long lines on purpose).
PAGE = """\
                                          电子发票（普通发票）               发票号码：25117000000123456789
                                                                             开票日期：2025年05月01日
购买方信息  名称：北京青松咨询有限公司              销售方信息  名称：天津海风酒店管理有限公司
            统一社会信用代码/纳税人识别号：91110108551385082T        统一社会信用代码/纳税人识别号：91120222MA05JNEN5Q
    项目名称            规格型号   单位   数量      单价          金额      税率/征收率      税额
*住宿服务*住宿费                                                200.00        6%           12.00
     合    计                                                ¥200.00                     ¥12.00
   价税合计（大写）      ⊗贰佰壹拾贰圆整                  （小写）¥212.00
"""


def test_text_layer_is_parsed_like_a_perfect_scan() -> None:
    # given the layout text of a 数电票 PDF
    # when parsed
    parsed = parse_text_layer([PAGE])
    fields = parsed.fields
    # then every printed field is read, with full confidence
    assert parsed.document_type == DocumentType.DIGITAL_INVOICE
    assert fields.invoice_number == "25117000000123456789"
    assert fields.issue_date == dt.date(2025, 5, 1)
    assert fields.buyer_name == "北京青松咨询有限公司"
    assert fields.seller_name == "天津海风酒店管理有限公司"
    assert fields.seller_tax_id == "91120222MA05JNEN5Q"
    assert fields.total_amount == Decimal("212.00")
    assert fields.tax_amount == Decimal("12.00")
    assert set(parsed.scores.values()) == {1.0}


def test_runs_separated_by_two_spaces_become_separate_boxes() -> None:
    # given one line with two runs / when turned into boxes / then two boxes, in column order
    lines = text_to_lines(["名称：甲公司    税号：123"])
    assert [line.text for line in lines] == ["名称：甲公司", "税号：123"]
    assert lines[0].right < lines[1].left


def test_empty_text_layer_gives_an_empty_result() -> None:
    # given pages without text / when parsed / then nothing is invented
    parsed = parse_text_layer(["", "  \n"])
    assert parsed.fields.present() == []


# The same invoice with its block captions printed one character per row at each block's
# edge: the text layer puts a caption character one space before the row's own label.
VERTICAL_CAPTIONS = """\
                                          电子发票（普通发票）               发票号码：25117000000123456789
                                                                             开票日期：2025年05月01日
购                                                    销
买 名称：北京青松咨询有限公司                        售 名称：天津海风酒店管理有限公司
方                                                    方
信   统一社会信用代码/纳税人识别号：91110108551385082T  信   统一社会信用代码/纳税人识别号：91120222MA05JNEN5Q
息                                                    息
    项目名称            规格型号   单位   数量      单价          金额      税率/征收率      税额
*住宿服务*住宿费                                                200.00        6%           12.00
     合    计                                                ¥200.00                     ¥12.00
   价税合计（大写）      ⊗贰佰壹拾贰圆整                  （小写）¥212.00
"""


def test_a_vertical_caption_character_before_a_label_does_not_hide_the_name() -> None:
    # given a text layer whose block captions stand one character per row before the labels
    # when parsed
    fields = parse_text_layer([VERTICAL_CAPTIONS]).fields
    # then both parties are read, each from its own block
    assert fields.buyer_name == "北京青松咨询有限公司"
    assert fields.seller_name == "天津海风酒店管理有限公司"
    assert fields.seller_tax_id == "91120222MA05JNEN5Q"


def test_a_single_character_word_before_a_value_stays_in_its_run() -> None:
    # given a run whose first word is one character but what follows is no caption
    # when turned into boxes / then it stays one box
    assert [line.text for line in text_to_lines(["次 1"])] == ["次 1"]
