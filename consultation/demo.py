"""Demo content: an Open Parliament Action Plan under public consultation.

``manage.py seed_demo`` calls :func:`seed`. Everything is built through the
services (publishing, comments, responses, moderation), then dates are moved
into the past so that the register's figures look like a real consultation.
Running it again changes nothing: the plan is looked up by its slug first.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from accounts.models import Sector, User
from consultation import services
from consultation.models import (
    Comment,
    Endorsement,
    ModerationAction,
    OfficialResponse,
    Plan,
    PlanStatus,
    PlanVersion,
)

if TYPE_CHECKING:
    from accounts.demo import DemoContext

SLUG = "open-parliament-action-plan"

PARTICIPANTS = [
    # (e-mail, display name, sector, organisation)
    ("hsu.ngo@agora.test", "Hsu Ya-ting", Sector.NGO, "Citizen Congress Watch"),
    ("tsai.tech@agora.test", "Tsai Ming", Sector.TECH, "g0v contributor"),
    ("lin.academia@agora.test", "Prof. Lin Hui-chen", Sector.ACADEMIA, "NCCU"),
    ("wu.business@agora.test", "Wu Jia-hao", Sector.BUSINESS, "Taipei Chamber"),
    ("kao.media@agora.test", "Kao Pei-shan", Sector.MEDIA, "Public Radio"),
    ("spam@agora.test", "Great Deals 4U", Sector.OTHER, ""),
]

VERSION_1 = """\
Taiwan's second Open Parliament Action Plan sets out what the Legislative Yuan
and the executive will do, between 2025 and 2028, to make law-making more
transparent, more participatory and more accountable. This draft is open for
public comment: comment on any section, and every comment will receive a
reasoned response.

## 1 Purpose {#purpose}

The plan follows the Open Government Partnership's commitment cycle. Each
commitment names the agency responsible for it and dated milestones, so that
progress can be followed on this site.

## 2 How this draft was prepared {#process}

The draft builds on four multistakeholder forums held in 2024 with civil
society organisations, academics, the technical community and media.

## 3 Commitments {#commitments}

### 3.1 Open legislative data
Agency: national-development-council
Milestone: 2025-12 Publish an inventory of legislative datasets
Milestone: 2026-06 Release bills, votes and committee records as open data

With the Legislative Yuan Secretariat, bills, amendments, roll-call votes and
committee records will be published as open data under an open licence, with a
documented API.

### 3.2 Open committee meetings
Agency: national-development-council
Milestone: 2026-03 Stream every committee meeting live
Milestone: 2026-09 Pilot questions from the public in two committees

Every committee meeting will be streamed live and archived. Two committees will
pilot taking questions from the public during hearings.

### 3.3 Lobbying transparency
Agency: national-development-council
Milestone: 2026-06 Publish lobbying registrations in a searchable register

Registrations and reports under the Lobbying Act will be published in a
searchable public register, updated monthly.

### 3.4 Plain-language bill summaries
Agency: national-development-council
Milestone: 2026-12 Summaries for every government bill

Every government bill will come with a one-page summary in plain language.

### 3.5 Participation in draft regulations
Agency: national-development-council
Milestone: 2025-10 Extend the public comment period for draft regulations to 60 days

Draft regulations will be open for comment online for at least 60 days, and
agencies will publish a response to the comments they receive.

## 4 Monitoring {#monitoring}

The National Development Council reports on progress every year.
"""

VERSION_2 = """\
Taiwan's second Open Parliament Action Plan sets out what the Legislative Yuan
and the executive will do, between 2025 and 2028, to make law-making more
transparent, more participatory and more accountable. This revised draft takes
account of the comments received on version 1; the response register explains
what was adopted and why.

## 1 Purpose {#purpose}

The plan follows the Open Government Partnership's commitment cycle. Each
commitment names the agency responsible for it and dated milestones, so that
progress can be followed on this site.

## 2 How this draft was prepared {#process}

The draft builds on four multistakeholder forums held in 2024 with civil
society organisations, academics, the technical community and media, and on
the public comments received on version 1.

## 3 Commitments {#commitments}

### 3.1 Open legislative data
Agency: national-development-council
Milestone: 2025-12 Publish an inventory of legislative datasets
Milestone: 2026-06 Release bills, votes and committee records as open data
Milestone: 2026-12 Publish bulk downloads updated daily

With the Legislative Yuan Secretariat, bills, amendments, roll-call votes and
committee records will be published as open data under an open licence, with a
documented API and daily bulk downloads.

### 3.2 Open committee meetings
Agency: national-development-council
Milestone: 2026-03 Stream every committee meeting live, with captions and sign language
Milestone: 2026-09 Pilot questions from the public in four committees
Milestone: 2027-03 Publish every public question with its answer within 30 days

Every committee meeting will be streamed live with captions and Taiwan Sign
Language interpretation, and archived. Four committees will pilot taking
questions from the public during hearings; each question and its answer will
be published within 30 days.

### 3.3 Lobbying transparency
Agency: national-development-council
Milestone: 2026-03 Publish lobbying registrations in a searchable register

Registrations and reports under the Lobbying Act will be published in a
searchable public register, updated weekly, and downloadable as open data.

### 3.5 Participation in draft regulations
Agency: national-development-council
Milestone: 2025-10 Extend the public comment period for draft regulations to 60 days

Draft regulations will be open for comment online for at least 60 days, and
agencies will publish a response to the comments they receive.

### 3.6 Youth participation
Agency: national-development-council
Milestone: 2026-08 Hold a youth forum on each commitment

A youth forum will review each commitment, and its conclusions will be
published with the agency's response.

## 4 Monitoring {#monitoring}

The National Development Council reports on progress every six months, and an
independent multistakeholder forum reviews the reports.
"""

CHANGES_2 = (
    "Version 2 answers the public comments on version 1: committee streams get "
    "captions and sign language and four committees (not two) pilot public "
    "questions, answered within 30 days (3.2); the lobbying register is updated "
    "weekly and published as open data (3.3); legislative data gets daily bulk "
    "downloads (3.1); a youth participation commitment is added (3.6); the plain-"
    "language summaries move into the Legislative Yuan's regular work and leave "
    "the plan (3.4); progress reports become half-yearly (4)."
)


def _participants() -> dict[str, User]:
    people = {}
    for email, name, sector, organisation in PARTICIPANTS:
        user, created = User.objects.get_or_create(
            email=email,
            defaults={
                "display_name": name,
                "sector": sector,
                "organisation": organisation,
            },
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        people[email.split("@")[0]] = user
    return people


def seed(context: DemoContext) -> None:
    if Plan.objects.filter(slug=SLUG).exists():
        return
    people = _participants()
    official, now = context.official, timezone.now()

    plan = services.create_plan(
        user=official,
        agency=context.agency,
        title="Open Parliament Action Plan 2025–2028",
        slug=SLUG,
        summary=(
            "Draft commitments for a more transparent and participatory "
            "parliament: open legislative data, open committee meetings, "
            "lobbying transparency and public participation in regulations."
        ),
        opens_at=now - timedelta(days=21),
        closes_at=now + timedelta(days=39),
    )
    v1 = services.publish_version(user=official, plan=plan, body=VERSION_1)
    services.update_plan(
        user=official,
        plan=plan,
        title=plan.title,
        summary=plan.summary,
        status=PlanStatus.OPEN,
        opens_at=plan.opens_at,
        closes_at=plan.closes_at,
    )

    def comment(
        user: User, key: str, body: str, stance: str = "", quote: str = ""
    ) -> Comment:
        return services.post_comment(
            user=user,
            plan=plan,
            section_key=key,
            body=body,
            stance=stance,
            quote=quote,
        )

    captions = comment(
        people["hsu.ngo"],
        "3.2",
        "Streaming is welcome, but without **captions and sign language** many "
        "people cannot follow a hearing. Please commit to both.",
        stance="concerns",
        quote="Every committee meeting will be streamed live and archived.",
    )
    questions = comment(
        people["lin.academia"],
        "3.2",
        "Two committees is a small pilot. Evidence from other parliaments "
        "suggests at least four, with every question and answer published.",
        stance="supports",
    )
    reply = services.post_comment(
        user=people["tsai.tech"],
        plan=plan,
        body="Agreed. The answers should be open data too, linked to the bill.",
        parent=questions,
    )
    lobbying = comment(
        people["kao.media"],
        "3.3",
        "Monthly updates are too slow for journalists covering a bill that "
        "moves in a week. Weekly at least, and downloadable.",
        stance="concerns",
    )
    data = comment(
        people["tsai.tech"],
        "3.1",
        "Please add bulk downloads next to the API: many civic projects need "
        "the whole dataset every day.",
        stance="supports",
    )
    summaries = comment(
        people["wu.business"],
        "3.4",
        "Plain-language summaries would help small businesses follow "
        "regulation that affects them.",
        stance="supports",
    )
    comment(
        context.citizen,
        "3.5",
        "Sixty days is good. Will agencies also say which comments changed the draft?",
        stance="neutral",
    )
    spam = comment(
        people["spam"], "monitoring", "Cheap watches!!! Visit our shop for great deals."
    )
    for user, target in [
        (context.citizen, captions),
        (people["lin.academia"], captions),
        (people["tsai.tech"], captions),
        (context.citizen, questions),
        (people["hsu.ngo"], lobbying),
        (people["kao.media"], data),
    ]:
        services.endorse_comment(user=user, comment=target)

    services.flag_comment(
        user=context.citizen, comment=spam, reason="spam", note="Advertising."
    )
    services.hide_comment(user=context.moderator, comment=spam, reason="spam")

    # The agency prepares version 2, answering the comments as it goes.
    services.save_draft_version(
        user=official, plan=plan, body=VERSION_2, change_summary=CHANGES_2
    )
    answers = [
        (
            captions,
            "adopted",
            "Agreed. Version 2 commits to captions and Taiwan Sign Language "
            "interpretation for every committee stream (milestone 2026-03).",
            2,
        ),
        (
            questions,
            "partly_adopted",
            "Four committees will take part in the pilot, and questions with "
            "their answers will be published within 30 days. Publishing them as "
            "open data will be considered with commitment 3.1.",
            2,
        ),
        (
            lobbying,
            "adopted",
            "The register will be updated weekly and published as open data.",
            2,
        ),
        (
            summaries,
            "out_of_scope",
            "The Legislative Yuan has decided to produce plain-language "
            "summaries as part of its regular work from 2026, so the "
            "commitment leaves this plan.",
            None,
        ),
        (
            data,
            "under_consideration",
            "We are assessing the cost of daily bulk downloads with the "
            "Secretariat and will report in the next version.",
            None,
        ),
    ]
    for target, disposition, text, version in answers:
        services.respond_to_comment(
            user=official,
            comment=target,
            disposition=disposition,
            body=text,
            addressed_in=version,
        )
    v2 = services.publish_version(user=official, plan=plan)
    services.respond_to_comment(
        user=official,
        comment=data,
        disposition="adopted",
        body="Daily bulk downloads are now milestone 2026-12 of commitment 3.1.",
        addressed_in=2,
    )
    comment(
        people["hsu.ngo"],
        "3.6",
        "Thank you for adding youth participation. Please include students "
        "from outside the big cities.",
        stance="supports",
    )

    # Spread the story over the past three weeks.
    day = timedelta(days=1)
    PlanVersion.objects.filter(pk=v1.pk).update(
        created_at=now - 22 * day, published_at=now - 21 * day
    )
    PlanVersion.objects.filter(pk=v2.pk).update(
        created_at=now - 6 * day, published_at=now - 3 * day
    )
    for age, target in [
        (19, captions), (18, questions), (17, reply), (16, lobbying),
        (15, data), (14, summaries), (12, spam),
    ]:  # fmt: skip
        Comment.objects.filter(pk=target.pk).update(created_at=now - age * day)
    Comment.objects.filter(
        plan=plan, section__version=v1, created_at__gte=now - 11 * day
    ).update(created_at=now - 11 * day)
    for index, response in enumerate(
        OfficialResponse.objects.filter(comment__plan=plan).order_by("pk")
    ):
        response.created_at = now - (8 - min(index, 5)) * day
        response.save(update_fields=["created_at"])
    Endorsement.objects.filter(comment__plan=plan).update(created_at=now - 10 * day)
    ModerationAction.objects.filter(comment=spam).update(created_at=now - 12 * day)
