"""``manage.py finetune_lora --data FILE --base MODEL_DIR --out ADAPTER_DIR``

A thin wrapper around ``extraction.finetune.lora.train_lora`` (see its docstring): trains
a LoRA adapter on the language model from the JSONL that ``export_training_data``
writes, shows a progress bar, prints the train and held-out losses, and saves the adapter.
Point ``VLM_ADAPTER_PATH`` at the output directory to serve base + adapter.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Fine-tune a LoRA adapter for the VLM on reviewer-corrected examples."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data", required=True, help="chat-messages JSONL file")
        parser.add_argument(
            "--base",
            default=None,
            help="base model directory (default: the VLM_MODEL_PATH setting)",
        )
        parser.add_argument("--out", required=True, help="directory for the adapter")
        parser.add_argument("--epochs", type=int, default=2)
        parser.add_argument("--lr", type=float, default=1e-4)
        parser.add_argument("--rank", type=int, default=16)
        parser.add_argument("--eval-fraction", type=float, default=0.1)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--device", default=None, help="auto | cpu | cuda[:N] (default: VLM_DEVICE)"
        )
        parser.add_argument(
            "--gradient-checkpointing",
            action="store_true",
            help="trade compute for memory (large images on a 24 GB card)",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        from extraction.finetune.dataset import DatasetError
        from extraction.finetune.lora import train_lora

        data = Path(options["data"])
        base_setting = options["base"] or getattr(settings, "VLM_MODEL_PATH", None)
        if not data.is_file():
            raise CommandError(f"--data {data} is not a file")
        if not base_setting or not Path(base_setting).is_dir():
            raise CommandError(f"base model directory {base_setting!r} does not exist")
        try:
            report = train_lora(
                data,
                Path(base_setting),
                Path(options["out"]),
                epochs=options["epochs"],
                lr=options["lr"],
                rank=options["rank"],
                eval_fraction=options["eval_fraction"],
                max_pixels=getattr(settings, "VLM_MAX_PIXELS", 1024 * 1024),
                device=options["device"] or getattr(settings, "VLM_DEVICE", "auto"),
                seed=options["seed"],
                gradient_checkpointing=options["gradient_checkpointing"],
                progress=not options["no_progress"],
            )
        except (DatasetError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"trained {report.steps} steps on {report.train_examples} examples "
            f"({report.eval_examples} held out) in {report.seconds:.0f} s\n"
            f"train loss    {report.train_loss_start:.4f} -> {report.train_loss_end:.4f}\n"
            f"held-out loss {report.eval_loss_before:.4f} -> {report.eval_loss_after:.4f}\n"
            f"adapter saved to {report.adapter_dir}; set VLM_ADAPTER_PATH to use it"
        )
