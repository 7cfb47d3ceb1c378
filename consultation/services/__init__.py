"""Consultation writes, one module per entity (see STYLE.md, "Where logic lives").

Each service checks permission, validates (raising ``ValidationError`` with a
dict of field → messages), writes, then schedules its effects.
"""

from consultation.services.comments import (
    COMMENT_RATE,
    closed_message,
    edit_comment,
    endorse_comment,
    post_comment,
    withdraw_comment,
    withdraw_endorsement,
)
from consultation.services.follows import (
    is_following_plan,
    notify_new_version,
    plan_audience,
    set_plan_follow,
)
from consultation.services.moderation import (
    dismiss_flags,
    flag_comment,
    hide_comment,
    restore_comment,
)
from consultation.services.plans import (
    Preview,
    build_preview,
    create_plan,
    discard_draft,
    get_draft,
    publish_version,
    save_draft_version,
    update_plan,
)
from consultation.services.responses import respond_to_comment

__all__ = [
    "COMMENT_RATE",
    "Preview",
    "build_preview",
    "closed_message",
    "create_plan",
    "discard_draft",
    "dismiss_flags",
    "edit_comment",
    "endorse_comment",
    "flag_comment",
    "get_draft",
    "hide_comment",
    "is_following_plan",
    "notify_new_version",
    "plan_audience",
    "post_comment",
    "publish_version",
    "respond_to_comment",
    "restore_comment",
    "save_draft_version",
    "set_plan_follow",
    "update_plan",
    "withdraw_comment",
    "withdraw_endorsement",
]
