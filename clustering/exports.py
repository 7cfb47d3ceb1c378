"""Open-data downloads: a Polis-format CSV zip and the analysis JSON.

Participants appear only by their pseudonym (the participant number, never an
account id or e-mail). The files are written with ``clustering/polis_io.py``
so that ``import_polis`` and the offline CLI read them back.
"""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Count, Q

from clustering import selectors
from clustering.math.types import Id
from clustering.models import (
    Conversation,
    Participant,
    Statement,
    StatementStatus,
    VoteHistory,
)
from clustering.polis_io import (
    CommentRecord,
    VoteRecord,
    participants_from_votes,
    write_comments,
    write_participants_votes,
    write_summary,
    write_votes,
)

MODERATED = {
    StatementStatus.ACCEPTED: 1,
    StatementStatus.PENDING: 0,
    StatementStatus.REJECTED: -1,
}


def _ms(value: Any) -> int:
    return int(value.timestamp() * 1000)


def licence_text(conversation: Conversation) -> str:
    licence = settings.AGORA_DATA_LICENCE
    lines = [
        f"{conversation.topic}",
        "",
        f"Licence: {licence['title']} ({licence['name']})",
        f"{licence['path']}",
        "",
        f"Source: {settings.SITE_URL}{conversation.get_absolute_url()}",
        "Participants are pseudonymous: each is a number, never an account.",
    ]
    if conversation.attribution:
        lines += ["", "Attribution:", conversation.attribution]
    if conversation.source_url:
        lines += ["", f"Original source: {conversation.source_url}"]
    return "\n".join(lines) + "\n"


def _groups(conversation: Conversation) -> dict[Id, int]:
    analysis = selectors.latest_analysis(conversation.pk, "positions")
    if analysis is None or not analysis.positions:
        return {}
    return {
        int(key[1:]): pos[2]
        for key, pos in analysis.positions.items()
        if pos[2] is not None
    }


def _comments(conversation: Conversation) -> tuple[list[CommentRecord], set[int]]:
    rows = (
        Statement.objects.filter(conversation=conversation)
        .annotate(
            n_agree=Count("votes", filter=Q(votes__value=1)),
            n_disagree=Count("votes", filter=Q(votes__value=-1)),
        )
        .values_list(
            "pk",
            "text",
            "created_at",
            "author_participant_id",
            "n_agree",
            "n_disagree",
            "status",
            "is_meta",
        )
        .order_by("pk")
    )
    comments = []
    meta: set[int] = set()
    for pk, text, created, author, agrees, disagrees, status, is_meta in rows:
        if status == StatementStatus.PENDING and conversation.strict_moderation:
            continue  # not public yet
        body = text if status != StatementStatus.REJECTED else ""
        comments.append(
            CommentRecord(
                tid=pk,
                body=body,
                timestamp=_ms(created),
                author=author,
                agrees=agrees,
                disagrees=disagrees,
                moderated=MODERATED[StatementStatus(status)],
                is_meta=is_meta,
            )
        )
        if is_meta:
            meta.add(pk)
    return comments, meta


def _add_meta_column(path: Path, meta: set[int]) -> None:
    """polis_io writes no is-meta column; add one (its reader understands it)."""
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        for i, row in enumerate(rows):
            if i == 0:
                w.writerow([*row, "is-meta"])
            else:
                w.writerow([*row, "1" if int(row[2]) in meta else "0"])


def polis_zip(conversation: Conversation) -> io.BytesIO:
    comments, meta = _comments(conversation)
    public = {c.tid for c in comments}
    votes = [
        VoteRecord(timestamp=_ms(at), tid=sid, pid=pid, vote=value)
        for pid, sid, value, at in VoteHistory.objects.filter(conversation=conversation)
        .order_by("created_at", "pk")
        .values_list("participant_id", "statement_id", "value", "created_at")
        .iterator(chunk_size=5000)
        if sid in public
    ]
    groups = _groups(conversation)
    participants = participants_from_votes(votes, groups, comments)
    n_groups = len(set(groups.values()))
    summary = [
        ("topic", conversation.topic),
        ("url", f"{settings.SITE_URL}{conversation.get_absolute_url()}"),
        ("voters", str(len(participants))),
        ("voters-in-conv", str(len(groups))),
        ("commenters", str(len({c.author for c in comments if c.author is not None}))),
        ("comments", str(len(comments))),
        ("groups", str(n_groups)),
        ("conversation-description", conversation.description),
        ("licence", settings.AGORA_DATA_LICENCE["path"]),
    ]
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_votes(root / "votes.csv", votes)
        write_comments(root / "comments.csv", comments)
        _add_meta_column(root / "comments.csv", meta)
        tids = sorted(public)
        write_participants_votes(root / "participants-votes.csv", participants, tids)
        write_summary(root / "summary.csv", summary)
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for name in (
                "votes.csv",
                "comments.csv",
                "participants-votes.csv",
                "summary.csv",
            ):
                zf.write(root / name, name)
            zf.writestr("LICENSE.txt", licence_text(conversation))
    buffer.seek(0)
    return buffer


def analysis_document(conversation: Conversation) -> dict[str, Any] | None:
    analysis = selectors.latest_analysis(conversation.pk, "result")
    if analysis is None or analysis.result is None:
        return None
    licence = settings.AGORA_DATA_LICENCE
    return {
        "conversation": conversation.pk,
        "analysis_id": analysis.pk,
        "computed_at": analysis.computed_at.isoformat(),
        "last_vote_at": analysis.last_vote_at.isoformat()
        if analysis.last_vote_at
        else None,
        "licence": {
            "name": licence["name"],
            "title": licence["title"],
            "url": licence["path"],
        },
        "attribution": conversation.attribution,
        "result": analysis.result,
    }


def participant_count(conversation: Conversation) -> int:
    return Participant.objects.filter(conversation=conversation).count()
