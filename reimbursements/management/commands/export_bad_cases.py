"""List documents the system got wrong or could not trust, for error analysis."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from reimbursements.training import export_bad_cases


class Command(BaseCommand):
    help = "Write failed, warned-about and reviewer-corrected documents as JSONL."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, type=Path, help="output .jsonl file")

    def handle(self, *args: Any, **options: Any) -> None:
        count = export_bad_cases(options["out"])
        self.stdout.write(f"{count} bad cases written to {options['out']}")
