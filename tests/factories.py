"""factory_boy factories for rows; state that matters goes through services."""

from __future__ import annotations

import factory
from django.conf import settings

from accounts.models import Agency, Sector, User
from accounts.roles import Role
from accounts.services import assign_role

PASSWORD = "correct-horse-battery-staple"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Ministry of Examples {n}")
    slug = factory.Sequence(lambda n: f"ministry-{n}")
    liaison_name = factory.Faker("name")
    liaison_email = factory.Sequence(lambda n: f"liaison{n}@agency.example")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = settings.AUTH_USER_MODEL
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    sector = Sector.CITIZEN

    @factory.post_generation
    def password(obj: User, create: bool, extracted: str | None, **kwargs: object):
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])


def make_user(role: Role | None = None, *, agency: Agency | None = None, **kw) -> User:
    """A user with a role, built through the real service."""
    user = UserFactory(**kw)
    if role is Role.OFFICIAL:
        assign_role(user=user, role=role, agency=agency or AgencyFactory())
    elif role is not None:
        assign_role(user=user, role=role)
    if role is Role.ADMINISTRATOR:
        user.is_superuser = True
        user.save(update_fields=["is_superuser"])
    return user
