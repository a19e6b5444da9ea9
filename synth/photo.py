"""Turn a clean page into a phone photo, deterministically from a seed.

Every step is recorded by name (``degradations``) so a benchmark can break accuracy
down by what was done to the image. The text that carries or labels a key field never
ends up smaller than about 9.5 px (12-20 px normally, 9.5-11.5 px for "lowres"): PP-OCR
stops reading below ~8 px (FACTS.md), and a miss there says nothing about the extractor.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

EXIF_ORIENTATION = 0x0112
# Stored pixels for an EXIF orientation: a viewer applying the tag gets the page upright.
_STORE_FOR_TAG = {
    3: Image.Transpose.ROTATE_180,
    6: Image.Transpose.ROTATE_90,
    8: Image.Transpose.ROTATE_270,
}
_ROTATIONS = {
    90: Image.Transpose.ROTATE_90,
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_270,
}
_SURFACES = (
    (150, 112, 76),
    (118, 118, 124),
    (52, 52, 58),
    (214, 208, 196),
    (70, 104, 82),
    (176, 150, 120),
)


def store_for_exif(upright: Image.Image, tag: int) -> Image.Image:
    """The pixels a camera stores with EXIF orientation ``tag`` for an upright view."""
    return upright.transpose(_STORE_FOR_TAG[tag])


@dataclass(frozen=True)
class Photo:
    jpeg: bytes
    degradations: list[str]


def _surface(width: int, height: int, rng: random.Random, nrng: np.random.Generator) -> np.ndarray:
    base = np.array(rng.choice(_SURFACES), dtype=np.float32)
    coarse = nrng.normal(0, 14, (6, 6, 1)).astype(np.float32)
    light = cv2.resize(coarse, (width, height), interpolation=cv2.INTER_CUBIC)[..., None]
    return np.clip(base + light, 0, 255)


def _place(
    page: np.ndarray, rng: random.Random, nrng: np.random.Generator, steps: list[str]
) -> np.ndarray:
    """Lay the page on a surface, slightly rotated and seen in perspective."""
    height, width = page.shape[:2]
    margin = rng.uniform(0.04, 0.14)
    out_w, out_h = int(width * (1 + 2 * margin)), int(height * (1 + 2 * margin))
    angle = np.deg2rad(rng.uniform(-4.0, 4.0))
    cx, cy = out_w / 2, out_h / 2
    src = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    dst = []
    jitter = 0.035 * min(width, height)
    for x, y in src:
        dx, dy = x - width / 2, y - height / 2
        rx = cx + dx * np.cos(angle) - dy * np.sin(angle) + rng.uniform(-jitter, jitter)
        ry = cy + dx * np.sin(angle) + dy * np.cos(angle) + rng.uniform(-jitter, jitter)
        dst.append([rx, ry])
    matrix = cv2.getPerspectiveTransform(src, np.array(dst, dtype=np.float32))
    warped = cv2.warpPerspective(page, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.ones((height, width), np.float32), matrix, (out_w, out_h))
    scene = _surface(out_w, out_h, rng, nrng)
    mask = mask[..., None]
    steps += ["background", "perspective", f"rotate:{np.rad2deg(angle):.1f}"]
    return (warped.astype(np.float32) * mask + scene * (1 - mask)).astype(np.float32)


def _shadow(img: np.ndarray, rng: random.Random, steps: list[str]) -> np.ndarray:
    height, width = img.shape[:2]
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    if rng.random() < 0.5:
        theta = rng.uniform(0, 2 * np.pi)
        ramp = xs / width * np.cos(theta) + ys / height * np.sin(theta)
        ramp = (ramp - ramp.min()) / max(float(ramp.max() - ramp.min()), 1e-6)
        floor = rng.uniform(0.55, 0.85)
        factor = 1 - (1 - floor) * ramp
        steps.append(f"shadow:gradient:{floor:.2f}")
    else:
        # A soft blob shadow, as from the hand or phone holding the camera.
        # Drawn and blurred at 1/8 size: the shadow is soft anyway, and full-size
        # blurs with a sigma this large cost seconds.
        small_w, small_h = max(width // 8, 8), max(height // 8, 8)
        blob = np.zeros((small_h, small_w), np.float32)
        centre = (int(rng.uniform(0, small_w)), int(rng.uniform(0, small_h)))
        axes = (int(small_w * rng.uniform(0.25, 0.5)), int(small_h * rng.uniform(0.2, 0.45)))
        cv2.ellipse(blob, centre, axes, rng.uniform(0, 180), 0, 360, 1.0, -1)
        blob = cv2.GaussianBlur(blob, (0, 0), sigmaX=min(small_w, small_h) * 0.08)
        blob = cv2.resize(blob, (width, height), interpolation=cv2.INTER_LINEAR)
        depth = rng.uniform(0.25, 0.45)
        factor = 1 - depth * blob
        steps.append(f"shadow:blob:{depth:.2f}")
    tint = np.array(
        [rng.uniform(0.96, 1.0), rng.uniform(0.97, 1.0), rng.uniform(0.94, 1.0)], np.float32
    )
    return img * factor[..., None] * tint


def photograph(page: Image.Image, rng: random.Random, text_px: int) -> Photo:
    """``text_px``: height of the page's smallest key text, to bound the down-scale."""
    nrng = np.random.default_rng(rng.getrandbits(63))
    steps: list[str] = []
    img = _place(np.asarray(page.convert("RGB"), dtype=np.uint8), rng, nrng, steps)
    # Scale so the text lands at a phone-photo size; "lowres" goes down to ~9-11 px.
    lowres = rng.random() < 0.2
    target = rng.uniform(9.5, 11.5) if lowres else rng.uniform(12.0, 20.0)
    scale = min(target / text_px, 1.0)
    new_size = (max(int(img.shape[1] * scale), 64), max(int(img.shape[0] * scale), 64))
    img = cv2.resize(np.clip(img, 0, 255).astype(np.uint8), new_size, interpolation=cv2.INTER_AREA)
    steps.append(f"{'lowres' if lowres else 'scale'}:{scale:.2f}")
    if rng.random() < 0.7:
        img = np.clip(_shadow(img.astype(np.float32), rng, steps), 0, 255).astype(np.uint8)
    if rng.random() < 0.5:
        sigma = rng.uniform(0.4, 1.1 if lowres else 1.4)
        img = cv2.GaussianBlur(img, (0, 0), sigmaX=sigma)
        steps.append(f"blur:{sigma:.1f}")
    if rng.random() < 0.7:
        sigma = rng.uniform(2.0, 8.0)
        img = np.clip(img.astype(np.float32) + nrng.normal(0, sigma, img.shape), 0, 255)
        steps.append(f"noise:{sigma:.0f}")
    picture = Image.fromarray(np.asarray(img, dtype=np.uint8))
    exif = Image.Exif()
    roll = rng.random()
    if roll < 0.12:
        tag = rng.choice((3, 6, 8))
        picture = store_for_exif(picture, tag)
        exif[EXIF_ORIENTATION] = tag
        steps.append(f"exif:{tag}")
    elif roll < 0.24:
        degrees = rng.choice((90, 180, 270))
        picture = picture.transpose(_ROTATIONS[degrees])
        steps.append(f"rot:{degrees}")
    quality = rng.randint(40, 70)
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=quality, exif=exif.tobytes())
    steps.append(f"jpeg:{quality}")
    return Photo(buffer.getvalue(), steps)
