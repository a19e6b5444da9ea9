"""Several tickets or receipts laid side by side on a table and photographed at once.

    from synth.table import generate_table_photo
    shot = generate_table_photo(seed=3)          # 2-4 documents
    shot.jpeg, shot.parts[0].box, shot.parts[0].truth

Each document is scaled so its key text lands at the same size, turned a few degrees and
seen in its own slight perspective, laid in a row (2-3) or a 2x2 grid (4) with gaps on
one of ``photo``'s table surfaces; the whole scene is then tilted as a phone held at an
angle sees it, scaled to a phone-photo text size, shaded, blurred, noised and saved as a
JPEG. ``parts`` are in reading order (rows top to bottom, left to right), each with the
bounding box of its paper in the final picture.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from PIL import Image

from . import receipts, tickets
from .common import Rendered
from .photo import _shadow, _surface

# Documents people lay out together: tickets and receipts (VAT invoices are A5/A4 pages).
RENDERERS: dict[str, Callable[[random.Random], Rendered]] = {
    "train_ticket": tickets.render_train,
    "taxi_receipt": tickets.render_taxi,
    "quota_invoice": tickets.render_quota,
    "bus_ticket": tickets.render_bus,
    "toll_receipt": tickets.render_toll,
    "receipt": receipts.render_receipt,
}
# Key text of every document is drawn at this height before the scene is composed.
_COMMON_TEXT_PX = 24


@dataclass(frozen=True)
class TablePart:
    document_type: str
    truth: dict[str, Any]
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 of the paper in the final picture


@dataclass(frozen=True)
class TablePhoto:
    jpeg: bytes
    parts: list[TablePart]
    degradations: list[str]


def _quad(width: int, height: int, rng: random.Random, angle_deg: float) -> np.ndarray:
    angle = np.deg2rad(angle_deg)
    jitter = 0.03 * min(width, height)
    out = []
    for x, y in ((0, 0), (width, 0), (width, height), (0, height)):
        dx, dy = x - width / 2, y - height / 2
        rx = dx * np.cos(angle) - dy * np.sin(angle) + rng.uniform(-jitter, jitter)
        ry = dx * np.sin(angle) + dy * np.cos(angle) + rng.uniform(-jitter, jitter)
        out.append([rx, ry])
    return np.array(out, dtype=np.float32)


def compose(pages: list[Rendered], rng: random.Random) -> TablePhoto:
    """Lay ``pages`` out on a table and photograph them (see the module docstring)."""
    nrng = np.random.default_rng(rng.getrandbits(63))
    steps: list[str] = []
    sheets = []
    for page in pages:
        factor = _COMMON_TEXT_PX / page.text_px
        size = (round(page.image.width * factor), round(page.image.height * factor))
        sheets.append(np.asarray(page.image.convert("RGB").resize(size, Image.Resampling.LANCZOS)))
    columns = 2 if len(sheets) == 4 else len(sheets)
    rows = [sheets[i : i + columns] for i in range(0, len(sheets), columns)]
    cell_w = max(s.shape[1] for s in sheets) * 1.12
    cell_h = max(s.shape[0] for s in sheets) * 1.12
    gap = rng.uniform(0.04, 0.12) * cell_w
    margin = rng.uniform(0.06, 0.14) * max(cell_w, cell_h)
    scene_w = int(2 * margin + columns * cell_w + (columns - 1) * gap)
    scene_h = int(2 * margin + len(rows) * cell_h + (len(rows) - 1) * gap)
    scene = _surface(scene_w, scene_h, rng, nrng)
    quads = []
    for r, row in enumerate(rows):
        for c, sheet in enumerate(row):
            height, width = sheet.shape[:2]
            cx = margin + c * (cell_w + gap) + cell_w / 2 + rng.uniform(-0.03, 0.03) * cell_w
            cy = margin + r * (cell_h + gap) + cell_h / 2 + rng.uniform(-0.03, 0.03) * cell_h
            quad = _quad(width, height, rng, rng.uniform(-5.0, 5.0)) + np.array(
                [cx, cy], np.float32
            )
            src = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
            matrix = cv2.getPerspectiveTransform(src, quad.astype(np.float32))
            warped = cv2.warpPerspective(sheet, matrix, (scene_w, scene_h))
            mask = cv2.warpPerspective(
                np.ones((height, width), np.float32), matrix, (scene_w, scene_h)
            )
            scene = warped.astype(np.float32) * mask[..., None] + scene * (1 - mask[..., None])
            quads.append(quad)
    steps += [f"documents:{len(sheets)}", "background", "perspective"]
    # The phone's own tilt: the whole table in perspective (a keystone of a few percent).
    keystone = rng.uniform(0.0, 0.06) * scene_w
    src = np.array([[0, 0], [scene_w, 0], [scene_w, scene_h], [0, scene_h]], np.float32)
    dst = src.copy()
    if rng.random() < 0.5:
        dst[0, 0] += keystone
        dst[1, 0] -= keystone
    else:
        dst[3, 0] += keystone
        dst[2, 0] -= keystone
    tilt = cv2.getPerspectiveTransform(src, dst)
    # The table goes on past the picture: its edge is mirrored into the uncovered corners.
    scene = cv2.warpPerspective(scene, tilt, (scene_w, scene_h), borderMode=cv2.BORDER_REFLECT_101)
    quads = [cv2.perspectiveTransform(q[None], tilt)[0] for q in quads]
    steps.append(f"keystone:{keystone / scene_w:.2f}")
    # Phone-photo text size: 12-18 px, and never a picture larger than a phone's.
    scale = min(rng.uniform(12.0, 18.0) / _COMMON_TEXT_PX, 4000 / max(scene_w, scene_h))
    size = (int(scene_w * scale), int(scene_h * scale))
    img = cv2.resize(np.clip(scene, 0, 255).astype(np.uint8), size, interpolation=cv2.INTER_AREA)
    quads = [q * scale for q in quads]
    steps.append(f"scale:{scale:.2f}")
    if rng.random() < 0.7:
        img = np.clip(_shadow(img.astype(np.float32), rng, steps), 0, 255).astype(np.uint8)
    if rng.random() < 0.5:
        sigma = rng.uniform(0.4, 1.2)
        img = cv2.GaussianBlur(img, (0, 0), sigmaX=sigma)
        steps.append(f"blur:{sigma:.1f}")
    if rng.random() < 0.7:
        sigma = rng.uniform(2.0, 6.0)
        img = np.clip(img.astype(np.float32) + nrng.normal(0, sigma, img.shape), 0, 255)
        steps.append(f"noise:{sigma:.0f}")
    quality = rng.randint(55, 85)
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(img, dtype=np.uint8)).save(buffer, "JPEG", quality=quality)
    steps.append(f"jpeg:{quality}")
    parts = [
        TablePart(
            document_type=page.truth["document_type"],
            truth=page.truth,
            box=(
                int(q[:, 0].min()),
                int(q[:, 1].min()),
                int(np.ceil(q[:, 0].max())),
                int(np.ceil(q[:, 1].max())),
            ),
        )
        for page, q in zip(pages, quads, strict=True)
    ]
    return TablePhoto(buffer.getvalue(), parts, steps)


def generate_table_photo(seed: int, count: int | None = None) -> TablePhoto:
    """2-4 documents (``count`` fixes how many) of the types in ``RENDERERS``."""
    rng = random.Random(f"table/{seed}")
    n = count or rng.randint(2, 4)
    kinds = [rng.choice(tuple(RENDERERS)) for _ in range(n)]
    pages = [RENDERERS[kind](random.Random(f"table/{seed}/{i}")) for i, kind in enumerate(kinds)]
    return compose(pages, rng)
