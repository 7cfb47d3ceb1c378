"""Read and write Polis export folders with the plain ``csv`` module.

A Polis export folder holds ``votes.csv``, ``comments.csv``,
``participants-votes.csv`` and ``summary.csv`` (see ../shared/data/README.md).
Two header variants exist and both are read:

* the openData / legacy export: ``participants-votes.csv`` with one column per
  comment named by its id (``17``), timestamps in milliseconds;
* the newer pol.is report export: ``participant-votes.csv`` whose comment
  columns are named ``comment-17``, and second-resolution timestamps.

Column aliases (``voter-id``/``participant``/``pid``, ``comment-id``/``tid``,
``comment-body``/``txt``, ``moderated``/``mod``, optional ``is-meta``) are
accepted.  Votes use the export sign (agree = +1).  When ``votes.csv`` is
missing, votes are rebuilt from the participants-votes matrix (without
timestamps: every vote gets timestamp 0, in (comment, participant) order).

Nothing here imports Django.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from clustering.math.types import Id

VOTE_HEADER = ("timestamp", "datetime", "comment-id", "voter-id", "vote")
COMMENT_HEADER = (
    "timestamp",
    "datetime",
    "comment-id",
    "author-id",
    "agrees",
    "disagrees",
    "moderated",
    "comment-body",
)
PV_FIXED = ("participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree")
PV_FILES = ("participants-votes.csv", "participant-votes.csv")


@dataclass(frozen=True)
class VoteRecord:
    timestamp: int
    tid: Id
    pid: Id
    vote: int


@dataclass(frozen=True)
class CommentRecord:
    tid: Id
    body: str
    timestamp: int = 0
    author: Id | None = None
    agrees: int = 0
    disagrees: int = 0
    moderated: int = 0
    is_meta: bool = False


@dataclass(frozen=True)
class ParticipantRecord:
    pid: Id
    group_id: int | None
    n_comments: int
    n_votes: int
    n_agree: int
    n_disagree: int
    votes: tuple[tuple[Id, int], ...] = ()


@dataclass(frozen=True)
class PolisExport:
    votes: tuple[VoteRecord, ...]
    comments: tuple[CommentRecord, ...]
    participants: tuple[ParticipantRecord, ...] = ()
    summary: tuple[tuple[str, str], ...] = ()
    timestamps_in_seconds: bool = False
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def moderated_out(self) -> frozenset[Id]:
        """Rejected statements (``moderated = -1``) and meta statements."""
        return frozenset(c.tid for c in self.comments if c.moderated < 0 or c.is_meta)

    @property
    def meta(self) -> frozenset[Id]:
        return frozenset(c.tid for c in self.comments if c.is_meta)

    def comment_text(self) -> dict[Id, str]:
        return {c.tid: c.body for c in self.comments}

    def polis_groups(self) -> dict[Id, int]:
        """Polis's own group per participant (only clustered participants)."""
        return {p.pid: p.group_id for p in self.participants if p.group_id is not None}

    def vote_triples(self) -> list[tuple[Id, Id, int]]:
        """(participant, statement, value) in the order the votes were cast."""
        ordered = sorted(self.votes, key=lambda v: v.timestamp)
        return [(v.pid, v.tid, v.vote) for v in ordered]

    def timed_votes(self) -> list[tuple[float, Id, Id, int]]:
        return [(float(v.timestamp), v.pid, v.tid, v.vote) for v in self.votes]


def parse_id(text: str) -> Id:
    """Ids are ints when they look like ints, else the stripped string."""
    s = text.strip()
    try:
        return int(s)
    except ValueError:
        return s


def _int(text: str | None, default: int = 0) -> int:
    if text is None or not text.strip():
        return default
    return int(float(text))


def _pick(row: Mapping[str, str], *names: str) -> str | None:
    for n in names:
        if n in row and row[n] is not None:
            return row[n]
    return None


def _bool(text: str | None) -> bool:
    return (text or "").strip().lower() in {"1", "true", "t", "yes"}


def _open_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def read_votes(path: Path) -> list[VoteRecord]:
    out = []
    for row in _open_rows(path):
        tid = _pick(row, "comment-id", "tid", "statement_id")
        pid = _pick(row, "voter-id", "participant", "pid", "participant_id")
        vote = _pick(row, "vote")
        if tid is None or pid is None or vote is None:
            raise ValueError(f"{path}: unrecognised votes header {list(row)}")
        out.append(
            VoteRecord(
                timestamp=_int(_pick(row, "timestamp", "modified", "created")),
                tid=parse_id(tid),
                pid=parse_id(pid),
                vote=_int(vote),
            )
        )
    return out


def read_comments(path: Path) -> list[CommentRecord]:
    out = []
    for row in _open_rows(path):
        tid = _pick(row, "comment-id", "tid", "statement_id")
        if tid is None:
            raise ValueError(f"{path}: unrecognised comments header {list(row)}")
        author = _pick(row, "author-id", "pid", "participant_id")
        out.append(
            CommentRecord(
                tid=parse_id(tid),
                body=_pick(row, "comment-body", "txt", "comment") or "",
                timestamp=_int(_pick(row, "timestamp", "created")),
                author=parse_id(author) if author not in (None, "") else None,
                agrees=_int(_pick(row, "agrees", "agree_count")),
                disagrees=_int(_pick(row, "disagrees", "disagree_count")),
                moderated=_int(_pick(row, "moderated", "mod")),
                is_meta=_bool(_pick(row, "is-meta", "is_meta")),
            )
        )
    return out


def _comment_column(name: str) -> Id | None:
    if name in PV_FIXED:
        return None
    if name.startswith("comment-"):
        name = name[len("comment-") :]
    return parse_id(name) if name.strip() else None


def read_participants_votes(path: Path) -> list[ParticipantRecord]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None:
            return []
        cols = [_comment_column(h) for h in header]
        pos = {h: i for i, h in enumerate(header)}
        out = []
        for row in reader:
            if not row:
                continue

            def cell(name: str, row: Sequence[str] = row) -> str:
                i = pos.get(name)
                return row[i] if i is not None and i < len(row) else ""

            group = cell("group-id").strip()
            votes = tuple(
                (tid, _int(row[i]))
                for i, tid in enumerate(cols)
                if tid is not None and i < len(row) and row[i].strip() != ""
            )
            out.append(
                ParticipantRecord(
                    pid=parse_id(cell("participant")),
                    group_id=int(group) if group else None,
                    n_comments=_int(cell("n-comments")),
                    n_votes=_int(cell("n-votes")),
                    n_agree=_int(cell("n-agree")),
                    n_disagree=_int(cell("n-disagree")),
                    votes=votes,
                )
            )
        return out


def read_summary(path: Path) -> list[tuple[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return [(r[0], r[1] if len(r) > 1 else "") for r in csv.reader(fh) if r]


def read_export(folder: str | Path) -> PolisExport:
    """Read a Polis export folder; ``votes.csv`` or a participants-votes file
    must exist, ``comments.csv`` is optional."""
    root = Path(folder)
    pv_path = next((root / n for n in PV_FILES if (root / n).exists()), None)
    participants = read_participants_votes(pv_path) if pv_path else []
    if (root / "votes.csv").exists():
        votes = read_votes(root / "votes.csv")
    elif participants:
        votes = [
            VoteRecord(0, tid, p.pid, v) for p in participants for tid, v in p.votes
        ]
        votes.sort(key=lambda v: (_sort_key(v.tid), _sort_key(v.pid)))
    else:
        raise FileNotFoundError(f"{root}: no votes.csv or participants-votes.csv")
    comments = (
        read_comments(root / "comments.csv") if (root / "comments.csv").exists() else []
    )
    summary = (
        read_summary(root / "summary.csv") if (root / "summary.csv").exists() else []
    )
    seconds = bool(votes) and max(v.timestamp for v in votes) < 10**11
    return PolisExport(
        votes=tuple(votes),
        comments=tuple(comments),
        participants=tuple(participants),
        summary=tuple(summary),
        timestamps_in_seconds=seconds and any(v.timestamp for v in votes),
    )


def _sort_key(value: Id) -> tuple[int, int, str]:
    return (0, value, "") if isinstance(value, int) else (1, 0, str(value))


# ------------------------------------------------------------------- writing


def _datetime(ms: int) -> str:
    stamp = dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)
    return stamp.strftime("%a %b %d %H:%M:%S UTC %Y")


def write_votes(path: Path, votes: Iterable[VoteRecord]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(VOTE_HEADER)
        for v in votes:
            w.writerow([v.timestamp, _datetime(v.timestamp), v.tid, v.pid, v.vote])


def write_comments(path: Path, comments: Iterable[CommentRecord]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COMMENT_HEADER)
        for c in comments:
            w.writerow(
                [
                    c.timestamp,
                    _datetime(c.timestamp),
                    c.tid,
                    "" if c.author is None else c.author,
                    c.agrees,
                    c.disagrees,
                    c.moderated,
                    c.body,
                ]
            )


def participants_from_votes(
    votes: Iterable[VoteRecord],
    groups: Mapping[Id, int],
    comments: Iterable[CommentRecord] = (),
) -> list[ParticipantRecord]:
    """Latest vote per (participant, comment), with the given group ids."""
    latest: dict[Id, dict[Id, tuple[int, int]]] = {}
    for i, v in enumerate(sorted(votes, key=lambda v: v.timestamp)):
        latest.setdefault(v.pid, {})[v.tid] = (i, v.vote)
    n_comments: dict[Id, int] = {}
    for c in comments:
        if c.author is not None:
            n_comments[c.author] = n_comments.get(c.author, 0) + 1
    out = []
    for pid in sorted(latest, key=_sort_key):
        cast = latest[pid]
        values = [x for _, x in cast.values()]
        out.append(
            ParticipantRecord(
                pid=pid,
                group_id=groups.get(pid),
                n_comments=n_comments.get(pid, 0),
                n_votes=len(cast),
                n_agree=sum(1 for x in values if x > 0),
                n_disagree=sum(1 for x in values if x < 0),
                votes=tuple(
                    (tid, x)
                    for tid, (_, x) in sorted(
                        cast.items(), key=lambda kv: _sort_key(kv[0])
                    )
                ),
            )
        )
    return out


def write_participants_votes(
    path: Path, participants: Sequence[ParticipantRecord], tids: Sequence[Id]
) -> None:
    """Write the openData variant (comment columns named by id)."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow([*PV_FIXED, *tids])
        for p in participants:
            cast = dict(p.votes)
            w.writerow(
                [
                    p.pid,
                    "" if p.group_id is None else p.group_id,
                    p.n_comments,
                    p.n_votes,
                    p.n_agree,
                    p.n_disagree,
                    *(cast.get(t, "") for t in tids),
                ]
            )


def write_summary(path: Path, rows: Iterable[tuple[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        for k, v in rows:
            w.writerow([k, v])


def write_export(folder: str | Path, export: PolisExport) -> None:
    """Write votes.csv, comments.csv, participants-votes.csv and summary.csv."""
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    write_votes(root / "votes.csv", export.votes)
    write_comments(root / "comments.csv", export.comments)
    tids = sorted(
        {c.tid for c in export.comments} | {v.tid for v in export.votes}, key=_sort_key
    )
    write_participants_votes(root / "participants-votes.csv", export.participants, tids)
    write_summary(root / "summary.csv", export.summary)
