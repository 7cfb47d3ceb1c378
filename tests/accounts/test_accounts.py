"""Sign-up with a sector, log in, profiles, and e-mail privacy."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from accounts.models import Sector, User
from tests.factories import PASSWORD, UserFactory

SIGNUP = {
    "email": "amy@example.org",
    "display_name": "Amy Wu",
    "sector": "tech",
    "organisation": "g0v",
    "password1": "a-long-unusual-pass-phrase",
    "password2": "a-long-unusual-pass-phrase",
}


@pytest.mark.django_db
def test_sign_up_records_display_name_sector_and_organisation():
    response = Client().post("/accounts/signup/", SIGNUP)
    assert response.status_code == 302
    user = User.objects.get(email="amy@example.org")
    assert (user.display_name, user.sector, user.organisation) == (
        "Amy Wu",
        Sector.TECH,
        "g0v",
    )
    assert user.check_password(SIGNUP["password1"])


@pytest.mark.django_db
def test_sign_up_requires_a_sector_from_the_list():
    response = Client().post("/accounts/signup/", {**SIGNUP, "sector": "astronaut"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_display_name_may_not_be_an_email_address():
    response = Client().post(
        "/accounts/signup/", {**SIGNUP, "display_name": "amy@example.org"}
    )
    assert "please do not use an e-mail address" in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_sign_up_sends_a_verification_email():
    Client().post("/accounts/signup/", SIGNUP)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["amy@example.org"]


@pytest.mark.django_db
def test_log_in_with_email_and_password():
    UserFactory(email="bo@example.org")
    client = Client()
    response = client.post(
        "/accounts/login/", {"login": "bo@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/").context["user"].is_authenticated


@pytest.mark.django_db
def test_wrong_password_is_refused_with_a_message():
    UserFactory(email="bo@example.org")
    response = Client().post(
        "/accounts/login/", {"login": "bo@example.org", "password": "nope"}
    )
    assert response.status_code == 200
    assert "not correct" in response.content.decode()


@pytest.mark.django_db
def test_password_reset_sends_a_link():
    UserFactory(email="cy@example.org")
    Client().post("/accounts/password/reset/", {"email": "cy@example.org"})
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


@pytest.mark.django_db
def test_display_name_is_shown_and_email_never_appears_in_page_html():
    user = UserFactory(email="secret.person@example.org", display_name="Dee")
    client = Client()
    client.force_login(user)
    for url in ["/", "/plans/", "/sessions/", "/conversations/", "/open-data/",
                "/accounts/profile/"]:  # fmt: skip
        html = client.get(url).content.decode()
        assert "Dee" in html, url
        assert "secret.person@example.org" not in html, url


@pytest.mark.django_db
def test_profile_edit_changes_sector_and_validates_display_name():
    user = UserFactory()
    client = Client()
    client.force_login(user)
    response = client.post(
        "/accounts/profile/",
        {"display_name": "  New   Name ", "sector": "media", "organisation": ""},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.sector) == ("New Name", "media")

    response = client.post(
        "/accounts/profile/", {"display_name": "", "sector": "media"}
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.display_name == "New Name"


@pytest.mark.django_db
def test_profile_needs_login():
    response = Client().get("/accounts/profile/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
