"""LoRA training on the tiny GLM-4V model, and the engine loading the adapter."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from safetensors import safe_open

from extraction.engines.base import EngineContext
from extraction.engines.vlm import VlmEngine
from extraction.finetune.dataset import TrainingExample, write_jsonl
from extraction.finetune.lora import (
    IGNORE_INDEX,
    TrainReport,
    encode_example,
    split_examples,
    train_lora,
)
from extraction.parsing.model_answer import parse_answer

# A short prompt keeps each CPU step in milliseconds; the mechanics do not depend on it.
PROMPT = "Read the receipt."
ANSWER = '{"total_amount": "12.50"}'
MAX_PIXELS = 112 * 112


@dataclass(frozen=True)
class Trained:
    data: Path
    adapter: Path
    report: TrainReport
    images: list[Image.Image]


def _examples(count: int) -> list[TrainingExample]:
    return [
        TrainingExample(
            image=f"images/{index}.png",
            prompt=PROMPT,
            answer=ANSWER,
            prompt_version="test.v1",
            id=str(index),
        )
        for index in range(count)
    ]


@pytest.fixture(scope="module")
def trained(tiny_glm_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Trained:
    folder = tmp_path_factory.mktemp("lora")
    (folder / "images").mkdir()
    images = []
    for index in range(5):
        rng = np.random.default_rng(100 + index)
        image = Image.fromarray(rng.integers(0, 256, (90, 120, 3), dtype=np.uint8))
        image.save(folder / "images" / f"{index}.png")
        images.append(image)
    data = folder / "train.jsonl"
    write_jsonl(_examples(5), data)
    adapter = folder / "adapter"
    report = train_lora(
        data,
        tiny_glm_dir,
        adapter,
        epochs=10,
        lr=5e-3,
        rank=8,
        eval_fraction=0.2,
        max_pixels=MAX_PIXELS,
        device="cpu",
        progress=False,
    )
    return Trained(data, adapter, report, images)


def test_training_lowers_the_train_and_held_out_loss(trained: Trained) -> None:
    report = trained.report
    assert (report.train_examples, report.eval_examples) == (4, 1)
    assert report.steps == 10 * 4
    assert report.train_loss_end < report.train_loss_start / 2
    assert report.eval_loss_after < report.eval_loss_before / 2


def test_the_adapter_and_a_report_are_saved(trained: Trained) -> None:
    names = {path.name for path in trained.adapter.iterdir()}
    assert {"adapter_config.json", "adapter_model.safetensors", "training_report.json"} <= names
    details = json.loads((trained.adapter / "training_report.json").read_text(encoding="utf-8"))
    assert details["prompt_versions"] == ["test.v1"]
    assert details["eval_loss_after"] == trained.report.eval_loss_after


def test_only_language_model_projections_are_adapted(trained: Trained) -> None:
    with safe_open(str(trained.adapter / "adapter_model.safetensors"), "pt") as weights:
        keys = list(weights.keys())
    assert keys
    assert all("language_model" in key for key in keys)
    assert not any("visual" in key for key in keys)
    adapted = {key.split(".lora_")[0].rsplit(".", 1)[1] for key in keys}
    assert adapted == {"q_proj", "k_proj", "v_proj", "o_proj", "gate_up_proj", "down_proj"}


def test_the_engine_loads_the_adapter_and_answers_as_trained(
    tiny_glm_dir: Path, trained: Trained
) -> None:
    # given the base model and base + adapter
    settings = {
        "vlm_model_path": str(tiny_glm_dir),
        "vlm_device": "cpu",
        "vlm_max_pixels": MAX_PIXELS,
        "vlm_max_new_tokens": 40,
    }
    base = VlmEngine(EngineContext(**settings))
    tuned = VlmEngine(EngineContext(**settings, vlm_adapter_path=str(trained.adapter)))
    # when both answer the training prompt for an image
    image = trained.images[0]
    before = base.generate_raw([image], [PROMPT])[0]
    after = tuned.generate_raw([image], [PROMPT])[0]
    # then the adapter changed the answer into the trained JSON, and the version says so
    assert after != before
    fields, _, _ = parse_answer(after)
    assert fields.total_amount == Decimal("12.50")
    assert "+lora:adapter@" in tuned.version and "+lora" not in base.version


def test_labels_cover_only_the_answer_and_its_end(tiny_glm_dir: Path, trained: Trained) -> None:
    from transformers import AutoProcessor

    processor = AutoProcessor.from_pretrained(tiny_glm_dir, local_files_only=True)
    size = {"shortest_edge": MAX_PIXELS, "longest_edge": 2 * MAX_PIXELS}
    inputs = encode_example(processor, _examples(1)[0], trained.data, size, "cpu")
    labels = inputs["labels"][0].tolist()
    answer_ids = processor.tokenizer(ANSWER, add_special_tokens=False)["input_ids"]
    kept = [label for label in labels if label != IGNORE_INDEX]
    assert kept == [*answer_ids, processor.tokenizer.eos_token_id]
    assert labels[-len(kept) :] == kept
    assert inputs["input_ids"][0].tolist()[-len(kept) :] == kept
    assert inputs["mm_token_type_ids"].shape == inputs["input_ids"].shape


def test_split_holds_out_at_least_one_example() -> None:
    train, held_out = split_examples(_examples(3), 0.1, seed=0)
    assert (len(train), len(held_out)) == (2, 1)
    assert set(train).isdisjoint(held_out)


def test_split_is_reproducible() -> None:
    assert split_examples(_examples(10), 0.2, seed=3) == split_examples(_examples(10), 0.2, 3)


def test_split_needs_two_examples() -> None:
    with pytest.raises(ValueError, match="at least two"):
        split_examples(_examples(1), 0.5, seed=0)
