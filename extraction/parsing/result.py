"""What a layout parser hands back: typed fields plus where each came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from extraction import calibration
from extraction.schema import DocumentType, InvoiceFields, ValidationWarning, warning_params

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
    # Field name -> how many distinct values the parser found plausible for it (the one
    # taken included), when more than one: a choice among rivals may be the wrong one.
    rivals: dict[str, int] = field(default_factory=dict)
    # Fields the parser computed from others because their own value was not read (an
    # itinerary's 合计 under a seal, from its 票价 and charges).
    computed_from_others: set[str] = field(default_factory=set)
    # What only the layout shows and a person must settle (a receipt's total printed
    # before and after cash rounding); validation keeps them with its own.
    warnings: list[ValidationWarning] = field(default_factory=list)

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
        self.rivals.pop(name, None)
        self.computed_from_others.discard(name)
        if at is not None:
            self.boxes[name] = (at.index,)
        else:
            self.boxes.pop(name, None)
        return True

    def read_from(self, name: str, indices: tuple[int, ...]) -> None:
        """The present value of ``name`` was read from the boxes ``indices`` (several
        lines: a name printed over two rows)."""
        if self.has(name) and indices:
            self.boxes[name] = indices

    def has(self, name: str) -> bool:
        return getattr(self.fields, name) not in (None, "")

    def passed(self, name: str, check: str) -> None:
        """The present value of ``name`` passed the independent cross-check ``check``."""
        if self.has(name):
            self.checks.setdefault(name, set()).add(check)

    def contested(self, name: str, candidates: int) -> None:
        """The present value of ``name`` was chosen among ``candidates`` distinct ones."""
        if self.has(name) and candidates > 1:
            self.rivals[name] = candidates

    def warn(self, code: str, message: str, name: str, **params: object) -> None:
        """A warning about the present value of ``name`` (``params``: what it names)."""
        if self.has(name):
            self.warnings.append(
                ValidationWarning(
                    code=code, message=message, field=name, params=warning_params(params)
                )
            )

    def computed(self, name: str) -> None:
        """The present value of ``name`` was computed from others, not read."""
        if self.has(name):
            self.computed_from_others.add(name)

    def evidence(self) -> dict[str, calibration.FieldEvidence]:
        """The parser's own cross-checks, rival counts and computed values, as the
        evidence validation starts from."""
        names = (
            {n for n, found in self.checks.items() if found}
            | set(self.rivals)
            | self.computed_from_others
        )
        return {
            name: calibration.FieldEvidence(
                field=name,
                checks=tuple(sorted(self.checks.get(name, ()))),
                candidates=self.rivals.get(name, 1),
                computed=name in self.computed_from_others,
            )
            for name in sorted(names)
            if self.has(name)
        }
