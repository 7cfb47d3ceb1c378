"""Roles are Django groups; each app declares the permissions its roles get.

An app's ``AppConfig`` may define ``role_permissions = {"moderator": [...],
"official": [...]}`` with ``"app_label.codename"`` strings. After every
``migrate``, :func:`sync_roles` makes sure the groups exist and hold exactly
those permissions (administrators get every permission).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.apps import apps
from django.contrib.auth.models import Group, Permission


class Role(StrEnum):
    MODERATOR = "moderator"
    OFFICIAL = "official"
    ADMINISTRATOR = "administrator"


GROUP_NAMES = {
    Role.MODERATOR: "Moderators",
    Role.OFFICIAL: "Officials",
    Role.ADMINISTRATOR: "Administrators",
}


def declared_permissions() -> dict[Role, set[str]]:
    declared: dict[Role, set[str]] = {role: set() for role in Role}
    for config in apps.get_app_configs():
        for role, perms in getattr(config, "role_permissions", {}).items():
            declared[Role(role)].update(perms)
    return declared


def _permissions(names: set[str]) -> list[Permission]:
    found: list[Permission] = []
    for name in sorted(names):
        app_label, codename = name.split(".", 1)
        found.extend(
            Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            )
        )
    return found


def sync_roles(**kwargs: Any) -> None:
    declared = declared_permissions()
    for role, group_name in GROUP_NAMES.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        if role is Role.ADMINISTRATOR:
            group.permissions.set(Permission.objects.all())
        else:
            group.permissions.set(_permissions(declared[role]))


def group_for(role: Role) -> Group:
    return Group.objects.get_or_create(name=GROUP_NAMES[role])[0]
