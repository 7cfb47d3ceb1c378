"""Small helpers shared by the benchmark scripts (run as ``python bench/<x>.py``,
so this folder is first on ``sys.path``)."""

from __future__ import annotations

import os
import time


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def drop_database(admin: str, name: str) -> None:
    """Drop a temporary database; a busy shared server may refuse a moment."""
    import psycopg

    for attempt in range(10):
        try:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except psycopg.OperationalError as exc:
            if attempt == 9:
                print(f"could not drop database {name} ({exc}); drop it by hand")
            time.sleep(3)
