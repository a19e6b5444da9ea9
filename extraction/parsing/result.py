"""What a layout parser hands back: typed fields plus where each came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from extraction import calibration
from extraction.schema import DocumentType, InvoiceFields

if TYPE_CHECKING:
    from extraction.parsing.layout import Box


@dataclass
class Parsed:
    document_type: DocumentType
    fields: InvoiceFields = field(default_factory=InvoiceFields)
    # Field name -> OCR score of the box(es) the value was read from (0..1); validation
    # combines it with the cross-checks into the final confidence.
    scores: dict[str, float] = field(default_factory=dict)
    # Field name -> indices (in the engine's line order) of the boxes its value was read
    # from; a field set without ``at`` has none.
    boxes: dict[str, tuple[int, ...]] = field(default_factory=dict)
    # Field name -> cross-checks (``calibration`` names) the parser itself verified the
    # value with, on rows that are no fields (a receipt's CASH and CHANGE rows): only the
    # parser sees them, so it hands them to validation (``evidence``).
    checks: dict[str, set[str]] = field(default_factory=dict)

    def put(
        self,
        name: str,
        value: Any,
        score: float,
        *,
        overwrite: bool = False,
        at: Box | None = None,
    ) -> bool:
        """Set a field once (first finding wins unless ``overwrite``); True if set.

        ``at``: the box the value was read from (kept as the field's region).
        """
        if value is None or value == "":
            return False
        if getattr(self.fields, name) not in (None, "") and not overwrite:
            return False
        setattr(self.fields, name, value)
        self.scores[name] = round(float(score), 4)
        self.checks.pop(name, None)  # they were passed by the value replaced
        if at is not None:
            self.boxes[name] = (at.index,)
        else:
            self.boxes.pop(name, None)
        return True

    def has(self, name: str) -> bool:
        return getattr(self.fields, name) not in (None, "")

    def passed(self, name: str, check: str) -> None:
        """The present value of ``name`` passed the independent cross-check ``check``."""
        if self.has(name):
            self.checks.setdefault(name, set()).add(check)

    def evidence(self) -> dict[str, calibration.FieldEvidence]:
        """The parser's own cross-checks, as the evidence validation starts from."""
        return {
            name: calibration.FieldEvidence(field=name, checks=tuple(sorted(found)))
            for name, found in sorted(self.checks.items())
            if found and self.has(name)
        }
