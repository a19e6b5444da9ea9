"""Documents pasted on one white page (no paper edge) are found by the gutters between
them; a single document with wide blank fields never splits."""

from __future__ import annotations

from extraction import page_split, photo_split, pipeline
from synth import generate_document
from synth.page import generate_page_scan


def _covers(region: tuple[int, int, int, int], truth: tuple[int, int, int, int]) -> bool:
    """``region`` lies on the document ``truth`` and holds most of it."""
    x0, y0 = max(region[0], truth[0]), max(region[1], truth[1])
    x1, y1 = min(region[2], truth[2]), min(region[3], truth[3])
    inter = max(0, x1 - x0) * max(0, y1 - y0)
    own = (region[2] - region[0]) * (region[3] - region[1])
    whole = (truth[2] - truth[0]) * (truth[3] - truth[1])
    return inter >= 0.85 * own and inter >= 0.6 * whole


def test_receipts_pasted_on_a_white_page_are_parts_in_reading_order() -> None:
    # Given a scanned white page with three receipts and tickets pasted on it, their own
    # paper whitened by the scanner (white on white: no edge to see)
    scan = generate_page_scan(seed=5, count=3)
    assert "whitened" in scan.degradations
    document = pipeline.load_document(scan.jpeg, name="page.jpg", read_qr=False)
    # When its parts are looked for
    parts = photo_split.document_parts(document)
    # Then there is one part per document, rows top to bottom, left to right, each
    # region on its document
    assert [part.index for part in parts] == [1, 2, 3]
    for part, truth in zip(parts, scan.parts, strict=True):
        assert _covers(part.region, truth.box), (part.region, truth.box)
        assert part.image.size == (part.region[2] - part.region[0], part.region[3] - part.region[1])


def test_a_single_vat_invoice_with_wide_blank_fields_is_not_split() -> None:
    # Given single VAT invoices, flat scans and photos (wide blank fields and columns)
    for doc_type in ("vat_special", "vat_general", "vat_electronic"):
        for seed in (1, 2):
            for photo in (False, True):
                synth = generate_document(doc_type, seed=seed, photo=photo)
                document = pipeline.load_document(synth.image_bytes, name="one", read_qr=False)
                # When separate documents are looked for on its page / Then there are none
                assert page_split.find_documents(document.pages[0]) == [], (doc_type, seed)
                assert photo_split.document_parts(document) == [], (doc_type, seed)
