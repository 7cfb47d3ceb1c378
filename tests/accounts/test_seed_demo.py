from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings

from accounts import permissions as p
from accounts.models import Agency, User


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_seed_demo_is_idempotent_and_demo_accounts_can_log_in(capsys):
    call_command("seed_demo")
    counts = (User.objects.count(), Agency.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), Agency.objects.count()) == counts
    out = capsys.readouterr().out
    assert "admin@agora.test" in out and "agora-demo" in out

    for email in ["admin@agora.test", "moderator@agora.test", "official@agora.test",
                  "citizen@agora.test"]:  # fmt: skip
        client = Client()
        response = client.post(
            "/accounts/login/", {"login": email, "password": "agora-demo"}
        )
        assert response.status_code == 302, email

    assert p.is_admin(User.objects.get(email="admin@agora.test"))
    assert p.is_moderator(User.objects.get(email="moderator@agora.test"))
    official = User.objects.get(email="official@agora.test")
    assert p.is_official(official, Agency.objects.get())
    citizen = User.objects.get(email="citizen@agora.test")
    assert p.is_member(citizen) and not p.is_moderator(citizen)


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_seed_demo_refuses_with_debug_off():
    with pytest.raises(CommandError, match="only runs with DEBUG on"):
        call_command("seed_demo")
    assert not User.objects.exists()
