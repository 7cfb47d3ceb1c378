"""Demo accounts and agency for ``manage.py seed_demo`` (DEBUG only)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

from accounts.models import Agency, Sector, User
from accounts.roles import Role
from accounts.services import assign_role


@dataclass
class DemoContext:
    """What later seeders build on: the agency and one account per role."""

    agency: Agency
    admin: User
    moderator: User
    official: User
    citizen: User
    created: list[str] = field(default_factory=list)


DEMO_ACCOUNTS = [
    # (e-mail, display name, sector, role)
    ("admin@agora.test", "Agora Admin", Sector.GOVERNMENT, Role.ADMINISTRATOR),
    ("moderator@agora.test", "Mei Moderator", Sector.NGO, Role.MODERATOR),
    ("official@agora.test", "Lin Official", Sector.GOVERNMENT, Role.OFFICIAL),
    ("citizen@agora.test", "Chen Citizen", Sector.CITIZEN, None),
]


def _account(
    email: str, name: str, sector: str, role: Role | None, agency: Agency
) -> tuple[User, bool]:
    user, created = User.objects.get_or_create(
        email=email, defaults={"display_name": name, "sector": sector}
    )
    if created:
        user.set_password(settings.AGORA_DEMO_PASSWORD)
        if role is Role.ADMINISTRATOR:
            user.is_superuser = True
        user.save()
        _verify_email(user)
    if role is not None:
        assign_role(
            user=user, role=role, agency=agency if role is Role.OFFICIAL else None
        )
    return user, created


def _verify_email(user: User) -> None:
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=user,
        email=user.email,
        defaults={"verified": True, "primary": True},
    )


def seed() -> DemoContext:
    agency, _created = Agency.objects.get_or_create(
        slug="national-development-council",
        defaults={
            "name": "National Development Council",
            "description": (
                "Coordinates the Open Government National Action Plan and works "
                "with every ministry on its commitments."
            ),
            "website": "https://www.ndc.gov.tw/en/",
            "liaison_name": "Ms. Wang Shu-fen",
            "liaison_title": "Open Government Liaison",
            "liaison_email": "opengov-liaison@agora.test",
            "liaison_phone": "+886 2 2316 5300",
        },
    )
    users = {}
    created = []
    for email, name, sector, role in DEMO_ACCOUNTS:
        user, was_created = _account(email, name, sector, role, agency)
        users[role or "citizen"] = user
        if was_created:
            created.append(email)
    return DemoContext(
        agency=agency,
        admin=users[Role.ADMINISTRATOR],
        moderator=users[Role.MODERATOR],
        official=users[Role.OFFICIAL],
        citizen=users["citizen"],
        created=created,
    )
