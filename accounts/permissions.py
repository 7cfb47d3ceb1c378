"""Role facts every app reuses. Pure predicates over a user (and an object).

Apps build their own ``can_<verb>_<noun>`` predicates from these. A user's
role names are read once per user object and cached on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accounts.roles import GROUP_NAMES, Role

if TYPE_CHECKING:
    from accounts.models import Agency


def _roles(user: Any) -> frozenset[Role]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_agora_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = frozenset(role for role, name in GROUP_NAMES.items() if name in names)
        user._agora_roles = cached
    return cached


def is_member(user: Any) -> bool:
    """Any active, logged-in account (the citizen role)."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def is_admin(user: Any) -> bool:
    if not is_member(user):
        return False
    return bool(user.is_superuser) or Role.ADMINISTRATOR in _roles(user)


def is_moderator(user: Any) -> bool:
    return is_admin(user) or Role.MODERATOR in _roles(user)


def is_official(user: Any, agency: Agency | int | None = None) -> bool:
    """An official (of ``agency`` when given). Officials need an agency."""
    if not is_member(user) or Role.OFFICIAL not in _roles(user):
        return False
    if user.agency_id is None:
        return False
    if agency is None:
        return True
    agency_id = agency if isinstance(agency, int) else agency.pk
    return bool(user.agency_id == agency_id)


def can_act_for_agency(user: Any, agency: Agency | int) -> bool:
    """Manage an agency's content: its officials, and administrators."""
    return is_admin(user) or is_official(user, agency)


def role_names(user: Any) -> list[str]:
    """Role labels for display (account menu)."""
    roles = [Role.ADMINISTRATOR] if is_admin(user) else []
    roles += [r for r in (Role.MODERATOR, Role.OFFICIAL) if r in _roles(user)]
    return [str(r) for r in roles]
