"""Create the demo users (employee, approver, finance, admin) and a team."""

from __future__ import annotations

import os
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from reimbursements.models import Role, Team

DEMO_USERS = (
    ("employee", "Emma Employee", (Role.EMPLOYEE,)),
    ("approver", "Alex Approver", (Role.EMPLOYEE, Role.APPROVER)),
    ("finance", "Fiona Finance", (Role.EMPLOYEE, Role.FINANCE)),
    ("admin", "Ada Admin", (Role.ADMIN,)),
)


class Command(BaseCommand):
    help = "Create demo users and a team. Password from DEMO_PASSWORD, else generated."

    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get("DEMO_PASSWORD") or secrets.token_urlsafe(9)
        user_model = get_user_model()
        with transaction.atomic():
            for role in Role:
                Group.objects.get_or_create(name=role.value)
            users = {}
            for username, full_name, roles in DEMO_USERS:
                first, last = full_name.split(" ", 1)
                user, _ = user_model.objects.get_or_create(username=username)
                user.first_name, user.last_name = first, last
                user.email = f"{username}@example.com"
                user.is_staff = username == "admin"
                user.is_superuser = username == "admin"
                user.set_password(password)
                user.save()
                user.groups.set(Group.objects.filter(name__in=[r.value for r in roles]))
                users[username] = user
            team, _ = Team.objects.get_or_create(
                name="Demo team", defaults={"manager": users["approver"]}
            )
            team.manager = users["approver"]
            team.save()
            team.members.add(users["employee"], users["approver"])
        self.stdout.write("Demo logins (username / password):")
        for username, _, roles in DEMO_USERS:
            self.stdout.write(
                f"  {username:<9} / {password}   ({', '.join(r.value for r in roles)})"
            )
