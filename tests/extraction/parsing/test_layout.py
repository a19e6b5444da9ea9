"""Layout geometry: rows, neighbours and skew removal on OCR boxes."""

from __future__ import annotations

import math

from extraction.engines.base import OcrLine
from extraction.parsing.layout import Layout, group_rows


def box(x: float, y: float, w: float, h: float, text: str) -> OcrLine:
    return OcrLine(box=((x, y), (x + w, y), (x + w, y + h), (x, y + h)), text=text, score=0.9)


def rotated(lines: list[OcrLine], degrees: float) -> list[OcrLine]:
    rad = math.radians(degrees)

    def turn(p: tuple[float, float]) -> tuple[float, float]:
        return (
            p[0] * math.cos(rad) - p[1] * math.sin(rad),
            p[0] * math.sin(rad) + p[1] * math.cos(rad),
        )

    return [OcrLine(tuple(turn(p) for p in line.box), line.text, line.score) for line in lines]


def test_a_tall_box_does_not_chain_two_printed_lines_into_one_row() -> None:
    # given two printed lines and a tall box overlapping both (a merged OCR detection)
    layout = Layout.from_lines(
        [
            box(0, 0, 100, 20, "第一行"),
            box(0, 24, 100, 20, "第二行"),
            box(300, 2, 100, 40, "高框"),
        ]
    )
    # when grouped into rows
    rows = group_rows(layout.boxes)
    # then the two printed lines stay separate
    texts = [[b.text for b in row] for row in rows]
    assert ["第一行"] in texts or ["第一行", "高框"] in texts
    assert not any("第一行" in row and "第二行" in row for row in texts)


def test_tilted_page_is_deskewed_so_rows_stay_rows() -> None:
    # given a row of label and value tilted by 4 degrees (a photo taken at an angle)
    lines = rotated(
        [box(0, 100, 300, 20, "纳税人识别号：91110108551385082T"), box(600, 100, 200, 20, "备注")]
        + [box(0, 140 + 30 * i, 600, 20, f"第{i}行 填充文字用于估计倾斜角度") for i in range(5)],
        4,
    )
    # when laid out
    layout = Layout.from_lines(lines)
    # then the skew is measured and the two boxes share a row again
    assert abs(layout.skew - 4) < 0.5
    label = next(b for b in layout.boxes if b.text.startswith("纳税人"))
    assert [b.text for b in layout.right_of(label)] == ["备注"]


def test_seal_arc_text_is_flagged_and_ignored_by_queries() -> None:
    # given a printed line and a short box tilted like the text around a round seal
    rad = math.radians(35)
    arc = OcrLine(
        box=(
            (500, 100),
            (500 + 60 * math.cos(rad), 100 + 60 * math.sin(rad)),
            (
                500 + 60 * math.cos(rad) - 20 * math.sin(rad),
                100 + 60 * math.sin(rad) + 20 * math.cos(rad),
            ),
            (500 - 20 * math.sin(rad), 100 + 20 * math.cos(rad)),
        ),
        text="有限公司",
        score=0.9,
    )
    lines = [box(0, 100, 400, 20, "名称：上海星河贸易有限公司"), arc]
    # when laid out
    layout = Layout.from_lines(lines)
    # then the arc box is a seal and never a neighbour
    seal = next(b for b in layout.boxes if b.text == "有限公司")
    assert seal.seal
    assert layout.right_of(layout.boxes[0]) == []
