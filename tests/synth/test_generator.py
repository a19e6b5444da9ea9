"""The synthetic generator's promises: every type renders, truth is self-consistent and
follows the contract, and output depends on the seed only."""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageOps

from extraction.schema import SCALAR_FIELDS
from extraction.validation import uscc_repair
from synth import (
    DEVELOPED_ON,
    DOCUMENT_TYPES,
    TICKET_DEVELOPED_ON,
    TICKET_FAMILIES,
    TICKET_KINDS,
    VAT_FAMILIES,
    SynthDocument,
    generate_dataset,
    generate_document,
    generate_family_dataset,
    generate_ticket,
    generate_ticket_family_dataset,
    plan_families,
    plan_ticket_families,
    tickets,
)
from synth.canvas import font_for, has_glyph
from synth.common import REFERENCE_DATE
from synth.ids import is_valid_uscc, random_uscc
from synth.money import amount_in_words
from synth.photo import store_for_exif

SEEDS = (11, 12, 13)
VAT_TYPES = ("vat_special", "vat_general", "vat_electronic", "digital_invoice")
_DIGIT = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
_UNIT = {"拾": 10, "佰": 100, "仟": 1000}


def _read_words(words: str) -> Decimal:
    """An independent reader of 大写 (not the generator's writer), for cross-checking."""
    words = words.replace("圆", "元").removesuffix("整")
    whole, _, frac = words.rpartition("元") if "元" in words else ("", "", words)

    def below_10k(text: str) -> int:
        value, digit = 0, 0
        for char in text:
            if char in _DIGIT:
                digit = _DIGIT[char]
            elif char in _UNIT:
                value += (digit or 1) * _UNIT[char]
                digit = 0
        return value + digit

    number = 0
    for big, factor in (("亿", 10**8), ("万", 10**4)):
        if big in whole:
            head, whole = whole.split(big, 1)
            number += below_10k(head) * factor
    number += below_10k(whole)
    jiao = _DIGIT[frac[frac.index("角") - 1]] if "角" in frac else 0
    fen = _DIGIT[frac[frac.index("分") - 1]] if "分" in frac else 0
    return Decimal(number) + Decimal(jiao) / 10 + Decimal(fen) / 100


@pytest.fixture(scope="module")
def docs() -> dict[tuple[str, int], SynthDocument]:
    return {(t, s): generate_document(t, s) for t in DOCUMENT_TYPES for s in SEEDS}


def _fields(doc: SynthDocument) -> dict[str, Any]:
    return doc.truth["fields"]


@pytest.mark.parametrize("doc_type", DOCUMENT_TYPES)
def test_every_type_renders_a_decodable_page_with_contract_truth(doc_type: str) -> None:
    # given / when a clean document of the type
    doc = generate_document(doc_type, seed=5)
    # then it is a readable PNG and its truth has exactly the contract's keys
    image = Image.open(io.BytesIO(doc.image_bytes))
    assert doc.suffix == ".png" and image.format == "PNG"
    assert min(image.size) >= 500
    assert doc.truth["document_type"] == doc_type
    assert set(doc.truth["fields"]) == {*SCALAR_FIELDS, "line_items"}


def test_every_type_is_generated_and_other_is_not() -> None:
    # given the public type list / then it covers the schema's types except OTHER
    assert len(DOCUMENT_TYPES) == 11
    assert "other" not in DOCUMENT_TYPES


def test_facts_vectors_of_the_uscc_checksum_hold() -> None:
    # given the valid codes from FACTS.md and a one-character corruption
    assert is_valid_uscc("91110000600037341L")
    assert is_valid_uscc("91440300MA5EJRPEXF")
    assert not is_valid_uscc("91110000600037341M")


def test_random_uscc_codes_are_valid() -> None:
    # given many generated codes / then each passes GB 32100
    rng = random.Random(3)
    assert all(is_valid_uscc(random_uscc(rng)) for _ in range(500))


def test_random_uscc_organisation_codes_pass_gb_11714() -> None:
    # given generated codes with letters in their organisation code (MA...), each with a 0
    # misread as the look-alike O
    rng = random.Random(5)
    codes = [random_uscc(rng) for _ in range(2000)]
    lettered = [c for c in codes if re.search(r"[J-Y]", c[8:16]) and "0" in c[2:]]
    assert len(lettered) > 50
    # when validation repairs them (a candidate must pass GB 11714, as real codes do)
    repaired = [uscc_repair(c[:2] + c[2:].replace("0", "O", 1)) for c in lettered]
    # then every one comes back as the code the generator made
    assert repaired == lettered


def test_chinese_tax_ids_in_truth_are_valid_uscc(
    docs: dict[tuple[str, int], SynthDocument],
) -> None:
    # given every generated Chinese document
    for doc in docs.values():
        fields = _fields(doc)
        if fields["currency"] != "CNY":
            continue
        # then every tax id in the truth is a valid 统一社会信用代码
        for name in ("seller_tax_id", "buyer_tax_id"):
            if fields[name] is not None:
                assert is_valid_uscc(fields[name]), (doc.truth, name)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
        ("325.04", "叁佰贰拾伍元零肆分"),
        ("100000.00", "壹拾万元整"),
        ("7018.83", "柒仟零壹拾捌元捌角叁分"),
        ("49.60", "肆拾玖元陆角整"),
        ("1000100", "壹佰万零壹佰元整"),
        ("0.05", "伍分"),
    ],
)
def test_amount_in_words_matches_known_writings(value: str, words: str) -> None:
    assert amount_in_words(Decimal(value)) == words


def test_total_in_words_reads_back_to_the_total(docs: dict[tuple[str, int], SynthDocument]) -> None:
    # given every document that prints a 大写 amount
    checked = 0
    for doc in docs.values():
        fields = _fields(doc)
        if fields["total_in_words"] is None:
            continue
        # then an independent reader of the words gives the 小写 total
        assert _read_words(fields["total_in_words"]) == Decimal(fields["total_amount"]), doc.truth
        checked += 1
    assert checked >= len(SEEDS) * 5


def test_vat_arithmetic_is_consistent(docs: dict[tuple[str, int], SynthDocument]) -> None:
    for doc_type in VAT_TYPES:
        for seed in SEEDS:
            fields = _fields(docs[(doc_type, seed)])
            amount = Decimal(fields["amount_excluding_tax"])
            tax = Decimal(fields["tax_amount"] or "0")
            items = fields["line_items"]
            # then 金额 + 税额 = 价税合计 and the lines add up to the 合计 row
            assert amount + tax == Decimal(fields["total_amount"])
            assert sum(Decimal(i["amount"]) for i in items) == amount
            assert sum(Decimal(i["tax_amount"] or "0") for i in items) == tax
            for item in items:
                line = Decimal(item["amount"])
                if item["quantity"] is not None:
                    product = Decimal(item["quantity"]) * Decimal(item["unit_price"])
                    assert abs(product - line) <= Decimal("0.01")
                if item["tax_rate"] != "免税":
                    rate = Decimal(item["tax_rate"].rstrip("%")) / 100
                    assert item["tax_rate"] in ("13%", "9%", "6%", "3%", "1%")
                    assert abs(line * rate - Decimal(item["tax_amount"])) <= Decimal("0.011")


def test_invoice_codes_and_numbers_follow_the_rules(
    docs: dict[tuple[str, int], SynthDocument],
) -> None:
    for seed in SEEDS:
        special = _fields(docs[("vat_special", seed)])
        general = _fields(docs[("vat_general", seed)])
        electronic = _fields(docs[("vat_electronic", seed)])
        digital = _fields(docs[("digital_invoice", seed)])
        # then paper codes carry the 专票/普票 digit, e-invoice codes are 0...11
        assert re.fullmatch(r"\d{7}[15]\d\d", special["invoice_code"])
        assert re.fullmatch(r"\d{7}[36]\d\d", general["invoice_code"])
        assert re.fullmatch(r"0\d{9}11", electronic["invoice_code"])
        assert digital["invoice_code"] is None
        assert re.fullmatch(r"\d{20}", digital["invoice_number"])
        for fields in (special, general, electronic):
            assert re.fullmatch(r"\d{8}", fields["invoice_number"])
        assert special["check_code"] is None
        assert re.fullmatch(r"\d{20}", electronic["check_code"])


def test_money_and_dates_use_the_contract_formats(
    docs: dict[tuple[str, int], SynthDocument],
) -> None:
    for doc in docs.values():
        fields = _fields(doc)
        for name in ("amount_excluding_tax", "tax_amount", "total_amount"):
            if fields[name] is not None:
                assert re.fullmatch(r"-?\d+\.\d\d", fields[name]), (name, fields[name])
        if fields["issue_date"] is not None:
            day = dt.date.fromisoformat(fields["issue_date"])
            assert REFERENCE_DATE - dt.timedelta(days=800) <= day <= REFERENCE_DATE
        assert fields["total_amount"] is not None


def test_printed_strings_have_glyphs_in_the_fallback_font(
    docs: dict[tuple[str, int], SynthDocument],
) -> None:
    # given every string value of every truth (these are what gets drawn)
    for doc in docs.values():
        fields = _fields(doc)
        texts = [v for v in fields.values() if isinstance(v, str)]
        texts += [i["name"] for i in fields["line_items"]]
        # then no character would render as a tofu box
        for text in texts:
            assert all(has_glyph("hei", c) for c in text), text


def test_faces_without_a_glyph_fall_back() -> None:
    # given Zen Hei, which lacks ⊗ / then the text is drawn with Micro Hei instead
    assert not has_glyph("zen", "⊗")
    assert font_for("zen", "⊗壹") == "hei"
    assert font_for("zen", "壹") == "zen"


def test_same_seed_gives_identical_output() -> None:
    first = generate_document("vat_general", seed=42, photo=True)
    second = generate_document("vat_general", seed=42, photo=True)
    assert first.image_bytes == second.image_bytes
    assert first.truth == second.truth
    assert first.degradations == second.degradations


def test_different_seeds_give_different_documents() -> None:
    first = generate_document("receipt", seed=1)
    second = generate_document("receipt", seed=2)
    assert first.image_bytes != second.image_bytes


def test_photo_variant_shares_the_clean_truth_and_is_a_jpeg() -> None:
    clean = generate_document("train_ticket", seed=8)
    photo = generate_document("train_ticket", seed=8, photo=True)
    assert photo.truth == clean.truth
    assert photo.suffix == ".jpg" and photo.image().format == "JPEG"
    assert photo.variant == "photo"
    assert any(d.startswith("jpeg:") for d in photo.degradations)
    assert "perspective" in photo.degradations


@pytest.mark.parametrize("tag", [3, 6, 8])
def test_exif_orientation_tag_brings_the_page_upright(tag: int) -> None:
    # given a page whose top-left corner is marked
    upright = Image.new("RGB", (120, 60), "white")
    upright.paste((0, 0, 0), (0, 0, 20, 10))
    # when stored rotated with the tag, as a phone does
    stored = store_for_exif(upright, tag)
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = tag
    stored.save(buffer, "PNG", exif=exif.tobytes())
    # then a viewer honouring the tag shows the original
    shown = ImageOps.exif_transpose(Image.open(io.BytesIO(buffer.getvalue())))
    assert shown.size == upright.size
    assert shown.getpixel((5, 5)) == (0, 0, 0) and shown.getpixel((115, 55)) == (255, 255, 255)


def test_dataset_writes_images_and_labels(tmp_path: Path) -> None:
    # given 12 samples: one of each type, then a second vat_special (a photo at ratio 0.5)
    paths = generate_dataset(tmp_path, n=12, seed=4, photo_ratio=0.5)
    lines = [json.loads(line) for line in (tmp_path / "labels.jsonl").read_text().splitlines()]
    assert [p.name for p in paths] == [r["file"] for r in lines]
    assert all((tmp_path / r["file"]).is_file() for r in lines)
    assert {r["document_type"] for r in lines} == set(DOCUMENT_TYPES)
    assert [r["variant"] for r in lines].count("photo") == 1
    assert lines[11]["variant"] == "photo" and lines[11]["file"].endswith(".jpg")
    assert set(lines[0]) >= {"file", "document_type", "fields", "variant", "degradations"}


# --- VAT layout families -------------------------------------------------------------------


def test_classic_family_is_the_default_layout() -> None:
    # given the same seed with and without naming the classic family / then same pixels
    default = generate_document("vat_special", seed=21)
    classic = generate_document("vat_special", seed=21, family="classic")
    assert default.image_bytes == classic.image_bytes


@pytest.mark.parametrize("family", sorted(VAT_FAMILIES))
def test_every_family_renders_the_same_content_in_another_layout(family: str) -> None:
    # given a seed rendered in a layout family
    base = generate_document("vat_general", seed=22)
    doc = generate_document("vat_general", seed=22, family=family)
    # then the truth is the classic one, and the layout differs unless it is classic
    assert doc.truth == base.truth
    assert (doc.image_bytes == base.image_bytes) == (family == "classic")
    if family != "classic":
        assert f"family:{family}" in doc.features


def test_families_apply_to_classic_frame_types_only() -> None:
    with pytest.raises(ValueError, match="layout families"):
        generate_document("digital_invoice", seed=1, family="spaced_labels")
    with pytest.raises(ValueError, match="unknown VAT layout family"):
        generate_document("vat_special", seed=1, family="no_such_family")


def test_family_plan_uses_the_same_seeds_in_every_family() -> None:
    plan = plan_families(4, seed=3, families=("classic", "long_labels"))
    assert [entry[2] for entry in plan[:4]] == [entry[2] for entry in plan[4:]]
    assert {entry[1] for entry in plan} == {"vat_special", "vat_general", "vat_electronic"}
    assert DEVELOPED_ON.issubset(VAT_FAMILIES) and set(VAT_FAMILIES) - DEVELOPED_ON


def test_family_dataset_records_the_family(tmp_path: Path) -> None:
    generate_family_dataset(tmp_path, 1, seed=2, families=("seller_on_top",))
    record = json.loads((tmp_path / "labels.jsonl").read_text(encoding="utf-8"))
    assert record["family"] == "seller_on_top"
    assert (tmp_path / record["file"]).exists()


# --- ticket layout families ----------------------------------------------------------------

TICKET_CASES = [(kind, family) for kind, (_, fams) in TICKET_KINDS.items() for family in fams]


@pytest.mark.parametrize(("kind", "family"), TICKET_CASES)
def test_every_ticket_family_renders_a_page_with_contract_truth(kind: str, family: str) -> None:
    # given / when a ticket of a kind in one of its layout families
    doc = generate_ticket(kind, seed=4, family=family)
    # then it is a readable page of the kind's type, with the contract's truth keys
    image = doc.image()
    image.load()
    fields = _fields(doc)
    assert doc.truth["document_type"] == TICKET_KINDS[kind][0]
    assert set(fields) == set(SCALAR_FIELDS) | {"line_items"}
    assert fields["total_amount"] is not None and fields["invoice_number"] is not None
    if family != "classic":
        assert f"family:{family}" in doc.features


def test_every_ticket_kind_has_five_families_some_held_out() -> None:
    # then each kind is drawn in at least five families, developed-on and held-out alike
    for _type, families in TICKET_KINDS.values():
        assert len(families) >= 5
        assert set(families) & TICKET_DEVELOPED_ON and set(families) - TICKET_DEVELOPED_ON
    assert TICKET_DEVELOPED_ON.issubset(TICKET_FAMILIES)


def test_classic_ticket_family_is_the_kinds_default_layout() -> None:
    # given the same seed as a classic family ticket and through the type's renderer
    ticket = generate_ticket("taxi", seed=8)
    default = tickets.render_taxi(random.Random("taxi/8"))
    buffer = io.BytesIO()
    default.image.save(buffer, "PNG", compress_level=3)
    # then the pixels are the same
    assert ticket.image_bytes == buffer.getvalue()


def test_digital_train_ticket_truth_is_its_invoice_not_the_trip() -> None:
    # given 数电 train tickets (电子发票(铁路电子客票))
    for seed in range(6):
        fields = _fields(generate_ticket("train_e", seed=seed))
        # then the number is the 20-digit 发票号码, the buyer is named, no seller printed
        assert re.fullmatch(r"\d{20}", fields["invoice_number"])
        assert fields["buyer_name"] and is_valid_uscc(fields["buyer_tax_id"])
        assert fields["seller_name"] is None
        assert fields["issue_date"] >= "2025-01-01"


def test_ticket_families_that_print_the_company_say_so_in_the_truth() -> None:
    # given thermal taxi receipts (the company on the first line) and classic ones (seal only)
    thermal = [_fields(generate_ticket("taxi", s, "thermal")) for s in range(3)]
    classic = [_fields(generate_ticket("taxi", s, "classic")) for s in range(3)]
    # then the printed company is the seller, the sealed-only one is not
    assert all(f["seller_name"] and f["seller_name"].endswith("有限公司") for f in thermal)
    assert all(f["seller_name"] is None for f in classic)


def test_a_photographed_ticket_is_the_classic_page_as_a_phone_photo() -> None:
    # given a ticket in the photographed family and the same seed in the classic one
    photo = generate_ticket("toll", seed=6, family="photographed")
    classic = generate_ticket("toll", seed=6)
    # then it is a JPEG photo of the same ticket
    assert (photo.suffix, photo.variant) == (".jpg", "photo")
    assert photo.truth == classic.truth
    assert any(step.startswith(("scale", "lowres")) for step in photo.degradations)


def test_unknown_ticket_kind_or_family_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown ticket kind"):
        generate_ticket("ferry", seed=1)
    with pytest.raises(ValueError, match="not drawn for"):
        generate_ticket("air", seed=1, family="thermal")


def test_ticket_family_dataset_records_kind_and_family(tmp_path: Path) -> None:
    generate_ticket_family_dataset(tmp_path, 1, seed=2, kinds=("toll",))
    records = [json.loads(line) for line in (tmp_path / "labels.jsonl").read_text().splitlines()]
    assert [r["family"] for r in records] == list(TICKET_KINDS["toll"][1])
    assert {r["kind"] for r in records} == {"toll"}
    assert len({r["seed"] for r in records}) == 1
    assert plan_ticket_families(2, seed=2, kinds=("air",))[0] == ("air", "classic", 2 * 1_000_003)
