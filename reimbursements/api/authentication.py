"""API token authentication: knox's hashed tokens, found with one pre-built SQL statement.

The database holds SHA-512 digests of the tokens (knox), and the digest is the table's
primary key, so the presented token is hashed and looked up by that key: one indexed
statement that also reads the user. Knox's own class looks tokens up by a 15-character
prefix, compares digests in a loop and reads all the user's other tokens to delete
expired ones, on every request; here expired tokens are removed when their owner signs in
again (``reimbursements.tokens.auth_token_issue``) or when one is presented.

The statement is built once per process from the models' metadata (a field added to
``User`` is read too) and its rows become model instances through ``from_db``, as the ORM
would build them: compiling the same ORM query on every request cost more than running it.
"""

from __future__ import annotations

import binascii
import functools
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.models import AuthToken
from rest_framework import exceptions
from rest_framework.request import Request

from reimbursements.language import CACHED_ATTRIBUTE, activate_user_language, user_language
from reimbursements.models import Profile


@functools.cache
def _statement() -> tuple[str, list[str], list[str]]:
    """The lookup's SQL, the user's attribute names and the token's, in column order."""
    user_model = get_user_model()
    quote = connection.ops.quote_name
    user_fields = [f for f in user_model._meta.concrete_fields]
    token_fields = [f for f in AuthToken._meta.concrete_fields]
    columns = [f"u.{quote(f.column)}" for f in user_fields]
    columns += [f"t.{quote(f.column)}" for f in token_fields]
    user_fk = quote(AuthToken._meta.get_field("user").column)
    digest_column = quote(AuthToken._meta.get_field("digest").column)
    user_pk = f"u.{quote(user_model._meta.pk.column)}"
    # The person's language choice comes with the user (NULL: no profile row).
    profile_user = quote(Profile._meta.get_field("user").column)
    columns.append(f"p.{quote(Profile._meta.get_field('language').column)}")
    sql = (
        f"SELECT {', '.join(columns)} FROM {quote(AuthToken._meta.db_table)} t "  # noqa: S608
        f"JOIN {quote(user_model._meta.db_table)} u ON {user_pk} = t.{user_fk} "
        f"LEFT JOIN {quote(Profile._meta.db_table)} p ON p.{profile_user} = {user_pk} "
        f"WHERE t.{digest_column} = %s"
    )
    return sql, [f.attname for f in user_fields], [f.attname for f in token_fields]


def _lookup(digest: str) -> AuthToken | None:
    if connection.vendor != "postgresql":
        # SQLite (development) needs the ORM's value converters; speed matters elsewhere.
        found = AuthToken.objects.select_related("user").filter(digest=digest).first()
        if found is not None:
            user_language(found.user)
        return found
    sql, user_names, token_names = _statement()
    with connection.cursor() as cursor:
        cursor.execute(sql, [digest])
        row = cursor.fetchone()
    if row is None:
        return None
    split = len(user_names)
    user = get_user_model().from_db(connection.alias, user_names, list(row[:split]))
    token = AuthToken.from_db(connection.alias, token_names, list(row[split:-1]))
    setattr(user, CACHED_ATTRIBUTE, row[-1] or "")
    token.user = user
    return token


class TokenAuthentication(KnoxTokenAuthentication):
    """``Authorization: Token <key>``, as knox's class reads it; answers 401 when refused.

    A token's owner is spoken to in their chosen language from here on."""

    def authenticate(self, request: Request) -> tuple[Any, AuthToken] | None:
        result = super().authenticate(request)
        if result is not None:
            activate_user_language(request._request, result[0])
        return result

    def authenticate_credentials(self, token: bytes) -> tuple[Any, AuthToken]:
        try:
            digest = hash_token(token.decode("utf-8"))
        except (UnicodeDecodeError, TypeError, binascii.Error) as exc:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from exc
        auth_token = _lookup(digest)
        if auth_token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if auth_token.expiry is not None and auth_token.expiry <= timezone.now():
            AuthToken.objects.filter(digest=digest).delete()
            raise exceptions.AuthenticationFailed(_("Token expired: sign in again."))
        if not auth_token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return auth_token.user, auth_token


class TokenScheme(OpenApiAuthenticationExtension):
    """The schema's security scheme for this class: the same `tokenAuth` as before knox."""

    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        scheme: dict[str, Any] = build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=self.target.authenticate_header(None)
        )
        scheme["description"] = (
            "`Authorization: Token <key>`. Integrations: create a named token in the web "
            "app under API tokens (or POST /api/v1/tokens/), shown once. Devices: POST "
            "/api/v1/auth/token/ with username and password."
        )
        return scheme
