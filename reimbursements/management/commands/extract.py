"""``manage.py extract [--engine auto|ocr|vlm|remote] [--jsonl] FILE...``

A thin wrapper: the engine configuration comes from settings, everything else is in
``extraction.cli`` (see its docstring for the output contract).
"""

from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from extraction import cli
from reimbursements.engine_context import build_engine_context


class Command(BaseCommand):
    help = (
        "Extract invoice fields from images, PDFs, OFD and 数电票 XML e-invoices; "
        "one JSON object per file on stdout."
    )
    # Checks would print to stderr and cost time before every batch; the command needs
    # neither the database nor the URL configuration.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "files", nargs="+", metavar="FILE", help="images, PDFs, OFD or 数电票 XML files"
        )
        parser.add_argument(
            "--engine",
            choices=cli.ENGINE_CHOICES,
            default=None,
            help="extraction engine (default: the EXTRACTION_ENGINE setting, else auto)",
        )
        parser.add_argument(
            "--jsonl", action="store_true", help="one JSON object per line (default: indented)"
        )
        parser.add_argument(
            "--no-qr", action="store_true", help="do not read QR codes (to measure their cost)"
        )
        parser.add_argument(
            "--evidence",
            action="store_true",
            help="add each field's evidence and agreeing readings (to fit the calibration)",
        )
        parser.add_argument(
            "--regions",
            action="store_true",
            help="add where on the page each OCR-read field was read (fractions of the page)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        engine = options["engine"] or getattr(settings, "EXTRACTION_ENGINE", "auto") or "auto"
        # The raw streams: the progress bar redraws with "\r", which Django's
        # OutputWrapper would turn into new lines.
        out = getattr(self.stdout, "_out", sys.stdout)
        err = getattr(self.stderr, "_out", sys.stderr)
        status = cli.run(
            options["files"],
            engine,
            build_engine_context(),
            out,
            err,
            jsonl=options["jsonl"],
            max_pdf_pages=getattr(settings, "PDF_MAX_PAGES", 20),
            read_qr=not options["no_qr"],
            evidence=options["evidence"],
            regions=options["regions"],
        )
        if status:
            sys.exit(status)
