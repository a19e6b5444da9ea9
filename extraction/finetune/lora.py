"""LoRA fine-tuning of the VLM's language model on reviewer-corrected examples.

Only the language model is adapted (attention ``q/k/v/o_proj`` and MLP
``gate_up_proj``/``down_proj``): the vision tower also has a ``down_proj``, so the
targets are a regex anchored on ``language_model`` (FACTS.md). The loss covers the
answer tokens only -- the prompt and the image placeholders are masked -- and each
example is encoded exactly as inference encodes it (same chat template, thinking
disabled, same pixel budget), followed by the answer and the end-of-text token.

The adapter is saved with ``save_pretrained`` (``adapter_config.json`` +
``adapter_model.safetensors``) plus ``training_report.json``; the ``vlm`` engine loads
base + adapter when ``EngineContext.vlm_adapter_path`` points at it.
"""

from __future__ import annotations

import dataclasses
import json
import math
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from extraction.engines.answers import fit_image
from extraction.finetune.dataset import TrainingExample, image_path, read_jsonl

LANGUAGE_MODEL_TARGETS = (
    r".*language_model.*\.(q_proj|k_proj|v_proj|o_proj|gate_up_proj|down_proj)$"
)
IGNORE_INDEX = -100
# Training-loss snapshots are taken on at most this many training examples.
LOSS_SAMPLE = 32
_TEMPORAL_FACTOR = 2
_MIN_PIXELS = 112 * 112


@dataclass(frozen=True)
class TrainReport:
    """Losses are mean per-example cross-entropy over answer tokens, model in eval mode.

    ``train_loss_*`` are measured on (up to ``LOSS_SAMPLE``) training examples before and
    after training, ``eval_loss_*`` on the held-out examples that were never trained on.
    """

    train_loss_start: float
    train_loss_end: float
    eval_loss_before: float
    eval_loss_after: float
    steps: int
    train_examples: int
    eval_examples: int
    adapter_dir: str
    seconds: float


def train_lora(
    data_path: Path,
    base_dir: Path,
    out_dir: Path,
    *,
    epochs: int = 2,
    lr: float = 1e-4,
    rank: int = 16,
    alpha: int | None = None,
    dropout: float = 0.05,
    eval_fraction: float = 0.1,
    max_pixels: int = 1024 * 1024,
    device: str = "auto",
    seed: int = 0,
    gradient_checkpointing: bool = False,
    progress: bool = True,
) -> TrainReport:
    """Train a LoRA adapter for the model in ``base_dir`` on ``data_path``; save to ``out_dir``."""
    import torch
    from peft import LoraConfig, get_peft_model
    from tqdm.auto import tqdm
    from transformers import AutoModelForImageTextToText, AutoProcessor

    started = time.perf_counter()
    examples = read_jsonl(data_path)
    train, held_out = split_examples(examples, eval_fraction, seed)
    torch.manual_seed(seed)
    resolved = _device(device)
    dtype = torch.bfloat16 if resolved.startswith("cuda") else torch.float32

    processor = AutoProcessor.from_pretrained(base_dir, local_files_only=True)
    model: Any = AutoModelForImageTextToText.from_pretrained(
        base_dir, local_files_only=True, dtype=dtype
    )
    model.to(resolved)
    if gradient_checkpointing:
        model.gradient_checkpointing_enable()
        model.enable_input_require_grads()
    config = LoraConfig(
        r=rank,
        lora_alpha=alpha if alpha is not None else 2 * rank,
        lora_dropout=dropout,
        target_modules=LANGUAGE_MODEL_TARGETS,
    )
    model = get_peft_model(model, config)

    size = {"shortest_edge": _MIN_PIXELS, "longest_edge": _TEMPORAL_FACTOR * max_pixels}

    def encode(example: TrainingExample) -> dict[str, Any]:
        return encode_example(processor, example, data_path, size, resolved)

    def mean_loss(batch: Sequence[TrainingExample]) -> float:
        model.eval()
        with torch.no_grad():
            losses = [float(model(**encode(example)).loss) for example in batch]
        return sum(losses) / len(losses) if losses else math.nan

    sample = train[:LOSS_SAMPLE]
    train_loss_start = mean_loss(sample)
    eval_loss_before = mean_loss(held_out)

    trainable = [parameter for parameter in model.parameters() if parameter.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=lr)
    order = random.Random(seed)
    steps = 0
    total = epochs * len(train)
    with tqdm(total=total, desc="LoRA", unit="example", disable=not progress) as bar:
        for _ in range(epochs):
            model.train()
            shuffled = list(train)
            order.shuffle(shuffled)
            for example in shuffled:
                loss = model(**encode(example)).loss
                loss.backward()
                optimizer.step()
                optimizer.zero_grad(set_to_none=True)
                steps += 1
                bar.update(1)
                bar.set_postfix(loss=f"{loss.item():.4f}")

    train_loss_end = mean_loss(sample)
    eval_loss_after = mean_loss(held_out)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    report = TrainReport(
        train_loss_start=train_loss_start,
        train_loss_end=train_loss_end,
        eval_loss_before=eval_loss_before,
        eval_loss_after=eval_loss_after,
        steps=steps,
        train_examples=len(train),
        eval_examples=len(held_out),
        adapter_dir=str(out_dir),
        seconds=time.perf_counter() - started,
    )
    details = {
        **dataclasses.asdict(report),
        "base_model": base_dir.name,
        "data": str(data_path),
        "prompt_versions": sorted({example.prompt_version for example in examples}),
        "epochs": epochs,
        "lr": lr,
        "rank": rank,
        "seed": seed,
    }
    (out_dir / "training_report.json").write_text(
        json.dumps(details, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    return report


def split_examples(
    examples: Sequence[TrainingExample], eval_fraction: float, seed: int
) -> tuple[list[TrainingExample], list[TrainingExample]]:
    """A seeded shuffle split: at least one example on each side."""
    if len(examples) < 2:
        raise ValueError("need at least two examples: one to train on, one to hold out")
    if not 0 < eval_fraction < 1:
        raise ValueError(f"eval_fraction must be between 0 and 1, got {eval_fraction}")
    shuffled = list(examples)
    random.Random(seed).shuffle(shuffled)
    held = min(len(shuffled) - 1, max(1, round(len(shuffled) * eval_fraction)))
    return shuffled[held:], shuffled[:held]


def encode_example(
    processor: Any,
    example: TrainingExample,
    data_path: Path,
    size: dict[str, int],
    device: str,
) -> dict[str, Any]:
    """Model inputs with labels: the prompt as inference sees it, then the answer + EOS."""
    import torch

    with Image.open(image_path(data_path, example)) as opened:
        image = fit_image(opened)
    conversation = [
        {
            "role": "user",
            "content": [
                {"type": "image", "image": image},
                {"type": "text", "text": example.prompt},
            ],
        }
    ]
    prompt = processor.apply_chat_template(
        conversation,
        tokenize=True,
        add_generation_prompt=True,
        return_dict=True,
        return_tensors="pt",
        enable_thinking=False,
        processor_kwargs={"size": size},
    )
    prompt.pop("token_type_ids", None)
    tokenizer = processor.tokenizer
    answer_ids = tokenizer(example.answer, add_special_tokens=False)["input_ids"]
    answer = torch.tensor([[*answer_ids, tokenizer.eos_token_id]], dtype=torch.long)
    prompt_ids = prompt["input_ids"]
    inputs: dict[str, Any] = dict(prompt)
    inputs["input_ids"] = torch.cat([prompt_ids, answer], dim=1)
    inputs["attention_mask"] = torch.ones_like(inputs["input_ids"])
    if "mm_token_type_ids" in inputs:
        tail = torch.zeros_like(answer, dtype=inputs["mm_token_type_ids"].dtype)
        inputs["mm_token_type_ids"] = torch.cat([inputs["mm_token_type_ids"], tail], dim=1)
    ignored = torch.full_like(prompt_ids, IGNORE_INDEX)
    inputs["labels"] = torch.cat([ignored, answer], dim=1)
    return {name: value.to(device) for name, value in inputs.items()}


def _device(setting: str) -> str:
    import torch

    if setting == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return setting
