"""API tokens: issue one per sign-in, revoke one or all (django-rest-knox's model), and
named tokens a person creates for an integration (shown once, revoked by name).

The database holds only each token's SHA-512 digest; the key itself is shown once, in
the sign-in answer or when a named token is created.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from knox.models import AuthToken

from reimbursements.models import NamedToken
from reimbursements.services import ServiceError


@dataclass(frozen=True)
class IssuedToken:
    key: str
    expiry: dt.datetime


@transaction.atomic
def auth_token_issue(*, user: User) -> IssuedToken:
    """A new token for one device; the user's expired tokens and any beyond the cap go."""
    # Lock the user's row so two sign-ins at once cannot both stay under the cap.
    User.objects.select_for_update().filter(pk=user.pk).first()
    tokens = AuthToken.objects.filter(user=user)
    tokens.filter(expiry__lte=timezone.now()).delete()
    # Named integration tokens are not devices: sign-ins never retire them.
    tokens = tokens.filter(named__isnull=True)
    keep = settings.TOKEN_MAX_PER_USER - 1
    oldest = tokens.order_by("-created").values_list("digest", flat=True)[keep:]
    AuthToken.objects.filter(digest__in=list(oldest)).delete()
    instance, key = AuthToken.objects.create(user=user)
    return IssuedToken(key=key, expiry=instance.expiry)


def auth_token_revoke(*, token: AuthToken) -> None:
    """Sign out this device: its token stops working at once."""
    AuthToken.objects.filter(digest=token.digest).delete()


def auth_tokens_revoke_all(*, user: User) -> int:
    """Sign out everywhere: every API token of the user stops working."""
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    return deleted


# Named tokens live this long unless the person picks another lifetime (1-3650 days).
NAMED_TOKEN_DEFAULT_DAYS = 365
NAMED_TOKEN_MAX_DAYS = 3650
# A person may keep this many named tokens (an integration each).
NAMED_TOKENS_PER_USER = 20


@dataclass(frozen=True)
class CreatedToken:
    named: NamedToken
    key: str


@transaction.atomic
def named_token_create(
    *, user: User, name: str, days: int = NAMED_TOKEN_DEFAULT_DAYS
) -> CreatedToken:
    """A new API token for an integration, named by the person; its key is returned once."""
    name = " ".join(name.split())
    if not name:
        raise ServiceError("invalid", gettext("Give the token a name."))
    if not 1 <= days <= NAMED_TOKEN_MAX_DAYS:
        raise ServiceError(
            "invalid",
            gettext("A token lives 1 to %(max)d days.") % {"max": NAMED_TOKEN_MAX_DAYS},
        )
    User.objects.select_for_update().filter(pk=user.pk).first()
    live = NamedToken.objects.filter(token__user=user, token__expiry__gt=timezone.now())
    if live.filter(name=name).exists():
        raise ServiceError(
            "token_name_taken",
            gettext("You already have a token named %(name)s.") % {"name": name},
            status_code=409,
        )
    if live.count() >= NAMED_TOKENS_PER_USER:
        raise ServiceError(
            "too_many_tokens",
            gettext("You have %(count)d tokens; revoke one first.")
            % {"count": NAMED_TOKENS_PER_USER},
            status_code=409,
        )
    NamedToken.objects.filter(token__user=user, token__expiry__lte=timezone.now()).delete()
    instance, key = AuthToken.objects.create(user=user, expiry=dt.timedelta(days=days))
    named = NamedToken.objects.create(token=instance, name=name)
    return CreatedToken(named=named, key=key)


@transaction.atomic
def named_token_revoke(*, user: User, token_id: int) -> None:
    """The token stops working at once (404 when it is not this person's)."""
    named = NamedToken.objects.select_related("token").filter(pk=token_id, token__user=user).first()
    if named is None:
        raise ServiceError("not_found", gettext("Not found."), status_code=404)
    AuthToken.objects.filter(digest=named.token.digest).delete()
