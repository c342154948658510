"""bench/all.py, the harness of issue 19, still runs every row: at a tiny size (a 100-order
book, a handful of recurring orders, imports and PDFs, one run each) it prints its table and
writes JSON holding every row with its figure, floor, ratio, goal and pass fields. Not a
timed test: the figures are whatever this machine gives; only their presence is checked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow  # ~200 whole processes: minutes on a loaded machine

ROWS = {
    "help", "order_show", "order_list", "invoice_show", "order_show_table", "order_list_table", "invoice_show_table", "complete_order", "complete_account", "recur_run", "recur_dry_run",
    "recur_replay", "recur_vs_replay", "remind_run", "import", "jsonl", "pdf_plain", "pdf_facturx", "export fec", "export journal hledger", "export_fec_rss",
    *(f"report {r}" for r in ("sales --by month", "sales --by quarter", "sales --by account", "sales --by product",
                              "sales --by product --margin", "sales --by vendor --margin", "vat --basis invoice",
                              "vat --basis payment", "aging", "aging --as-of a past day", "recurring", "forecast --months 12")),
}
GOALS = {"help", "order_show", "order_list", "invoice_show", "complete_order", "complete_account", "recur_run", "import", "jsonl",
         "pdf_plain", "pdf_facturx"}


def test_all_rows_at_a_tiny_size(tmp_path):
    out = tmp_path / "all.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""), "TMPDIR": str(tmp_path)}
    r = subprocess.run([sys.executable, str(ROOT / "bench" / "all.py"), "--orders", "100", "--small-orders", "100", "--recur", "5",
                        "--import-n", "10", "--pdfs", "2", "--runs", "1", "--cache-dir", str(tmp_path), "--json", str(out)],
                       env=env, capture_output=True, text=True, timeout=1800)
    assert r.returncode == 0, r.stderr[-3000:]
    data = json.loads(out.read_text())
    rows = {row["row"]: row for row in data["rows"]}
    assert set(rows) == ROWS, set(rows) ^ ROWS
    for name, row in rows.items():
        assert {"figure", "floor", "ratio", "goal", "pass"} <= set(row), row
        assert isinstance(row["figure"], (int, float)) and row["figure"] > 0, row
        assert name in r.stdout, name  # printed in the table too
    for name in GOALS | {n for n in ROWS if n.startswith("report ")}:
        row = rows[name]
        assert row["floor"] > 0 and row["ratio"] > 0 and row["goal"] and isinstance(row["pass"], bool), row
    assert rows["recur_run"]["floor_what"].endswith("synchronous=FULL")
    assert rows["recur_replay"]["floor"] == rows["recur_run"]["floor"] and rows["recur_vs_replay"]["floor"] == rows["recur_replay"]["figure"]
    assert rows["import"]["peak_mb"] > 0 and rows["jsonl"]["peak_mb"] > 0
    assert {"nproc", "cpu", "ram_gib", "python", "sqlite"} <= set(data["machine"]) and len(data["loadavg_start"]) == 3
