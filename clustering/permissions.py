"""Who may do what in a conversation: pure predicates over (user, conversation).

``access_conversation`` fetches and checks together; a conversation is never
hidden (private conversations hide their *results*), so it 404s only when
missing. ``access_report`` gives the same 404 for missing and forbidden.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from accounts.permissions import is_admin, is_member, is_moderator, is_official
from clustering.models import Conversation, StatementPolicy, VotePolicy
from forum.models import ForumSession
from forum.permissions import can_moderate_session


def can_create_conversation(user: Any) -> bool:
    return is_moderator(user) or is_official(user)


def can_manage_conversation(user: Any, conversation: Conversation) -> bool:
    """Edit settings and seed statements: moderators, admins, agency officials."""
    if is_moderator(user):
        return True
    return conversation.agency_id is not None and is_official(
        user, conversation.agency_id
    )


def can_moderate_conversation(user: Any, conversation: Conversation) -> bool:
    """Accept / reject statements and handle flags: moderators and admins."""
    return is_moderator(user) or is_admin(user)


def can_add_question_as_statement(user: Any, session: ForumSession) -> bool:
    """Forum bridge: the session's own moderators and administrators (a
    moderator of another session, or an official, may not)."""
    return can_moderate_session(user, session)


def can_view_report(user: Any, conversation: Conversation) -> bool:
    """Reports are open data unless the conversation's results are private."""
    if not conversation.is_private:
        return True
    return can_manage_conversation(user, conversation)


def can_vote(user: Any, conversation: Conversation) -> bool:
    if not conversation.is_open:
        return False
    if conversation.vote_policy == VotePolicy.MEMBERS:
        return is_member(user)
    return True


def can_add_statement(user: Any, conversation: Conversation) -> bool:
    if not conversation.is_open:
        return False
    if can_moderate_conversation(user, conversation) or can_manage_conversation(
        user, conversation
    ):
        return True
    policy = conversation.statement_policy
    if policy == StatementPolicy.MODERATORS:
        return False
    if policy == StatementPolicy.MEMBERS and not is_member(user):
        return False
    return can_vote(user, conversation)


def can_flag_statement(user: Any, conversation: Conversation) -> bool:
    return conversation.vote_policy == VotePolicy.ANYONE or is_member(user)


def access_conversation(user: Any, conversation_id: int | str) -> Conversation:
    try:
        return Conversation.objects.select_related("agency", "plan", "session").get(
            pk=int(conversation_id)
        )
    except (Conversation.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def access_report(user: Any, conversation_id: int | str) -> Conversation:
    conversation = access_conversation(user, conversation_id)
    if not can_view_report(user, conversation):
        raise Http404
    return conversation
