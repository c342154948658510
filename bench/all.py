"""Benchmark: every row of issue 19's goals table in one run, each figure next to its floor
measured in the same run; one table (figure, floor, ratio, goal, pass/fail) printed and
written as JSON.

The rows come from the other scripts of bench/, each called through the function it exposes
(startup.measure, completion.measure, recur_run.measure, import_orders.measure, big_db.jsonl,
pdf_batch.measure, facturx_pdfs.measure, reports.book and reports.measure), each in a fresh
child process so that one's set-up (environment, caches, memory) never weighs on the next.
Peak memory is the measured child's own maximum RSS (``/usr/bin/time -f %M``).

Sizes: the full ones of issue 19 by default (a 1,000,000-order book, 10,000 recurring orders
x 3 lines, an import of 1,000,000 orders, 1,000 PDFs; hours on 2 CPUs), ``--quick`` for a
laptop (a few minutes), or each size by its flag. The books of bench/reports.py are built
once and kept (``--cache-dir``); ``--book PATH`` uses an existing one instead (pass a copy:
the first command may upgrade it, leaving a backup beside it).

    PYTHONPATH=. nice python bench/all.py --quick --json bench/results-quick.json
    PYTHONPATH=. nice python bench/all.py --json /tmp/all.json                # the full size
    PYTHONPATH=. nice python bench/all.py --only startup,completion --book /tmp/copy/r1000000.db
    python bench/all.py --show bench/results-quick.json --markdown     # the table of a run, as in bench/README.md
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
GROUPS = ("startup", "completion", "recur", "import", "jsonl", "pdf", "reports", "fec_rss")
FULL = {"orders": 1_000_000, "small_orders": 20_000, "recur": 10_000, "import_n": 1_000_000, "pdfs": 1_000, "runs": 5}
QUICK = {"orders": 20_000, "small_orders": 2_000, "recur": 1_000, "import_n": 20_000, "pdfs": 100, "runs": 3}

_CHILD = r"""
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import importlib
module, function, out = sys.argv[2], sys.argv[3], sys.argv[5]
kwargs = json.loads(sys.argv[4])
for key in kwargs.pop("_paths", []):
    kwargs[key] = Path(kwargs[key]) if kwargs[key] is not None else None
result = getattr(importlib.import_module(module), function)(**kwargs)
Path(out).write_text(json.dumps(result, default=str))
"""


def call(module: str, function: str, paths: tuple = (), **kwargs) -> object:
    """``module.function(**kwargs)`` of bench/ in a fresh child; its JSON-able result."""
    with tempfile.NamedTemporaryFile("r", suffix=".json") as out:
        args = json.dumps({**kwargs, "_paths": list(paths)})
        subprocess.run([sys.executable, "-c", _CHILD, str(BENCH), module, function, args, out.name], check=True,
                       stdout=sys.stderr)  # the scripts' progress lines go to stderr: stdout is the table
        return json.loads(Path(out.name).read_text())


def row(key: str, what: str, figure, unit: str, floor, floor_what: str, ratio, goal: str | None, ok: bool | None, **extra) -> dict:
    r = lambda v: None if v is None else round(v, 3 if abs(v) < 10 else 1)  # noqa: E731
    return {"row": key, "what": what, "figure": r(figure), "unit": unit, "floor": r(floor), "floor_what": floor_what,
            "ratio": None if ratio is None else round(ratio, 2), "goal": goal, "pass": ok, **extra}


def startup_rows(db: str, runs: int) -> list[dict]:
    import startup

    m = call("startup", "measure", repeat=runs, db=db)
    rows = [row("help", "orders --help", m[startup.HELP], "ms", m[startup.TYPER], "a one-command Typer app's --help",
                m[startup.HELP] / m[startup.TYPER], "<= 1.1x", m[startup.HELP] / m[startup.TYPER] <= 1.1)]
    for key, name in (("order_show", startup.SHOW), ("order_list", startup.LIST), ("invoice_show", startup.INVOICE)):
        ratio = m[name] / m[startup.SQLMODEL]
        rows.append(row(key, name, m[name], "ms", m[startup.SQLMODEL], startup.SQLMODEL, ratio, "<= 1.1x", ratio <= 1.1))
        table = startup.PEOPLE[name]  # the same without --json: printed, no goal
        rows.append(row(f"{key}_table", table, m[table], "ms", m[startup.SQLMODEL], startup.SQLMODEL, m[table] / m[startup.SQLMODEL], None, None))
    return rows


def completion_rows(db: str, runs: int) -> list[dict]:
    import completion

    m = call("completion", "measure", repeat=runs, db=db, account="Cu")
    rows = []
    for key, name in (("complete_order", completion.ORDER), ("complete_account", completion.ACCOUNT.replace("<prefix>", "Cu"))):
        ms = m[completion.ORDER if key == "complete_order" else completion.ACCOUNT]
        ratio = ms / m[completion.PASS]
        rows.append(row(key, name, ms, "ms", m[completion.PASS], completion.PASS, ratio, "<= 4x, < 200 ms", ratio <= 4 and ms < 200))
    return rows


def recur_rows(n: int) -> list[dict]:
    m = call("recur_run", "measure", n=n)
    ratio = m["seconds"] / m["floor_s"]
    return [
        row("recur_run", f"recur run, {n:,} recurring orders x 3 lines (whole process)", m["per_s"], "invoices/s", m["floor_per_s"],
            "raw sqlite3, the same rows, one transaction per invoice, synchronous=FULL", ratio, ">= 2,000/s, <= 5x (time)",
            m["per_s"] >= 2000 and ratio <= 5, seconds=round(m["seconds"], 2)),
        row("recur_replay", "recur run's statements replayed on the real schema (its indexes and triggers), no Python between",
            m["replay_per_s"], "invoices/s", m["floor_per_s"], "the bare floor: two tables, no index, no trigger", m["replay_s"] / m["floor_s"],
            None, None, seconds=round(m["replay_s"], 2)),
        row("recur_vs_replay", "recur run against that replay", m["per_s"], "invoices/s", m["replay_per_s"],
            "the replay: raw sqlite3 on the real schema", m["seconds"] / m["replay_s"], None, None),
        row("recur_dry_run", f"recur run --dry-run, {n:,} recurring orders", m["dry_run_s"], "s", None, "", None, None, None),
        row("remind_run", f"remind run, {m['reminders']:,} invoices overdue", m["remind_s"], "s", None, "", None, None, None),
    ]


def import_rows(n: int) -> list[dict]:
    m = call("import_orders", "measure", n=n)
    ratio, mb = m["seconds"] / m["floor_s"], m["peak_mib"] * 1024 * 1024 / 1e6
    return [row("import", f"order add --from-json, {n:,} orders x 3 lines", m["per_s"], "orders/s", m["floor_per_s"],
                "raw sqlite3 executemany of the same rows, one transaction", ratio, ">= 10,000/s, <= 2x (time), RSS < 200 MB",
                m["per_s"] >= 10_000 and ratio <= 2 and mb < 200, peak_mb=round(mb), seconds=round(m["seconds"], 2))]


def jsonl_rows(db: str, runs: int) -> list[dict]:
    m = call("big_db", "jsonl", paths=("db",), db=db, repeat=runs)
    ratio, mb = m["per_s"] / m["floor_per_s"], m["peak_mib"] * 1024 * 1024 / 1e6
    return [row("jsonl", f"order list --jsonl, {m['rows']:,} orders", m["per_s"], "rows/s", m["floor_per_s"],
                "python sqlite3 + json.dumps, the same query and shape", ratio, ">= 0.8x (rows/s), RSS < 100 MB",
                ratio >= 0.8 and mb < 100, peak_mb=round(mb), floor_peak_mb=round(m["floor_peak_mib"] * 1024 * 1024 / 1e6))]


def pdf_rows(n: int) -> list[dict]:
    p = call("pdf_batch", "measure", n=n)
    f = call("facturx_pdfs", "measure", n=n, check_n=0)
    ratio = p["per_s"] / p["floor_per_s"]
    fx, plain = f["pdfs"] / f["facturx_s"], f["pdfs"] / f["plain_s"]
    return [
        row("pdf_plain", f"invoice pdf --all --plain, {p['pdfs']:,} invoices", p["per_s"], "PDFs/s", p["floor_per_s"],
            "bare fpdf2 drawing the same table with the same fonts", ratio, ">= 2x (PDFs/s), >= 30/s",
            ratio >= 2 and p["per_s"] >= 30, peak_mb=round(p["peak_mib"] * 1.048576)),
        row("pdf_facturx", f"Factur-X PDFs (PDF/A-3B + CII), {f['pdfs']:,} invoices", fx, "PDFs/s", plain,
            "plain PDFs of the same invoices, alternating in the same process", fx / plain, ">= 0.8x plain (PDFs/s)", fx / plain >= 0.8,
            peak_mb=round(f["peak_mib"] * 1.048576)),
    ]


def report_rows(db: str, runs: int) -> tuple[list[dict], dict]:
    m = call("reports", "measure", paths=("db",), db=db, repeat=runs, quiet=True)
    rows = []
    for r in m["rows"]:
        if r.get("missing"):
            rows.append(row("report " + r["report"], "orders " + r["report"] + " (not in this checkout)", None, "ms", r["floor_ms"],
                            "sqlite3 shell", None, "<= 2 s", False))
        elif r["report"].startswith("export"):
            rows.append(row(r["report"], f"{r['command']} ({r['rows']:,} lines, peak {r['peak_mib']} MiB)", r["ms"], "ms", r["floor_ms"],
                            "sqlite3 shell, the entry lines sorted to a file", r["ratio"], None, None, peak_mib=r["peak_mib"]))
        else:
            rows.append(row("report " + r["report"], r["command"], r["ms"], "ms", r["floor_ms"], "the same aggregate in the sqlite3 shell",
                            r["ms"] / r["floor_ms"], "<= 2 s, ratio printed", r["ms"] <= 2000))
    return rows, m


def fec_peak(db: str, runs: int) -> int:
    m = call("reports", "measure", paths=("db",), db=db, repeat=runs, only="export fec", quiet=True)
    return next(r["peak_mib"] for r in m["rows"] if r["report"] == "export fec")


def machine() -> dict:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines() if ln.startswith("model name")), "?")
    mem = next((int(ln.split()[1]) for ln in Path("/proc/meminfo").read_text().splitlines() if ln.startswith("MemTotal")), 0)
    commit = subprocess.run(["git", "-C", str(BENCH), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gib": round(mem / 1024 / 1024, 1), "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version, "system": platform.platform(), "commit": commit}


def fmt(v, unit: str = "") -> str:
    if v is None:
        return "-"
    text = f"{v:,.0f}" if abs(v) >= 100 else f"{v:.1f}" if abs(v) >= 10 else f"{v:.2f}"
    return f"{text} {unit}".strip()


def show(rows: list[dict], markdown: bool = False) -> None:
    head = ("row", "figure", "floor", "ratio", "goal", "result")
    cells = [(r["row"], fmt(r["figure"], r["unit"]), fmt(r["floor"], r["unit"] if r["floor"] is not None else ""),
              "-" if r["ratio"] is None else f"{r['ratio']:.2f}x", r["goal"] or "(printed)",
              {True: "pass", False: "FAIL", None: "-"}[r["pass"]]) for r in rows]
    if markdown:
        print("| what | figure | floor, same run | ratio | goal | result |\n|---|---|---|---|---|---|")
        for r, c in zip(rows, cells):
            floor = f"{c[2]} ({r['floor_what']})" if r["floor_what"] else c[2]
            print(f"| `{r['row']}`: {r['what']} | {c[1]} | {floor} | {c[3]} | {c[4]} | {'**FAIL**' if c[5] == 'FAIL' else c[5]} |")
        return
    widths = [max(len(str(c[i])) for c in [head, *cells]) for i in range(len(head))]
    for c in [head, tuple("-" * w for w in widths), *cells]:
        print("  ".join(str(x).ljust(w) for x, w in zip(c, widths)).rstrip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="laptop sizes: " + ", ".join(f"{k}={v:,}" for k, v in QUICK.items()))
    parser.add_argument("--orders", type=int, help=f"orders of the reports book (default {FULL['orders']:,})")
    parser.add_argument("--small-orders", type=int, help=f"orders of the small book export fec's memory is compared with (default {FULL['small_orders']:,})")
    parser.add_argument("--recur", type=int, help=f"recurring orders for recur run / remind run (default {FULL['recur']:,})")
    parser.add_argument("--import-n", type=int, help=f"orders to import (default {FULL['import_n']:,})")
    parser.add_argument("--pdfs", type=int, help=f"invoices to draw (default {FULL['pdfs']:,})")
    parser.add_argument("--runs", type=int, help="runs per figure, the median kept (default 5, --quick 3); start-up and completion 3x this")
    parser.add_argument("--book", type=Path, help="an existing book to measure on (a copy: it may be upgraded) instead of building one")
    parser.add_argument("--cache-dir", type=Path, default=Path(tempfile.gettempdir()), help="where the books are built and kept")
    parser.add_argument("--only", help="comma-separated groups: " + ",".join(GROUPS))
    parser.add_argument("--json", type=Path, help="write the table (and the machine, the sizes) as JSON here")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown (as in bench/README.md)")
    parser.add_argument("--show", type=Path, help="measure nothing: print the table of this JSON (written by --json)")
    opts = parser.parse_args()
    if opts.show:
        data = json.loads(opts.show.read_text())
        show(data["rows"], opts.markdown)
        m = data["machine"]
        print(f"\n{m['nproc']} CPUs ({m['cpu']}), {m['ram_gib']} GiB, Python {m['python']}, SQLite {m['sqlite']}, commit {m['commit']}; "
              f"{data['started']}, load average {' '.join(data['loadavg_start'])} -> {' '.join(data['loadavg_end'])}; {data['seconds']} s")
        return 0
    size = {k: getattr(opts, k) if getattr(opts, k) is not None else (QUICK if opts.quick else FULL)[k] for k in FULL}
    groups = set(opts.only.split(",")) if opts.only else set(GROUPS)
    if groups - set(GROUPS):
        parser.error(f"unknown group(s): {', '.join(sorted(groups - set(GROUPS)))}")
    runs = size["runs"]
    sys.path.insert(0, str(BENCH))
    started, load0 = time.time(), Path("/proc/loadavg").read_text().split()[:3]
    cache = opts.cache_dir.resolve()

    def book(n: int) -> str:
        return str(call("reports", "book", paths=("cache",), n=n, cache=str(cache / f"orders-bench-reports-{n}.db"))[0])

    need_book = groups & {"startup", "completion", "jsonl", "reports", "fec_rss"}
    db = str(opts.book.resolve()) if opts.book else (book(size["orders"]) if need_book else None)
    rows: list[dict] = []
    report = None
    if "startup" in groups:
        rows += startup_rows(db, 3 * runs)
    if "completion" in groups:
        rows += completion_rows(db, 3 * runs)
    if "recur" in groups:
        rows += recur_rows(size["recur"])
    if "import" in groups:
        rows += import_rows(size["import_n"])
    if "jsonl" in groups:
        rows += jsonl_rows(db, runs)
    if "pdf" in groups:
        rows += pdf_rows(size["pdfs"])
    if "reports" in groups:
        more, report = report_rows(db, runs)
        rows += more
    if "fec_rss" in groups:
        big = next((r["peak_mib"] for r in rows if r["row"] == "export fec"), None) or fec_peak(db, runs)
        small = fec_peak(book(size["small_orders"]), runs)
        con = sqlite3.connect(db)
        (n,) = con.execute("SELECT count(*) FROM sales_order").fetchone()
        con.close()
        rows.append(row("export_fec_rss", f"export fec --year 2025, peak RSS on the book of {n:,} orders", big, "MiB", small,
                        f"the same on the book of {size['small_orders']:,} orders (+1% recurring)", big / small,
                        None, None))
    load1 = Path("/proc/loadavg").read_text().split()[:3]
    show(rows, opts.markdown)
    print(f"\nload average {' '.join(load0)} at the start, {' '.join(load1)} at the end; {time.time() - started:.0f} s in all")
    if opts.json:
        result = {"sizes": size, "quick": opts.quick, "book": db, "groups": sorted(groups), "machine": machine(),
                  "loadavg_start": load0, "loadavg_end": load1, "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(started)),
                  "seconds": round(time.time() - started), "rows": rows,
                  "reports": {k: v for k, v in report.items() if k != "rows"} if report else None}
        opts.json.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
        print(f"wrote {opts.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
