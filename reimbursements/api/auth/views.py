"""Sign-in (password, WeChat), sign-out, the signed-in user, named API tokens."""

from __future__ import annotations

from django.contrib.auth import authenticate, user_logged_in
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from reimbursements import tokens
from reimbursements.api.auth.serializers import (
    CreatedTokenSerializer,
    MeUpdateSerializer,
    NamedTokenCreateSerializer,
    NamedTokenSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
    UserSerializer,
    WeChatSignInSerializer,
    WeChatTokenResponseSerializer,
)
from reimbursements.api.authentication import TokenAuthentication
from reimbursements.api.base import ScanningHeaderMixin, current_user
from reimbursements.api.errors import error_response
from reimbursements.language import profile_set_language
from reimbursements.login_protection import SignInLockedOut, is_locked_out, record_failed_sign_in
from reimbursements.models import NamedToken
from reimbursements.tokens import auth_token_issue, auth_token_revoke, auth_tokens_revoke_all
from reimbursements.wechat import WeChatClient, WeChatError, wechat_sign_in


class TokenView(ScanningHeaderMixin, APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []
    throttle_scope = "login"
    throttle_classes = [ScopedRateThrottle]

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenResponseSerializer})
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # A failure is counted by axes (its backend and signal handler); once a limit is
        # reached, its middleware answers 429 instead of this view's 400.
        user = authenticate(
            request._request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if user is None or not user.is_active:
            return error_response(
                "invalid_credentials",
                _("Wrong username or password."),
                status.HTTP_400_BAD_REQUEST,
            )
        token = auth_token_issue(user=user)
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        return Response({"token": token.key, "expiry": token.expiry})


class SignOutView(ScanningHeaderMixin, APIView):
    """Revokes the token this request carries: this device is signed out."""

    authentication_classes = [TokenAuthentication]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        current_user(request)
        auth_token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SignOutEverywhereView(ScanningHeaderMixin, APIView):
    """Revokes every API token of the user (a lost phone, a leaked key)."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        auth_tokens_revoke_all(user=current_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WeChatSignInView(ScanningHeaderMixin, APIView):
    """wx.login code (+ one-time binding code on first use) -> our API token."""

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []
    throttle_scope = "login"
    throttle_classes = [ScopedRateThrottle]

    @extend_schema(request=WeChatSignInSerializer, responses={200: WeChatTokenResponseSerializer})
    def post(self, request: Request) -> Response:
        serializer = WeChatSignInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = WeChatClient.from_settings().code2session(serializer.validated_data["code"])
        # A wrong binding code is a guess at a secret: limited like a wrong password, per
        # WeChat identity and address (axes' middleware answers 429 at the limit).
        account = f"wechat:{session.openid}"
        if is_locked_out(request._request, username=account):
            raise SignInLockedOut(request._request)
        try:
            user, token = wechat_sign_in(
                session=session,
                binding_code=serializer.validated_data.get("binding_code") or None,
            )
        except WeChatError as exc:
            if exc.code == "invalid_binding_code":
                record_failed_sign_in(request._request, username=account)
            raise
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        return Response(
            {"token": token.key, "expiry": token.expiry, "user": UserSerializer(user).data}
        )


class MeView(ScanningHeaderMixin, APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        responses=UserSerializer,
        description="The signed-in user: name, roles, and the language they chose.",
    )
    def get(self, request: Request) -> Response:
        return Response(UserSerializer(current_user(request)).data)

    @extend_schema(
        request=MeUpdateSerializer,
        responses=UserSerializer,
        description="Saves the user's language: every message of the server (errors, "
        "warnings, policy problems) is then in it, on every device; '' follows the "
        "client's Accept-Language again.",
    )
    def patch(self, request: Request) -> Response:
        serializer = MeUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = current_user(request)
        language = profile_set_language(user=user, language=serializer.validated_data["language"])
        # This answer already speaks the new choice (or the client's language again).
        language = language or translation.get_language_from_request(request._request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        return Response(UserSerializer(user).data)

    @extend_schema(
        request=MeUpdateSerializer,
        responses=UserSerializer,
        description="Saves the user's language, like PATCH, for clients that cannot send "
        "PATCH (the mini-program's wx.request).",
    )
    def put(self, request: Request) -> Response:
        return self.patch(request)


class NamedTokenListView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        responses=NamedTokenSerializer(many=True),
        description="Your named API tokens that still work (name, created, expiry); never "
        "their keys. Sign-in tokens of devices are not listed.",
    )
    def get(self, request: Request) -> Response:
        rows = NamedToken.objects.select_related("token").filter(
            token__user=current_user(request), token__expiry__gt=timezone.now()
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
            user=current_user(request),
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
        tokens.named_token_revoke(user=current_user(request), token_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
