"""Benchmark: `orders invoice pdf --all --plain` for N invoices (3 lines each), against its floor:
bare fpdf2 drawing the same table with the same font in one process (no database, no
labels, no totals). Reports PDFs per second, peak memory and the ratio.

    python bench/pdf_batch.py            # N = 1,000
    python bench/pdf_batch.py --n 200

``measure()`` returns the figures for bench/all.py; ``make_invoices()`` is the set-up
bench/facturx_pdfs.py shares.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import shutil
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import big_db  # noqa: E402  (the child's peak RSS by /usr/bin/time)

ROOT = Path(__file__).resolve().parent.parent


def orders_cmd(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "orders_cli", *args], env=env, capture_output=True, text=True, check=True)


def timed(cmd: list[str], env: dict) -> tuple[float, int]:  # float-ok: seconds
    """Wall time and peak RSS (KiB) of one child process (``/usr/bin/time -f %M``)."""
    elapsed, peak, _ = big_db.timed(cmd, env=env)
    return elapsed, peak


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


def make_invoices(tmp: Path, n: int, company: tuple = (("company.name", "Société Générale de Café"),)) -> tuple[dict, int]:
    """The demo database plus ``n`` recurring orders of 3 lines, each invoiced once by recur run:
    (the environment naming it, how many invoices it holds)."""
    env = {**os.environ, "ORDERS_DB": str(tmp / "orders.db"), "ORDERS_CONFIG": str(tmp / "config.toml"), "ORDERS_TODAY": "2026-11-28",
           "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    orders_cmd(env, "demo")
    for key, value in company:
        orders_cmd(env, "config", "set", key, value)
    feed = tmp / "orders.jsonl"
    with open(feed, "w") as fh:
        for i in range(n):
            fh.write(json.dumps({"subject": f"Contract {i}", "account": "Café Müller",
                                 "lines": [{"sku": "MAINT", "quantity": "1"}, {"sku": "MUG", "quantity": "2"}, {"sku": "BOOK", "quantity": "1.5"}],
                                 "recurrence": {"frequency": "monthly", "start": "2026-11-01"}}) + "\n")
    orders_cmd(env, "order", "add", "--from-json", str(feed))
    orders_cmd(env, "recur", "run", "--date", "2026-11-28")
    count = len(json.loads(orders_cmd(env, "invoice", "list", "--json").stdout))
    assert count >= n, count
    return env, count


def measure(n: int = 1_000) -> dict:
    """invoice pdf --all of ``n`` invoices next to bare fpdf2: seconds, PDFs/s, peak MiB."""
    tmp = Path(tempfile.mkdtemp(prefix="orders-bench-pdf-"))
    try:
        env, count = make_invoices(tmp, n)
        out_dir = tmp / "pdf"
        elapsed, peak = timed([sys.executable, "-m", "orders_cli", "invoice", "pdf", "--all", "--plain", "-o", str(out_dir)], env)
        written = len(list(out_dir.glob("*.pdf")))
        assert written == count, (written, count)

        sample = json.loads(orders_cmd(env, "invoice", "show", "INV-00001", "--json").stdout)
        rows = [["#", "SKU", "Description", "Qty", "Unit price", "Disc.", "Net"]] + [
            [str(ln["line_no"] or ""), ln["sku"] or "", ln["description"], ln["quantity"], ln["unit_price"], ln["discount"] or "", ln["net"]]
            for ln in sample["lines"]]
        floor_dir = tmp / "floor"
        floor_elapsed, floor_peak = timed([sys.executable, "-c", FLOOR, str(ROOT / "orders_cli" / "fonts"), str(floor_dir), str(count), repr(rows)], env)
        return {"pdfs": count, "seconds": elapsed, "per_s": count / elapsed, "peak_mib": peak / 1024,
                "floor_s": floor_elapsed, "floor_per_s": count / floor_elapsed, "floor_peak_mib": floor_peak / 1024}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000)
    args = parser.parse_args()
    r = measure(args.n)
    print(f"invoice pdf --all: {r['pdfs']} PDFs in {r['seconds']:.1f} s = {r['per_s']:.0f} PDFs/s, peak RSS {r['peak_mib']:.0f} MiB")
    print(f"floor (bare fpdf2, same font and table): {r['floor_per_s']:.0f} PDFs/s, peak RSS {r['floor_peak_mib']:.0f} MiB")
    print(f"ratio: {r['per_s'] / r['floor_per_s']:.2f}x the floor's PDFs/s ({r['floor_per_s'] / r['per_s']:.2f}x its time per PDF)")


if __name__ == "__main__":
    main()
