"""Benchmark: `orders invoice pdf --all` for N invoices (3 lines each), plain (`--plain`) and
Factur-X (the default), against its floor: bare fpdf2 drawing the same table with the same font
in one process (no database, no labels, no totals). Reports PDFs per second, peak memory and the
ratios (issue 19's goals: plain >= 2x the floor's PDFs/s, Factur-X >= 0.8x plain's).

Each run times the three one after the other (plain, Factur-X, floor), so that a change of load
on a shared machine weighs on all alike; --runs N gives the medians of N runs. The command's
whole process is timed (start-up, reading the invoices, the XML, the worker processes).

    python bench/pdf_batch.py            # N = 1,000
    python bench/pdf_batch.py --n 200 --runs 3
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
    parser.add_argument("--runs", type=int, default=1, help="runs of the three; medians reported")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="orders-bench-pdf-"))
    env = {**os.environ, "ORDERS_DB": str(tmp / "orders.db"), "ORDERS_CONFIG": str(tmp / "config.toml"), "ORDERS_TODAY": "2026-11-28",
           "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    orders_cmd(env, "demo")
    for key, value in (("company.name", "Société Générale de Café"), ("company.address", "Rue de l'Église 3\\n67000 Strasbourg"),
                       ("company.vat_id", "FR40303265045"), ("company.siren", "303265045"), ("company.country", "FR"),
                       ("company.iban", "FR7630006000011234567890189")):  # what EN 16931 requires of the seller (Factur-X)
        orders_cmd(env, "config", "set", key, value)
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

    sample = json.loads(orders_cmd(env, "invoice", "show", "INV-00001", "--json").stdout)
    rows = [["#", "SKU", "Description", "Qty", "Unit price", "Disc.", "Net"]] + [
        [str(ln["line_no"] or ""), ln["sku"] or "", ln["description"], ln["quantity"], ln["unit_price"], ln["discount"] or "", ln["net"]]
        for ln in sample["lines"]]
    command = [sys.executable, "-m", "orders_cli", "invoice", "pdf", "--all", "-o"]
    runs: dict[str, list[tuple[float, int]]] = {"plain": [], "facturx": [], "floor": []}  # float-ok: seconds
    for run in range(args.runs):
        for side in runs:
            out_dir = tmp / f"{side}-{run}"
            if side == "floor":
                cmd = [sys.executable, "-c", FLOOR, str(ROOT / "orders_cli" / "fonts"), str(out_dir), str(count), repr(rows)]
            else:
                cmd = command + [str(out_dir)] + (["--plain"] if side == "plain" else [])
            runs[side].append(timed(cmd, env))
            written = len(list(out_dir.glob("*.pdf")))
            assert written == count, (side, written, count)
        print(f"run {run + 1}: " + ", ".join(f"{side} {runs[side][-1][0]:.1f} s" for side in runs) + f" (load average {load()})", flush=True)

    import statistics

    elapsed = {side: statistics.median(t for t, _ in r) for side, r in runs.items()}
    peak = {side: max(p for _, p in r) for side, r in runs.items()}
    rate = {side: count / t for side, t in elapsed.items()}
    label = {"plain": "invoice pdf --all --plain", "facturx": "invoice pdf --all (Factur-X)", "floor": "floor (bare fpdf2, same font and table)"}
    median = f" (median of {args.runs})" if args.runs > 1 else ""
    for side in runs:
        print(f"{label[side]}: {count} PDFs in {elapsed[side]:.1f} s{median} = {rate[side]:.1f} PDFs/s, peak RSS {peak[side] / 1024:.0f} MiB")
    print(f"plain: {rate['plain'] / rate['floor']:.2f}x the floor's PDFs/s (goal >= 2x); "
          f"Factur-X: {rate['facturx'] / rate['plain']:.2f}x plain's (goal >= 0.8x), {rate['facturx'] / rate['floor']:.2f}x the floor's")
    print(f"workers: {cpus()} CPUs; load average now {load()}")


def load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:  # pragma: no cover - not Linux
        return "?"


def cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


if __name__ == "__main__":
    main()
