"""Image masking: regions from OCR boxes, the fill itself, and an OCR round trip."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from extraction.checksums import luhn_is_valid
from extraction.engines.base import EngineContext, OcrLine
from extraction.pii import PiiKind, mask_document_image, mask_image, pii_regions
from extraction.pii.image import Region

FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
VALID_ID = "11010519491231002X"
CARD = "6217002965318407539"  # Luhn-valid, 19 digits
PHONE = "13812345678"
INVOICE_NUMBER = "24442000000047390615"
SELLER_USCC = "91110000600037341L"


def line(text: str, left: float, top: float, right: float, bottom: float) -> OcrLine:
    """An upright box, corners in reading order (as the OCR engine returns them)."""
    return OcrLine(((left, top), (right, top), (right, bottom), (left, bottom)), text, 0.99)


def test_fixture_card_passes_luhn() -> None:
    assert luhn_is_valid(CARD)


# --- regions from OCR boxes ---------------------------------------------------------


def test_value_filling_a_whole_box_gives_the_whole_box() -> None:
    # given
    lines = [line(PHONE, 100, 100, 300, 130)]
    # when
    (region,) = pii_regions(lines)
    # then
    assert region.kind == PiiKind.MOBILE
    assert (region.left, region.top, region.right, region.bottom) == (100, 100, 300, 130)


def test_value_in_part_of_a_box_is_narrowed_to_its_characters() -> None:
    # given: three full-width label characters (6 units) then 11 digits (11 units)
    lines = [line(f"电话：{PHONE}", 100, 100, 440, 130)]
    # when
    (region,) = pii_regions(lines)
    # then: starts one half-width character before the digits, ends at the box's end
    assert region.left == pytest.approx(100 + 340 * 5 / 17)
    assert region.right == 440
    assert (region.top, region.bottom) == (100, 130)


def test_card_split_across_two_touching_boxes_is_found_in_both() -> None:
    # given: OCR cut the number at a printed space
    lines = [line("卡号", 20, 100, 80, 130), line(CARD[:8], 95, 100, 230, 130)]
    lines.append(line(CARD[8:], 240, 100, 420, 130))
    # when
    regions = pii_regions(lines)
    # then
    assert {(r.line_index, r.kind) for r in regions} == {
        (1, PiiKind.BANK_CARD),
        (2, PiiKind.BANK_CARD),
    }


def test_label_in_one_box_makes_the_number_in_the_next_box_an_account() -> None:
    # given: 15 digits failing Luhn, personal only because of the label next to it
    lines = [line("开户行及账号：", 20, 100, 200, 130), line("020000450908913", 215, 100, 470, 130)]
    # when
    regions = pii_regions(lines)
    # then
    assert [(r.line_index, r.kind) for r in regions] == [(1, PiiKind.BANK_CARD)]


def test_invoice_number_split_into_touching_boxes_is_not_a_card() -> None:
    # given: a 20-digit number whose first 16 digits pass Luhn, cut after them
    assert luhn_is_valid("4111111111111111")
    lines = [line("4111111111111111", 100, 100, 370, 130), line("1234", 380, 100, 450, 130)]
    # then
    assert pii_regions(lines) == []


def test_distant_boxes_are_separate_numbers() -> None:
    # given: the same digits, but far apart on the row (two table columns)
    lines = [line("4111111111111111", 100, 100, 370, 130), line("1234", 460, 100, 530, 130)]
    # when
    regions = pii_regions(lines)
    # then
    assert [(r.line_index, r.kind) for r in regions] == [(0, PiiKind.BANK_CARD)]


def test_label_on_the_row_above_does_not_reach_a_number_below() -> None:
    lines = [line("开户行及账号：", 20, 100, 200, 130), line("020000450908913", 20, 140, 280, 170)]
    assert pii_regions(lines) == []


def test_sideways_page_is_narrowed_along_its_reading_direction() -> None:
    # given: a page turned 90 degrees clockwise: text runs downwards, glyph tops face
    # right; reading-order corners: start-top, end-top, end-bottom, start-bottom
    box = ((530.0, 100.0), (530.0, 440.0), (500.0, 440.0), (500.0, 100.0))
    label = OcrLine(((530.0, 20.0), (530.0, 80.0), (500.0, 80.0), (500.0, 20.0)), "卡号", 0.9)
    lines = [label, OcrLine(box, f"电话：{PHONE}", 0.99)]
    # when
    (region,) = pii_regions(lines)
    # then: narrowed in y (the reading direction), full width in x
    assert region.top == pytest.approx(100 + 340 * 5 / 17)
    assert region.bottom == 440
    assert (region.left, region.right) == (500, 530)


# --- the fill -----------------------------------------------------------------------


def test_mask_image_returns_a_masked_copy_and_leaves_the_input_alone() -> None:
    # given
    image = Image.new("RGB", (200, 100), "white")
    before = image.tobytes()
    region = Region(((50, 40), (150, 40), (150, 60), (50, 60)), PiiKind.MOBILE, 0)
    # when
    masked = mask_image(image, [region], margin=4)
    # then
    assert image.tobytes() == before
    assert masked is not image
    assert masked.getpixel((100, 50)) == (0, 0, 0)
    assert masked.getpixel((100, 37)) == (0, 0, 0)  # inside the 4 px margin
    assert masked.getpixel((100, 30)) == (255, 255, 255)
    assert masked.getpixel((10, 10)) == (255, 255, 255)


def test_mask_image_keeps_grey_images_grey_and_turns_palette_images_rgb() -> None:
    region = Region(((5, 5), (15, 5), (15, 15), (5, 15)), PiiKind.EMAIL, 0)
    grey = mask_image(Image.new("L", (20, 20), 255), [region])
    palette = mask_image(Image.new("P", (20, 20), 3), [region])
    assert grey.mode == "L" and grey.getpixel((10, 10)) == 0
    assert palette.mode == "RGB" and palette.getpixel((10, 10)) == (0, 0, 0)


def test_mask_document_image_reports_kinds_and_masks_the_line_texts() -> None:
    # given
    image = Image.new("RGB", (600, 200), "white")
    lines = [
        line(f"发票号码：{INVOICE_NUMBER}", 20, 20, 420, 50),
        line(f"身份证号：{VALID_ID}", 20, 70, 420, 100),
        line(f"电话：{PHONE}", 20, 120, 300, 150),
    ]
    # when
    report = mask_document_image(image, lines)
    # then
    assert report.kinds == (PiiKind.MOBILE, PiiKind.RESIDENT_ID)
    assert [x.text for x in report.lines] == [
        f"发票号码：{INVOICE_NUMBER}",
        "身份证号：**************002X",
        "电话：*******5678",
    ]
    assert report.lines[0] is lines[0]


# --- OCR round trip -----------------------------------------------------------------


def render_invoice() -> Image.Image:
    if not FONT.exists():
        pytest.fail(f"{FONT} missing: apt-get install fonts-wqy-microhei")
    font = ImageFont.truetype(str(FONT), 26)
    rows = [
        "电子发票（普通发票）",
        f"发票号码：{INVOICE_NUMBER}",
        "开票日期：2024年11月05日",
        "购买方 名称：张三",
        f"统一社会信用代码/纳税人识别号：{VALID_ID}",
        f"开户行及账号：中国工商银行北京分行 {CARD}",
        f"电话：{PHONE}",
        "销售方 名称：北京云帆科技有限公司",
        f"统一社会信用代码/纳税人识别号：{SELLER_USCC}",
        "价税合计（小写）：¥1,130.00",
    ]
    image = Image.new("RGB", (1100, 560), "white")
    draw = ImageDraw.Draw(image)
    for index, row in enumerate(rows):
        draw.text((40, 20 + index * 52), row, fill="black", font=font)
    return image


def squashed(lines: list[OcrLine]) -> str:
    return "".join(unicodedata.normalize("NFKC", x.text).replace(" ", "") for x in lines)


@pytest.mark.slow
def test_masked_document_no_longer_shows_personal_numbers_but_keeps_invoice_fields() -> None:
    from extraction.engines.ocr import OcrEngine

    engine = OcrEngine(EngineContext(ocr_threads=2))
    # given: an invoice with an individual buyer's ID, a bank card and a phone
    image = render_invoice()
    lines = engine.ocr_lines(image)
    before = squashed(lines)
    assert VALID_ID in before and CARD in before and PHONE in before
    # when
    report = mask_document_image(image, lines)
    after = squashed(engine.ocr_lines(report.image))
    # then: no 6 consecutive digits of any personal number can be read any more...
    assert set(report.kinds) == {PiiKind.RESIDENT_ID, PiiKind.BANK_CARD, PiiKind.MOBILE}
    for secret in (VALID_ID, CARD, PHONE):
        pieces = {secret[i : i + 6] for i in range(len(secret) - 5)}
        assert not [p for p in pieces if p in INVOICE_NUMBER + SELLER_USCC], "bad fixture"
        assert not [p for p in pieces if p in after], secret
    # ...while the invoice fields and the labels next to the masked values still read
    for kept in (
        INVOICE_NUMBER,
        "2024年11月05日",
        "¥1,130.00",
        SELLER_USCC,
        "中国工商银行北京分行",
    ):
        assert kept in after
    assert "电话" in after and "开户行及账号" in after
