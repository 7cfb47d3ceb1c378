"""Official responses, the author's notification, and the response register."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time

from accounts.models import Notification, Sector
from consultation import services
from consultation.models import OfficialResponse
from tests.consultation.conftest import publish_v2
from tests.factories import UserFactory


@pytest.fixture
def ada(db):
    return UserFactory(
        display_name="Ada", sector=Sector.NGO, email="ada.private@example.org"
    )


def comment_on(plan, user, key="3.2", body="Please add captions."):
    return services.post_comment(user=user, plan=plan, section_key=key, body=body)


def test_an_official_responds_and_the_author_is_notified(
    ada, plan, official, django_capture_on_commit_callbacks
):
    comment = comment_on(plan, ada)
    services.save_draft_version(user=official, plan=plan, body="## 3.2 X\n\ny")
    with django_capture_on_commit_callbacks(execute=True):
        response = services.respond_to_comment(
            user=official,
            comment=comment,
            disposition="adopted",
            body="Agreed: captions in **version 2**.",
            addressed_in=2,
        )
    assert response.agency == plan.agency
    assert (
        response.body_html == "<p>Agreed: captions in <strong>version 2</strong>.</p>"
    )
    assert response.addressed_in.number == 2

    notification = Notification.objects.get(recipient=ada)
    assert notification.kind == "consultation.response"
    assert "Ministry of Data responded to your comment on section 3.2" in (
        notification.title
    )
    assert notification.url == f"/comments/{comment.pk}/"
    assert notification.read_at is None

    (email,) = mail.outbox
    assert email.to == ["ada.private@example.org"]
    assert "Open Parliament Action Plan" in email.subject
    assert "Disposition: Adopted" in email.body
    assert f"/comments/{comment.pk}/" in email.body


def test_no_email_is_sent_if_the_transaction_rolls_back(
    ada, plan, official, django_capture_on_commit_callbacks
):
    comment = comment_on(plan, ada)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.respond_to_comment(
            user=official, comment=comment, disposition="adopted", body="Yes."
        )
    assert len(callbacks) == 1 and mail.outbox == []


def test_responses_are_for_officials_of_the_plans_agency(
    ada, plan, other_official, moderator
):
    comment = comment_on(plan, ada)
    for user in (ada, other_official, moderator):
        with pytest.raises(PermissionDenied):
            services.respond_to_comment(
                user=user, comment=comment, disposition="adopted", body="Yes."
            )


def test_admins_respond_for_the_plans_agency(ada, plan, admin_user):
    comment = comment_on(plan, ada)
    response = services.respond_to_comment(
        user=admin_user, comment=comment, disposition="out_of_scope", body="No."
    )
    assert response.agency == plan.agency


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"disposition": "maybe"}, "disposition"),
        ({"body": " "}, "body"),
        ({"addressed_in": 1}, "addressed_in"),  # the version commented on
        ({"addressed_in": 7}, "addressed_in"),  # no such version
    ],
)
def test_invalid_responses_are_refused_field_by_field(ada, plan, official, data, field):
    comment = comment_on(plan, ada)
    values = {"disposition": "adopted", "body": "Yes.", **data}
    with pytest.raises(ValidationError) as caught:
        services.respond_to_comment(user=official, comment=comment, **values)
    assert field in caught.value.message_dict


def test_replies_are_not_answered_officially(ada, plan, official):
    root = comment_on(plan, ada)
    reply = services.post_comment(
        user=UserFactory(), plan=plan, body="Reply", parent=root
    )
    with pytest.raises(PermissionDenied, match="not to replies"):
        services.respond_to_comment(
            user=official, comment=reply, disposition="adopted", body="x"
        )


def test_a_later_response_supersedes_the_earlier_one(ada, plan, official):
    comment = comment_on(plan, ada)
    services.respond_to_comment(
        user=official, comment=comment, disposition="under_consideration", body="Soon."
    )
    publish_v2(plan, official)
    services.respond_to_comment(
        user=official,
        comment=comment,
        disposition="adopted",
        body="Done.",
        addressed_in=2,
    )
    page = Client().get(f"/plans/{plan.slug}/").content.decode()
    assert page.index("Adopted") < page.index("Earlier responses")
    assert "Soon." in page  # still on record
    assert OfficialResponse.objects.filter(comment=comment).count() == 2


def test_the_respond_form(ada, plan, official):
    comment = comment_on(plan, ada)
    publish_v2(plan, official)
    client = Client()
    client.force_login(official)
    url = f"/comments/{comment.pk}/respond/"
    page = client.get(url)
    assert page.status_code == 200
    assert "Version 2" in page.content.decode()
    bad = client.post(url, {"disposition": "adopted", "body": ""})
    assert bad.status_code == 400
    good = client.post(
        url, {"disposition": "partly_adopted", "body": "Partly.", "addressed_in": "2"}
    )
    assert good.status_code == 302
    response = OfficialResponse.objects.get()
    assert (response.disposition, response.addressed_in.number) == ("partly_adopted", 2)


# --- Register ---------------------------------------------------------------------


def build_register(plan, official):
    start = timezone.now() - timedelta(days=10)
    plan.opens_at = start - timedelta(days=1)
    plan.save(update_fields=["opens_at"])
    ngo = UserFactory(display_name="NGO person", sector=Sector.NGO, email="n@x.org")
    tech = UserFactory(display_name="Tech person", sector=Sector.TECH, email="t@x.org")
    with freeze_time(start):
        a = comment_on(plan, ngo, "3.2", "Captions please")
        b = comment_on(plan, tech, "3.1", '=HYPERLINK("http://evil")')
        c = comment_on(plan, tech, "3.2", "Sign language too")
        services.post_comment(user=ngo, plan=plan, body="+1", parent=a)
    with freeze_time(start + timedelta(days=2)):
        services.respond_to_comment(
            user=official, comment=a, disposition="adopted", body="Yes"
        )
    with freeze_time(start + timedelta(days=6)):
        services.respond_to_comment(
            user=official, comment=b, disposition="not_adopted", body="No"
        )
    return a, b, c


def test_register_summary_counts_and_timings(plan, official):
    build_register(plan, official)
    page = Client().get(f"/plans/{plan.slug}/register/")
    assert page.status_code == 200
    summary = page.context["summary"]
    assert (summary.comments, summary.replies, summary.responded) == (3, 1, 2)
    assert summary.response_rate == pytest.approx(66.7)
    assert summary.median_days == 4.0  # 2 and 6 days
    assert {c: n for c, _l, n in summary.by_disposition} == {
        "adopted": 1,
        "partly_adopted": 0,
        "not_adopted": 1,
        "under_consideration": 0,
        "out_of_scope": 0,
    }
    assert summary.by_section == [("3.1", 1, 1), ("3.2", 3, 1)]
    assert {c: n for c, _l, n in summary.by_sector} == {"ngo": 2, "tech": 2}
    html = page.content.decode()
    assert "66.7%" in html and "Civil society / NGO" in html


def test_register_csv_lists_each_comment_with_its_disposition(plan, official):
    a, _b, _c = build_register(plan, official)
    response = Client().get(f"/plans/{plan.slug}/register.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 4
    first = rows[0]
    assert first["comment_id"] == str(a.pk)
    assert (first["section"], first["author"], first["sector"]) == (
        "3.2",
        "NGO person",
        "ngo",
    )
    assert (first["disposition"], first["response"]) == ("adopted", "Yes")
    assert first["responding_agency"] == "Ministry of Data"
    # Spreadsheet formulas are neutralised.
    assert rows[1]["comment"] == '\'=HYPERLINK("http://evil")'
    assert rows[3]["in_reply_to"] == str(a.pk)
    assert "n@x.org" not in response.content.decode()


def test_register_json_has_the_licence_summary_and_comments(plan, official):
    a, *_ = build_register(plan, official)
    data = Client().get(f"/plans/{plan.slug}/register.json").json()
    assert data["licence"]["name"] == "CC-BY-4.0"
    assert data["summary"]["response_rate_percent"] == pytest.approx(66.7)
    assert data["summary"]["median_days_to_respond"] == 4.0
    assert data["comments"][0]["comment_id"] == a.pk
    assert data["comments"][0]["disposition"] == "adopted"
    assert "email" not in str(data)


def test_hidden_and_withdrawn_comments_keep_their_row_without_content(
    plan, official, moderator
):
    _a, b, c = build_register(plan, official)
    services.hide_comment(user=moderator, comment=b, reason="spam")
    services.withdraw_comment(user=c.author, comment=c)
    data = Client().get(f"/plans/{plan.slug}/register.json").json()
    rows = {row["comment_id"]: row for row in data["comments"]}
    assert rows[b.pk]["status"] == "hidden" and rows[b.pk]["comment"] == ""
    assert rows[b.pk]["author"] == ""
    assert rows[c.pk]["status"] == "withdrawn" and rows[c.pk]["comment"] == ""
    assert data["summary"]["comments"] == 1
