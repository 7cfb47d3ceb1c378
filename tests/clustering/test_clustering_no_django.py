"""clustering.math (and the CLI path) must never import Django or a project app."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.clustering.conftest import PROJECT_ROOT

MATH = PROJECT_ROOT / "clustering" / "math"
ALLOWED_THIRD_PARTY = {"numpy", "scipy", "sklearn"}
PROJECT_APPS = {"config", "common", "accounts", "consultation", "forum", "clustering"}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: use absolute imports"
            names.append(node.module or "")
    return names


def test_math_imports_only_stdlib_numpy_scipy_sklearn() -> None:
    files = sorted(MATH.rglob("*.py"))
    assert len(files) >= 7
    for path in files:
        for name in _imports(path):
            root = name.split(".")[0]
            if name == "clustering.math" or name.startswith("clustering.math."):
                continue
            assert root not in PROJECT_APPS, f"{path} imports project module {name}"
            assert root != "django", f"{path} imports {name}"
            assert root in sys.stdlib_module_names or root in ALLOWED_THIRD_PARTY, (
                f"{path} imports {name}"
            )


def test_importing_math_and_cli_loads_no_django() -> None:
    code = (
        "import sys, clustering.math, clustering.polis_io, clustering.__main__\n"
        "bad = sorted(m for m in sys.modules if m == 'django' or "
        "m.startswith('django.'))\n"
        "assert not bad, bad\n"
        "print('ok')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(PROJECT_ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
