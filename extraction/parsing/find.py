"""Label -> value search over a ``Layout``: same box, then right, then below."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from extraction.parsing.labels import Label, is_any_label, split_label
from extraction.parsing.layout import Box, Layout

T = TypeVar("T")


@dataclass(frozen=True)
class Found(Generic[T]):
    value: T
    score: float
    label: Box
    source: Box


def label_boxes(layout: Layout, label: Label, *, include_seal: bool = False) -> list[Box]:
    """Boxes that start with ``label``, plus labels OCR split into one box per character
    (``票`` ``价``), merged into one virtual box spanning the pieces."""
    found = layout.find(lambda b: split_label(b.flat, label) is not None, include_seal=include_seal)
    starts = {variant[0] for variant in label.variants}
    for box in layout.boxes:
        if box.seal or len(box.flat) > 2 or box.flat[0] not in starts:
            continue
        merged = _merge_pieces(layout, box, label)
        if merged is not None and all(merged.index != b.index for b in found):
            found.append(merged)
    return sorted(found, key=lambda b: (b.top, b.left))


def _merge_pieces(layout: Layout, first: Box, label: Label) -> Box | None:
    pieces = [first]
    text = first.flat
    longest = max(len(v) for v in label.variants)
    while len(text) < longest:
        following = [
            b
            for b in layout.right_of(pieces[-1], max_dx=2.5 * first.height, min_overlap=0.5)
            if len(b.flat) <= 3
        ]
        if not following:
            break
        pieces.append(following[0])
        text += following[0].flat
        if any(text == variant for variant in label.variants):
            return Box(
                index=first.index,
                text=text,
                flat=text,
                left=first.left,
                top=min(p.top for p in pieces),
                right=pieces[-1].right,
                bottom=max(p.bottom for p in pieces),
                score=min(p.score for p in pieces),
                angle=first.angle,
            )
    return None


def labelled(
    layout: Layout,
    label: Label,
    extract: Callable[[str], T | None],
    *,
    right: bool = True,
    below: bool = False,
    max_dx: float | None = None,
    candidates: Iterable[Box] | None = None,
) -> Found[T] | None:
    """First value of the right shape next to a box carrying ``label``.

    Printed label-value pairs are read before anything else, and seal boxes are never
    candidates, which is what keeps a seal's tax ID from overriding the printed one.
    """
    anchors = list(candidates) if candidates is not None else label_boxes(layout, label)
    limit = max_dx if max_dx is not None else 0.45 * max(layout.width, 1.0)
    for anchor in anchors:
        found = value_near(layout, anchor, label, extract, right=right, below=below, max_dx=limit)
        if found is not None:
            return found
    return None


def value_near(
    layout: Layout,
    anchor: Box,
    label: Label,
    extract: Callable[[str], T | None],
    *,
    right: bool = True,
    below: bool = False,
    max_dx: float | None = None,
) -> Found[T] | None:
    rest = split_label(anchor.flat, label)
    if rest:
        value = extract(rest)
        if value is not None:
            return Found(value, anchor.score, anchor, anchor)
    if right:
        for box in layout.right_of(anchor, max_dx=max_dx):
            if is_any_label(box.flat):
                break
            value = extract(box.flat)
            if value is not None:
                return Found(value, box.score, anchor, box)
    if below:
        for box in layout.below(anchor):
            if is_any_label(box.flat):
                continue
            value = extract(box.flat)
            if value is not None:
                return Found(value, box.score, anchor, box)
    return None
