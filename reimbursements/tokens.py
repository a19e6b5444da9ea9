"""API tokens: issue one per sign-in, revoke one or all (django-rest-knox's model).

The database holds only each token's SHA-512 digest; the key itself is shown once, in
the sign-in answer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from knox.models import AuthToken


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
