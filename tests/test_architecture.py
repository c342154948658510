"""The house's shape holds: the import-linter contracts of pyproject.toml (layers and
forbidden imports), no import circle anywhere (imports inside functions included), and no
module so long that it hides two jobs."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "orders_cli"
MAX_LINES = 500
LONG_REASON = "Longer than 500 lines because"


def test_import_contracts_hold():
    exe = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    r = subprocess.run([exe, "--no-cache", "--config", str(ROOT / "pyproject.toml")], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
    assert "0 broken" in r.stdout, r.stdout[-2000:]


def test_no_import_circle_anywhere():
    grimp = pytest.importorskip("grimp")  # import-linter's own graph builder
    graph = grimp.build_graph("orders_cli")
    circles = []
    for module in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported != module and graph.chain_exists(importer=imported, imported=module):
                circles.append(" -> ".join(graph.find_shortest_chain(importer=imported, imported=module) or ()) + f" -> {imported}")
    assert not circles, "import circles:\n" + "\n".join(circles[:20])


def test_no_module_hides_two_jobs():
    too_long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations/versions" in path.as_posix():
            continue
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > MAX_LINES and LONG_REASON not in text[:3000]:
            too_long.append(f"{path.relative_to(ROOT)}: {text.count(chr(10))} lines")
    assert not too_long, f"over {MAX_LINES} lines without '{LONG_REASON} ...' in the docstring: {too_long}"
