"""Open-data downloads: validity, privacy, scoping, streaming and caching."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import warnings
import zipfile
from pathlib import Path

import frictionless
import pytest
from django.core.management import call_command
from django.http import StreamingHttpResponse
from django.test import Client

from accounts.models import Agency, User
from consultation import services as consultation
from opendata import exports, views
from tests.opendata.conftest import HIDDEN_TEXTS

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def body(response) -> bytes:
    assert response.status_code == 200, response.status_code
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content)


def unzip(data: bytes, target: Path) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(target)
        return {n: archive.read(n).decode("utf-8") for n in archive.namelist()}


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_site_zip_validates_against_its_datapackage(seeded, tmp_path):
    files = unzip(body(Client().get("/open-data/site.zip")), tmp_path / "site")
    package = json.loads(files["datapackage.json"])
    assert {r["path"] for r in package["resources"]} | {"datapackage.json"} == set(
        files
    )
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert package["created"]
    report = frictionless.validate(tmp_path / "site" / "datapackage.json")
    assert report.valid, report.flatten(["resourceName", "rowNumber", "message"])
    names = {r["name"] for r in package["resources"]}
    assert {"plans", "comments", "official_responses", "questions", "votes"} <= names
    comments = rows(files["data/comments.csv"])
    assert [c["author"] for c in comments] == ["Ada Citizen", "Olu Official"]
    register = rows(files["data/official_responses.csv"])
    assert register[0]["disposition"] == "adopted"
    log = rows(files["data/moderation_log.csv"])
    assert [(e["action"], e["reason"]) for e in log] == [("hide", "personal_data")]


def test_no_email_account_id_or_hidden_content_in_any_file(seeded, tmp_path):
    files = unzip(body(Client().get("/open-data/site.zip")), tmp_path / "site")
    client = Client()
    for name in [r["name"] for r in json.loads(files["datapackage.json"])["resources"]]:
        files[f"{name}.json"] = body(
            client.get(f"/open-data/site/{name}.json")
        ).decode()
    emails = list(User.objects.values_list("email", flat=True))
    emails += list(Agency.objects.values_list("liaison_email", flat=True))
    assert len(emails) >= 5
    for name, text in files.items():
        assert not EMAIL.search(text), (EMAIL.search(text), name)
        for email in emails:
            assert email not in text, (email, name)
            assert email.split("@")[0] not in text, (email, name)
        for hidden in HIDDEN_TEXTS:
            assert hidden not in text, (hidden, name)
        assert "private note" not in text
    for name in ("votes", "participants", "question_upvotes"):
        for row in rows(files[f"data/{name}.csv"]):
            assert len(row["participant"]) == 16
            assert not row["participant"].startswith(("user", "guest"))


def test_hidden_comment_and_non_public_questions_are_left_out(seeded, tmp_path):
    files = unzip(body(Client().get("/open-data/site.zip")), tmp_path)
    comment_ids = {int(c["id"]) for c in rows(files["data/comments.csv"])}
    assert seeded.comment.pk in comment_ids
    assert seeded.hidden.pk not in comment_ids
    questions = rows(files["data/questions.csv"])
    assert {q["status"] for q in questions} == {"visible"}
    assert len(questions) == 2  # one per session, the others not public
    statements = rows(files["data/statements.csv"])
    assert len(statements) == 3  # the seeds; rejected and pending left out
    plans = [p["slug"] for p in rows(files["data/plans.csv"])]
    assert plans == [seeded.plan.slug]
    topics = [c["topic"] for c in rows(files["data/conversations.csv"])]
    assert topics == [seeded.conversation.topic]


def test_votes_use_polis_values_and_pseudonyms_agree_within_an_export(seeded, tmp_path):
    files = unzip(body(Client().get("/open-data/site.zip")), tmp_path)
    votes = rows(files["data/votes.csv"])
    participants = {p["participant"] for p in rows(files["data/participants.csv"])}
    assert {v["vote"] for v in votes} == {"-1", "0", "1"}
    assert {v["participant"] for v in votes} <= participants
    assert len({v["participant"] for v in votes}) == 3
    # The citizen asked a question and voted: upvotes come from guests, so no
    # overlap there; the same guest upvoting twice is one participant.
    upvoters = [u["participant"] for u in rows(files["data/question_upvotes.csv"])]
    assert len(upvoters) == len(set(upvoters)) == 3
    # The per-table JSON of the same export uses the same pseudonyms.
    votes_json = json.loads(body(Client().get("/open-data/site/votes.json")))
    assert {v["participant"] for v in votes_json} == {v["participant"] for v in votes}


def test_pseudonyms_differ_between_exports(seeded, tmp_path):
    first = rows(body(Client().get("/open-data/site/participants.csv")).decode("utf-8"))
    consultation.post_comment(
        user=seeded.users[2], plan=seeded.plan, section_key="3.3", body="More data."
    )
    second = rows(
        body(Client().get("/open-data/site/participants.csv")).decode("utf-8")
    )
    assert len(first) == len(second) == 4  # three voters and a statement author
    assert not {p["participant"] for p in first} & {p["participant"] for p in second}


def test_scope_downloads_contain_only_their_scope(seeded, tmp_path):
    client = Client()
    files = unzip(
        body(client.get(f"/open-data/sessions/{seeded.session.pk}.zip")), tmp_path
    )
    names = {r["name"] for r in json.loads(files["datapackage.json"])["resources"]}
    assert names == {
        "sessions",
        "agenda_items",
        "questions",
        "question_upvotes",
        "statistics",
    }
    assert [int(s["id"]) for s in rows(files["data/sessions.csv"])] == [
        seeded.session.pk
    ]
    assert {int(q["session"]) for q in rows(files["data/questions.csv"])} == {
        seeded.session.pk
    }
    assert frictionless.validate(tmp_path / "datapackage.json").valid

    plan_comments = json.loads(
        body(client.get(f"/open-data/plans/{seeded.plan.slug}/comments.json"))
    )
    assert {c["plan"] for c in plan_comments} == {seeded.plan.slug}
    versions = rows(
        body(
            client.get(f"/open-data/plans/{seeded.plan.slug}/plan_versions.csv")
        ).decode()
    )
    assert versions[0]["markdown"].startswith("Introductory text")

    votes = rows(
        body(
            client.get(f"/open-data/conversations/{seeded.conversation.pk}/votes.csv")
        ).decode()
    )
    assert len(votes) == 9
    assert {int(v["conversation"]) for v in votes} == {seeded.conversation.pk}


@pytest.mark.parametrize(
    "path",
    [
        "/open-data/plans/no-such-plan.zip",
        "/open-data/plans/unpublished-plan.zip",
        "/open-data/plans/unpublished-plan/comments.csv",
        "/open-data/sessions/999999.zip",
        "/open-data/sessions/99999999999999999999999.zip",
        "/open-data/sessions/abc.zip",
        "/open-data/site/no_such_table.csv",
        "/open-data/site/comments.xml",
        "/open-data/plans/open-parliament/votes.csv",
        "/open-data/plans/open-parliament/nothing.json",
    ],
)
def test_unknown_or_hidden_scope_or_table_is_404(seeded, path):
    assert Client().get(path).status_code == 404


def test_private_conversation_is_404(seeded):
    response = Client().get(f"/open-data/conversations/{seeded.private.pk}.zip")
    assert response.status_code == 404


def test_headers_name_the_file_and_the_licence(seeded):
    response = Client().get(f"/open-data/plans/{seeded.plan.slug}/comments.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="agora-plan-open-parliament-comments.csv"'
    )
    assert response["Link"] == (
        '<https://creativecommons.org/licenses/by/4.0/>; rel="license"'
    )
    assert response["Last-Modified"]
    assert int(response["Content-Length"]) == len(body(response))
    site = Client().get("/open-data/site.zip")
    assert site["Content-Disposition"] == 'attachment; filename="agora-site.zip"'
    assert site["Content-Type"] == "application/zip"


def test_etag_gives_304_until_a_new_comment_lands(seeded, opendata_cache):
    client = Client()
    first = client.get("/open-data/site.zip")
    body(first)
    etag = first["ETag"]
    again = client.get("/open-data/site.zip", headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again["ETag"] == etag
    exports = list((opendata_cache / "site").iterdir())
    assert len(exports) == 1

    consultation.post_comment(
        user=seeded.users[2],
        plan=seeded.plan,
        section_key="3.3",
        body="A brand-new comment about lobbying.",
    )
    changed = client.get("/open-data/site.zip", headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert b"brand-new comment" in body(client.get("/open-data/site/comments.csv"))
    # The stale export was replaced, not kept beside the new one.
    assert [p.name for p in (opendata_cache / "site").iterdir()] != [
        p.name for p in exports
    ]
    assert len(list((opendata_cache / "site").iterdir())) == 1


def test_hiding_a_comment_changes_the_export(seeded):
    client = Client()
    url = f"/open-data/plans/{seeded.plan.slug}/comments.csv"
    assert b"Please publish the inventory" in body(client.get(url))
    consultation.hide_comment(
        user=seeded.users[1], comment=seeded.comment, reason="spam"
    )
    assert b"Please publish the inventory" not in body(client.get(url))


def test_cached_file_is_reused_while_data_is_unchanged(seeded, opendata_cache):
    client = Client()
    body(client.get("/open-data/site/votes.csv"))
    (built,) = (opendata_cache / "site").iterdir()
    stamp = (built / "data" / "votes.csv").stat().st_mtime_ns
    body(client.get("/open-data/site/votes.csv"))
    body(client.get("/open-data/site.zip"))
    assert [p.name for p in (opendata_cache / "site").iterdir()] == [built.name]
    assert (built / "data" / "votes.csv").stat().st_mtime_ns == stamp


def test_statistics_suppress_small_sector_counts(seeded, tmp_path):
    files = unzip(body(Client().get("/open-data/site.zip")), tmp_path)
    stats = rows(files["data/statistics.csv"])
    sectors = [s for s in stats if s["dimension"] == "sector"]
    assert sectors
    # Every sector count here is below 5: all suppressed.
    assert {s["count"] for s in sectors} == {""}
    days = [s for s in stats if s["dimension"] == "day" and s["activity"] == "votes"]
    assert sum(int(d["count"]) for d in days) == 9


def test_open_data_page_lists_every_public_scope(seeded):
    response = Client().get("/open-data/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "/open-data/site.zip" in page
    assert f"/open-data/plans/{seeded.plan.slug}.zip" in page
    assert f"/open-data/sessions/{seeded.session.pk}/questions.csv" in page
    assert f"/open-data/conversations/{seeded.conversation.pk}/votes.json" in page
    assert "unpublished-plan" not in page
    assert f"/open-data/conversations/{seeded.private.pk}" not in page
    assert 'rel="license"' in page


def test_scope_pages_link_their_download(seeded):
    client = Client()
    plan_page = client.get(seeded.plan.get_absolute_url()).content.decode()
    assert f"/open-data/plans/{seeded.plan.slug}.zip" in plan_page
    session_page = client.get(seeded.session.get_absolute_url()).content.decode()
    assert f"/open-data/sessions/{seeded.session.pk}.zip" in session_page
    report = client.get(seeded.conversation.get_report_url()).content.decode()
    assert f"/open-data/conversations/{seeded.conversation.pk}.zip" in report


def test_under_asgi_the_file_is_read_in_chunks_not_buffered(seeded, monkeypatch):
    """Django's ASGI handler buffers a synchronous streaming body whole, with a
    warning; the download is read asynchronously, chunk by chunk."""
    monkeypatch.setattr(views, "CHUNK_SIZE", 512)
    response = Client().get("/open-data/site.zip")
    expected = Path(response.path).read_bytes()
    assert len(expected) > 2048

    async def collect() -> list[bytes]:
        return [chunk async for chunk in response]

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        chunks = asyncio.run(collect())
    assert len(chunks) > 4 and max(len(c) for c in chunks) <= 512
    assert b"".join(chunks) == expected


def test_spreadsheet_formulas_are_neutralised_in_csv(seeded):
    consultation.post_comment(
        user=seeded.users[2],
        plan=seeded.plan,
        section_key="3.3",
        body='=HYPERLINK("http://evil.example","click")',
    )
    client = Client()
    url = f"/open-data/plans/{seeded.plan.slug}/comments"
    cells = [c["markdown"] for c in rows(body(client.get(f"{url}.csv")).decode())]
    assert '\'=HYPERLINK("http://evil.example","click")' in cells
    # JSON keeps the text as written.
    texts = [c["markdown"] for c in json.loads(body(client.get(f"{url}.json")))]
    assert '=HYPERLINK("http://evil.example","click")' in texts


def test_rebuilds_are_rate_limited_per_client(seeded, settings, monkeypatch):
    """Building reads the whole scope: a client that forces rebuilds (change,
    download, change, …) gets the previous export, or 429 when there is none."""
    monkeypatch.setattr(exports, "BUILD_RATE", "1/hour")
    client = Client()
    first = client.get("/open-data/site/comments.csv")
    assert b"later comment" not in body(first)
    consultation.post_comment(
        user=seeded.users[2],
        plan=seeded.plan,
        section_key="3.3",
        body="A later comment",
    )
    stale = client.get("/open-data/site/comments.csv")
    assert stale["ETag"] == first["ETag"]
    assert b"later comment" not in body(stale)
    other_scope = client.get(f"/open-data/sessions/{seeded.session.pk}.zip")
    assert other_scope.status_code == 429
    assert int(other_scope["Retry-After"]) > 0
    # Another client builds the current export.
    fresh = Client(REMOTE_ADDR="10.9.9.9").get("/open-data/site/comments.csv")
    assert b"later comment" in body(fresh)


def test_head_request_answers_without_error(seeded):
    response = Client().head("/open-data/site.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"


def test_build_command_generates_every_public_scope_once(seeded, opendata_cache):
    out = io.StringIO()
    call_command("build_open_data", stdout=out)
    lines = out.getvalue().splitlines()
    assert f"plan-{seeded.plan.slug}: built plan-{seeded.plan.slug}.zip" in lines
    assert f"session-{seeded.session.pk}: built session-{seeded.session.pk}.zip" in (
        lines
    )
    assert not any(f"conversation-{seeded.private.pk}:" in line for line in lines)
    assert len(lines) == 1 + 1 + 2 + 1  # site, plan, two sessions, conversation
    again = io.StringIO()
    call_command("build_open_data", "--site-only", stdout=again)
    assert again.getvalue() == "site: up to date\n"
    # A download now uses the export the command made.
    (built,) = (opendata_cache / "site").iterdir()
    body(Client().get("/open-data/site.zip"))
    assert [p.name for p in (opendata_cache / "site").iterdir()] == [built.name]
