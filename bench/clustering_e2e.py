"""Clustering end to end: from the last vote to the analysis pushed to a page.

    python bench/clustering_e2e.py           # 2k (vTaiwan) and 33k, 3 runs each
    python bench/clustering_e2e.py --quick   # 2k only, 2 runs

On PostgreSQL (a temporary database ``agora_bench_e2e_<pid>``, dropped at the
end) and Redis (channel layer with its own key prefix; nothing is flushed):

* 2k: the vTaiwan Polis conversation (1.9k participants, 50k votes) imported
  through ``clustering.services.import_export``;
* 33k: a synthetic conversation of 33.5k participants, 800 statements and
  2M votes (``bench/clustering.py``'s generator), loaded with COPY.

Starts the real worker (``manage.py db_worker --queue-name '*'``, default
polling interval) and one daphne process (production settings), subscribes a
websocket client to the conversation (``/ws/conversations/<id>/``), then for
each run records one new vote through ``services.record_vote`` (as the vote
view does) and times until the ``analysis`` frame counting that vote arrives
on the websocket. Runs are spaced by the debounce interval so each vote is
the first after a quiet spell. Prints a table and writes
``bench/results/clustering-e2e-<timestamp>.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import importlib.util
import io
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from _support import drop_database, load_average

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

VTAIWAN = "polis/opendata/vtaiwan.uberx"


def _bench_clustering() -> Any:
    """bench/clustering.py (its generator and data paths), loaded by path."""
    spec = importlib.util.spec_from_file_location(
        "bench_clustering", ROOT / "bench" / "clustering.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def temporary_database(server: str) -> Iterator[str]:
    import psycopg

    name = f"agora_bench_e2e_{os.getpid()}"
    admin = f"{server.rstrip('/')}/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server.rstrip('/')}/{name}"
    finally:
        drop_database(admin, name)


def environment(database_url: str, redis_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    prefix = f"agora-bench-{os.getpid()}"
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-" + "k" * 50,
            "ALLOWED_HOSTS": "127.0.0.1",
            "EMAIL_HOST": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "0",
            "RATELIMIT_ENABLED": "0",
            "LOG_LEVEL": "WARNING",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "CHANNEL_LAYER_PREFIX": prefix,
            "CACHE_KEY_PREFIX": prefix,
        }
    )
    return env


@contextlib.contextmanager
def processes(env: dict[str, str], port: int) -> Iterator[None]:
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--queue-name", "*"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    server = subprocess.Popen(
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
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("daphne did not start") from None
                time.sleep(0.2)
        yield
    finally:
        for process in (worker, server):
            process.terminate()
        for process in (worker, server):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


# --------------------------------------------------------------------- seed


def import_vtaiwan(data: Path) -> int:
    from clustering.services.imports import import_export

    return import_export(data / VTAIWAN, title="vTaiwan", is_open=True).pk


def load_synthetic(bench: Any) -> int:
    """33.5k participants, 800 statements, 2M votes, loaded with COPY."""
    from django.db import connection, transaction

    from clustering.models import (
        Conversation,
        Participant,
        Statement,
        StatementStatus,
        Vote,
    )
    from clustering.services.analysis import ensure_schedule, note_change

    n, m, v = bench.SHAPES["33k"]
    rows, cols, values, _latent = bench.synthetic(n, m, v)
    with transaction.atomic():
        conversation = Conversation.objects.create(
            topic="Synthetic 33k", is_open=True, strict_moderation=False
        )
        ensure_schedule(conversation.pk)
        statements = Statement.objects.bulk_create(
            Statement(
                conversation=conversation,
                text=f"Synthetic statement {j}",
                status=StatementStatus.ACCEPTED,
            )
            for j in range(m)
        )
        participants = Participant.objects.bulk_create(
            (
                Participant(conversation=conversation, browser_token=f"synthetic-{i}")
                for i in range(n)
            ),
            batch_size=5000,
        )
        sids = [s.pk for s in statements]
        pids = [p.pk for p in participants]
        now = dt.datetime.now(dt.UTC).isoformat()
        buffer = io.StringIO()
        cid = conversation.pk
        for r, c, value in zip(
            rows.tolist(), cols.tolist(), values.tolist(), strict=True
        ):
            buffer.write(f"{cid}\t{pids[r]}\t{sids[c]}\t{value}\t{now}\t{now}\n")
        table = Vote._meta.db_table
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg 3 cursor under Django's wrapper
            with raw.copy(
                f"COPY {table} (conversation_id, participant_id, statement_id, "
                "value, created_at, updated_at) FROM STDIN"
            ) as copy:
                copy.write(buffer.getvalue())
        note_change(conversation.pk)
    return conversation.pk


def wait_until_analysed(conversation_id: int, timeout: float) -> None:
    from clustering.models import Analysis, AnalysisSchedule

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        schedule = AnalysisSchedule.objects.get(pk=conversation_id)
        done = Analysis.objects.filter(
            conversation_id=conversation_id, status="ok"
        ).exists()
        if done and not schedule.is_dirty and not schedule.running_token:
            return
        time.sleep(0.5)
    raise SystemExit(f"conversation {conversation_id}: no analysis in {timeout} s")


# -------------------------------------------------------------------- measure


def cast_vote(conversation_id: int, token: str) -> tuple[int, float]:
    """One new vote through the service; (votes now, wall-clock commit time)."""
    from django.contrib.auth.models import AnonymousUser
    from django.db import close_old_connections

    from clustering import services
    from clustering.models import Conversation, Vote
    from clustering.services.participation import visible_statements

    close_old_connections()
    conversation = Conversation.objects.get(pk=conversation_id)
    statement = visible_statements(conversation).order_by("?").first()
    assert statement is not None
    actor = services.Actor(user=AnonymousUser(), browser_token=token, ip="10.0.0.9")
    outcome = services.record_vote(
        conversation=conversation, actor=actor, statement_id=statement.pk, value=1
    )
    committed = time.time()
    assert outcome.changed
    return Vote.objects.filter(conversation_id=conversation_id).count(), committed


def analysis_row(analysis_id: int) -> dict[str, Any]:
    from clustering.models import Analysis

    row = Analysis.objects.get(pk=analysis_id)
    return {
        "duration_ms": row.duration_ms,
        "started_at": row.started_at.timestamp(),
        "computed_at": row.computed_at.timestamp(),
    }


async def measure(
    port: int, conversation_id: int, runs: int, interval: float, shape: str
) -> list[dict[str, Any]]:
    import websockets

    url = f"ws://127.0.0.1:{port}/ws/conversations/{conversation_id}/"
    results = []
    async with websockets.connect(
        url, origin=f"http://127.0.0.1:{port}", max_size=2**22
    ) as ws:
        first = json.loads(await asyncio.wait_for(ws.recv(), 30))
        assert first["type"] == "snapshot", first
        for run in range(runs):
            await asyncio.sleep(interval + 1)  # the vote comes after a quiet spell
            load = load_average()
            started = time.perf_counter()
            expected, committed = await asyncio.to_thread(
                cast_vote, conversation_id, f"bench-last-{shape}-{run}"
            )
            voted = time.perf_counter()
            while True:
                message = json.loads(await asyncio.wait_for(ws.recv(), 600))
                if (
                    message["type"] == "analysis"
                    and message["analysis"]["n_votes"] >= expected
                ):
                    break
            pushed = time.perf_counter()
            row = await asyncio.to_thread(analysis_row, message["analysis"]["id"])
            results.append(
                {
                    "vote_ms": (voted - started) * 1000,
                    "e2e_ms": (pushed - voted) * 1000,
                    "pickup_ms": (row["started_at"] - committed) * 1000,
                    "compute_ms": row["duration_ms"],
                    "n_votes": message["analysis"]["n_votes"],
                    "load_before": load,
                }
            )
            print(
                f"  {shape} run {run + 1}: {results[-1]['e2e_ms']:.0f} ms "
                f"(analysis {row['duration_ms']} ms, load {load[0]})",
                flush=True,
            )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="2k only, 2 runs")
    parser.add_argument("--runs", type=int, help="runs per shape (default 3)")
    parser.add_argument("--shapes", help="comma-separated: 2k,33k (default both)")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server URL without a database name",
    )
    parser.add_argument(
        "--redis", default=os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/0")
    )
    args = parser.parse_args()
    runs = args.runs or (2 if args.quick else 3)
    shapes = ["2k"] if args.quick else ["2k", "33k"]
    if args.shapes:
        shapes = [s for s in args.shapes.split(",") if s in ("2k", "33k")]
    bench = _bench_clustering()
    data = bench.shared_data()

    results: dict[str, Any] = {}
    with temporary_database(args.postgres) as database_url:
        env = environment(database_url, args.redis)
        os.environ.update(env)
        import django

        django.setup()
        from django.core.management import call_command

        from clustering import conf

        call_command("migrate", verbosity=0)
        interval = conf.analysis_interval()
        port = free_port()
        with processes(env, port):
            for shape in shapes:
                t0 = time.monotonic()
                cid = import_vtaiwan(data) if shape == "2k" else load_synthetic(bench)
                loaded = time.monotonic() - t0
                wait_until_analysed(cid, timeout=900)
                print(f"{shape}: loaded in {loaded:.0f} s, first analysis done")
                measured = asyncio.run(measure(port, cid, runs, interval, shape))
                results[shape] = {
                    "conversation": VTAIWAN if shape == "2k" else "synthetic",
                    "n_votes": measured[-1]["n_votes"],
                    "runs": measured,
                    "median": {
                        key: statistics.median(r[key] for r in measured)
                        for key in ("vote_ms", "e2e_ms", "pickup_ms", "compute_ms")
                    },
                }

    print(
        "\nClustering end to end (PostgreSQL, Redis, one db_worker, one daphne), "
        f"median of {runs} runs"
    )
    print(
        f"{'shape':6} {'votes':>9} {'vote ms':>8} {'pickup ms':>10} "
        f"{'analysis ms':>12} {'vote->push ms':>14}"
    )
    for shape, r in results.items():
        m = r["median"]
        print(
            f"{shape:6} {r['n_votes']:>9} {m['vote_ms']:>8.0f} {m['pickup_ms']:>10.0f} "
            f"{m['compute_ms']:>12.0f} {m['e2e_ms']:>14.0f}"
        )
    report = {
        "benchmark": "clustering-e2e",
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_after": load_average(),
        },
        "debounce_interval_s": interval,
        "measured_to": "analysis frame received by a websocket subscriber",
        "shapes": results,
    }
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    path = out / f"clustering-e2e-{stamp}.json"
    path.write_text(json.dumps(report, indent=2))
    print(f"\nwrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
