"""Several tickets or receipts pasted on one white page and scanned at once.

    from synth.page import generate_page_scan
    scan = generate_page_scan(seed=3)          # 2-4 documents
    scan.jpeg, scan.parts[0].box, scan.parts[0].truth

People glue their receipts onto an A4 sheet and scan or photograph it flat: white paper
on white paper, no edge to see. Each document is scaled so its key text lands at the
same size, turned at most a degree or two, and pasted in one column (2) or two columns
(2-4) with gutters of 1.2-3 cm on a white A4 page; the page is then scaled to a scanner's
text size (150-200 dpi), lightly blurred, noised and saved as a JPEG. A scanner's white
level often makes the receipt's paper as white as the page: it is whitened part of the
time. ``parts`` are in reading order (rows top to bottom, left to right) with the
bounding box of each document in the final picture.
"""

from __future__ import annotations

import io
import random

import cv2
import numpy as np
from PIL import Image

from .common import Rendered
from .table import _COMMON_TEXT_PX, RENDERERS, TablePart, TablePhoto

# A4 at the composing scale: receipts' key text 24 px high (about 3 mm) -> 8 px per mm.
_PX_PER_MM = _COMMON_TEXT_PX / 3.0
_A4_MM = (210, 297)


def compose_page(pages: list[Rendered], rng: random.Random) -> TablePhoto:
    """Paste ``pages`` on a white A4 page and scan it (see the module docstring)."""
    nrng = np.random.default_rng(rng.getrandbits(63))
    steps = [f"documents:{len(pages)}", "white page"]
    sheets = []
    for page in pages:
        factor = _COMMON_TEXT_PX / page.text_px
        size = (round(page.image.width * factor), round(page.image.height * factor))
        sheet = np.asarray(page.image.convert("RGB").resize(size, Image.Resampling.LANCZOS))
        sheets.append(sheet.astype(np.float32))
    whiten = rng.random() < 0.5
    if whiten:
        # The scanner's white level: the receipt's own paper as white as the page.
        sheets = [np.clip(s * (255.0 / np.percentile(s, 90, axis=(0, 1))), 0, 255) for s in sheets]
        steps.append("whitened")
    columns = 1 if len(sheets) == 2 and rng.random() < 0.3 else 2
    rows = [sheets[i : i + columns] for i in range(0, len(sheets), columns)]
    gutter = rng.uniform(12, 30) * _PX_PER_MM
    margin = rng.uniform(10, 20) * _PX_PER_MM
    col_w = [max(row[c].shape[1] for row in rows if c < len(row)) for c in range(columns)]
    row_h = [max(s.shape[0] for s in row) for row in rows]
    need_w = 2 * margin + sum(col_w) + gutter * (columns - 1)
    need_h = 2 * margin + sum(row_h) + gutter * (len(rows) - 1)
    page_w = int(max(_A4_MM[0] * _PX_PER_MM, need_w, need_h * _A4_MM[0] / _A4_MM[1]))
    page_h = int(page_w * _A4_MM[1] / _A4_MM[0])
    white = rng.uniform(246, 255)
    scene = np.full((page_h, page_w, 3), white, np.float32)
    boxes = []
    y = margin
    for r, row in enumerate(rows):
        x = margin
        for c, sheet in enumerate(row):
            height, width = sheet.shape[:2]
            angle = rng.uniform(-1.5, 1.5)
            cx = x + width / 2 + rng.uniform(0, max(0.0, col_w[c] - width))
            cy = y + height / 2 + rng.uniform(0, max(0.0, row_h[r] - height) / 2)
            matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
            matrix[:, 2] += (cx - width / 2, cy - height / 2)
            warped = cv2.warpAffine(sheet, matrix, (page_w, page_h))
            mask = cv2.warpAffine(np.ones((height, width), np.float32), matrix, (page_w, page_h))
            scene = warped * mask[..., None] + scene * (1 - mask[..., None])
            corners = np.array([[0, 0, 1], [width, 0, 1], [width, height, 1], [0, height, 1]])
            placed = corners @ matrix.T
            boxes.append(placed)
            x += col_w[c] + gutter
        y += row_h[r] + gutter
    # A scanner's text size: 150-200 dpi puts 3 mm text at 18-24 px.
    scale = rng.uniform(150, 200) / 25.4 / _PX_PER_MM
    size = (int(page_w * scale), int(page_h * scale))
    img = cv2.resize(np.clip(scene, 0, 255), size, interpolation=cv2.INTER_AREA)
    steps.append(f"scale:{scale:.2f}")
    if rng.random() < 0.5:
        sigma = rng.uniform(0.3, 0.8)
        img = cv2.GaussianBlur(img, (0, 0), sigmaX=sigma)
        steps.append(f"blur:{sigma:.1f}")
    sigma = rng.uniform(1.0, 4.0)
    img = np.clip(img + nrng.normal(0, sigma, img.shape), 0, 255)
    steps.append(f"noise:{sigma:.0f}")
    quality = rng.randint(70, 90)
    buffer = io.BytesIO()
    Image.fromarray(img.astype(np.uint8)).save(buffer, "JPEG", quality=quality)
    steps.append(f"jpeg:{quality}")
    parts = [
        TablePart(
            document_type=page.truth["document_type"],
            truth=page.truth,
            box=(
                int(q[:, 0].min() * scale),
                int(q[:, 1].min() * scale),
                int(np.ceil(q[:, 0].max() * scale)),
                int(np.ceil(q[:, 1].max() * scale)),
            ),
        )
        for page, q in zip(pages, boxes, strict=True)
    ]
    return TablePhoto(buffer.getvalue(), parts, steps)


def generate_page_scan(seed: int, count: int | None = None) -> TablePhoto:
    """2-4 documents (``count`` fixes how many) of the types in ``synth.table``'s
    ``RENDERERS`` pasted on one white page."""
    rng = random.Random(f"page/{seed}")
    n = count or rng.randint(2, 4)
    kinds = [rng.choice(tuple(RENDERERS)) for _ in range(n)]
    pages = [RENDERERS[kind](random.Random(f"page/{seed}/{i}")) for i, kind in enumerate(kinds)]
    return compose_page(pages, rng)
