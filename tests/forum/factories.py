"""Rows for forum tests; state that matters goes through forum.services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import factory
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from forum.models import AgendaItem, ForumSession
from forum.participants import Participant


class ForumSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ForumSession
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Forum session {n}")
    slug = factory.Sequence(lambda n: f"forum-session-{n}")
    description = "A multistakeholder meeting."
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    login_required = True
    premoderation = False

    @factory.post_generation
    def moderators(obj: ForumSession, create: bool, extracted: Any, **kwargs: Any):
        if create and extracted:
            obj.moderators.add(*extracted)


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    session = factory.SubFactory(ForumSessionFactory)
    position = factory.Sequence(int)
    title = factory.Sequence(lambda n: f"Agenda item {n}")


def member(user: Any) -> Participant:
    return Participant(user=user, key=f"user:{user.pk}", ip="127.0.0.1")


def guest(n: int | str) -> Participant:
    return Participant(user=AnonymousUser(), key=f"guest:test-{n}", ip="127.0.0.1")
