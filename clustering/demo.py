"""Demo conversation for ``manage.py seed_demo`` (idempotent, by slug).

About the demo plan: ~40 statements, 300 synthetic participants with
stakeholder sectors, votes drawn from three latent opinion groups, analysed a
few times so that the report has a history. Everything is bulk-inserted so the
seed stays fast.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.db.models import F
from django.utils import timezone

from accounts.models import Sector, User
from clustering.models import (
    Analysis,
    AnalysisSchedule,
    Conversation,
    FlagReason,
    Participant,
    Statement,
    StatementFlag,
    StatementStatus,
    Vote,
    VoteHistory,
)
from clustering.services.analysis import ensure_schedule, run_analysis
from consultation.demo import SLUG as PLAN_SLUG
from consultation.models import Plan
from forum.demo import LIVE_SLUG as SESSION_SLUG
from forum.models import ForumSession

SLUG = "open-parliament-priorities"
N_PARTICIPANTS = 300

# (text, agree probability for latent groups: openness, caution, delivery)
STATEMENTS: list[tuple[str, tuple[float, float, float]]] = [
    (
        "Every committee meeting should be streamed live and archived.",
        (0.95, 0.55, 0.7),
    ),
    (
        "Draft bills should be published for comment before the first reading.",
        (0.95, 0.6, 0.5),
    ),
    (
        "Lobbyists' meetings with legislators should be listed in a public register.",
        (0.95, 0.4, 0.45),
    ),
    ("Voting records of every legislator should be open data.", (0.95, 0.5, 0.75)),
    (
        "Publishing more data matters less than making it understandable.",
        (0.35, 0.8, 0.85),
    ),
    ("Citizens' personal data in petitions must never be published.", (0.6, 0.98, 0.7)),
    ("The action plan tries to do too much in four years.", (0.15, 0.7, 0.85)),
    ("Each commitment needs a named official who answers for it.", (0.8, 0.65, 0.95)),
    ("Civil society should co-chair the plan's steering group.", (0.95, 0.35, 0.4)),
    (
        "Budget documents should be published in machine-readable formats.",
        (0.95, 0.55, 0.9),
    ),
    ("Open data portals are rarely used by ordinary citizens.", (0.3, 0.75, 0.7)),
    ("Online consultations exclude people without internet access.", (0.45, 0.9, 0.5)),
    ("Public hearings should also be held outside the capital.", (0.85, 0.75, 0.45)),
    ("Legislators' asset declarations should be searchable online.", (0.95, 0.35, 0.6)),
    ("Transparency rules should not slow down urgent legislation.", (0.15, 0.45, 0.95)),
    ("An independent body should monitor progress on the plan.", (0.9, 0.7, 0.55)),
    ("Progress reports should be published every six months.", (0.85, 0.6, 0.9)),
    ("Plain-language summaries should accompany every bill.", (0.9, 0.85, 0.75)),
    (
        "Petitions with 5,000 signatures should get a committee hearing.",
        (0.9, 0.4, 0.45),
    ),
    (
        "Security concerns justify keeping some committee records closed.",
        (0.1, 0.85, 0.6),
    ),
    (
        "Parliament should adopt open-source software for its systems.",
        (0.85, 0.45, 0.35),
    ),
    ("Indigenous languages should be used in public consultations.", (0.8, 0.85, 0.5)),
    (
        "Local governments should follow the same transparency standards.",
        (0.9, 0.55, 0.6),
    ),
    (
        "Public participation should be measured by its impact, not by numbers.",
        (0.7, 0.85, 0.8),
    ),
    ("Anonymous comments lower the quality of public debate.", (0.25, 0.7, 0.6)),
    ("Schools should teach how parliament works using real bills.", (0.85, 0.8, 0.6)),
    ("Legislative data should have a stable API for developers.", (0.95, 0.4, 0.85)),
    ("Funding for the plan should come from existing budgets only.", (0.2, 0.6, 0.9)),
    ("Journalists need faster answers to information requests.", (0.95, 0.5, 0.55)),
    (
        "A single portal for all consultations would help participation.",
        (0.75, 0.7, 0.9),
    ),
    (
        "Whistle-blowers in public bodies need stronger legal protection.",
        (0.95, 0.6, 0.45),
    ),
    (
        "The plan should include measurable targets for every commitment.",
        (0.8, 0.7, 0.98),
    ),
    ("Meetings of the steering group should be open to observers.", (0.95, 0.45, 0.5)),
    (
        "Digital participation tools must meet accessibility standards.",
        (0.85, 0.95, 0.75),
    ),
    ("Businesses should be consulted separately from citizens.", (0.15, 0.4, 0.85)),
    ("Officials should respond to every comment on a draft plan.", (0.85, 0.6, 0.35)),
    (
        "Too much transparency makes compromise between parties harder.",
        (0.1, 0.75, 0.6),
    ),
    ("Young people should have a reserved seat in the forum.", (0.8, 0.6, 0.35)),
    ("Data about contracts should name the companies that win them.", (0.95, 0.5, 0.7)),
    ("This conversation is a useful way to shape the action plan.", (0.85, 0.7, 0.8)),
]
PENDING = [
    "Committee agendas should be published a week in advance.",
    "Translation of key documents into English would help foreign investors.",
]

# Which sectors people of each latent group mostly come from.
SECTOR_MIX: list[list[tuple[str, int]]] = [
    [(Sector.NGO, 5), (Sector.TECH, 4), (Sector.CITIZEN, 4), (Sector.MEDIA, 2),
     (Sector.ACADEMIA, 2), (Sector.ISSUE_GROUP, 2)],
    [(Sector.CITIZEN, 5), (Sector.GOVERNMENT, 4), (Sector.EDUCATION, 2),
     (Sector.ACADEMIA, 2), (Sector.OTHER, 1)],
    [(Sector.BUSINESS, 5), (Sector.GOVERNMENT, 3), (Sector.INVESTOR, 2),
     (Sector.SOCIAL_ENTERPRISE, 2), (Sector.CITIZEN, 2), (Sector.TECH, 2)],
]  # fmt: skip


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    values, weights = zip(*weighted, strict=True)
    return str(rng.choices(values, weights=weights, k=1)[0])


def seed(context: Any) -> None:
    plan = Plan.objects.filter(slug=PLAN_SLUG).first()
    session = ForumSession.objects.filter(slug=SESSION_SLUG).first()
    if Conversation.objects.filter(slug=SLUG).exists():
        # Databases seeded before conversations linked by foreign key.
        Conversation.objects.filter(slug=SLUG, plan__isnull=True).update(plan=plan)
        Conversation.objects.filter(slug=SLUG, session__isnull=True).update(
            session=session
        )
        return
    rng = random.Random(2026)  # noqa: S311 - reproducible demo data
    now = timezone.now()
    start = now - timedelta(days=6)
    conversation = Conversation.objects.create(
        slug=SLUG,
        topic="What should the Open Parliament Action Plan prioritise?",
        description=(
            "Vote on short statements about the draft Open Parliament Action Plan "
            "and add your own. Officials read the opinion groups, the common ground "
            "and the divides before the next version of the plan."
        ),
        agency=context.agency,
        created_by=context.moderator,
        plan=plan,
        session=session,
        created_at=start,
    )
    ensure_schedule(conversation.pk)
    statements = Statement.objects.bulk_create(
        [
            Statement(
                conversation=conversation,
                text=text,
                author=context.moderator,
                status=StatementStatus.ACCEPTED,
                is_seed=True,
                is_meta=i == len(STATEMENTS) - 1,
                moderated_by=context.moderator,
                moderated_at=start,
                created_at=start,
            )
            for i, (text, _p) in enumerate(STATEMENTS)
        ]
    )
    users = User.objects.bulk_create(
        [
            User(
                email=f"demo-participant-{n}@agora.test",
                display_name=f"Participant {n}",
                sector=_pick(rng, SECTOR_MIX[n % 3]),
                password="!demo-participant-no-login",  # noqa: S106 - unusable
            )
            for n in range(N_PARTICIPANTS)
        ]
    )
    participants = Participant.objects.bulk_create(
        [
            Participant(
                conversation=conversation,
                user=u,
                created_at=start + timedelta(minutes=20 * n),
            )
            for n, u in enumerate(users)
        ]
    )
    # Votes arrive over four days; analyse after each day for the history.
    days: list[list[Vote]] = [[] for _ in range(4)]
    for n, participant in enumerate(participants):
        group = n % 3
        day = min(3, n * 4 // N_PARTICIPANTS)
        for statement, (_text, probs) in zip(statements, STATEMENTS, strict=True):
            if rng.random() > 0.7:
                continue
            p = probs[group]
            roll = rng.random()
            value = 1 if roll < p * 0.9 else (0 if roll < p * 0.9 + 0.12 else -1)
            when = start + timedelta(days=day, minutes=rng.randrange(0, 1440))
            days[day].append(
                Vote(
                    conversation=conversation,
                    participant=participant,
                    statement=statement,
                    value=value,
                    created_at=when,
                    updated_at=when,
                )
            )
    for day, batch in enumerate(days):
        Vote.objects.bulk_create(batch)
        VoteHistory.objects.bulk_create(
            VoteHistory(
                conversation=conversation,
                participant=v.participant,
                statement=v.statement,
                value=v.value,
                created_at=v.created_at,
            )
            for v in batch
        )
        AnalysisSchedule.objects.filter(pk=conversation.pk).update(
            changes=F("changes") + 1
        )
        outcome = run_analysis(conversation.pk, force=True)
        if outcome.analysis_id is None:
            continue
        Analysis.objects.filter(pk=outcome.analysis_id).update(
            computed_at=start + timedelta(days=day + 1)
        )
    Statement.objects.bulk_create(
        [
            Statement(
                conversation=conversation,
                text=text,
                author=users[i],
                author_participant=participants[i],
                status=StatementStatus.PENDING,
            )
            for i, text in enumerate(PENDING)
        ]
    )
    StatementFlag.objects.create(
        statement=statements[24],
        participant=participants[5],
        reason=FlagReason.OFF_TOPIC,
        note="Not about the action plan.",
    )
