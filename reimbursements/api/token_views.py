"""Named API tokens: a person (an integrator's account) creates one per integration,
sees them listed, and revokes one; the key is shown once, when it is created."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from reimbursements import tokens
from reimbursements.models import NamedToken


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


def _user(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


class NamedTokenListView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        responses=NamedTokenSerializer(many=True),
        description="Your named API tokens that still work (name, created, expiry); never "
        "their keys. Sign-in tokens of devices are not listed.",
    )
    def get(self, request: Request) -> Response:
        rows = NamedToken.objects.select_related("token").filter(
            token__user=_user(request), token__expiry__gt=timezone.now()
        )
        return Response(NamedTokenSerializer(rows, many=True).data)

    @extend_schema(
        request=NamedTokenCreateSerializer,
        responses={201: CreatedTokenSerializer},
        description="Creates a named API token for an integration (an accounting system "
        "pulling exports, a script). The answer holds the key once; only its digest is "
        "stored. It acts as you, with your roles, until it expires or is revoked; signing "
        "in on devices never retires it; a password change or 'sign out everywhere' does.",
    )
    def post(self, request: Request) -> Response:
        serializer = NamedTokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = tokens.named_token_create(
            user=_user(request),
            name=serializer.validated_data["name"],
            days=serializer.validated_data["days"],
        )
        body = dict(NamedTokenSerializer(created.named).data)
        body["token"] = created.key
        return Response(body, status=status.HTTP_201_CREATED)


class NamedTokenDetailView(APIView):
    @extend_schema(
        responses={204: None},
        description="Revokes one of your named tokens: it stops working at once.",
    )
    def delete(self, request: Request, pk: int) -> Response:
        tokens.named_token_revoke(user=_user(request), token_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
