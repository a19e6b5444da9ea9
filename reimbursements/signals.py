"""Signal receivers: each only decides whether a service applies, then calls it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import User
from django.db.models.signals import pre_save
from django.dispatch import receiver

from reimbursements.tokens import auth_tokens_revoke_all


@receiver(pre_save, sender=User, dispatch_uid="revoke-tokens-on-password-change")
def revoke_tokens_on_password_change(sender: type[User], instance: User, **kwargs: Any) -> None:
    """A new password signs every device out (admin, changepassword, any set_password)."""
    update_fields = kwargs.get("update_fields")
    if instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    stored = User.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if stored is None or stored == instance.password:
        return
    raw = getattr(instance, "_password", None)
    # Django re-hashes the same password on sign-in when its hasher settings change.
    if raw is not None and check_password(raw, stored):
        return
    auth_tokens_revoke_all(user=instance)
