"""Benchmark: ``einvoice_check.check()`` over the published samples, next to bare saxonche.

- ours: one ``check()`` call over the samples (repeated ``--times`` to make a bigger batch):
  read, XSD (lxml), then the Schematron in ONE worker process; the figures are the compile
  time per XSLT (once per call) and the warm per-file transform time per XSLT;
- floor: the same stylesheets compiled and run over the same files by saxonche alone, in one
  fresh process (no XSD, no SVRL parsing, no worker protocol).

    PYTHONPATH=. python bench/einvoice_check.py
    PYTHONPATH=. python bench/einvoice_check.py --times 10 --fr
"""

from __future__ import annotations

import argparse
import collections
import glob
import json
import statistics
import subprocess
import sys
import time

SAMPLES = "/work/shared/einvoice-samples/*.[xX][mM][lL]"

FLOOR = """
import json, sys, time
from saxonche import PySaxonProcessor
jobs = json.load(sys.stdin)
p = PySaxonProcessor(license=False); x = p.new_xslt30_processor(); done = {}
t = time.perf_counter()
for xml, xslts in jobs:
    doc = p.parse_xml(xml_file_name=xml)
    for path in xslts:
        if path not in done:
            done[path] = x.compile_stylesheet(stylesheet_file=path)
        done[path].transform_to_string(xdm_node=doc)
print(json.dumps({"seconds": time.perf_counter() - t}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--times", type=int, default=1, help="check every sample this many times in the one batch")
    parser.add_argument("--fr", action="store_true", help="also the French CTC rules")
    opts = parser.parse_args()
    from orders_cli.adapters import einvoice_check

    files = sorted(glob.glob(SAMPLES))
    items = [(f, open(f, "rb").read()) for f in files] * opts.times
    stats: dict = {}
    start = time.perf_counter()
    reports = einvoice_check.check(items, fr=opts.fr, stats=stats)
    wall = time.perf_counter() - start
    per = collections.defaultdict(list)
    for run in stats["transform_seconds"]:
        for name, seconds in run.items():
            if seconds is not None:
                per[name].append(seconds)
    print(f"{len(items)} files ({sum(r.fatal for r in reports)} with a fatal failure), fr={opts.fr}: {wall:.2f} s "
          f"= {wall / len(items) * 1000:.0f} ms a file; read + XSD {stats['read_and_xsd_seconds']} s, "
          f"worker {stats['worker_seconds']} s, {stats['compiles']} compiles ({stats['saxon']})")
    print("| XSLT | compile (once) | files | warm transform, median | max |")
    print("|---|---|---|---|---|")
    for name, seconds in per.items():
        warm = seconds[1:] or seconds
        print(f"| {name} | {stats['compile_seconds'][name]:.2f} s | {len(seconds)} | {statistics.median(warm) * 1000:.0f} ms | "
              f"{max(seconds) * 1000:.0f} ms |")
    folder = einvoice_check.rules_dir()
    jobs = []
    for name, content in items:  # the very stylesheets check() chose for each file
        xslts = [path for _, path in einvoice_check._prepare(name, content, opts.fr, folder).xslts]
        if xslts:
            jobs.append((name, xslts))
    start = time.perf_counter()
    floor = subprocess.run([sys.executable, "-c", FLOOR], input=json.dumps(jobs), capture_output=True, text=True, check=True)
    floor_wall = time.perf_counter() - start
    print(f"floor (bare saxonche, one process, same stylesheets and files): {floor_wall:.2f} s "
          f"(inside: {json.loads(floor.stdout)['seconds']:.2f} s); ratio **{wall / floor_wall:.2f}x**")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
