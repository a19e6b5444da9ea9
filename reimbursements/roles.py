"""Roles live on Django groups; these helpers are the only place that knows the names."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User

from reimbursements.models import Role

UserLike = User | AbstractBaseUser | AnonymousUser


def user_roles(user: UserLike) -> set[str]:
    if not user.is_authenticated:
        return set()
    cached: set[str] | None = getattr(user, "_ia_roles", None)
    if cached is None:
        groups = getattr(user, "groups", None)
        cached = set(groups.values_list("name", flat=True)) if groups is not None else set()
        if getattr(user, "is_superuser", False):
            cached.add(Role.ADMIN)
        setattr(user, "_ia_roles", cached)  # noqa: B010  (per-request memo on the user)
    return cached


def has_role(user: UserLike, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def sees_everything(user: UserLike) -> bool:
    return has_role(user, Role.FINANCE, Role.ADMIN)


def reviews_claims(user: UserLike) -> bool:
    """Has a review queue: approvers (their teams' claims) and finance."""
    return has_role(user, Role.APPROVER, Role.FINANCE)


def manages_exchange_rates(user: UserLike) -> bool:
    return has_role(user, Role.FINANCE, Role.ADMIN)
