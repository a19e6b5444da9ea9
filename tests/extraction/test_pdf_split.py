"""One PDF, several invoices: pages grouped by their invoice number (text or QR)."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import pytest
from PIL import Image

from extraction.pdf_split import group_pages, split_invoices, text_identity
from synth import generate_document


def image_pdf(pages: list[Image.Image]) -> bytes:
    out = io.BytesIO()
    first, *rest = [page.convert("RGB") for page in pages]
    first.save(out, format="PDF", save_all=True, append_images=rest, resolution=150)
    return out.getvalue()


@pytest.fixture(scope="module")
def invoices() -> list:
    return [generate_document("vat_special", seed=seed, photo=False) for seed in (11, 12, 13)]


def page_of(document) -> Image.Image:
    return Image.open(io.BytesIO(document.image_bytes))


def test_a_pdf_of_three_invoices_is_cut_into_three_parts(invoices):
    # Given a scanned PDF whose three pages are three different invoices (each with its QR)
    data = image_pdf([page_of(d) for d in invoices])
    # When it is split
    parts = split_invoices(data)
    # Then there is one single-page PDF per invoice, in page order
    assert [part.pages for part in parts] == [(0,), (1,), (2,)]
    for part in parts:
        assert len(pdfium.PdfDocument(part.content)) == 1


def test_a_two_page_invoice_stays_one_document(invoices):
    # Given an invoice page followed by its continuation page (no number of its own)
    continuation = Image.new("RGB", (1800, 1100), "white")
    data = image_pdf([page_of(invoices[0]), continuation])
    # When it is split / then it is one part: the original bytes, both pages
    (part,) = split_invoices(data)
    assert part.pages == (0, 1)
    assert part.content == data


def test_pages_printing_the_same_number_are_one_invoice(invoices):
    # Given two pages that both carry the same invoice's QR (a 数电票 prints it on each page)
    page = page_of(invoices[1])
    (part,) = split_invoices(image_pdf([page, page]))
    assert part.pages == (0, 1)


@pytest.mark.parametrize(
    ("identities", "groups"),
    [
        (["A", "B", "C"], [(0,), (1,), (2,)]),
        (["A", None, "B", None], [(0, 1), (2, 3)]),
        ([None, "A", "A", "B"], [(0, 1, 2), (3,)]),
        ([None, None], [(0, 1)]),
    ],
    ids=["three", "with-continuations", "leading-page-without-number", "no-numbers"],
)
def test_pages_are_grouped_by_identity(identities, groups):
    assert group_pages(identities) == groups


def test_the_printed_number_and_code_make_the_identity():
    # Given a text layer with the labels as e-invoice PDFs print them
    text = "发票代码： 044031900111\n发票号码： 12345678\n开票日期：2024年01月02日"
    assert text_identity(text) == "044031900111:12345678"
    assert text_identity("发票号码:25442000000123456789") == "25442000000123456789"
    # A number that is not 8 or 20 digits is not an invoice number
    assert text_identity("发票号码：123456789") is None
