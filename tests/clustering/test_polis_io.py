"""Reading and writing Polis export folders."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from clustering.polis_io import (
    PolisExport,
    participants_from_votes,
    read_export,
    write_export,
)
from tests.clustering.conftest import OPENDATA


def _latest(export: PolisExport) -> dict[tuple[int | str, int | str], int]:
    out: dict[tuple[int | str, int | str], int] = {}
    for v in sorted(export.votes, key=lambda v: v.timestamp):
        out[(v.pid, v.tid)] = v.vote
    return out


@pytest.mark.parametrize("name", OPENDATA)
def test_read_opendata(shared_data: Path, name: str) -> None:
    folder = shared_data / "polis" / "opendata" / name
    ex = read_export(folder)
    with (folder / "votes.csv").open(newline="") as fh:
        assert len(ex.votes) == sum(1 for _ in csv.DictReader(fh))
    assert ex.comments and ex.participants
    rejected = {c.tid for c in ex.comments if c.moderated == -1}
    assert ex.moderated_out == rejected
    assert set(ex.polis_groups()) <= {p.pid for p in ex.participants}
    # agrees column of comments.csv counts +1 votes (export sign convention)
    by_tid: dict[int | str, int] = {}
    for (_, tid), v in _latest(ex).items():
        by_tid[tid] = by_tid.get(tid, 0) + (v == 1)
    assert sum(by_tid.values()) > 0


def test_votes_rebuilt_from_participants_votes(
    shared_data: Path, tmp_path: Path
) -> None:
    src = shared_data / "polis" / "opendata" / "15-per-hour-seattle"
    for f in ("comments.csv", "participants-votes.csv", "summary.csv"):
        shutil.copy(src / f, tmp_path / f)
    rebuilt = read_export(tmp_path)
    original = read_export(src)
    assert {(v.pid, v.tid): v.vote for v in rebuilt.votes} == _latest(original)


def test_newer_header_variant(tmp_path: Path) -> None:
    """participant-votes.csv with comment-<id> columns, second timestamps."""
    (tmp_path / "participant-votes.csv").write_text(
        "participant,group-id,n-comments,n-votes,n-agree,n-disagree,"
        "comment-0,comment-1,comment-2\n"
        "0,1,0,3,1,1,1,-1,0\n"
        "1,,0,1,0,1,,-1,\n",
        encoding="utf-8",
    )
    (tmp_path / "comments.csv").write_text(
        "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,"
        "comment-body,is-meta\n"
        '1700000000,x,0,0,1,0,1,"Hello, world",0\n'
        "1700000001,x,1,0,0,2,-1,Rejected,0\n"
        "1700000002,x,2,1,0,0,1,Meta question,1\n",
        encoding="utf-8",
    )
    ex = read_export(tmp_path)
    assert {(v.pid, v.tid, v.vote) for v in ex.votes} == {
        (0, 0, 1),
        (0, 1, -1),
        (0, 2, 0),
        (1, 1, -1),
    }
    assert ex.polis_groups() == {0: 1}
    assert ex.meta == {2}
    assert ex.moderated_out == {1, 2}
    assert ex.comment_text()[0] == "Hello, world"


def test_write_then_read_round_trip(shared_data: Path, tmp_path: Path) -> None:
    ex = read_export(shared_data / "polis" / "opendata" / "scoop-hivemind.ubi")
    write_export(tmp_path, ex)
    back = read_export(tmp_path)
    assert back.votes == ex.votes
    assert back.comments == ex.comments
    assert back.participants == ex.participants
    assert back.summary == ex.summary


def test_participants_from_votes_with_groups(shared_data: Path) -> None:
    ex = read_export(shared_data / "polis" / "opendata" / "15-per-hour-seattle")
    rebuilt = participants_from_votes(ex.votes, ex.polis_groups(), ex.comments)
    by_pid = {p.pid: p for p in ex.participants}
    for p in rebuilt:
        orig = by_pid[p.pid]
        assert (p.group_id, p.n_votes, p.n_agree, p.n_disagree) == (
            orig.group_id,
            orig.n_votes,
            orig.n_agree,
            orig.n_disagree,
        )
        assert dict(p.votes) == dict(orig.votes)
