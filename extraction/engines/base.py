"""The engine seam: a Protocol, a frozen configuration context and a registry.

Engines never read Django settings: the caller builds an ``EngineContext`` once (from
settings or CLI flags) and hands it over. ``score()`` returns ``None`` when an engine
cannot run here (no GPU, no weights, no endpoint), so the registry falls through to the
next one; otherwise the highest score wins.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Protocol, runtime_checkable

from PIL import Image

from extraction.machine import MachineReading
from extraction.schema import ExtractionResult


class EngineUnavailable(RuntimeError):
    """The requested engine is not configured or cannot run on this machine."""


class TransientEngineError(RuntimeError):
    """A failure worth retrying (timeout, connection reset, CUDA OOM after splitting)."""


@dataclass(frozen=True)
class OcrLine:
    """One recognised text box: four (x, y) corner points in image pixels, text, score.

    ``char_scores``: the recogniser's probability of each character of ``text`` (one per
    character, in order); ``None`` where the model cannot tell (PP-OCRv4, a text layer,
    lines rebuilt from elsewhere). A line's score is their mean, which hides one doubtful
    glyph among many sure ones.
    """

    box: tuple[tuple[float, float], ...]
    text: str
    score: float
    char_scores: tuple[float, ...] | None = None

    @property
    def left(self) -> float:
        return min(p[0] for p in self.box)

    @property
    def right(self) -> float:
        return max(p[0] for p in self.box)

    @property
    def top(self) -> float:
        return min(p[1] for p in self.box)

    @property
    def bottom(self) -> float:
        return max(p[1] for p in self.box)


@dataclass(frozen=True)
class EngineContext:
    """Everything an engine may be configured with. Built once per process."""

    ocr_threads: int = 2
    ocr_model: str = "v6"  # "v6" (PP-OCRv6, rapidocr 3.x) | "v4" (PP-OCRv4)
    # VLM (local transformers model)
    vlm_model_path: str | None = None
    vlm_adapter_path: str | None = None
    vlm_device: str = "auto"  # "auto" | "cpu" | "cuda" | "cuda:N"
    vlm_batch_size: int = 8
    vlm_max_pixels: int = 1024 * 1024
    vlm_max_new_tokens: int = 1024
    vlm_timeout_s: float = 120.0
    # Remote OpenAI-compatible endpoint (vLLM, SGLang, hosted GLM)
    remote_base_url: str | None = None
    remote_model: str | None = None
    remote_api_key: str | None = None
    remote_timeout_s: float = 60.0
    remote_max_retries: int = 3
    remote_concurrency: int = 8
    # Whether the VLM answer may be cross-checked against an OCR pass.
    reconcile_with_ocr: bool = True


@dataclass
class PreparedDocument:
    """A document ready for an engine: prepared page images and/or a PDF text layer."""

    source: str  # a name for logs and the CLI (never used as a path by engines)
    pages: list[Image.Image] = field(default_factory=list)
    # Text of a PDF's text layer, page by page, when it has one: read exactly, no model.
    text_layer: list[str] | None = None
    # OCR boxes of page 0 when an earlier stage (PII masking) already ran OCR.
    ocr_lines: list[OcrLine] | None = None
    # Exact text boxes of every page, page by page, when the file carries its text as
    # objects (OFD): PII masking uses them instead of an OCR pass per page.
    page_lines: list[list[OcrLine]] | None = None
    # Stage timings (ms) accumulated before the engine runs.
    timings: dict[str, float] = field(default_factory=dict)
    # Hint from the caller (e.g. a reviewer's choice); engines may classify themselves.
    document_type_hint: str | None = None
    # The issuer's own machine-readable data found in the upload (QR codes, OFD, XML).
    machine: list[MachineReading] = field(default_factory=list)


@runtime_checkable
class ExtractionEngine(Protocol):
    name: ClassVar[str]

    @classmethod
    def score(cls, ctx: EngineContext) -> int | None:
        """How well this engine fits here; ``None`` when it cannot run at all."""
        ...

    @property
    def version(self) -> str:
        """Engine + model version, stored with each extraction and used in cache keys."""
        ...

    @classmethod
    def static_version(cls, ctx: EngineContext) -> str:
        """What decides this engine's answers (code, model, prompts), known without loading
        a model: the web process keys the result cache with it, so any change misses."""
        ...

    def extract(self, document: PreparedDocument) -> ExtractionResult: ...

    def extract_batch(self, documents: Sequence[PreparedDocument]) -> list[ExtractionResult]:
        """Engines that cannot batch simply loop over ``extract``."""
        ...


EngineFactory = Callable[[EngineContext], ExtractionEngine]


class EngineRegistry:
    """Maps engine names to classes; instances are cached (one model load per process)."""

    def __init__(self) -> None:
        self._classes: dict[str, type[ExtractionEngine]] = {}
        self._instances: dict[tuple[str, EngineContext], ExtractionEngine] = {}

    def register(self, cls: type[ExtractionEngine]) -> type[ExtractionEngine]:
        self._classes[cls.name] = cls
        return cls

    def names(self) -> list[str]:
        return sorted(self._classes)

    def choose(self, ctx: EngineContext, requested: str = "auto") -> str:
        """Name of the engine to use; raises ``EngineUnavailable`` with a clear reason."""
        if requested != "auto":
            cls = self._classes.get(requested)
            if cls is None:
                raise EngineUnavailable(
                    f"unknown engine {requested!r}; known: {', '.join(self.names())}"
                )
            if cls.score(ctx) is None:
                raise EngineUnavailable(f"engine {requested!r} is not configured on this machine")
            return requested
        scored = [(s, n) for n, c in self._classes.items() if (s := c.score(ctx)) is not None]
        if not scored:
            raise EngineUnavailable("no extraction engine can run here")
        return max(scored)[1]

    def static_version(self, ctx: EngineContext, name: str) -> str:
        """The engine's version as known before it is loaded (engine, model and prompt
        versions where the class can tell them), else its name: part of cache keys."""
        static = getattr(self._classes[name], "static_version", None)
        return str(static(ctx)) if callable(static) else name

    def get(self, ctx: EngineContext, requested: str = "auto") -> ExtractionEngine:
        name = self.choose(ctx, requested)
        key = (name, ctx)
        if key not in self._instances:
            self._instances[key] = self._classes[name](ctx)  # type: ignore[call-arg]
        return self._instances[key]


registry = EngineRegistry()


def default_model_dir_exists(path: str | None) -> bool:
    return bool(path) and Path(path or "").is_dir()


PACKAGE_ROOT = Path(__file__).resolve().parents[1]


@functools.lru_cache(maxsize=8)
def source_digest(root: Path = PACKAGE_ROOT) -> str:
    """Digest of every Python source under ``root`` (the extraction package by default):
    a change to how fields are read, parsed, checked or prompted changes it."""
    sha = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        sha.update(path.relative_to(root).as_posix().encode())
        sha.update(b"\0")
        sha.update(path.read_bytes())
    return sha.hexdigest()[:12]


@functools.lru_cache(maxsize=32)
def file_digest(path: Path, size: int, mtime_ns: int) -> str:
    """First 12 hex digits of a file's SHA-256 (cached per size and modification time)."""
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()[:12]


def digest_of(path: Path) -> str:
    """``file_digest`` of a path, or ``missing`` when it cannot be read."""
    try:
        stat = path.stat()
        return file_digest(path, stat.st_size, stat.st_mtime_ns)
    except OSError:
        return "missing"
