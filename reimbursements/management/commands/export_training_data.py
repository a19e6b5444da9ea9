"""Write reviewer-corrected extractions as chat-format JSONL for LoRA fine-tuning."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from reimbursements.training import export_training_data


class Command(BaseCommand):
    help = (
        "Export corrected extractions (masked image + prompt + corrected JSON) to "
        "OUT/train.jsonl; train with: manage.py finetune_lora --data OUT/train.jsonl ..."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, type=Path, help="output directory")

    def handle(self, *args: Any, **options: Any) -> None:
        count = export_training_data(options["out"])
        self.stdout.write(f"{count} examples written to {options['out'] / 'train.jsonl'}")
        if count == 0:
            self.stderr.write("No reviewer corrections yet: nothing to train on.")
