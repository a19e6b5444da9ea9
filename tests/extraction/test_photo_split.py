"""Several tickets in one photo are found as separate sheets; one document never splits."""

from __future__ import annotations

import io
from decimal import Decimal

from PIL import Image

from extraction import photo_split, pipeline
from extraction.engines.base import EngineContext
from synth import generate_document
from synth.table import generate_table_photo


def _iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    x0, y0, x1, y1 = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    inter = max(0, x1 - x0) * max(0, y1 - y0)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union


def test_each_sheet_on_the_table_is_a_part_in_reading_order() -> None:
    # Given a photo of four documents in a 2x2 grid on a table, in perspective
    shot = generate_table_photo(seed=1)
    assert len(shot.parts) == 4
    document = pipeline.load_document(shot.jpeg, name="table.jpg", read_qr=False)
    # When its parts are looked for
    parts = photo_split.document_parts(document)
    # Then there is one part per sheet, rows top to bottom, left to right, each region
    # covering its sheet
    assert [part.index for part in parts] == [1, 2, 3, 4]
    for part, truth in zip(parts, shot.parts, strict=True):
        assert _iou(part.region, truth.box) > 0.8
        assert part.image.width > 100 and part.image.height > 100


def test_a_part_is_read_on_its_own_with_its_own_total() -> None:
    # Given two documents side by side on a table
    shot = generate_table_photo(seed=4, count=2)
    document = pipeline.load_document(shot.jpeg, name="table.jpg")
    # When each part is extracted
    totals = [
        pipeline.extract(
            photo_split.part_document(part, source="table.jpg"),
            ctx=EngineContext(ocr_threads=1),
            engine="ocr",
        ).fields.total_amount
        for part in photo_split.document_parts(document)
    ]
    # Then each has the total printed on its own sheet
    assert totals == [Decimal(p.truth["fields"]["total_amount"]) for p in shot.parts]


def test_a_single_document_never_splits() -> None:
    # Given single documents: photographed on a table, and flat scans
    for doc_type in ("train_ticket", "taxi_receipt", "receipt", "vat_special", "quota_invoice"):
        for photo in (True, False):
            synth = generate_document(doc_type, seed=3, photo=photo)
            document = pipeline.load_document(synth.image_bytes, name="one.jpg", read_qr=False)
            # When parts are looked for / Then there are none: it is read whole
            assert photo_split.document_parts(document) == [], (doc_type, photo)


def test_regions_are_in_the_uploaded_pictures_pixels() -> None:
    # Given a photo decoded at half size for work (as a very large JPEG is)
    shot = generate_table_photo(seed=3, count=2)
    full = Image.open(io.BytesIO(shot.jpeg))
    half = full.resize((full.width // 2, full.height // 2))
    out = io.BytesIO()
    half.save(out, format="JPEG", quality=90)
    document = pipeline.load_document(out.getvalue(), name="half.jpg", read_qr=False)
    # When its parts are found with the uploaded picture's size
    parts = photo_split.document_parts(document, picture_size=full.size)
    # Then the regions are given in that picture's pixels
    assert len(parts) == 2
    for part, truth in zip(parts, shot.parts, strict=True):
        assert _iou(part.region, truth.box) > 0.75


def test_upright_size_applies_the_exif_rotation() -> None:
    # Given a 300x100 picture stored with EXIF orientation 6 (shown turned a quarter)
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.new("RGB", (300, 100), "white").save(out, format="JPEG", exif=exif)
    # When / Then its size is the one a viewer shows; no picture gives None
    assert photo_split.upright_size(out.getvalue()) == (100, 300)
    assert photo_split.upright_size(b"%PDF-1.4 not a picture") is None
