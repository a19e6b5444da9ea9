"""Sign-in, the signed-in user and API tokens: representation only."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, User
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reimbursements import tokens
from reimbursements.language import user_language
from reimbursements.permissions import USER_ACTION_NAMES, user_allowed_actions
from reimbursements.roles import user_roles
from reimbursements.scanning import scanner_configured


class UserSerializer(serializers.Serializer[AbstractBaseUser]):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    display_name = serializers.SerializerMethodField()
    roles = serializers.SerializerMethodField()
    scanning_available = serializers.SerializerMethodField()
    language = serializers.SerializerMethodField(
        help_text="The language the server speaks to this user: 'zh-hans' or 'en' as they "
        "chose it, '' to follow the client's Accept-Language."
    )

    allowed_actions = serializers.SerializerMethodField()

    @extend_schema_field(
        serializers.ListField(
            child=serializers.ChoiceField(choices=list(USER_ACTION_NAMES)),
            help_text="Which parts of the app this user may use: review (has a review "
            "queue), export, view_spend (dashboard), manage_exchange_rates. Show a menu "
            "entry exactly when its action is listed.",
        )
    )
    def get_allowed_actions(self, user: AbstractBaseUser) -> list[str]:
        return user_allowed_actions(user=user) if isinstance(user, User) else []

    def get_display_name(self, user: Any) -> str:
        full: str = user.get_full_name()
        return full or user.get_username()

    def get_roles(self, user: AbstractBaseUser) -> list[str]:
        return sorted(user_roles(user))

    def get_scanning_available(self, user: AbstractBaseUser) -> bool:
        return scanner_configured()

    def get_language(self, user: AbstractBaseUser) -> str:
        return user_language(user)


class MeUpdateSerializer(serializers.Serializer[Any]):
    language = serializers.ChoiceField(
        choices=[("", "follow the client"), *settings.LANGUAGES],
        allow_blank=True,
        help_text="'zh-hans', 'en', or '' to follow the client's Accept-Language.",
    )


class TokenRequestSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False)


class TokenResponseSerializer(serializers.Serializer[Any]):
    """Schema only: a new API token for this device, shown once."""

    token = serializers.CharField(help_text="send as `Authorization: Token <token>`")
    expiry = serializers.DateTimeField(help_text="after this the token answers 401")


class WeChatTokenResponseSerializer(TokenResponseSerializer):
    """Schema only: the token, and the account the WeChat identity is bound to."""

    user = UserSerializer()


class WeChatSignInSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=128)
    binding_code = serializers.CharField(max_length=32, required=False, allow_blank=True)


class NamedTokenSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    expiry = serializers.DateTimeField(read_only=True, source="token.expiry")


class CreatedTokenSerializer(NamedTokenSerializer):
    token = serializers.CharField(
        read_only=True,
        help_text="The key, shown this once: send it as 'Authorization: Token <key>'.",
    )


class NamedTokenCreateSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100, help_text="What the token is for.")
    days = serializers.IntegerField(
        required=False,
        default=tokens.NAMED_TOKEN_DEFAULT_DAYS,
        min_value=1,
        max_value=tokens.NAMED_TOKEN_MAX_DAYS,
        help_text=f"Lifetime in days (default {tokens.NAMED_TOKEN_DEFAULT_DAYS}).",
    )
