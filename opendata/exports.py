"""Building and caching the export of a scope.

One export of a scope is a directory in the cache (``AGORA_OPENDATA_CACHE``,
by default ``MEDIA_ROOT/opendata-cache``)::

    <scope name>/<fingerprint>/
        data/<table>.csv      every table as CSV (UTF-8, header row)
        json/<table>.json     every table as a JSON array of objects
        datapackage.json      Frictionless Data Package describing the CSVs
        <scope name>.zip      datapackage.json + data/*.csv
        meta.json             fingerprint and generation date

All files of one export are written in one pass with one random salt, so the
pseudonyms agree across its tables; the salt is never stored. Rows go from
the database cursor straight to the files (``iterator()``), and the ZIP is
written from those files, so no file is ever held whole in memory. The
directory is built under a temporary name and renamed into place, so a
reader never sees half an export; older exports of the scope are removed.
A new fingerprint (the data changed) means a new export on the next request.
"""

from __future__ import annotations

import csv
import json
import os
import secrets
import shutil
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from common import ratelimit
from opendata.scopes import Scope
from opendata.tables import Export, Pseudonyms, Table, iso, tables_for

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Exports one client may cause to be built: each build reads the whole scope.
BUILD_RATE = "30/hour"


def cache_root() -> Path:
    return Path(settings.AGORA_OPENDATA_CACHE)


@dataclass(frozen=True)
class Built:
    """A complete export on disk."""

    path: Path
    fingerprint: str
    generated_at: datetime

    def csv(self, table: str) -> Path:
        return self.path / "data" / f"{table}.csv"

    def json(self, table: str) -> Path:
        return self.path / "json" / f"{table}.json"

    @property
    def zip(self) -> Path:
        return self.path / f"{self.path.parent.name}.zip"


def _csv_cell(value: Any) -> Any:
    """Booleans as true/false; neutralise spreadsheet formulas in text cells
    (a leading apostrophe), except numbers such as -1."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _write_table(table: Table, export: Export, csv_path: Path, json_path: Path) -> int:
    count = 0
    with (
        csv_path.open("w", encoding="utf-8", newline="") as csv_file,
        json_path.open("w", encoding="utf-8") as json_file,
    ):
        writer = csv.writer(csv_file)
        writer.writerow(table.columns)
        json_file.write("[")
        for row in table.rows(export):
            writer.writerow([_csv_cell(row[c]) for c in table.columns])
            json_file.write(",\n" if count else "\n")
            json_file.write(json.dumps(row, ensure_ascii=False))
            count += 1
        json_file.write("\n]\n" if count else "]\n")
    return count


def datapackage(scope: Scope, tables: list[Table], generated_at: datetime) -> Any:
    licence = settings.AGORA_DATA_LICENCE
    names = {t.name for t in tables}
    return {
        "profile": "tabular-data-package",
        "name": f"agora-{scope.name}",
        "title": f"{settings.AGORA_SITE_NAME}: {scope.title}",
        "description": (
            "Open data of the public plans, forum sessions and opinion "
            "conversations on this site. Participants are pseudonymous; hidden "
            "content is left out."
        ),
        "homepage": f"{settings.SITE_URL}/open-data/",
        "created": iso(generated_at),
        "licenses": [
            {
                "name": licence["name"],
                "title": licence["title"],
                "path": licence["path"],
            }
        ],
        "resources": [
            {
                "profile": "tabular-data-resource",
                "name": table.name,
                "path": f"data/{table.name}.csv",
                "title": table.title,
                "description": table.description,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": table.schema(names),
            }
            for table in tables
        ],
    }


def find(scope: Scope, print_: str) -> Built | None:
    path = cache_root() / scope.name / print_
    try:
        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return Built(
        path=path,
        fingerprint=print_,
        generated_at=datetime.fromisoformat(meta["generated_at"]),
    )


def latest(scope: Scope) -> Built | None:
    """The newest export of ``scope`` on disk, current or not (for the page)."""
    root = cache_root() / scope.name
    try:
        names = [p.name for p in root.iterdir() if not p.name.startswith(".")]
    except OSError:
        return None
    found = [b for b in (find(scope, n) for n in names) if b is not None]
    return max(found, key=lambda b: b.generated_at, default=None)


def build(scope: Scope, print_: str) -> Built:
    """Write the export of ``scope`` for fingerprint ``print_``."""
    root = cache_root() / scope.name
    root.mkdir(parents=True, exist_ok=True)
    work = root / f".building-{secrets.token_hex(8)}"
    (work / "data").mkdir(parents=True)
    (work / "json").mkdir()
    export = Export(scope=scope, pseudonyms=Pseudonyms(secrets.token_bytes(32)))
    tables = tables_for(scope)
    try:
        for table in tables:
            _write_table(
                table,
                export,
                work / "data" / f"{table.name}.csv",
                work / "json" / f"{table.name}.json",
            )
        package = datapackage(scope, tables, export.generated_at)
        (work / "datapackage.json").write_text(
            json.dumps(package, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        with zipfile.ZipFile(
            work / f"{scope.name}.zip", "w", compression=zipfile.ZIP_DEFLATED
        ) as archive:
            archive.write(work / "datapackage.json", "datapackage.json")
            for table in tables:
                archive.write(
                    work / "data" / f"{table.name}.csv", f"data/{table.name}.csv"
                )
        meta = {"fingerprint": print_, "generated_at": export.generated_at.isoformat()}
        (work / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        target = root / print_
        try:
            os.rename(work, target)
        except OSError:
            # Another request finished the same export first: use theirs.
            shutil.rmtree(work, ignore_errors=True)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    _remove_stale(root, keep=print_)
    built = find(scope, print_)
    if built is None:  # pragma: no cover - renamed away between the two steps
        raise RuntimeError(f"export {scope.name}/{print_} vanished")
    return built


def _remove_stale(root: Path, *, keep: str) -> None:
    """Remove older exports (and builds abandoned more than an hour ago).
    Files being served stay readable until closed."""
    cutoff = timezone.now().timestamp() - 3600
    for path in root.iterdir():
        if path.name == keep:
            continue
        if path.name.startswith(".building-"):
            try:
                if path.stat().st_mtime > cutoff:
                    continue
            except OSError:
                continue
        shutil.rmtree(path, ignore_errors=True)


def current(scope: Scope, print_: str, *, client: str) -> Built:
    """The export of ``scope`` for fingerprint ``print_``, built if needed.

    Building reads the whole scope, so it is rate-limited per ``client``; a
    client over the limit gets the previous export of the scope, and
    :class:`~common.ratelimit.RateLimited` when there is none yet.
    """
    built = find(scope, print_)
    if built is not None:
        return built
    try:
        ratelimit.check("opendata.build", client, BUILD_RATE)
    except ratelimit.RateLimited:
        stale = latest(scope)
        if stale is None:
            raise
        return stale
    return build(scope, print_)
