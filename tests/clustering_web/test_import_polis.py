"""import_polis: a real Polis export becomes a conversation whose report shows
the same groups as the offline analysis (python -m clustering analyze)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from clustering.__main__ import run_analysis as offline_analysis
from clustering.models import Analysis, Conversation, Participant, Statement, Vote
from clustering.polis_io import read_export
from tests.data import shared_data

UBERX = "polis/opendata/vtaiwan.uberx"


@pytest.mark.django_db
@pytest.mark.slow
def test_import_vtaiwan_uberx_matches_offline_analysis():
    folder = shared_data() / UBERX
    out, err = StringIO(), StringIO()
    call_command("import_polis", str(folder), "--slug", "uberx", stdout=out, stderr=err)
    assert "100%" in err.getvalue()  # the progress bar reached the end
    conversation = Conversation.objects.get(slug="uberx")
    assert conversation.topic.startswith("UberX")
    assert "Computational Democracy Project" in conversation.attribution

    export = read_export(folder)
    assert Statement.objects.filter(conversation=conversation).count() == len(
        {c.tid for c in export.comments} | {v.tid for v in export.votes}
    )
    latest = {
        (v.pid, v.tid): v.vote for v in sorted(export.votes, key=lambda v: v.timestamp)
    }
    assert Vote.objects.filter(conversation=conversation).count() == len(latest)

    offline = offline_analysis(export)
    analysis = Analysis.objects.get(conversation=conversation)
    assert analysis.status == "ok"
    assert analysis.k == offline.k == 2
    assert analysis.n_votes == offline.n_votes

    # Same partition of participants (by their Polis ids).
    external = dict(
        Participant.objects.filter(conversation=conversation).values_list(
            "pk", "external_id"
        )
    )
    ours = {
        frozenset(int(external[int(p)]) for p in g["participants"])
        for g in analysis.result["groups"]
    }
    theirs = {frozenset(g.participants) for g in offline.groups}
    assert ours == theirs

    page = Client().get(f"/conversations/{conversation.pk}/report/").content.decode()
    sizes = sorted(len(g.participants) for g in offline.groups)
    for label in ("Group A", "Group B"):
        assert label in page
    assert "Group C" not in page
    data = Client().get(f"/conversations/{conversation.pk}/report/data/").json()
    assert sorted(g["size"] for g in data["report"]["groups"]) == sizes
