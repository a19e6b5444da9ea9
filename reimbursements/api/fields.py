"""Representation helpers shared by the resources' serializers."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from rest_framework import serializers

DATETIME = serializers.DateTimeField(read_only=True)


def when(value: Any) -> str | None:
    return None if value is None else str(DATETIME.to_representation(value))


def asking_user(context: dict[str, Any]) -> User | None:
    user = getattr(context.get("request"), "user", None)
    return user if isinstance(user, User) and user.is_authenticated else None


def actions_field(names: Any, what: str) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.ChoiceField(choices=list(names)),
        read_only=True,
        help_text=f"What the asking user may do with this {what} now: each action named "
        "here is accepted by its endpoint, every other one is refused. Show a button "
        "exactly when its action is listed.",
    )


IS_TERMINAL_HELP = "True when nothing more happens to it by itself (stop polling)."


class OptionalCommentSerializer(serializers.Serializer[Any]):
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RequiredCommentSerializer(serializers.Serializer[Any]):
    comment = serializers.CharField(max_length=2000, help_text="Why: shown to the owner.")
