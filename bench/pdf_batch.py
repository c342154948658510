"""Benchmark: `orders invoice pdf --all` for N invoices (3 lines each), against its floor:
bare fpdf2 drawing the same table with the same font in one process (no database, no
labels, no totals). Reports PDFs per second, peak memory and the ratio.

    python bench/pdf_batch.py            # N = 1,000
    python bench/pdf_batch.py --n 200
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def orders_cmd(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "orders_cli", *args], env=env, capture_output=True, text=True, check=True)


_MEASURE = ("import resource, subprocess, sys, time; t = time.perf_counter(); subprocess.run(sys.argv[1:], check=True, capture_output=True); "
            "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def timed(cmd: list[str], env: dict) -> tuple[float, int]:  # float-ok: seconds
    """Wall time and peak RSS (KiB) of one child process, measured by a fresh parent."""
    out = subprocess.run([sys.executable, "-c", _MEASURE, *cmd], env=env, capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), int(out[1])  # float-ok: seconds


FLOOR = r'''
import sys, time
from pathlib import Path
from fpdf import FPDF
from fpdf.fonts import FontFace

font_dir, out_dir, n, rows = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), eval(sys.argv[4])
out_dir.mkdir(parents=True, exist_ok=True)
for i in range(n):
    pdf = FPDF()
    pdf.add_font("dejavu", "", str(font_dir / "DejaVuSans.ttf"))
    pdf.add_font("dejavu", "B", str(font_dir / "DejaVuSans-Bold.ttf"))
    pdf.add_page()
    pdf.set_font("dejavu", "B", 16)
    pdf.cell(0, 8, f"Invoice INV-{i:05d}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("dejavu", "", 8.5)
    with pdf.table(headings_style=FontFace(emphasis="BOLD")) as table:
        for row in rows:
            r = table.row()
            for cell in row:
                r.cell(cell)
    (out_dir / f"INV-{i:05d}.pdf").write_bytes(bytes(pdf.output()))
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="orders-bench-pdf-"))
    env = {**os.environ, "ORDERS_DB": str(tmp / "orders.db"), "ORDERS_CONFIG": str(tmp / "config.toml"), "ORDERS_TODAY": "2026-11-28",
           "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    orders_cmd(env, "demo")
    orders_cmd(env, "config", "set", "company.name", "Société Générale de Café")
    feed = tmp / "orders.jsonl"
    with open(feed, "w") as fh:
        for i in range(args.n):
            fh.write(json.dumps({"subject": f"Contract {i}", "account": "Café Müller",
                                 "lines": [{"sku": "MAINT", "quantity": "1"}, {"sku": "MUG", "quantity": "2"}, {"sku": "BOOK", "quantity": "1.5"}],
                                 "recurrence": {"frequency": "monthly", "start": "2026-11-01"}}) + "\n")
    orders_cmd(env, "order", "add", "--from-json", str(feed))
    orders_cmd(env, "recur", "run", "--date", "2026-11-28")
    count = len(json.loads(orders_cmd(env, "invoice", "list", "--json").stdout))
    assert count >= args.n, count

    out_dir = tmp / "pdf"
    elapsed, peak = timed([sys.executable, "-m", "orders_cli", "invoice", "pdf", "--all", "-o", str(out_dir)], env)
    written = len(list(out_dir.glob("*.pdf")))
    assert written == count, (written, count)

    sample = json.loads(orders_cmd(env, "invoice", "show", "INV-00001", "--json").stdout)
    rows = [["#", "SKU", "Description", "Qty", "Unit price", "Disc.", "Net"]] + [
        [str(ln["line_no"] or ""), ln["sku"] or "", ln["description"], ln["quantity"], ln["unit_price"], ln["discount"] or "", ln["net"]]
        for ln in sample["lines"]]
    floor_dir = tmp / "floor"
    floor_elapsed, floor_peak = timed([sys.executable, "-c", FLOOR, str(ROOT / "orders_cli" / "fonts"), str(floor_dir), str(count), repr(rows)], env)

    rate = count / elapsed
    floor_rate = count / floor_elapsed
    print(f"invoice pdf --all: {count} PDFs in {elapsed:.1f} s = {rate:.0f} PDFs/s, peak RSS {peak / 1024:.0f} MiB")
    print(f"floor (bare fpdf2, same font and table): {floor_rate:.0f} PDFs/s, peak RSS {floor_peak / 1024:.0f} MiB")
    print(f"ratio: {floor_rate / rate:.2f}x the floor's time per PDF")


if __name__ == "__main__":
    main()
