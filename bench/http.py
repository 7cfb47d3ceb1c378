"""Benchmark the busiest pages over HTTP against daphne (not a timed test).

    python bench/http.py            # 3 runs of 15 s per page, 32 connections
    python bench/http.py --quick    # 1 run of 5 s per page

Seeds a fresh database through the real services (PostgreSQL at
``--postgres``, a temporary database dropped afterwards; ``--sqlite`` for a
temporary SQLite file instead):

* a plan open for comment with 500 comments (400 top-level on 10 sections,
  100 replies), 150 official responses and 600 endorsements;
* a live forum session with 200 questions, upvotes and 3 agenda items;
* a conversation imported from Polis (vTaiwan, about 1.9k participants, 50k
  votes) with its analysis, for the report page.

Starts one daphne process with production settings (DEBUG off, a throwaway
SECRET_KEY, rate limits off, in-memory channel layer) and loads each page with
``wrk`` (32 connections, 2 threads) when it is installed, else with a small
asyncio keep-alive client; the output says which. Query counts come from the
same pages rendered in-process under ``CaptureQueriesContext``.
Prints a table and writes ``bench/results/http-<timestamp>.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from _support import drop_database, load_average

ROOT = Path(__file__).resolve().parents[1]


def _fix_sys_path() -> None:
    """Run as a script, this file's folder comes first on sys.path, where its
    name shadows the standard library's http package (Django imports it): drop
    the folder (no import above needs http) and add the project."""
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


CONNECTIONS = 32
N_TOP, N_REPLIES, N_RESPONSES, N_ENDORSEMENTS = 400, 100, 150, 600
N_QUESTIONS = 200
VTAIWAN = "polis/opendata/vtaiwan.uberx"


def shared_data() -> Path:
    env = os.environ.get("AGORA_SHARED_DATA")
    for candidate in (env, ROOT.parent / "shared" / "data", "/work/shared/data"):
        if candidate and Path(candidate, "polis").is_dir():
            return Path(candidate)
    raise SystemExit("shared data not found: set AGORA_SHARED_DATA")


# ------------------------------------------------------------------ database


@contextlib.contextmanager
def temporary_database(args: argparse.Namespace) -> Iterator[str]:
    """A DATABASE_URL for a fresh database, removed at the end."""
    if args.sqlite:
        folder = tempfile.mkdtemp(prefix="agora-bench-http-")
        try:
            yield f"sqlite:///{folder}/bench.sqlite3"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    import psycopg

    name = f"agora_bench_http_{os.getpid()}"
    admin = f"{args.postgres.rstrip('/')}/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{args.postgres.rstrip('/')}/{name}"
    finally:
        drop_database(admin, name)


def server_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DEBUG")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-" + "k" * 50,
            "ALLOWED_HOSTS": "127.0.0.1,testserver",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "0",
            "RATELIMIT_ENABLED": "0",
            "LOG_LEVEL": "ERROR",
            "DATABASE_URL": database_url,
        }
    )
    return env


# --------------------------------------------------------------------- seed


PLAN_SECTIONS = 10


def plan_body() -> str:
    parts = ["Introductory text of the benchmark plan.\n"]
    for i in range(1, PLAN_SECTIONS + 1):
        parts.append(
            f"## {i} Commitment {i}\n\nThe agency will publish dataset {i} "
            "every month and explain each change in plain language.\n"
        )
    return "\n".join(parts)


def seed() -> dict[str, str]:
    """Seed through the services; return the page paths."""
    import random

    from django.contrib.auth.models import AnonymousUser
    from django.utils import timezone

    from accounts.models import Agency, User
    from accounts.roles import Role
    from accounts.services import assign_role
    from clustering.services import analysis as clustering_worker
    from clustering.services.imports import import_export
    from consultation import services as consultation
    from consultation.models import PlanStatus
    from forum import services as forum
    from forum.models import AgendaItem, ForumSession
    from forum.participants import Participant

    rng = random.Random(7)
    agency = Agency.objects.create(slug="bench-agency", name="Benchmark Agency")

    def user(email: str, **kw: Any) -> User:
        return User.objects.create_user(email=email, password="x" * 12, **kw)

    official = user("official@bench.test", display_name="Official")
    assign_role(user=official, role=Role.OFFICIAL, agency=agency)
    citizens = [
        user(f"c{i}@bench.test", display_name=f"Citizen {i}") for i in range(60)
    ]

    plan = consultation.create_plan(
        user=official, agency=agency, title="Benchmark plan", slug="bench-plan"
    )
    consultation.publish_version(user=official, plan=plan, body=plan_body())
    consultation.update_plan(
        user=official,
        plan=plan,
        title=plan.title,
        summary="",
        status=PlanStatus.OPEN,
        opens_at=None,
        closes_at=None,
    )
    plan.refresh_from_db()
    keys = list(plan.current_version.sections.values_list("key", flat=True))
    tops = []
    for i in range(N_TOP):
        tops.append(
            consultation.post_comment(
                user=citizens[i % len(citizens)],
                plan=plan,
                section_key=keys[i % len(keys)],
                body=f"Comment {i}: please **publish** the data [monthly]"
                f"(https://example.org/{i}) and say *why*.",
                stance=rng.choice(["", "supports", "concerns", "neutral"]),
            )
        )
    for i in range(N_REPLIES):
        consultation.post_comment(
            user=citizens[(i + 7) % len(citizens)],
            plan=plan,
            body=f"Reply {i}: agreed.",
            parent=tops[i * 3],
        )
    for comment in tops[:N_RESPONSES]:
        consultation.respond_to_comment(
            user=official,
            comment=comment,
            disposition=rng.choice(["adopted", "partly_adopted", "not_adopted"]),
            body="Thank you; the next version addresses this.",
        )
    endorsed = 0
    while endorsed < N_ENDORSEMENTS:
        comment = rng.choice(tops)
        who = rng.choice(citizens)
        if who.pk != comment.author_id and consultation.endorse_comment(
            user=who, comment=comment
        ):
            endorsed += 1

    moderator = user("moderator@bench.test", display_name="Moderator")
    assign_role(user=moderator, role=Role.MODERATOR)
    now = timezone.now()
    session = ForumSession.objects.create(
        title="Benchmark session",
        slug="bench-session",
        description="A live session.",
        starts_at=now,
        ends_at=now + dt.timedelta(hours=2),
        status="live",
        login_required=False,
    )
    session.moderators.add(moderator)
    for i in range(3):
        AgendaItem.objects.create(session=session, title=f"Item {i}", position=i)
    questions = []
    for i in range(N_QUESTIONS):
        who = Participant(user=AnonymousUser(), key=f"guest:q{i}", ip="10.0.0.1")
        questions.append(
            forum.ask_question(
                session_id=session.pk,
                participant=who,
                body=f"Question {i}: when will the minutes be published?",
            )
        )
    for i in range(N_QUESTIONS * 2):
        who = Participant(user=AnonymousUser(), key=f"guest:u{i % 80}", ip="10.0.0.2")
        forum.set_upvote(
            question_id=rng.choice(questions).pk, participant=who, upvoted=True
        )

    conversation = import_export(
        shared_data() / VTAIWAN, title="vTaiwan (benchmark)", is_open=True
    )
    outcome = clustering_worker.run_analysis(conversation.pk)
    if outcome.status != "ok":
        raise SystemExit(f"analysis of the report conversation: {outcome.status}")
    return {
        "plan": f"/plans/{plan.slug}/",
        "session": f"/sessions/{session.pk}/",
        "report": f"/conversations/{conversation.pk}/report/",
    }


def count_queries(paths: dict[str, str]) -> dict[str, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for name, path in paths.items():
        client = Client()
        client.get(path)  # warm caches the way a running server has them
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path}: HTTP {response.status_code}")
        counts[name] = len(queries)
    return counts


# --------------------------------------------------------------------- load


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def daphne(env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "config.asgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit("daphne did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]
    return float(number) * scale


def run_wrk(url: str, seconds: int) -> dict[str, Any]:
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{CONNECTIONS}",
            f"-d{seconds}s",
            "--timeout",
            "30s",
            "--latency",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    latency = dict(re.findall(r"^\s*(50|90|99)%\s+(\S+)\s*$", out, re.MULTILINE))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    timeouts = re.search(r"timeout (\d+)", out)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if rps is None or len(latency) < 3:
        print(out, flush=True)  # keep the figures of a run wrk reported oddly
    return {
        "rps": float(rps.group(1)) if rps else 0.0,
        "p50_ms": _ms(latency["50"]) if "50" in latency else float("nan"),
        "p90_ms": _ms(latency["90"]) if "90" in latency else float("nan"),
        "p99_ms": _ms(latency["99"]) if "99" in latency else float("nan"),
        "errors": int(errors.group(1)) if errors else 0,
        "timeouts": int(timeouts.group(1)) if timeouts else 0,
        "wrk": out,
    }


async def _client(
    host: str, port: int, path: str, until: float, latencies: list[float]
) -> int:
    errors = 0
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: keep-alive\r\n\r\n"
    ).encode()
    reader = writer = None
    while time.monotonic() < until:
        if writer is None:
            reader, writer = await asyncio.open_connection(host, port)
        assert reader is not None
        started = time.perf_counter()
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(re.search(rb"content-length: (\d+)", head, re.I).group(1))  # type: ignore[union-attr]
        await reader.readexactly(length)
        latencies.append((time.perf_counter() - started) * 1000)
        if not head.startswith(b"HTTP/1.1 200"):
            errors += 1
        if re.search(rb"connection: close", head, re.I):
            writer.close()
            writer = None
    if writer is not None:
        writer.close()
    return errors


def run_python(url: str, seconds: int) -> dict[str, Any]:
    match = re.match(r"http://([^:/]+):(\d+)(/.*)", url)
    assert match is not None
    host, port, path = match.group(1), int(match.group(2)), match.group(3)
    latencies: list[float] = []

    async def main() -> int:
        until = time.monotonic() + seconds
        results = await asyncio.gather(
            *(_client(host, port, path, until, latencies) for _ in range(CONNECTIONS))
        )
        return sum(results)

    started = time.monotonic()
    errors = asyncio.run(main())
    elapsed = time.monotonic() - started
    q = statistics.quantiles(latencies, n=100)
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": q[49],
        "p90_ms": q[89],
        "p99_ms": q[98],
        "errors": errors,
        "timeouts": 0,
    }


# --------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 run of 5 s per page")
    parser.add_argument("--runs", type=int, help="runs per page (default 3)")
    parser.add_argument("--seconds", type=int, help="seconds per run (default 15)")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server URL without a database name",
    )
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead")
    parser.add_argument(
        "--python-client", action="store_true", help="ignore wrk even if installed"
    )
    args = parser.parse_args()
    _fix_sys_path()
    runs = args.runs or (1 if args.quick else 3)
    seconds = args.seconds or (5 if args.quick else 15)
    use_wrk = shutil.which("wrk") is not None and not args.python_client
    tool = "wrk 2 threads" if use_wrk else "python asyncio keep-alive client"

    with temporary_database(args) as database_url:
        env = server_env(database_url)
        os.environ.update(env)
        import django

        django.setup()
        from django.core.management import call_command

        t0 = time.monotonic()
        call_command("migrate", verbosity=0)
        paths = seed()
        print(f"seeded in {time.monotonic() - t0:.0f} s ({database_url.split(':')[0]})")
        queries = count_queries(paths)
        from django.db import connections

        connections.close_all()

        results: dict[str, Any] = {}
        with daphne(env) as base:
            for name, path in paths.items():
                measured = []
                for _run in range(runs):
                    load = load_average()
                    figures = (run_wrk if use_wrk else run_python)(base + path, seconds)
                    figures["load_before"] = load
                    measured.append(figures)
                    print(
                        f"  {name}: {figures['rps']:.1f} req/s, p50 "
                        f"{figures['p50_ms']:.0f} ms, p99 {figures['p99_ms']:.0f} ms, "
                        f"{queries[name]} queries, load {load[0]}",
                        flush=True,
                    )
                results[name] = {
                    "path": path,
                    "queries": queries[name],
                    "runs": measured,
                    "median": {
                        key: statistics.median(m[key] for m in measured)
                        for key in ("rps", "p50_ms", "p90_ms", "p99_ms")
                    },
                }

    print(
        f"\nHTTP, one daphne process, {CONNECTIONS} connections, {tool}, "
        f"median of {runs} x {seconds} s"
    )
    print(f"{'page':8} {'queries':>7} {'req/s':>8} {'p50 ms':>8} {'p90 ms':>8} "
          f"{'p99 ms':>8} {'non-2xx':>8}")  # fmt: skip
    for name, r in results.items():
        m = r["median"]
        bad = sum(x["errors"] + x["timeouts"] for x in r["runs"])
        print(
            f"{name:8} {r['queries']:>7} {m['rps']:>8.1f} {m['p50_ms']:>8.0f} "
            f"{m['p90_ms']:>8.0f} {m['p99_ms']:>8.0f} {bad:>8}"
        )
    report = {
        "benchmark": "http",
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_after": load_average(),
        },
        "database": "sqlite" if args.sqlite else "postgresql",
        "tool": tool,
        "connections": CONNECTIONS,
        "seconds": seconds,
        "runs": runs,
        "seed": {
            "comments": N_TOP + N_REPLIES,
            "responses": N_RESPONSES,
            "endorsements": N_ENDORSEMENTS,
            "questions": N_QUESTIONS,
            "report": VTAIWAN,
        },
        "pages": results,
    }
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    path = out / f"http-{stamp}.json"
    path.write_text(json.dumps(report, indent=2))
    print(f"\nwrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
elif __name__ == "http":
    # Another script in bench/ runs, so bench/ is on sys.path and "import http"
    # found this file: stand in for the standard library's package instead.
    import importlib.machinery
    import importlib.util

    _spec = importlib.machinery.PathFinder.find_spec(
        "http", [str(Path(os.__file__).parent)]
    )
    assert _spec is not None and _spec.loader is not None
    _stdlib_http = importlib.util.module_from_spec(_spec)
    sys.modules["http"] = _stdlib_http
    _spec.loader.exec_module(_stdlib_http)
