"""Websocket group names and payload builders (JSON-native dicts with a type)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse


def conversation_group(conversation_id: int) -> str:
    return f"clustering.conversation.{conversation_id}"


def moderator_group(conversation_id: int) -> str:
    return f"clustering.moderators.{conversation_id}"


def analysis_summary(analysis: Any, *, public: bool) -> dict[str, Any]:
    """What every open page learns about a new analysis.

    Figures are left out for conversations whose results are private; pages
    allowed to see them fetch the data URL, which checks permissions.
    """
    cid = analysis.conversation_id
    data: dict[str, Any] = {
        "id": analysis.pk,
        "computed_at": analysis.computed_at.isoformat(),
        "report_data_url": reverse("clustering:report_data", args=[cid]),
        "standing_url": reverse("clustering:standing", args=[cid]),
    }
    if public:
        data.update(
            {
                "n_votes": analysis.n_votes,
                "n_participants": analysis.n_participants,
                "n_clustered": analysis.n_clustered,
                "k": analysis.k,
            }
        )
    return data


def analysis_event(analysis: Any, *, public: bool) -> dict[str, Any]:
    return {"type": "analysis", "analysis": analysis_summary(analysis, public=public)}


def status_event(*, updating: bool, failed: bool) -> dict[str, Any]:
    return {"type": "status", "updating": updating, "failed": failed}


def snapshot_event(
    analysis: Any | None, *, public: bool, updating: bool, failed: bool
) -> dict[str, Any]:
    return {
        "type": "snapshot",
        "analysis": (
            analysis_summary(analysis, public=public) if analysis is not None else None
        ),
        "updating": updating,
        "failed": failed,
    }


def statement_event(statement: Any) -> dict[str, Any]:
    """Moderators' queue: a statement arrived or changed status."""
    return {
        "type": "statement",
        "statement": {"id": statement.pk, "status": statement.status},
    }


def error_event(code: str, message: str) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message}
