"""Where the shared test data lives (real Polis exports, hostile strings).

The data sits beside the project (``../shared/data`` from the project root);
``AGORA_SHARED_DATA`` overrides. Missing data is an error, never a skip.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@cache
def shared_data() -> Path:
    candidates = [
        os.environ.get("AGORA_SHARED_DATA", ""),
        str(ROOT.parent / "shared" / "data"),
        "/work/shared/data",
    ]
    for candidate in candidates:
        if candidate and (Path(candidate) / "naughty-strings").is_dir():
            return Path(candidate)
    raise FileNotFoundError(
        "The shared test data was not found: set AGORA_SHARED_DATA to the "
        "folder holding naughty-strings/ and polis/."
    )


@cache
def naughty_strings() -> list[str]:
    """The Big List of Naughty Strings (MIT), 515 hostile inputs."""
    strings = json.loads((shared_data() / "naughty-strings/blns.json").read_text())
    assert len(strings) > 500
    return list(strings)
