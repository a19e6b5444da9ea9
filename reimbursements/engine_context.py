"""Builds the engines' frozen configuration from Django settings (engines never read them)."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings

from extraction.engines.base import EngineContext, EngineUnavailable, ExtractionEngine, registry


@lru_cache(maxsize=1)
def build_engine_context() -> EngineContext:
    return EngineContext(
        ocr_threads=settings.OCR_THREADS,
        ocr_model=settings.OCR_MODEL,
        vlm_model_path=settings.VLM_MODEL_PATH,
        vlm_adapter_path=settings.VLM_ADAPTER_PATH,
        vlm_device=settings.VLM_DEVICE,
        vlm_batch_size=settings.VLM_BATCH_SIZE,
        vlm_max_pixels=settings.VLM_MAX_PIXELS,
        vlm_timeout_s=float(settings.VLM_TIMEOUT_S),
        remote_base_url=settings.REMOTE_VLM_BASE_URL,
        remote_model=settings.REMOTE_VLM_MODEL,
        remote_api_key=settings.REMOTE_VLM_API_KEY,
    )


def load_engines() -> None:
    """Import every engine module so each registers itself (optional ones may be absent)."""
    import importlib

    for module in ("extraction.engines.ocr", "extraction.engines.vlm", "extraction.engines.remote"):
        try:
            importlib.import_module(module)
        except ImportError:
            continue


def question_engine(ctx: EngineContext) -> ExtractionEngine | None:
    """The engine that answers free-form questions: the local VLM, else the remote one."""
    load_engines()
    for name in ("vlm", "remote"):
        try:
            return registry.get(ctx, name)
        except EngineUnavailable:
            continue
    return None
