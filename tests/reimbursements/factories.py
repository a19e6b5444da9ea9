from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from reimbursements.models import Claim, Team


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def roles(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        for role in extracted or ("employee",):
            group, _ = Group.objects.get_or_create(name=role)
            self.groups.add(group)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"team{n}")
    manager = factory.SubFactory(UserFactory, roles=("employee", "approver"))


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    owner = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Trip {n}")
