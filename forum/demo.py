"""Demo forum sessions for ``manage.py seed_demo`` (idempotent, by slug).

A live session about the demo plan (agenda, stream, moderated questions with
upvotes, one being answered) and a past one with minutes and a recording.
State is built through the real services, so the demo has its events and
counts like real data.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from consultation.demo import SLUG as PLAN_SLUG
from consultation.models import Plan
from forum import services
from forum.models import AgendaItem, ForumSession
from forum.participants import Participant

LIVE_SLUG = "ogp-action-plan-forum-live"
PAST_SLUG = "ogp-co-creation-kickoff"

MINUTES = """\
## Summary

The kick-off brought together 14 civil-society organisations, 6 ministries and
academic partners to agree how the next Open Government National Action Plan
will be co-created.

## Decisions

1. Commitments are drafted in the open on Agora; every comment receives a
   reasoned official response.
2. Three thematic forums follow: **open data**, **public integrity** and
   **civic participation**.
3. Minutes and recordings of every forum are published within a week.

## Next steps

| what | who | when |
|---|---|---|
| Publish the first draft | National Development Council | 2 weeks |
| Call for thematic co-chairs | Civil-society caucus | 1 month |
"""


def _member(user: Any) -> Participant:
    return Participant(user=user, key=f"user:{user.pk}")


def _guest(n: int) -> Participant:
    return Participant(user=AnonymousUser(), key=f"guest:demo-{n}")


def seed(context: Any) -> None:
    now = timezone.now()
    if not ForumSession.objects.filter(slug=PAST_SLUG).exists():
        past = ForumSession.objects.create(
            slug=PAST_SLUG,
            title="Co-creation kick-off for the National Action Plan",
            description=(
                "How government and civil society will write the next Open "
                "Government National Action Plan together."
            ),
            agency=context.agency,
            starts_at=now - timedelta(days=14, hours=2),
            ends_at=now - timedelta(days=14),
            stream_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        )
        past.moderators.add(context.moderator)
        AgendaItem.objects.create(session=past, position=1, title="Welcome")
        AgendaItem.objects.create(session=past, position=2, title="Co-creation rules")
        services.set_session_status(
            session_id=past.pk, user=context.moderator, status="live"
        )
        services.ask_question(
            session_id=past.pk,
            participant=_member(context.citizen),
            body="Will the drafts be open for comment by section?",
        )
        services.set_session_status(
            session_id=past.pk, user=context.moderator, status="ended"
        )
        services.publish_minutes(
            session_id=past.pk,
            user=context.moderator,
            minutes=MINUTES,
            recording_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        )
        context.created.append(f"forum session {PAST_SLUG}")

    plan = Plan.objects.filter(slug=PLAN_SLUG).first()
    if ForumSession.objects.filter(slug=LIVE_SLUG).exists():
        if plan is not None:  # databases seeded before sessions linked to plans
            ForumSession.objects.filter(slug=LIVE_SLUG, plan__isnull=True).update(
                plan=plan
            )
        return
    live = ForumSession.objects.create(
        slug=LIVE_SLUG,
        title="Open data commitments: multistakeholder forum",
        description=(
            "Ministries, civil society, businesses and academia discuss the open "
            "data commitments of the draft action plan. Ask your questions and "
            "upvote the ones you want answered."
        ),
        agency=context.agency,
        plan=plan,
        starts_at=now - timedelta(minutes=30),
        ends_at=now + timedelta(hours=1, minutes=30),
        stream_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        premoderation=True,
        allow_anonymous=True,
        login_required=False,
    )
    live.moderators.add(context.moderator)
    items = [
        AgendaItem.objects.create(
            session=live, position=n, title=title, duration_minutes=minutes
        )
        for n, (title, minutes) in enumerate(
            [
                ("Opening and ground rules", 10),
                ("Commitment 1: high-value datasets", 30),
                ("Commitment 2: open procurement data", 30),
                ("Open questions and next steps", 20),
            ],
            start=1,
        )
    ]
    services.set_session_status(
        session_id=live.pk, user=context.moderator, status="live"
    )
    services.set_current_agenda_item(
        session_id=live.pk, user=context.moderator, item_id=items[1].pk
    )
    citizen, official = _member(context.citizen), _member(context.official)
    asked = [
        (citizen, "Which datasets are released first, and who decides?", False, 1),
        (official, "How will agencies be helped to publish machine-readable data?",
         False, 1),
        (_guest(1), "Will procurement data include subcontractors?", False, 2),
        (citizen, "Can the public suggest datasets once the plan is adopted?", True,
         None),
        (_guest(2), "Is there a deadline for the open data portal upgrade?", False,
         None),
    ]  # fmt: skip
    questions = [
        services.ask_question(
            session_id=live.pk,
            participant=participant,
            body=body,
            anonymous=anonymous,
            agenda_item_id=items[item].pk if item is not None else None,
        )
        for participant, body, anonymous, item in asked
    ]
    for question in questions[:4]:
        services.moderate_question(
            question_id=question.pk, user=context.moderator, action="approve"
        )
    for n, question in enumerate(questions[:4]):
        for voter in range(6 - n):
            services.set_upvote(
                question_id=question.pk, participant=_guest(10 + voter), upvoted=True
            )
    services.moderate_question(
        question_id=questions[0].pk, user=context.moderator, action="highlight"
    )
    context.created.append(f"forum session {LIVE_SLUG}")
