"""Benchmark the live-session fan-out (not a timed test).

    python bench/live_fanout.py            # 1k / 2k / 5k viewers, 1 and 2 daphnes
    python bench/live_fanout.py --quick    # smoke test: 200 viewers, short
    python bench/live_fanout.py --burst    # Q&A burst: 2k viewers, 60 s of
                                           # 20 upvotes/s + 2 questions/s
    python bench/live_fanout.py --viewers 5000 --servers 1 --repeat 2

Every run starts its own servers on loopback: one daphne process with the
in-memory channel layer, or two daphne processes with a private redis-server
(on a free port; the shared Redis is never touched), all against a PostgreSQL
database created for the run (``agora_bench_<pid>``, dropped afterwards) with
rate limits off. Viewers are ``websockets`` clients (compression off) spread
over several OS processes (one per ~1,000 viewers) so that the client side stays
cheap; they connect at a controlled ramp, round-robin over the daphne
processes. A publisher asks questions and upvotes over the HTTP API.

Each viewer records, per frame, only what it needs: ``type``, ``seq``, the
question id of ``question.added`` and tally counts. From that the bench
reports connect failures, question-broadcast latency (publisher send time to
receipt, both on this machine's ``time.time()``; and from the event's server
``at`` stamp), lost / duplicate / out-of-order events by ``seq``, tally frames
per second per viewer, whether every viewer's final counts equal the server's,
and server RSS per connection. Prints a table and writes
``bench/results/live_fanout-<timestamp>.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import datetime as dt
import json
import multiprocessing as mp
import os
import platform
import random
import resource
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

VIEWERS_PER_PROCESS = 1000
PG_ADMIN = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


# --- servers -----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process on port {port} exited: {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listening on port {port} after {seconds} s")


def raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="agora-bench-redis-") as tmp:
        process = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", tmp],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            wait_for_port(port, process, 10)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            process.wait(timeout=10)


@contextlib.contextmanager
def daphnes(
    count: int, env: dict[str, str]
) -> Iterator[list[tuple[int, subprocess.Popen[bytes]]]]:
    ports = [free_port() for _ in range(count)]
    profile = os.environ.get("BENCH_PROFILE")  # a directory: cProfile each daphne

    def command(port: int) -> list[str]:
        args = ["-b", "127.0.0.1", "-p", str(port), "config.asgi:application"]
        if not profile:
            return [sys.executable, "-m", "daphne", *args]
        out = Path(profile, f"daphne-{port}.prof")
        return [sys.executable, "-m", "cProfile", "-o", str(out),
                "-m", "daphne", *args]  # fmt: skip

    logs = ROOT / "bench" / "results"
    logs.mkdir(parents=True, exist_ok=True)
    processes = [
        subprocess.Popen(
            command(port), cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
            stderr=(logs / f"daphne-{port}.log").open("wb"),
        )
        for port in ports
    ]  # fmt: skip
    try:
        for port, process in zip(ports, processes, strict=True):
            wait_for_port(port, process, 60)
        yield list(zip(ports, processes, strict=True))
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


# --- database and seed (this process runs Django against the bench database) --


def setup_django(database_url: str) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DEBUG": "1",
            "DATABASE_URL": database_url,
            "REDIS_URL": "",
            "RATELIMIT_ENABLED": "0",
        }
    )
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def admin_sql(sql: str) -> None:
    subprocess.run(
        ["psql", f"{PG_ADMIN}/postgres", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=True,
        capture_output=True,
    )


@dataclass
class Seed:
    session_id: int
    cookies: list[str]  # session cookies of the publishing users


def seed(users: int) -> Seed:
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from forum.models import ForumSession

    now = timezone.now()
    tag = secrets.token_hex(4)
    session = ForumSession.objects.create(
        title=f"Bench {tag}",
        slug=f"bench-{tag}",
        description="Benchmark session.",
        starts_at=now,
        ends_at=now + dt.timedelta(hours=2),
        status="live",
        login_required=True,
    )
    user_model = get_user_model()
    cookies = []
    for n in range(users):
        user = user_model.objects.create_user(  # type: ignore[attr-defined]
            email=f"bench-{tag}-{n}@example.org",
            password=None,
            display_name=f"Bench {n}",
        )
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        cookies.append(str(store.session_key))
    return Seed(session.pk, cookies)


def server_state(session_id: int) -> tuple[int, dict[str, int]]:
    from django.db import close_old_connections

    from forum import selectors
    from forum.models import Stream

    close_old_connections()
    seq = selectors.latest_seqs(session_id)[Stream.PUBLIC]
    counts = selectors.upvote_counts(session_id, None)
    return seq, {str(pk): n for pk, n in counts.items()}


# --- viewers (separate OS processes; no Django here) ---------------------------


@dataclass
class ViewerRecord:
    connected: bool = False
    closed_early: bool = False
    last_seq: int = -1
    duplicates: int = 0
    gaps: int = 0
    added: list[tuple[int, float, float]] = field(default_factory=list)
    tallies: list[float] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    error: str = ""


def _iso_ts(value: str, cache: dict[str, float]) -> float:
    ts = cache.get(value)
    if ts is None:
        ts = cache[value] = dt.datetime.fromisoformat(value).timestamp()
    return ts


async def _viewer(
    url: str, origin: str, record: ViewerRecord, stop: asyncio.Event, at_cache: dict
) -> None:
    """One viewer: a plain ``async for`` over the frames (cheap per frame, so
    the client side does not add its own queueing to the latency), stopped by
    cancellation when ``stop`` is set."""
    from websockets.asyncio.client import connect

    loads, now = json.loads, time.time
    try:
        async with connect(
            url,
            origin=origin,  # type: ignore[arg-type]
            compression=None,
            open_timeout=60,
            ping_interval=None,
            close_timeout=2,
            max_size=2**24,
            max_queue=None,
        ) as ws:
            record.connected = True
            async for raw in ws:
                received = now()
                frame = loads(raw)
                kind = frame["type"]
                if kind == "tally":
                    record.tallies.append(received)
                    record.counts.update(frame["counts"])
                elif kind == "snapshot":
                    record.last_seq = frame["seq"]
                    record.counts = {
                        str(q["id"]): q["upvotes"]
                        for q in frame["questions"]
                        if q["status"] in ("visible", "answered")
                    }
                elif "seq" in frame:
                    seq = frame["seq"]
                    if seq <= record.last_seq:
                        record.duplicates += 1
                        continue
                    if seq != record.last_seq + 1:
                        record.gaps += 1
                    record.last_seq = seq
                    if kind == "question.added":
                        question = frame["question"]
                        record.added.append(
                            (question["id"], received, _iso_ts(frame["at"], at_cache))
                        )
                        record.counts[str(question["id"])] = question["upvotes"]
    except asyncio.CancelledError:
        if not stop.is_set():
            raise
        return
    except Exception as exc:  # refused or dropped: counted by the caller
        record.error = f"{type(exc).__name__}: {str(exc)[:60]}"
    if not stop.is_set():
        record.closed_early = True


def behave_like_a_remote_client() -> None:
    """Real viewers are on other machines. Here they share the server's two
    cores, and every frame the server writes wakes a viewer process that the
    kernel may run at once in the server's place (wakeup preemption): the
    server then pays a context switch per socket written (measured: a question
    to 5,000 sockets took 0.4–0.75 s instead of a few tens of ms). As batch
    processes (SCHED_BATCH), the viewers still get their share of the CPU and
    read every frame, but a wakeup no longer preempts the server.
    ``BENCH_CLIENT_SCHED=normal`` turns this off."""
    if os.environ.get("BENCH_CLIENT_SCHED") == "normal":
        return
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))


def viewer_process(
    index: int,
    count: int,
    urls: list[tuple[str, str]],
    rate: float,
    connected: Any,
    failed: Any,
    stop_flag: Any,
    results: Any,
) -> None:
    raise_fd_limit()
    behave_like_a_remote_client()

    async def main() -> None:
        stop = asyncio.Event()
        records = [ViewerRecord() for _ in range(count)]
        at_cache: dict[str, float] = {}
        tasks = []
        start = time.monotonic()
        for n, record in enumerate(records):
            delay = start + n / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            url, origin = urls[(index + n) % len(urls)]
            tasks.append(
                asyncio.create_task(_viewer(url, origin, record, stop, at_cache))
            )
        reported_ok = reported_failed = 0
        while not stop_flag.is_set():
            await asyncio.sleep(0.2)
            ok = sum(r.connected for r in records)
            bad = sum(r.closed_early and not r.connected for r in records)
            with connected.get_lock():
                connected.value += ok - reported_ok
            with failed.get_lock():
                failed.value += bad - reported_failed
            reported_ok, reported_failed = ok, bad
        stop.set()
        for task in tasks:
            task.cancel()
        await asyncio.wait(tasks, timeout=20)
        summary = []
        for r in records:
            windows = 0
            tallies = r.tallies
            j = 0
            for i in range(len(tallies)):
                while tallies[i] - tallies[j] >= 1.0:
                    j += 1
                windows = max(windows, i - j + 1)
            summary.append(
                {
                    "connected": r.connected,
                    "closed_early": r.closed_early,
                    "last_seq": r.last_seq,
                    "duplicates": r.duplicates,
                    "gaps": r.gaps,
                    "added": r.added,
                    "tally_frames": len(tallies),
                    "tally_max_per_s": windows,
                    "counts": sorted(r.counts.items()),
                    "error": r.error,
                }
            )
        results.put((index, summary))

    asyncio.run(main())


# --- publisher -----------------------------------------------------------------


class Publisher:
    def __init__(self, ports: list[int], session_id: int, cookies: list[str]):
        self.ports = ports
        self.session_id = session_id
        self.cookies = cookies
        self.csrf = secrets.token_hex(16)  # 32 characters: a valid CSRF secret
        self.pool = ThreadPoolExecutor(max_workers=32)
        self.sent: dict[int, float] = {}  # question id -> send time
        self.questions: list[int] = []
        self.upvoted: set[tuple[int, int]] = set()
        self.errors: list[str] = []
        self.requests = 0

    def _post(self, n: int, path: str, user: int, body: Any = None) -> tuple[int, Any]:
        port = self.ports[n % len(self.ports)]
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}",
            data=json.dumps(body or {}).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-CSRFToken": self.csrf,
                "Cookie": f"sessionid={self.cookies[user]}; csrftoken={self.csrf}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, error.read()[:200]
        except OSError as error:
            return 0, str(error)

    def ask(self, n: int) -> None:
        sent = time.time()
        status, answer = self._post(
            n,
            f"/api/sessions/{self.session_id}/questions/",
            n % len(self.cookies),
            {"body": f"Bench question {n}", "anonymous": False, "agenda_item": None},
        )
        if status == 201:
            self.sent[answer["id"]] = sent
            self.questions.append(answer["id"])
        else:
            self.errors.append(f"ask: {status} {answer!r}")

    def upvote(self, n: int, rng: random.Random) -> None:
        if not self.questions:
            return
        for _ in range(20):
            question = rng.choice(self.questions[-20:])
            user = rng.randrange(len(self.cookies))
            if (question, user) not in self.upvoted:
                break
        else:
            return
        self.upvoted.add((question, user))
        status, answer = self._post(n, f"/api/questions/{question}/upvote/", user)
        if status != 200:
            self.errors.append(f"upvote: {status} {answer!r}")

    async def run(
        self, seconds: float, questions_per_s: float, upvotes_per_s: float
    ) -> None:
        loop = asyncio.get_running_loop()
        rng = random.Random(1)
        start = loop.time()
        pending: set[asyncio.Future[None]] = set()
        schedule: list[tuple[float, str]] = []
        if questions_per_s:
            schedule += [
                (i / questions_per_s, "ask")
                for i in range(int(seconds * questions_per_s))
            ]
        if upvotes_per_s:
            schedule += [
                (0.25 + i / upvotes_per_s, "upvote")
                for i in range(int(seconds * upvotes_per_s))
            ]
        schedule.sort()
        for n, (offset, action) in enumerate(schedule):
            delay = start + offset - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            self.requests += 1
            if action == "ask":
                future = loop.run_in_executor(self.pool, self.ask, n)
            else:
                future = loop.run_in_executor(self.pool, self.upvote, n, rng)
            pending.add(future)
            future.add_done_callback(pending.discard)
        if pending:
            await asyncio.wait(pending, timeout=60)


# --- one run -------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(q / 100 * (len(values) - 1))))
    return values[k]


def run_once(
    *,
    viewers: int,
    servers: int,
    database_url: str,
    seconds: float,
    questions_per_s: float,
    upvotes_per_s: float,
    ramp: float,
    timeout: float,
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    load_before = os.getloadavg()
    seeded = seed(users=60)
    with contextlib.ExitStack() as stack:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DEBUG": "1",
            "DATABASE_URL": database_url,
            # BENCH_DATABASE_POOL=0 measures without psycopg's connection pool.
            "DATABASE_POOL": os.environ.get("BENCH_DATABASE_POOL", "1"),
            "RATELIMIT_ENABLED": "0",
            "PYTHONPATH": str(ROOT),
            "REDIS_URL": "",
        }
        if servers > 1:
            env["REDIS_URL"] = stack.enter_context(redis_server())
        procs = stack.enter_context(daphnes(servers, env))
        ports = [port for port, _ in procs]
        # Warm each process up (imports, first request) before measuring RSS.
        for port in ports:
            with contextlib.suppress(OSError):
                urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/api/sessions/{seeded.session_id}/",
                    timeout=30,
                ).read()
        rss_before = [rss_kb(p.pid) for _, p in procs]

        urls = [
            (
                f"ws://127.0.0.1:{port}/ws/sessions/{seeded.session_id}/",
                f"http://127.0.0.1:{port}",
            )
            for port in ports
        ]
        ctx = mp.get_context("spawn")
        connected, failed = ctx.Value("i", 0), ctx.Value("i", 0)
        stop_flag, results = ctx.Event(), ctx.Queue()
        nproc = max(1, -(-viewers // VIEWERS_PER_PROCESS))
        sizes = [viewers // nproc + (i < viewers % nproc) for i in range(nproc)]
        workers = [
            ctx.Process(
                target=viewer_process,
                args=(
                    i,
                    size,
                    urls,
                    ramp / nproc,
                    connected,
                    failed,
                    stop_flag,
                    results,
                ),
                daemon=True,
            )
            for i, size in enumerate(sizes)
        ]
        for worker in workers:
            worker.start()
        t0 = time.monotonic()
        while connected.value + failed.value < viewers and time.monotonic() < deadline:
            time.sleep(0.25)
        connect_seconds = time.monotonic() - t0
        time.sleep(3)  # snapshots out, presence settled
        rss_after = [rss_kb(p.pid) for _, p in procs]

        publisher = Publisher(ports, seeded.session_id, seeded.cookies)
        pub_start = time.time()
        asyncio.run(
            asyncio.wait_for(
                publisher.run(seconds, questions_per_s, upvotes_per_s),
                timeout=max(5.0, deadline - time.monotonic() - 30),
            )
        )
        pub_end = time.time()
        publisher.pool.shutdown(wait=True)  # no write may land after the check
        time.sleep(4)  # tally coalescing, gap fill, once-a-second poll
        final_seq, final_counts = server_state(seeded.session_id)
        stop_flag.set()
        summaries: list[dict[str, Any]] = []
        for _ in workers:
            try:
                wait = max(5.0, deadline - time.monotonic())
                summaries += results.get(timeout=wait)[1]
            except Exception as error:
                print(f"   a viewer process did not report: {error!r}")
                break
        for worker in workers:
            worker.join(timeout=5)
            if worker.is_alive():
                worker.terminate()

    expected = sorted(final_counts.items())
    latencies, server_latencies = [], []
    for s in summaries:
        for qid, received, at in s["added"]:
            if qid in publisher.sent:
                latencies.append(received - publisher.sent[qid])
            server_latencies.append(received - at)
    ok = [s for s in summaries if s["connected"]]
    lost = sum(max(0, final_seq - s["last_seq"]) for s in ok)
    duration = max(pub_end - pub_start, 1e-9)

    def ms(q: float, values: list[float]) -> float | None:
        value = percentile(values, q)
        return None if value is None else round(value * 1000, 1)

    return {
        "viewers": viewers,
        "servers": servers,
        "layer": "redis" if servers > 1 else "in-memory",
        "connected": len(ok),
        "connect_failures": viewers - len(ok),
        "closed_early": sum(s["closed_early"] and s["connected"] for s in summaries),
        "client_errors": collections.Counter(
            s["error"] for s in summaries if s["error"]
        ).most_common(3),
        "connect_seconds": round(connect_seconds, 1),
        "questions": len(publisher.sent),
        "upvotes": len(publisher.upvoted),
        "publish_errors": len(publisher.errors),
        "publish_error_sample": publisher.errors[:3],
        "final_seq": final_seq,
        "latency_ms": {q: ms(q, latencies) for q in (50, 95, 99, 100)},
        "server_at_latency_ms": {q: ms(q, server_latencies) for q in (50, 95, 99, 100)},
        "lost_events": lost,
        "duplicates": sum(s["duplicates"] for s in summaries),
        "gaps": sum(s["gaps"] for s in summaries),
        "tally_frames_per_s_mean": round(
            statistics.mean(s["tally_frames"] for s in ok) / duration, 2
        )
        if ok
        else None,
        "tally_frames_per_s_max": max((s["tally_max_per_s"] for s in ok), default=0),
        "final_counts_match": sum(
            [list(pair) for pair in s["counts"]] == [list(p) for p in expected]
            for s in ok
        ),
        "rss_kb_before": rss_before,
        "rss_kb_after": rss_after,
        "rss_kb_per_connection": round(
            (sum(rss_after) - sum(rss_before)) / max(1, len(ok)), 1
        ),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
    }


# --- main ----------------------------------------------------------------------


def machine() -> dict[str, Any]:
    def first(cmd: list[str]) -> str:
        try:
            return subprocess.run(
                cmd, capture_output=True, text=True, timeout=10
            ).stdout.strip()
        except OSError:
            return "?"

    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    import websockets

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(
            os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1
        ),
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgresql": first(["psql", "--version"]),
        "redis": first(["redis-server", "--version"]),
        "websockets": websockets.__version__,
        "uptime": first(["uptime"]),
    }


def row(result: dict[str, Any]) -> str:
    lat = result["latency_ms"]
    return (
        f"{result['viewers']:>6} {result['servers']:>2} {result['layer']:<9} "
        f"{result['connect_failures']:>5} {lat[50]!s:>7} {lat[95]!s:>7} "
        f"{lat[99]!s:>7} {lat[100]!s:>7} {result['lost_events']:>5} "
        f"{result['duplicates']:>4} {result['gaps']:>4} "
        f"{result['tally_frames_per_s_max']:>4} "
        f"{result['final_counts_match']:>6}/{result['connected']:<6} "
        f"{result['rss_kb_per_connection']:>6} "
        f"{result['load_before'][0]:>5}"
    )


HEADER = (
    "viewers  p layer     fails     p50     p95     p99     max  lost  dup  gap "
    "t/s≤   counts ok   KB/c  load"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke test")
    parser.add_argument("--burst", action="store_true", help="the Q&A burst")
    parser.add_argument("--viewers", default=None, help="comma-separated counts")
    parser.add_argument("--servers", default="1,2", help="daphne processes: 1,2")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--ramp", type=float, default=50.0, help="connects per s")
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--timeout", type=float, default=600.0, help="per run")
    parser.add_argument("--questions-per-s", type=float, help="publisher's asks")
    parser.add_argument("--upvotes-per-s", type=float, help="publisher's upvotes")
    args = parser.parse_args()

    if args.burst:
        default_viewers, seconds, qps, ups = "2000", 60.0, 2.0, 20.0
        if args.quick:
            default_viewers, seconds = "200", 10.0
    else:
        default_viewers, seconds, qps, ups = "1000,2000,5000", 20.0, 1.0, 10.0
        if args.quick:
            default_viewers, seconds = "200", 5.0
    seconds = args.seconds or seconds
    if args.questions_per_s is not None:
        qps = args.questions_per_s
    if args.upvotes_per_s is not None:
        ups = args.upvotes_per_s
    counts = [int(v) for v in (args.viewers or default_viewers).split(",")]
    server_counts = [int(s) for s in args.servers.split(",")]

    raise_fd_limit()
    # A SIGTERM (or the timeout command) still stops the servers and drops
    # the database.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    name = f"agora_bench_{os.getpid()}"
    admin_sql(f"CREATE DATABASE {name}")
    results = []
    try:
        setup_django(f"{PG_ADMIN}/{name}")
        info = machine()
        print(
            f"{info['cpu']} x{info['cores']}, {info['ram_gb']} GB, "
            f"Python {info['python']}; {info['uptime']}"
        )
        print(
            f"{'burst' if args.burst else 'fan-out'}: {seconds:.0f} s, "
            f"{qps} questions/s, {ups} upvotes/s; latency in ms from publisher send"
        )
        print(HEADER)
        for _ in range(args.repeat):
            for viewers in counts:
                for servers in server_counts:
                    result = run_once(
                        viewers=viewers,
                        servers=servers,
                        database_url=f"{PG_ADMIN}/{name}",
                        seconds=seconds,
                        questions_per_s=qps,
                        upvotes_per_s=ups,
                        ramp=args.ramp,
                        timeout=args.timeout,
                    )
                    result["mode"] = "burst" if args.burst else "fanout"
                    results.append(result)
                    print(row(result), flush=True)
                    if result["client_errors"]:
                        print("   client errors:", result["client_errors"])
                    if result["publish_errors"]:
                        print("   publish errors:", result["publish_error_sample"])
    finally:
        from django.db import connections

        connections.close_all()
        admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    kind = "burst" if args.burst else "fanout"
    path = out / f"live_{kind}-{stamp}.json"
    path.write_text(json.dumps({"machine": info, "runs": results}, indent=2))
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
