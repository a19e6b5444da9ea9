"""Write one page of approved items for accounting (the API's export, from a shell).

    manage.py export_approved --format voucher --output approved.xlsx [--cursor C]

The next cursor is printed on stderr; nothing is acknowledged (that stays an explicit
step, POST /api/v1/exports/acknowledge/). ``--resend-webhooks`` re-enqueues webhook
deliveries stuck in 'pending' (e.g. after a broker outage).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from reimbursements.exports import cursor as export_cursor
from reimbursements.exports.selectors import export_page, item_row
from reimbursements.exports.voucher import to_voucher_xlsx
from reimbursements.exports.webhook import webhook_resend_pending
from reimbursements.exports.writers import to_csv, to_xlsx
from reimbursements.services import ServiceError


class Command(BaseCommand):
    help = "Write one page of finance-approved items (json, csv, xlsx or voucher)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["json", "csv", "xlsx", "voucher"], default="json")
        parser.add_argument("--cursor", default="")
        parser.add_argument("--limit", type=int, default=100)
        parser.add_argument("--include-acknowledged", action="store_true")
        parser.add_argument("--output", help="file to write (default: stdout; xlsx needs one)")
        parser.add_argument("--resend-webhooks", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["resend_webhooks"]:
            count = webhook_resend_pending()
            self.stderr.write(f"re-enqueued {count} pending webhook deliveries")
            return
        limit = options["limit"]
        if not 1 <= limit <= settings.EXPORT_PAGE_MAX:
            raise CommandError(f"--limit must be 1..{settings.EXPORT_PAGE_MAX}")
        try:
            after = export_cursor.decode(options["cursor"])
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        page = export_page(
            after=after,
            limit=limit,
            include_acknowledged=options["include_acknowledged"],
            whole_claims=options["format"] == "voucher",
        )
        rows = [item_row(item) for item in page.items]
        kind = options["format"]
        data: bytes
        if kind == "json":
            data = json.dumps(rows, ensure_ascii=False, indent=2).encode()
        elif kind == "csv":
            data = to_csv(rows)
        elif kind == "xlsx":
            data = to_xlsx(rows)
        else:
            data = to_voucher_xlsx(rows)
        output = options.get("output")
        if output:
            Path(output).write_bytes(data)
        elif kind in {"xlsx", "voucher"}:
            raise CommandError("xlsx and voucher need --output FILE")
        else:
            sys.stdout.buffer.write(data)
        self.stderr.write(
            f"{len(rows)} items; next cursor {export_cursor.encode(page.position)}"
            f"{' (more to fetch)' if page.has_more else ''}"
        )
