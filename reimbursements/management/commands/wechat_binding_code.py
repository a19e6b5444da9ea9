"""Issue a one-time code that binds an employee's WeChat to their account."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from reimbursements.wechat import binding_code_issue


class Command(BaseCommand):
    help = "Print a one-time WeChat binding code for USERNAME (valid 72 hours by default)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--hours", type=int, default=72)

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user {options['username']!r}")
        code = binding_code_issue(user=user, ttl_hours=options["hours"])
        self.stdout.write(f"Binding code for {user.username}: {code} (one use)")
