"""Import a Polis export folder (statements, participants, votes, moderation).

Participants and statements keep their Polis ids as ``external_id`` and are
created in Polis id order, so the analysis sees the same rows and columns as
the offline CLI (``python -m clustering analyze``) and finds the same groups.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clustering.math.types import id_sort_key
from clustering.models import (
    Conversation,
    Participant,
    RejectionReason,
    Statement,
    StatementStatus,
    Vote,
    VoteHistory,
)
from clustering.polis_io import PolisExport, read_export
from clustering.services.analysis import ensure_schedule, note_change

POLIS_ATTRIBUTION = (
    "Data was gathered using the Polis software (compdemocracy.org/polis) and is "
    "sub-licensed under CC BY 4.0 with Attribution to The Computational Democracy "
    "Project."
)
BATCH = 5000

Progress = Callable[[str, int, int], None]


def _when(timestamp: int, seconds: bool) -> dt.datetime:
    value = timestamp if seconds else timestamp / 1000
    return dt.datetime.fromtimestamp(max(value, 0), tz=dt.UTC)


def _noop(step: str, done: int, total: int) -> None:
    return None


def import_export(
    folder: str | Path,
    *,
    title: str = "",
    slug: str | None = None,
    attribution: str | None = None,
    is_open: bool = False,
    progress: Progress = _noop,
) -> Conversation:
    """Create a conversation from a Polis export folder (one transaction)."""
    export = read_export(folder)
    summary = dict(export.summary)
    topic = (title or summary.get("topic") or Path(folder).name).strip()[:200]
    if slug and Conversation.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": [_("A conversation with this slug exists.")]})
    url = summary.get("url", "")
    if attribution is None:
        attribution = POLIS_ATTRIBUTION if "pol.is" in url else ""
    with transaction.atomic():
        conversation = Conversation.objects.create(
            topic=topic,
            slug=slug,
            description=summary.get("conversation-description", ""),
            is_open=is_open,
            # Polis's math ignores strict moderation; unmoderated statements
            # take part, so they are shown here too.
            strict_moderation=False,
            source_url=url[:200] if url.startswith(("http://", "https://")) else "",
            attribution=attribution,
        )
        ensure_schedule(conversation.pk)
        tids = _statements(conversation, export, progress)
        pids = _participants(conversation, export, progress)
        _votes(conversation, export, tids, pids, progress)
        note_change(conversation.pk)
    return conversation


def _statements(
    conversation: Conversation, export: PolisExport, progress: Progress
) -> dict[Any, int]:
    seconds = export.timestamps_in_seconds
    comments = {c.tid: c for c in export.comments}
    all_tids = sorted(set(comments) | {v.tid for v in export.votes}, key=id_sort_key)
    rows = []
    for tid in all_tids:
        c = comments.get(tid)
        if c is None:
            status, text, when, meta = StatementStatus.PENDING, "", 0, False
        else:
            status = (
                StatementStatus.ACCEPTED
                if c.moderated > 0
                else StatementStatus.REJECTED
                if c.moderated < 0
                else StatementStatus.PENDING
            )
            text, when, meta = c.body, c.timestamp, c.is_meta
        rows.append(
            Statement(
                conversation=conversation,
                text=text or _("(text not in the export)"),
                status=status,
                rejection_reason=RejectionReason.OTHER
                if status == StatementStatus.REJECTED
                else "",
                moderation_note=_("Rejected in the original conversation")
                if status == StatementStatus.REJECTED
                else "",
                is_meta=meta,
                external_id=str(tid),
                created_at=_when(when, seconds),
            )
        )
    progress(_("statements"), 0, len(rows))
    Statement.objects.bulk_create(rows, batch_size=BATCH)
    progress(_("statements"), len(rows), len(rows))
    created = (
        Statement.objects.filter(conversation=conversation)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return dict(zip(all_tids, created, strict=True))


def _participants(
    conversation: Conversation, export: PolisExport, progress: Progress
) -> dict[Any, int]:
    pids = {v.pid for v in export.votes} | {
        c.author for c in export.comments if c.author is not None
    }
    ordered = sorted(pids, key=id_sort_key)
    progress(_("participants"), 0, len(ordered))
    Participant.objects.bulk_create(
        [Participant(conversation=conversation, external_id=str(p)) for p in ordered],
        batch_size=BATCH,
    )
    progress(_("participants"), len(ordered), len(ordered))
    created = (
        Participant.objects.filter(conversation=conversation)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    mapping = dict(zip(ordered, created, strict=True))
    authors = {
        str(c.tid): mapping[c.author] for c in export.comments if c.author is not None
    }
    statements = list(
        Statement.objects.filter(conversation=conversation, external_id__in=authors)
    )
    for statement in statements:
        statement.author_participant_id = authors[str(statement.external_id)]
    Statement.objects.bulk_update(statements, ["author_participant"], batch_size=BATCH)
    return mapping


def _votes(
    conversation: Conversation,
    export: PolisExport,
    tids: dict[Any, int],
    pids: dict[Any, int],
    progress: Progress,
) -> None:
    seconds = export.timestamps_in_seconds
    ordered = sorted(export.votes, key=lambda v: v.timestamp)
    total = len(ordered)
    latest: dict[tuple[int, int], tuple[int, int, int]] = {}
    history: list[VoteHistory] = []
    done = 0
    for v in ordered:
        key = (pids[v.pid], tids[v.tid])
        previous = latest.get(key)
        created = previous[1] if previous else v.timestamp
        latest[key] = (v.vote, created, v.timestamp)
        history.append(
            VoteHistory(
                conversation=conversation,
                participant_id=key[0],
                statement_id=key[1],
                value=v.vote,
                previous_value=previous[0] if previous else None,
                created_at=_when(v.timestamp, seconds),
            )
        )
        if len(history) >= BATCH:
            VoteHistory.objects.bulk_create(history)
            done += len(history)
            history = []
            progress(_("votes"), done, total * 2)
    VoteHistory.objects.bulk_create(history)
    done += len(history)
    progress(_("votes"), done, total * 2)
    batch: list[Vote] = []
    for (pid, sid), (value, created, updated) in latest.items():
        batch.append(
            Vote(
                conversation=conversation,
                participant_id=pid,
                statement_id=sid,
                value=value,
                created_at=_when(created, seconds),
                updated_at=_when(updated, seconds),
            )
        )
        if len(batch) >= BATCH:
            Vote.objects.bulk_create(batch)
            done += len(batch)
            batch = []
            progress(_("votes"), min(done, total * 2), total * 2)
    Vote.objects.bulk_create(batch)
    progress(_("votes"), total * 2, total * 2)
