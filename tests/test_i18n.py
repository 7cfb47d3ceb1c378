"""Translation catalogues: zh-Hant complete, and in step with the source."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = sorted(
    p for p in ROOT.glob("**/locale/zh_Hant/LC_MESSAGES/*.po") if ".venv" not in p.parts
)


def test_every_app_has_a_zh_hant_catalogue():
    owners = {p.relative_to(ROOT).parts[0] for p in CATALOGUES}
    assert {"locale", "accounts", "consultation", "forum", "clustering"} <= owners


@pytest.mark.parametrize(
    "catalogue", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT))
)
def test_catalogue_is_complete(catalogue):
    po = polib.pofile(str(catalogue))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    stats = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(catalogue)],
        capture_output=True,
        text=True,
    )
    assert stats.returncode == 0, stats.stderr
    assert "untranslated" not in stats.stderr and "fuzzy" not in stats.stderr


def test_catalogues_contain_every_marked_string(tmp_path):
    """Re-extract into a copy of the tree: nothing marked is missing."""
    copy = tmp_path / "tree"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "node_modules", "*.mo", "staticfiles", "*.sqlite3",
            "__pycache__", "bench", "tests", "vendor", "build",
        ),
    )  # fmt: skip
    result = subprocess.run(
        ["./scripts/makemessages.sh"],
        cwd=copy,
        env={**os.environ, "VENV": str(Path(sys.executable).parent.parent)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for fresh in copy.glob("**/locale/zh_Hant/LC_MESSAGES/*.po"):
        missing = [
            e.msgid
            for e in polib.pofile(str(fresh))
            if not e.obsolete and (not e.translated() or e.fuzzy)
        ]
        where = fresh.relative_to(copy)
        assert missing == [], f"{where}: run `make messages` and translate {missing}"


def test_pages_render_in_traditional_chinese(db):
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "zh-hant", "next": "/"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert '<html lang="zh-hant">' in page
    assert "一起參與公共決策" in page
    assert "計畫" in page
