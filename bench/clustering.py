"""Benchmark the clustering engine (not a timed test).

    python bench/clustering.py            # all shapes + red-dwarf comparison
    python bench/clustering.py --quick    # only the 2k shape (+ red-dwarf)

Every measurement runs in its own subprocess so its peak memory
(``resource.getrusage(...).ru_maxrss``, the whole process incl. numpy buffers)
is not polluted by the others.  Prints a table and writes
``bench/results/clustering-<timestamp>.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SHAPES: dict[str, tuple[int, int, int]] = {
    # name: (participants, statements, votes)
    "2k": (2_000, 600, 225_000),
    "33k": (33_500, 800, 2_000_000),
    "100k": (100_000, 1_000, 10_000_000),
}
RUNS = {"2k": 5, "33k": 3, "100k": 2}
VTAIWAN = "polis/opendata/vtaiwan.uberx"


def shared_data() -> Path:
    env = os.environ.get("AGORA_SHARED_DATA")
    return Path(env) if env else ROOT.parent / "shared" / "data"


def synthetic(
    n: int, m: int, votes: int, *, groups: int = 3, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Vectorised synthetic conversation with latent opinion groups.

    Returns (rows, cols, values, latent group per participant); exactly
    ``votes`` distinct (participant, statement) cells in random cast order.
    Participant activity is log-normal and statement popularity skewed, like
    real conversations.
    """
    rng = np.random.default_rng(seed)
    latent = rng.integers(0, groups, n)
    stance = rng.random((groups, m))
    p_agree = 0.05 + 0.85 * stance
    p_disagree = (1.0 - p_agree) * 0.85
    activity = rng.lognormal(0.0, 0.8, n)
    activity /= activity.sum()
    popularity = rng.lognormal(0.0, 0.5, m)
    popularity /= popularity.sum()
    keys = np.zeros(0, dtype=np.int64)
    while keys.size < votes:
        need = int((votes - keys.size) * 1.15) + 1000
        r = rng.choice(n, size=need, p=activity)
        c = rng.choice(m, size=need, p=popularity)
        keys = np.unique(np.concatenate([keys, r.astype(np.int64) * m + c]))
    keys = keys[rng.permutation(keys.size)[:votes]]
    rows, cols = keys // m, keys % m
    g = latent[rows]
    u = rng.random(votes)
    pa = p_agree[g, cols]
    values = np.where(u < pa, 1, np.where(u < pa + p_disagree[g, cols], -1, 0))
    return rows, cols, values.astype(np.int8), latent


def _peak_mib() -> float:
    # Linux reports kilobytes
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def worker_ours(shape: str, runs: int) -> dict[str, Any]:
    from clustering.__main__ import adjusted_rand_index
    from clustering.math import Parameters, VoteTable, analyze

    n, m, v = SHAPES[shape]
    t0 = time.perf_counter()
    rows, cols, values, latent = synthetic(n, m, v)
    gen = time.perf_counter() - t0
    table = VoteTable.from_arrays(rows, cols, values)
    rss_input = _rss_mib()
    times, cpu = [], []
    result = None
    for i in range(runs):
        t, c = time.perf_counter(), time.process_time()
        result = analyze(table, params=Parameters(seed=i))
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    assert result is not None
    t = time.perf_counter()
    payload = json.dumps(result.to_json())
    to_json = time.perf_counter() - t
    grouped = result.group_of()
    ids = sorted(grouped)
    recovered = adjusted_rand_index(
        [int(latent[p]) for p in ids], [grouped[p] for p in ids]
    )
    triples_time = None
    if shape == "2k":
        triples = list(zip(rows.tolist(), cols.tolist(), values.tolist(), strict=True))
        tt = []
        for _ in range(runs):
            t = time.perf_counter()
            analyze(triples)
            tt.append(time.perf_counter() - t)
        triples_time = statistics.median(tt)
    return {
        "engine": "agora",
        "shape": shape,
        "participants": n,
        "statements": m,
        "votes": table.n_votes,
        "generate_s": gen,
        "runs_s": times,
        "median_s": statistics.median(times),
        "median_cpu_s": statistics.median(cpu),
        "from_triples_s": triples_time,
        "to_json_s": to_json,
        "json_mib": len(payload) / 2**20,
        "rss_after_input_mib": rss_input,
        "peak_rss_mib": _peak_mib(),
        "k": result.k,
        "clustered": result.n_clustered,
        "ari_vs_latent": recovered,
    }


def _vtaiwan_votes() -> tuple[list[tuple[int, int, int, int]], list[int]]:
    from clustering.polis_io import read_export

    ex = read_export(shared_data() / VTAIWAN)
    latest: dict[tuple[Any, Any], tuple[int, int]] = {}
    for vote in sorted(ex.votes, key=lambda x: x.timestamp):
        latest[(vote.pid, vote.tid)] = (vote.vote, vote.timestamp)
    quads = [(int(p), int(t), v, ts) for (p, t), (v, ts) in latest.items()]
    return quads, sorted(int(t) for t in ex.moderated_out)


def worker_ours_vtaiwan(runs: int) -> dict[str, Any]:
    from clustering.math import analyze

    quads, mod_out = _vtaiwan_votes()
    triples = [(p, t, v) for p, t, v, _ in quads]
    times, cpu = [], []
    result = None
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        result = analyze(triples, moderated_out=mod_out)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    assert result is not None
    return {
        "engine": "agora",
        "shape": "vtaiwan",
        "votes": len(triples),
        "runs_s": times,
        "median_s": statistics.median(times),
        "median_cpu_s": statistics.median(cpu),
        "peak_rss_mib": _peak_mib(),
        "k": result.k,
    }


def worker_reddwarf(shape: str, runs: int) -> dict[str, Any]:
    from reddwarf.implementations.polis import run_pipeline  # benchmark-only

    if shape == "vtaiwan":
        quads, mod_out = _vtaiwan_votes()
    else:
        n, m, v = SHAPES[shape]
        rows, cols, values, _ = synthetic(n, m, v)
        quads = list(
            zip(
                rows.tolist(),
                cols.tolist(),
                values.tolist(),
                range(rows.size),
                strict=True,
            )
        )
        mod_out = []
    votes = [
        {"participant_id": p, "statement_id": t, "vote": x, "modified": ts}
        for p, t, x, ts in quads
    ]
    times, cpu = [], []
    k = None
    for i in range(runs):
        t, c = time.perf_counter(), time.process_time()
        res = run_pipeline(votes=votes, mod_out_statement_ids=mod_out, random_state=i)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        k = int(res.participants_df["cluster_id"].dropna().nunique())
    return {
        "engine": "red-dwarf 0.4.0",
        "shape": shape,
        "votes": len(votes),
        "runs_s": times,
        "median_s": statistics.median(times),
        "median_cpu_s": statistics.median(cpu),
        "peak_rss_mib": _peak_mib(),
        "k": k,
    }


BLAS_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _spawn(*args: str, blas_threads: int = 1) -> dict[str, Any]:
    # one BLAS thread per worker (both engines): on a small shared machine a
    # multi-threaded BLAS spins and only adds noise; a math worker runs one
    # conversation per process anyway
    env = dict(os.environ)
    if blas_threads > 0:
        env.update({name: str(blas_threads) for name in BLAS_ENV})
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--worker", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env=env,
    )
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1:] or ["failed"]}
    data: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return data


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="only the 2k shape")
    parser.add_argument("--no-reddwarf", action="store_true")
    parser.add_argument(
        "--shapes", default="", help="comma list of " + ",".join(SHAPES)
    )
    parser.add_argument(
        "--blas-threads",
        type=int,
        default=1,
        help="BLAS threads per worker (0 = library default)",
    )
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        kind, shape, runs = args.worker[0], args.worker[1], int(args.worker[2])
        if kind == "ours" and shape == "vtaiwan":
            out = worker_ours_vtaiwan(runs)
        elif kind == "ours":
            out = worker_ours(shape, runs)
        else:
            out = worker_reddwarf(shape, runs)
        print(json.dumps(out))
        return 0

    shapes = ["2k"] if args.quick else list(SHAPES)
    if args.shapes:
        shapes = [s for s in args.shapes.split(",") if s in SHAPES]
    results: list[dict[str, Any]] = []
    for shape in shapes:
        results.append(
            _spawn("ours", shape, str(RUNS[shape]), blas_threads=args.blas_threads)
        )
        print(json.dumps(results[-1]), flush=True)
    if not args.no_reddwarf:
        for shape in ("2k", "vtaiwan"):
            if shape == "vtaiwan":
                results.append(
                    _spawn("ours", "vtaiwan", "5", blas_threads=args.blas_threads)
                )
                print(json.dumps(results[-1]), flush=True)
            results.append(
                _spawn("reddwarf", shape, "3", blas_threads=args.blas_threads)
            )
            print(json.dumps(results[-1]), flush=True)

    print()
    head = ("engine", "shape", "votes", "wall s", "cpu s", "peak MiB", "k")
    print(
        f"{head[0]:<16}{head[1]:<9}{head[2]:>11}{head[3]:>9}{head[4]:>9}"
        f"{head[5]:>10}{head[6]:>3}"
    )
    for r in results:
        if "error" in r:
            print("error:", r["error"])
            continue
        print(
            f"{r['engine']:<16}{r['shape']:<9}{r['votes']:>11}"
            f"{r['median_s']:>9.3f}{r['median_cpu_s']:>9.3f}"
            f"{r['peak_rss_mib']:>10.0f}{r['k']:>3}"
        )
    ratios: dict[str, dict[str, float]] = {}
    for shape in ("2k", "vtaiwan"):
        ours = [
            r for r in results if r.get("engine") == "agora" and r["shape"] == shape
        ]
        rd = [
            r
            for r in results
            if r.get("engine", "").startswith("red") and r["shape"] == shape
        ]
        if ours and rd:
            wall = ours[0].get("from_triples_s") or ours[0]["median_s"]
            ratios[shape] = {
                "wall_from_records": rd[0]["median_s"] / wall,
                "wall": rd[0]["median_s"] / ours[0]["median_s"],
                "cpu": rd[0]["median_cpu_s"] / ours[0]["median_cpu_s"],
            }
            r_ = ratios[shape]
            print(
                f"red-dwarf / agora on {shape}: {r_['wall_from_records']:.1f}x wall "
                f"(from vote records), {r_['wall']:.1f}x wall, {r_['cpu']:.1f}x cpu"
            )
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(tz=dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = out_dir / f"clustering-{stamp}.json"
    path.write_text(
        json.dumps(
            {
                "machine": {
                    "python": platform.python_version(),
                    "cpus": os.cpu_count(),
                    "platform": platform.platform(),
                },
                "blas_threads": args.blas_threads,
                "results": results,
                "reddwarf_ratio": ratios,
            },
            indent=2,
        )
    )
    print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
