"""Role predicates, as a table: every role × every predicate."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Group

from accounts import permissions as p
from accounts.roles import GROUP_NAMES, Role
from tests.factories import AgencyFactory, make_user

ROLES = ["anonymous", "citizen", "moderator", "official", "other_official", "admin"]

# role: (is_member, is_moderator, is_official, official of agency A, admin,
#        can act for agency A)
EXPECTED = {
    "anonymous": (False, False, False, False, False, False),
    "citizen": (True, False, False, False, False, False),
    "moderator": (True, True, False, False, False, False),
    "official": (True, False, True, True, False, True),
    "other_official": (True, False, True, False, False, False),
    "admin": (True, True, False, False, True, True),
}


@pytest.fixture
def agency_a(db):
    return AgencyFactory(slug="agency-a")


def build(role: str, agency_a):
    if role == "anonymous":
        return AnonymousUser()
    if role == "citizen":
        return make_user()
    if role == "moderator":
        return make_user(Role.MODERATOR)
    if role == "official":
        return make_user(Role.OFFICIAL, agency=agency_a)
    if role == "other_official":
        return make_user(Role.OFFICIAL, agency=AgencyFactory(slug="agency-b"))
    return make_user(Role.ADMINISTRATOR)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_role_predicates(role, agency_a):
    user = build(role, agency_a)
    actual = (
        p.is_member(user),
        p.is_moderator(user),
        p.is_official(user),
        p.is_official(user, agency_a),
        p.is_admin(user),
        p.can_act_for_agency(user, agency_a),
    )
    assert actual == EXPECTED[role]


@pytest.mark.django_db
def test_inactive_accounts_have_no_role():
    user = make_user(Role.MODERATOR)
    user.is_active = False
    user.save()
    assert not p.is_member(user)
    assert not p.is_moderator(user)


@pytest.mark.django_db
def test_official_role_without_agency_is_not_an_official():
    user = make_user()
    user.groups.add(Group.objects.get(name=GROUP_NAMES[Role.OFFICIAL]))
    assert not p.is_official(user)


@pytest.mark.django_db
def test_roles_are_groups_with_declared_permissions():
    assert set(Group.objects.values_list("name", flat=True)) >= set(
        GROUP_NAMES.values()
    )
    officials = Group.objects.get(name=GROUP_NAMES[Role.OFFICIAL])
    assert officials.permissions.filter(codename="view_agency").exists()
    admins = Group.objects.get(name=GROUP_NAMES[Role.ADMINISTRATOR])
    assert admins.permissions.filter(codename="change_user").exists()
