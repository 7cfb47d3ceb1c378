"""The offline command line on a real export (no Django, no database)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

from tests.clustering.conftest import PROJECT_ROOT


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "clustering", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_analyze_vtaiwan_prints_summary_and_writes_json(
    shared_data: Path, tmp_path: Path
) -> None:
    export = shared_data / "polis" / "opendata" / "vtaiwan.uberx"
    out = tmp_path / "result.json"
    proc = _run("analyze", str(export), "--json", str(out), "--seed", "5")
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert "Participants clustered: 1218" in text
    assert "Group 0:" in text and "Group 1:" in text
    assert "Consensus (agree):" in text
    # statement text is shown (the top consensus statement of vtaiwan)
    assert "我覺得應該審核人員" in text
    assert "Agreement with Polis's published groups: ARI" in text

    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["schema"] == "agora.clustering/1"
    assert data["params"]["seed"] == 5
    for key in (
        "groups",
        "consensus",
        "group_informed_consensus",
        "priorities",
        "participants",
        "statements",
        "versions",
        "divisive",
    ):
        assert key in data
    with (export / "votes.csv").open(newline="") as fh:
        voter_ids = {int(r["voter-id"]) for r in csv.DictReader(fh)}
    assert {int(k) for k in data["participants"]} == voter_ids
    for g in data["groups"]:
        assert set(g) >= {"id", "participants", "center", "repness"}
        assert set(g["participants"]) <= voter_ids


def test_replay_option(shared_data: Path) -> None:
    export = shared_data / "polis" / "opendata" / "15-per-hour-seattle"
    proc = _run("analyze", str(export), "--replay", "20")
    assert proc.returncode == 0, proc.stderr
    assert "groups: 2" in proc.stdout


def test_bad_folder_is_a_usage_error(tmp_path: Path) -> None:
    proc = _run("analyze", str(tmp_path / "missing"))
    assert proc.returncode == 2
    assert "is not a folder" in proc.stderr
