"""What the benchmark's helper modules need of a scored file (``bench.accuracy.Sample``).

A protocol rather than the class itself: ``bench.accuracy`` imports those modules.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol


class SampleLike(Protocol):
    @property
    def file(self) -> Path: ...
    @property
    def suite(self) -> str: ...
    @property
    def truth(self) -> dict[str, Any]: ...
    @property
    def variant(self) -> str: ...
