"""Phone photos of any size are read at a working size, and bounded in time and memory."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from extraction import images, pipeline
from synth import generate_document

ROOT = Path(__file__).resolve().parents[2]

# Loads a file as the worker does, reads it with the OCR engine and reports the fields
# and the process's peak resident memory.
_READER = """
import json, sys


def peak_mb():
    # VmHWM is this process's own peak: ru_maxrss would also count the parent's resident
    # size at the fork, which exec carries over (a 2.5 GB pytest reads as 2.5 GB here).
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0

from extraction import pipeline
from extraction.engines.base import EngineContext
data = open(sys.argv[1], "rb").read()
document = pipeline.load_document(data, name="photo.jpg")
result = pipeline.extract(document, ctx=EngineContext(ocr_threads=1), engine="ocr")
print(json.dumps({
    "page": list(document.pages[0].size),
    "invoice_number": result.fields.invoice_number,
    "total": str(result.fields.total_amount),
    "peak_mb": peak_mb(),
}))
"""


def _upscaled_jpeg(path: Path, size: tuple[int, int]) -> dict[str, str]:
    """A synthetic invoice page enlarged to ``size`` (as a phone sensor would see it)."""
    document = generate_document("vat_special", seed=11, photo=False)
    page = np.asarray(document.image().convert("RGB"))
    big = cv2.resize(page, size, interpolation=cv2.INTER_LINEAR)
    ok, encoded = cv2.imencode(".jpg", big[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, 85])
    assert ok
    path.write_bytes(encoded.tobytes())
    return document.truth["fields"]


def test_an_85_megapixel_phone_photo_is_read_with_bounded_memory(tmp_path: Path) -> None:
    # Given an 85 MP JPEG of an invoice (10624x7968, like a real phone photo)
    photo = tmp_path / "photo.jpg"
    truth = _upscaled_jpeg(photo, (10624, 7968))
    # When a fresh process loads and reads it as the worker does
    run = subprocess.run(
        [sys.executable, "-c", _READER, str(photo)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    # Then it is accepted, decoded at half scale (QR-friendly, never at sensor size), its
    # fields are read, and the process stayed far below the memory the full decode needs
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["page"] == [5312, 3984]
    assert report["invoice_number"] == truth["invoice_number"]
    assert report["total"] == truth["total_amount"]
    assert report["peak_mb"] < 1500


def test_a_65500_by_700_strip_is_refused_in_seconds_with_a_reason() -> None:
    # Given a 65500x700 PNG (inside the pixel limits; it held a worker for 3 minutes)
    out = io.BytesIO()
    Image.new("L", (65500, 700), 255).save(out, format="PNG", compress_level=1)
    started = time.perf_counter()
    # When the worker loads it / Then it is refused at once, saying why
    with pytest.raises(images.ImageRefused, match="20 times longer than it is wide") as caught:
        pipeline.load_document(out.getvalue(), name="strip.png")
    assert caught.value.code == "image_too_elongated"
    assert time.perf_counter() - started < 10


def test_a_long_receipt_keeps_readable_text_for_ocr() -> None:
    # Given a 1:8 receipt photo (long receipts are documents)
    from extraction import preprocess

    receipt = Image.new("RGB", (900, 7200), "white")
    # When prepared for OCR / Then its width is not squeezed to 250 px (2000 / 8)
    prepared, scale = preprocess.prepare_for_ocr(receipt)
    assert prepared.size == (667, 5333)
    assert scale == pytest.approx(667 / 900, abs=1e-3)  # was 2000 / 7200


def test_a_png_is_reduced_to_working_size_after_decoding() -> None:
    # Given an 8400x5600 PNG (formats without a scaled decoder)
    out = io.BytesIO()
    Image.new("RGB", (8400, 5600), "white").save(out, format="PNG", compress_level=1)
    # When loaded / Then the page is reduced by an integer factor, longest side >= 4000
    document = pipeline.load_document(out.getvalue(), name="scan.png", read_qr=False)
    assert document.pages[0].size == (4200, 2800)


def test_a_png_above_the_full_decode_limit_is_refused_naming_it() -> None:
    # Given a 60 MP PNG header (PNG is decoded in full, so it has the lower limit)
    out = io.BytesIO()
    Image.new("1", (10000, 6000)).save(out, format="PNG")
    # When loaded / Then refused before decoding, naming both limits
    with pytest.raises(images.ImageRefused, match="limited to 50 megapixels") as caught:
        pipeline.load_document(out.getvalue(), name="big.png")
    assert "JPEG photos up to 200 megapixels" in caught.value.message
