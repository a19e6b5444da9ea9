"""Machine-readable invoice data: the issuer's own QR code, OFD and XML.

Readers turn such data into a ``MachineReading``; they never guess. A reading is
authoritative for the fields it holds (``FieldSource.QR`` / ``OFD`` / ``XML``); a
``complete`` reading (an OFD or XML e-invoice) carries every field the document has, so no
engine needs to look at its pixels.
"""

from __future__ import annotations

from dataclasses import dataclass

from extraction.schema import DocumentType, FieldSource, InvoiceFields, ValidationWarning

# Version of the OFD/XML readers: stored as a result's engine_version and part of its
# cache key, so a change to what they read is never answered from an older cache entry.
READER_VERSION = "machine-readers.1"


@dataclass(frozen=True)
class MachineReading:
    source: FieldSource
    fields: InvoiceFields
    document_type: DocumentType | None = None
    # True when the reading holds the whole invoice (OFD/XML), not a subset (QR).
    complete: bool = False
    # The payload or file part it came from, for debugging and the reviewer.
    raw: str = ""
    # Page index the reading was found on (QR codes), 0 for whole-document readings.
    page: int = 0
    # What the reader found wrong in the data itself (an OFD whose parts disagree).
    warnings: tuple[ValidationWarning, ...] = ()
