"""Which engine reads a document: chosen once, when the document is queued.

The choice decides the queue (``gpu`` for the local VLM, ``cpu`` otherwise) and the
cache fingerprint; it travels with the task, so the worker reads with the engine the
document was queued for and caches under the same key.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings

from extraction.engines.base import registry
from extraction.machine import READER_VERSION
from reimbursements.engine_context import build_engine_context, load_engines


@dataclass(frozen=True)
class EngineChoice:
    name: str
    queue: str
    fingerprint: str  # engine + model + prompt versions: part of the cache key

    def to_message(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_message(cls, data: dict[str, Any]) -> EngineChoice:
        return cls(
            name=str(data["name"]), queue=str(data["queue"]), fingerprint=str(data["fingerprint"])
        )


def choose_engine() -> EngineChoice:
    load_engines()
    ctx = build_engine_context()
    name = registry.choose(ctx, settings.EXTRACTION_ENGINE)
    fingerprint = registry.static_version(ctx, name)
    queue = "gpu" if name == "vlm" else "cpu"
    return EngineChoice(name=name, queue=queue, fingerprint=fingerprint)


# Files that carry the whole invoice as data (by the type intake sniffed from their
# bytes): read exactly on a CPU worker, no engine needed, cached per reader version.
MACHINE_READERS = {"application/ofd": "ofd", "application/xml": "xml"}


def reader_choice(mime_type: str | None) -> EngineChoice | None:
    reader = MACHINE_READERS.get(mime_type or "")
    if reader is None:
        return None
    return EngineChoice(name=reader, queue="cpu", fingerprint=READER_VERSION)


def choice_for(mime_type: str | None) -> EngineChoice:
    """The reader of an OFD/XML e-invoice, else the engine the registry chooses (raises
    ``EngineUnavailable`` when none can run)."""
    return reader_choice(mime_type) or choose_engine()


def engine_instance(choice: EngineChoice) -> Any:
    """The (process-wide, loaded once) engine for a choice."""
    load_engines()
    return registry.get(build_engine_context(), choice.name)
