"""The ``vlm`` engine: a local transformers image-text-to-text model (GLM-4.6V-Flash).

Any model that ``AutoProcessor`` + ``AutoModelForImageTextToText`` load from a local
directory works; the defaults are tuned for GLM-4.6V-Flash (FACTS.md): thinking is
disabled through the chat template (``enable_thinking=False``), the answer box and any
reasoning are stripped, batches are left-padded, and the image size is capped twice --
longest side <= 1024 px before the processor, and the processor's pixel budget set
explicitly from ``EngineContext.vlm_max_pixels`` (GLM's processor would otherwise feed
a 4000x3000 photo as ~6k tokens).

The model is loaded once per process (``load_model`` caches it) and never per request.
On a GPU worker that means once per worker *child*: CUDA is not fork-safe.

Batches: ``extract_batch`` runs up to ``vlm_batch_size`` documents (hard cap
``MAX_BATCH``) as one generate call. On CUDA out-of-memory the batch is split in halves
and retried recursively; a single document that still does not fit fails with
``TransientEngineError`` in its own slot. Output lists always align with input lists.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from PIL import Image

from extraction.engines import answers
from extraction.engines.base import (
    EngineContext,
    EngineUnavailable,
    PreparedDocument,
    TransientEngineError,
    default_model_dir_exists,
    digest_of,
    registry,
    source_digest,
)
from extraction.parsing.model_answer import clean_answer_text
from extraction.prompts import FewShotExample
from extraction.schema import ExtractionResult
from extraction.watchdog import InferenceTimeout

logger = logging.getLogger(__name__)

ENGINE_REVISION = "1"
MAX_BATCH = 16  # 8-16 concurrent documents per GPU instance; beyond that, OOM risk
# GLM's processor counts pixels over its temporal patch of 2 frames: a still image
# is budgeted as two, so the processor's "longest_edge" is twice the real pixel cap.
_TEMPORAL_FACTOR = 2
_MIN_PIXELS = 112 * 112
SCORE_GPU = 100
SCORE_CPU = 5  # below the OCR engine: a 10B model on CPU only when asked for by name

# Called with the batch size just before ``generate``: the seam where tests inject an
# out-of-memory error and where a worker may record metrics.
GenerateHook = Callable[[int], None]


@dataclass(frozen=True)
class LoadedModel:
    processor: Any
    model: Any
    device: str
    model_version: str
    eos_token_ids: tuple[int, ...]
    # One generate() at a time per model: concurrent calls (a threaded web process
    # answering /api/v1/inference) would only compete for the same GPU memory.
    lock: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)


_LOADED: dict[tuple[str, str | None, str], LoadedModel] = {}
_LOAD_LOCK = threading.Lock()


def ml_stack_available() -> bool:
    """torch, torchvision (GLM's video-processor slot) and transformers are importable."""
    return all(
        importlib.util.find_spec(name) is not None
        for name in ("torch", "torchvision", "transformers")
    )


def resolve_device(setting: str) -> str:
    """``auto`` -> ``cuda`` when a GPU is visible, else ``cpu``; a missing GPU is an error."""
    import torch

    if setting == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if setting.startswith("cuda") and not torch.cuda.is_available():
        raise EngineUnavailable(f"VLM device {setting!r} requested but no CUDA device is visible")
    return setting


def load_model(model_path: str, adapter_path: str | None, device: str) -> LoadedModel:
    """The process-wide instance of a model (+ adapter) on a device; loads it on first use."""
    key = (str(Path(model_path).resolve()), adapter_path, device)
    with _LOAD_LOCK:
        if key not in _LOADED:
            _LOADED[key] = _load(Path(model_path), adapter_path, device)
        return _LOADED[key]


def _load(model_dir: Path, adapter_path: str | None, device: str) -> LoadedModel:
    import torch
    from transformers import AutoModelForImageTextToText, AutoProcessor

    dtype = torch.bfloat16 if device.startswith("cuda") else torch.float32
    started = time.perf_counter()
    try:
        processor = AutoProcessor.from_pretrained(model_dir, local_files_only=True)
        model: Any = AutoModelForImageTextToText.from_pretrained(
            model_dir,
            local_files_only=True,
            dtype=dtype,
            device_map={"": device} if device.startswith("cuda") else None,
        )
    except (OSError, ValueError) as exc:
        raise EngineUnavailable(f"cannot load a VLM from {model_dir}: {exc}") from exc
    if not device.startswith("cuda"):
        model = model.to(device)
    processor.tokenizer.padding_side = "left"
    version = f"{model_dir.name}@{digest_of(model_dir / 'config.json')}"
    if adapter_path:
        model, adapter_version = _attach_adapter(model, Path(adapter_path))
        version = f"{version}+{adapter_version}"
    model.eval()
    logger.info(
        "loaded VLM %s on %s (%s) in %.1f s",
        version,
        device,
        dtype,
        time.perf_counter() - started,
    )
    return LoadedModel(processor, model, device, version, _eos_ids(model, processor))


def _attach_adapter(model: Any, adapter_dir: Path) -> tuple[Any, str]:
    from peft import PeftModel

    if not (adapter_dir / "adapter_config.json").is_file():
        raise EngineUnavailable(f"VLM adapter {adapter_dir} has no adapter_config.json")
    peft_model = PeftModel.from_pretrained(model, str(adapter_dir), is_trainable=False)
    # Merged weights cost nothing per token; the base weights are not needed separately.
    merged = peft_model.merge_and_unload()
    weights = next(iter(sorted(adapter_dir.glob("adapter_model.*"))), None)
    digest = digest_of(weights or adapter_dir / "adapter_config.json")
    return merged, f"lora:{adapter_dir.name}@{digest}"


def _eos_ids(model: Any, processor: Any) -> tuple[int, ...]:
    configured = getattr(model.generation_config, "eos_token_id", None)
    if configured is None:
        configured = processor.tokenizer.eos_token_id
    if isinstance(configured, int):
        return (configured,)
    return tuple(int(token) for token in configured or ())


Outcome = str | TransientEngineError


class VlmEngine:
    name: ClassVar[str] = "vlm"

    @classmethod
    def score(cls, ctx: EngineContext) -> int | None:
        if not default_model_dir_exists(ctx.vlm_model_path) or not ml_stack_available():
            return None
        try:
            device = resolve_device(ctx.vlm_device)
        except EngineUnavailable:
            return None
        return SCORE_GPU if device.startswith("cuda") else SCORE_CPU

    def __init__(
        self,
        ctx: EngineContext,
        *,
        before_generate: GenerateHook | None = None,
        few_shot: Sequence[FewShotExample] = (),
        loaded: LoadedModel | None = None,
        generate_kwargs: Mapping[str, Any] | None = None,
        batch_cap: int = MAX_BATCH,
    ) -> None:
        """``loaded``, ``generate_kwargs`` and ``batch_cap`` are for the benchmark.

        It builds a model in memory (``loaded``), fixes the output length
        (``generate_kwargs``) and measures batches beyond the production cap.
        """
        if loaded is None and not default_model_dir_exists(ctx.vlm_model_path):
            raise EngineUnavailable(f"VLM model directory {ctx.vlm_model_path!r} does not exist")
        self.ctx = ctx
        self.before_generate = before_generate
        self.few_shot = tuple(few_shot)
        self.loaded = loaded or load_model(
            str(ctx.vlm_model_path), ctx.vlm_adapter_path, resolve_device(ctx.vlm_device)
        )
        self.generate_kwargs = dict(generate_kwargs or {})
        self.batch_size = max(1, min(ctx.vlm_batch_size, batch_cap))
        self._ocr_evidence = answers.ocr_evidence_from_registry(ctx)

    @classmethod
    def static_version(cls, ctx: EngineContext) -> str:
        model = Path(str(ctx.vlm_model_path))
        version = f"{model.name}@{digest_of(model / 'config.json')}"
        if ctx.vlm_adapter_path:
            adapter = Path(ctx.vlm_adapter_path)
            weights = next(iter(sorted(adapter.glob("adapter_model.*"))), None)
            version += (
                f"+lora:{adapter.name}@{digest_of(weights or adapter / 'adapter_config.json')}"
            )
        return f"vlm-{ENGINE_REVISION}:{version}:code-{source_digest()}"

    @property
    def model_version(self) -> str:
        return self.loaded.model_version

    @property
    def version(self) -> str:
        return f"vlm-{ENGINE_REVISION}:{self.loaded.model_version}"

    # --- extraction ---------------------------------------------------------------------

    def extract(self, document: PreparedDocument) -> ExtractionResult:
        return self.extract_batch([document])[0]

    def extract_batch(self, documents: Sequence[PreparedDocument]) -> list[ExtractionResult]:
        """All documents' results in input order; raises the first failure after all ran."""
        outcomes = self.extract_many(documents)
        for outcome in outcomes:
            if isinstance(outcome, TransientEngineError):
                raise outcome
        return [outcome for outcome in outcomes if isinstance(outcome, ExtractionResult)]

    def extract_many(
        self, documents: Sequence[PreparedDocument]
    ) -> list[ExtractionResult | TransientEngineError]:
        """One outcome per document, in input order: a result or the error that stopped it.

        For a queue worker: retry only the documents that failed, keep the rest.
        """
        prompts = [answers.prompt_for(document, self.few_shot) for document in documents]
        images = [answers.first_page(document) for document in documents]
        outcomes: list[ExtractionResult | TransientEngineError] = []
        for start in range(0, len(documents), self.batch_size):
            stop = start + self.batch_size
            started = time.perf_counter()
            texts = self._outcomes(images[start:stop], [p.text for p in prompts[start:stop]])
            elapsed_ms = (time.perf_counter() - started) * 1000
            for document, prompt, text in zip(
                documents[start:stop], prompts[start:stop], texts, strict=True
            ):
                if isinstance(text, TransientEngineError):
                    outcomes.append(text)
                    continue
                raw = answers.result_from_answer(
                    text,
                    document=document,
                    prompt=prompt,
                    engine=self.name,
                    engine_version=self.version,
                    model_version=self.model_version,
                    inference_ms=elapsed_ms,
                )
                outcomes.append(answers.finish(raw, document, ocr_evidence=self._ocr_evidence))
        return outcomes

    # --- free-form -----------------------------------------------------------------------

    def answer(self, image: Image.Image, question: str) -> str:
        """Answer a free-form question about an image (the /api/v1/inference contract).

        The question is user text: control tokens in it are encoded as plain text, so it
        cannot close the user turn or fake an image placeholder.
        """
        [outcome] = self._outcomes([image], [question], sanitize=True)
        if isinstance(outcome, TransientEngineError):
            raise outcome
        return clean_answer_text(outcome)

    def generate_raw(
        self,
        images: Sequence[Image.Image],
        prompts: Sequence[str],
        *,
        max_new_tokens: int | None = None,
    ) -> list[str]:
        """The model's decoded answers, markup included, one per (image, prompt)."""
        if len(images) != len(prompts):
            raise ValueError("one prompt per image")
        texts: list[str] = []
        for start in range(0, len(images), self.batch_size):
            stop = start + self.batch_size
            for outcome in self._outcomes(
                images[start:stop], prompts[start:stop], max_new_tokens=max_new_tokens
            ):
                if isinstance(outcome, TransientEngineError):
                    raise outcome
                texts.append(outcome)
        return texts

    # --- generation with OOM splitting ---------------------------------------------------

    def _outcomes(
        self,
        images: Sequence[Image.Image],
        prompts: Sequence[str],
        *,
        max_new_tokens: int | None = None,
        sanitize: bool = False,
    ) -> list[Outcome]:
        import torch

        try:
            return list(self._generate(images, prompts, max_new_tokens, sanitize))
        except torch.cuda.OutOfMemoryError as exc:
            self._release_memory()
            if len(images) == 1:
                return [TransientEngineError(f"out of GPU memory on a single document: {exc}")]
            middle = len(images) // 2
            logger.warning("VLM batch of %d ran out of memory; splitting", len(images))
            first = self._outcomes(
                images[:middle], prompts[:middle], max_new_tokens=max_new_tokens, sanitize=sanitize
            )
            second = self._outcomes(
                images[middle:], prompts[middle:], max_new_tokens=max_new_tokens, sanitize=sanitize
            )
            return first + second
        except InferenceTimeout as exc:
            return [exc] * len(images)

    def _release_memory(self) -> None:
        import torch

        if self.loaded.device.startswith("cuda"):
            torch.cuda.empty_cache()

    def _generate(
        self,
        images: Sequence[Image.Image],
        prompts: Sequence[str],
        max_new_tokens: int | None,
        sanitize: bool,
    ) -> list[str]:
        import torch

        model = self.loaded.model
        inputs = self.prepare_inputs(images, prompts, sanitize=sanitize)
        inputs = inputs.to(self.loaded.device)
        if self.before_generate is not None:
            self.before_generate(len(images))
        timeout = self.ctx.vlm_timeout_s
        with self.loaded.lock, torch.inference_mode():
            started = time.perf_counter()
            output = model.generate(
                **inputs,
                max_new_tokens=max_new_tokens or self.ctx.vlm_max_new_tokens,
                do_sample=False,
                max_time=timeout,
                **self.generate_kwargs,
            )
            elapsed = time.perf_counter() - started
        if elapsed >= timeout:
            # generate() stops at max_time and returns what it has: a cut-off answer
            # must not pass for a complete one, and the watchdog must hear about it.
            raise InferenceTimeout(
                f"VLM generation of a batch of {len(images)} ran {elapsed:.1f} s "
                f"(limit {timeout:.1f} s)"
            )
        new_tokens = output[:, inputs["input_ids"].shape[1] :]
        return [self._decode(row.tolist()) for row in new_tokens]

    def prepare_inputs(
        self, images: Sequence[Image.Image], prompts: Sequence[str], *, sanitize: bool = False
    ) -> Any:
        """The processor's batch for (image, prompt) pairs: left-padded ids, image patches.

        Images are first fitted to ``MAX_SIDE``; the processor then scales each to at most
        ``vlm_max_pixels`` pixels. ``sanitize`` encodes control tokens in the prompt as
        plain text (for user-written questions).
        """
        conversations = [
            [
                {
                    "role": "user",
                    "content": [
                        {"type": "image", "image": answers.fit_image(image)},
                        {"type": "text", "text": text},
                    ],
                }
            ]
            for image, text in zip(images, prompts, strict=True)
        ]
        inputs = self.loaded.processor.apply_chat_template(
            conversations,
            tokenize=True,
            add_generation_prompt=True,
            return_dict=True,
            return_tensors="pt",
            enable_thinking=False,
            sanitize_control_tokens=sanitize,
            processor_kwargs={"padding": True, "size": self._image_size()},
        )
        inputs.pop("token_type_ids", None)
        return inputs

    def _image_size(self) -> dict[str, int]:
        return {
            "shortest_edge": _MIN_PIXELS,
            "longest_edge": _TEMPORAL_FACTOR * max(_MIN_PIXELS, self.ctx.vlm_max_pixels),
        }

    def _decode(self, token_ids: list[int]) -> str:
        for index, token in enumerate(token_ids):
            if token in self.loaded.eos_token_ids:
                token_ids = token_ids[:index]
                break
        # Special tokens are kept: skipping them would drop <think> but keep its text.
        text: str = self.loaded.processor.tokenizer.decode(token_ids, skip_special_tokens=False)
        return text


registry.register(VlmEngine)
