"""Engine versions known without loading a model: the result cache is keyed by them."""

from __future__ import annotations

import os
from pathlib import Path

from extraction.engines.base import EngineContext, source_digest
from extraction.engines.ocr import OcrEngine, rapidocr_version
from extraction.engines.remote import RemoteEngine
from extraction.engines.vlm import VlmEngine


def test_source_digest_changes_with_any_source_file(tmp_path: Path) -> None:
    # given a package tree
    (tmp_path / "parsing").mkdir()
    rule = tmp_path / "parsing" / "rules.py"
    rule.write_text("LABEL = '价税合计'\n")
    before = source_digest(tmp_path)
    # when one rule changes (a new tree, so the cached digest is not reused)
    changed = tmp_path / "v2"
    (changed / "parsing").mkdir(parents=True)
    (changed / "parsing" / "rules.py").write_text("LABEL = '合计'\n")
    # then the digest differs, and the same tree always gives the same digest
    assert source_digest(changed) != before
    assert source_digest(tmp_path) == before


def test_ocr_version_names_the_ocr_library_and_the_code() -> None:
    version = OcrEngine.static_version(EngineContext())
    assert rapidocr_version() in version
    assert f"code-{source_digest()}" in version


def test_vlm_version_follows_the_model_config_and_the_adapter(tmp_path: Path) -> None:
    # given a model directory (no weights needed: nothing is loaded)
    model = tmp_path / "GLM-4.6V-Flash"
    model.mkdir()
    config = model / "config.json"
    config.write_text('{"hidden_size": 4096}')
    ctx = EngineContext(vlm_model_path=str(model))
    first = VlmEngine.static_version(ctx)
    # when the config is replaced by another model's
    config.write_text('{"hidden_size": 2048}')
    os.utime(config, ns=(1, 1))
    second = VlmEngine.static_version(ctx)
    # and when a LoRA adapter is added
    adapter = tmp_path / "adapter"
    adapter.mkdir()
    (adapter / "adapter_model.safetensors").write_bytes(b"weights")
    with_adapter = VlmEngine.static_version(
        EngineContext(vlm_model_path=str(model), vlm_adapter_path=str(adapter))
    )
    # then each gives a different version, naming the model and the adapter
    assert len({first, second, with_adapter}) == 3
    assert "GLM-4.6V-Flash@" in first
    assert "+lora:adapter@" in with_adapter


def test_remote_version_names_the_served_model_and_host() -> None:
    ctx = EngineContext(remote_base_url="http://vllm:8000/v1", remote_model="glm-4.6v-flash")
    assert VlmEngine.static_version(ctx) != RemoteEngine.static_version(ctx)
    assert "glm-4.6v-flash@vllm:8000" in RemoteEngine.static_version(ctx)
