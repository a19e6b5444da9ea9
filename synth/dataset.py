"""Public entry points: one document, or a labelled dataset on disk."""

from __future__ import annotations

import io
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from extraction.schema import DocumentType

from . import drawn, receipts, ticket_families, tickets, vat
from .common import Rendered
from .photo import photograph

_RENDERERS: dict[str, Callable[[random.Random], Rendered]] = {
    "vat_special": lambda rng: vat.render_vat("vat_special", rng),
    "vat_general": lambda rng: vat.render_vat("vat_general", rng),
    "vat_electronic": lambda rng: vat.render_vat("vat_electronic", rng),
    "digital_invoice": lambda rng: vat.render_vat("digital_invoice", rng),
    "train_ticket": tickets.render_train,
    "taxi_receipt": tickets.render_taxi,
    "quota_invoice": tickets.render_quota,
    "air_itinerary": tickets.render_air,
    "bus_ticket": tickets.render_bus,
    "toll_receipt": tickets.render_toll,
    "receipt": receipts.render_receipt,
}
# Every DocumentType except OTHER, in the enum's order.
DOCUMENT_TYPES: tuple[str, ...] = tuple(
    t.value for t in DocumentType if t is not DocumentType.OTHER
)
# Layout notes that change how the page reads (as opposed to plain features like a seal).
_LAYOUT_DEGRADATIONS = ("misaligned", "dot_matrix")


@dataclass(frozen=True)
class SynthDocument:
    image_bytes: bytes
    suffix: str  # ".png" (clean) or ".jpg" (photo)
    truth: dict[str, Any]  # {"document_type": ..., "fields": {...}} in the CLI contract
    degradations: tuple[str, ...] = ()
    features: tuple[str, ...] = ()  # e.g. "seal", "date_format:14 MAY 2025"
    variant: str = "clean"

    def image(self) -> Image.Image:
        """The stored pixels (an EXIF orientation tag is *not* applied)."""
        return Image.open(io.BytesIO(self.image_bytes))


def generate_document(
    doc_type: str, seed: int, photo: bool = False, family: str = "classic"
) -> SynthDocument:
    """One document; the clean and photo variants of a seed show the same content.

    ``family`` picks a layout family (``vat.VAT_FAMILIES``) for the VAT types drawn on the
    classic frame (``vat.FAMILY_TYPES``); "classic" is the default layout of every type.
    """
    if doc_type not in _RENDERERS:
        raise ValueError(f"unknown document type {doc_type!r}; choose from {DOCUMENT_TYPES}")
    rng = random.Random(f"{doc_type}/{seed}")
    if family != "classic":
        if doc_type not in vat.FAMILY_TYPES:
            raise ValueError(f"layout families apply to {vat.FAMILY_TYPES}, not {doc_type!r}")
        rendered = vat.render_vat(doc_type, rng, family)
    else:
        rendered = _RENDERERS[doc_type](rng)
    layout = tuple(n for n in rendered.notes if n.startswith(_LAYOUT_DEGRADATIONS))
    features = tuple(n for n in rendered.notes if not n.startswith(_LAYOUT_DEGRADATIONS))
    if photo:
        shot = photograph(
            rendered.image, random.Random(f"photo/{doc_type}/{seed}"), rendered.text_px
        )
        return SynthDocument(
            shot.jpeg, ".jpg", rendered.truth, layout + tuple(shot.degradations), features, "photo"
        )
    buffer = io.BytesIO()
    rendered.image.save(buffer, "PNG", compress_level=3)
    drawn.remember(rendered.image, rendered.truth)
    return SynthDocument(buffer.getvalue(), ".png", rendered.truth, layout, features, "clean")


def _is_photo(index_within_type: int, photo_ratio: float) -> bool:
    # Spreads photos evenly over each type's samples instead of leaving it to chance.
    return int((index_within_type + 1) * photo_ratio) > int(index_within_type * photo_ratio)


def plan(n: int, seed: int, photo_ratio: float = 0.5) -> list[tuple[str, int, bool]]:
    """(doc_type, document seed, photo) for each of ``n`` samples, types round-robin."""
    out = []
    for index in range(n):
        doc_type = DOCUMENT_TYPES[index % len(DOCUMENT_TYPES)]
        nth = index // len(DOCUMENT_TYPES)
        out.append((doc_type, seed * 1_000_003 + index, _is_photo(nth, photo_ratio)))
    return out


def plan_families(
    per_family: int, seed: int, families: tuple[str, ...] | None = None
) -> list[tuple[str, str, int]]:
    """(family, doc_type, document seed) for ``per_family`` clean documents of each VAT
    layout family, the classic-frame types round-robin. The same seeds in every family:
    the families differ in layout only, never in content."""
    chosen = families or tuple(vat.VAT_FAMILIES)
    out = []
    for family in chosen:
        for index in range(per_family):
            doc_type = vat.FAMILY_TYPES[index % len(vat.FAMILY_TYPES)]
            out.append((family, doc_type, seed * 1_000_003 + index))
    return out


def generate_family_dataset(
    out_dir: Path | str, per_family: int, seed: int, families: tuple[str, ...] | None = None
) -> list[Path]:
    """Like :func:`generate_dataset` for :func:`plan_families`; records carry "family"."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    with (out / "labels.jsonl").open("w", encoding="utf-8") as labels:
        for index, (family, doc_type, doc_seed) in enumerate(
            plan_families(per_family, seed, families)
        ):
            doc = generate_document(doc_type, doc_seed, family=family)
            path = out / f"{index:04d}{doc.suffix}"
            path.write_bytes(doc.image_bytes)
            paths.append(path)
            record = {
                "file": path.name,
                **doc.truth,
                "family": family,
                "variant": doc.variant,
                "degradations": list(doc.degradations),
                "features": list(doc.features),
                "seed": doc_seed,
            }
            labels.write(json.dumps(record, ensure_ascii=False) + "\n")
    return paths


def generate_dataset(
    out_dir: Path | str, n: int, seed: int, photo_ratio: float = 0.5
) -> list[Path]:
    """Write ``NNNN.png``/``NNNN.jpg`` and ``labels.jsonl``; return the image paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    with (out / "labels.jsonl").open("w", encoding="utf-8") as labels:
        for index, (doc_type, doc_seed, photo) in enumerate(plan(n, seed, photo_ratio)):
            doc = generate_document(doc_type, doc_seed, photo)
            path = out / f"{index:04d}{doc.suffix}"
            path.write_bytes(doc.image_bytes)
            paths.append(path)
            record = {
                "file": path.name,
                **doc.truth,
                "variant": doc.variant,
                "degradations": list(doc.degradations),
                "features": list(doc.features),
                "seed": doc_seed,
            }
            labels.write(json.dumps(record, ensure_ascii=False) + "\n")
    return paths


def plan_ticket_families(
    per_family: int, seed: int, kinds: tuple[str, ...] | None = None
) -> list[tuple[str, str, int]]:
    """(kind, family, document seed) for ``per_family`` clean tickets of each family of
    each kind (``ticket_families.TICKET_KINDS``); the same seeds in every family."""
    out = []
    for kind in kinds or tuple(ticket_families.TICKET_KINDS):
        for family in ticket_families.TICKET_KINDS[kind][1]:
            for index in range(per_family):
                out.append((kind, family, seed * 1_000_003 + index))
    return out


def generate_ticket(kind: str, seed: int, family: str = "classic") -> SynthDocument:
    """One ticket of ``kind`` in layout ``family`` (see ``ticket_families``): a clean PNG,
    or for "photographed" the classic page as a phone photo (JPEG)."""
    rendered = ticket_families.render_ticket(kind, random.Random(f"{kind}/{seed}"), family)
    layout = tuple(n for n in rendered.notes if n.startswith(_LAYOUT_DEGRADATIONS))
    features = tuple(n for n in rendered.notes if not n.startswith(_LAYOUT_DEGRADATIONS))
    if ticket_families.TICKET_FAMILIES[family].photo:
        shot = photograph(rendered.image, random.Random(f"photo/{kind}/{seed}"), rendered.text_px)
        degradations = layout + tuple(shot.degradations)
        return SynthDocument(shot.jpeg, ".jpg", rendered.truth, degradations, features, "photo")
    buffer = io.BytesIO()
    rendered.image.save(buffer, "PNG", compress_level=3)
    drawn.remember(rendered.image, rendered.truth)
    return SynthDocument(buffer.getvalue(), ".png", rendered.truth, layout, features, "clean")


def generate_ticket_family_dataset(
    out_dir: Path | str, per_family: int, seed: int, kinds: tuple[str, ...] | None = None
) -> list[Path]:
    """Like :func:`generate_family_dataset` for tickets; records carry "kind" and "family"."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    with (out / "labels.jsonl").open("w", encoding="utf-8") as labels:
        for index, (kind, family, doc_seed) in enumerate(
            plan_ticket_families(per_family, seed, kinds)
        ):
            doc = generate_ticket(kind, doc_seed, family)
            path = out / f"{index:04d}{doc.suffix}"
            path.write_bytes(doc.image_bytes)
            paths.append(path)
            record = {
                "file": path.name,
                **doc.truth,
                "kind": kind,
                "family": family,
                "variant": doc.variant,
                "degradations": list(doc.degradations),
                "features": list(doc.features),
                "seed": doc_seed,
            }
            labels.write(json.dumps(record, ensure_ascii=False) + "\n")
    return paths
