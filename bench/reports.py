"""Benchmark: the reports and exports of issue 17 on a big book (N orders, each invoiced,
with credit notes, payments and recurring billing), each next to its floor in the same run.

The book is written with raw sqlite3 against the real schema (``orders db init``, the catalog
through the CLI, then ``executemany`` of every row); every amount is computed by our own
``core.pricing`` per line mix (checked against documents made by the real commands first),
so totals, tax breakdowns and balances are what the CLI itself would have stored.

Each report is timed as a whole process (``orders report ... --json``, median of --repeat),
next to its floor: the same aggregate in the ``sqlite3`` shell, a whole process too. The
exports (``export fec``, ``export journal --format hledger``) report rows/s and the child's
peak RSS (``/usr/bin/time -f %M``): run at --quick and at full size to see memory stay flat.

    nice python bench/reports.py                 # 1,000,000 orders (build once, cached)
    nice python bench/reports.py --quick         # 20,000 orders
    nice python bench/reports.py --orders 100000 --rebuild --json-out /tmp/r.json

``book()`` builds or finds the book and ``measure()`` returns the table, for bench/all.py.
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from big_db import timed  # noqa: E402

GOAL = 2.0  # seconds, issue 17 item 4
# ------------------------------------------------------------------ the book

TODAY = date(2026, 11, 28)  # ORDERS_TODAY of every child
FIRST = date(2024, 12, 1)  # documents spread over the two years up to TODAY
DAYS = (TODAY - FIRST).days + 1
YEAR = 2025  # the full year inside: the period every report and export is asked for
ACCOUNTS = 100
EXEMPT_REASON = "Exonération de TVA, article 261-4-4° du CGI"
VENDOR = "Papeterie Lefèvre"
CATALOG = [
    ("tax", "add", "VAT20", "--rate", "20"),
    ("tax", "add", "VAT5.5", "--rate", "5.5"),
    ("tax", "add", "EXEMPT", "--rate", "0", "--category", "E", "--exemption-reason", EXEMPT_REASON, "--exemption-code", "VATEX-EU-132"),
    ("vendor", "add", VENDOR),
    ("product", "add", "BOOK", "--name", "Livre d'or", "--price", "19.99", "--tax", "VAT5.5", "--vendor", VENDOR, "--cost", "9.50"),
    ("product", "add", "MUG", "--name", "Mug", "--price", "8.50", "--tax", "VAT20", "--vendor", VENDOR, "--cost", "3.20"),
    ("product", "add", "CONSULT", "--name", "Consulting", "--price", "120.00", "--tax", "VAT20", "--service", "--unit", "h"),
    ("product", "add", "TRAINING", "--name", "Training day", "--price", "450.00", "--tax", "EXEMPT", "--service"),
    ("product", "add", "HOSTING", "--name", "Hosting", "--price", "29.00", "--tax", "VAT20", "--service", "--cost", "6.00"),
]
PATTERNS = [("BOOK", "MUG", "CONSULT"), ("BOOK", "TRAINING", "MUG"), ("MUG", "CONSULT", "HOSTING")]
QTY = {"BOOK": ("1", "2", "3", "4", "5", "6", "7"), "MUG": ("1", "2", "3", "4"), "CONSULT": ("1", "1.5", "2", "2.5", "3"),
       "TRAINING": ("1", "2"), "HOSTING": ("1", "2", "3")}
METHODS = ("transfer", "card", "transfer", "direct_debit", "cheque")
FREQ = ("monthly",) * 7 + ("quarterly",) * 2 + ("annual",)

ADDR = ("billing_street", "billing_city", "billing_postal_code", "billing_state", "billing_country",
        "shipping_street", "shipping_city", "shipping_postal_code", "shipping_state", "shipping_country")
ADDRESS = ("", "", "", "", "FR", "", "", "", "", "FR")
TOT = ("discount", "shipping_charge", "adjustment", "subtotal", "discount_amount", "tax_total", "total", "tax_breakdown")
LINE = ("line_no", "product_id", "sku", "description", "kind", "quantity", "unit_price", "discount", "net", "taxes", "comment",
        "unit_code", "base_quantity")
COLS = {
    "sales_order": TOT + ADDR + ("id", "number", "subject", "account_id", "contact_id", "quote_id", "customer_ref", "assigned_user_id",
                                 "status", "finalized", "finalized_at", "order_date", "currency", "language", "created_at", "updated_at",
                                 "doc_charges"),
    "order_line": LINE + ("id", "order_id"),
    "recurrence": ("order_id", "enabled", "frequency", "start", "end", "due_days", "invoice_status", "subject", "language",
                   "invoice_date", "last_day", "catch_up", "usage", "updated_at"),
    "invoice": TOT + ADDR + ("id", "number", "order_id", "account_id", "subject", "status", "invoice_date", "due_date", "due_days",
                             "period_start", "period_end", "recurring", "percent", "currency", "language", "created_at", "kind",
                             "rebill_no", "doc_charges", "customer_ref", "delivery_date", "seller", "buyer"),
    "invoice_line": LINE + ("id", "invoice_id", "order_line_id", "order_line_no", "deposit_invoice_id"),
    "credit_note": TOT + ADDR + ("id", "number", "invoice_id", "order_id", "account_id", "subject", "credit_date", "reason", "mode",
                                 "rebill", "currency", "language", "created_at", "doc_charges", "seller", "buyer"),
    "credit_note_line": LINE + ("id", "credit_note_id", "invoice_line_id", "order_line_id", "order_line_no", "deposit_invoice_id"),
    "payment": ("id", "invoice_id", "credit_note_id", "account_id", "amount", "payment_date", "method", "reference", "created_at"),
    "activity": ("id", "order_id", "invoice_id", "type", "subject", "due", "note", "done", "created_at"),
    "status_history": ("id", "doc_type", "doc_id", "old_status", "new_status", "at"),
}
INSERT = {t: f'INSERT INTO {t} ({", ".join(chr(34) + c + chr(34) for c in cols)}) VALUES ({", ".join("?" * len(cols))})'
          for t, cols in COLS.items()}


def cli(*args: str) -> None:
    """One ``orders`` command in this process (output dropped); it must succeed."""
    from orders_cli.cli.app import main as orders

    with open(os.devnull, "w") as null:
        saved, sys.stdout, sys.stderr = (sys.stdout, sys.stderr), null, null
        try:
            code = orders(list(args))
        finally:
            sys.stdout, sys.stderr = saved
    if code != 0:
        raise SystemExit(f"failed: orders {' '.join(args)}")


def money_text(c: int) -> str:
    return f"{'-' if c < 0 else ''}{abs(c) // 100}.{abs(c) % 100:02d}"


class Pricer:
    """The catalog as stored, and each line mix priced once by core.pricing (exact cents)."""

    def __init__(self, db: Path):
        from orders_cli.core import pricing

        self.pricing = pricing
        con = sqlite3.connect(db)
        taxes = {tid: pricing.TaxRate(name, Decimal(rate), cat, reason, code)
                 for tid, name, rate, cat, reason, code in con.execute("SELECT id, name, rate, category, exemption_reason, exemption_code FROM tax")}
        self.products = {}
        for pid, sku, name, kind, price, unit_code in con.execute("SELECT id, sku, name, kind, unit_price, unit_code FROM product"):
            (tid,) = con.execute("SELECT tax_id FROM product_tax WHERE product_id = ?", (pid,)).fetchone()
            self.products[sku] = (pid, name, kind, price, unit_code, taxes[tid])
        self.accounts = [r[0] for r in con.execute("SELECT id FROM account ORDER BY name")]
        con.close()
        self.cache: dict = {}
        self.reductions: dict = {}

    def priced(self, spec: tuple, discount: str | None):
        """(line rows without ids, totals columns, Totals) of lines ``spec`` ((sku, qty, discount), ...)."""
        key = (spec, discount)
        hit = self.cache.get(key)
        if hit is None:
            from orders_cli.core.money import plain, to_cents
            from orders_cli.store import documents

            p = self.pricing
            ins = [p.LineIn(quantity=Decimal(q), unit_price=Decimal(self.products[s][3]), discount=p.parse_discount(d),
                            taxes=(self.products[s][5],)) for s, q, d in spec]
            t = p.document_totals(ins, p.parse_discount(discount))
            rows = []
            for no, ((sku, qty, d), net) in enumerate(zip(spec, t.line_nets), 1):
                pid, name, kind, price, unit_code, tax = self.products[sku]
                rows.append((no, pid, sku, name, kind, plain(Decimal(qty)), price, d, to_cents(net), documents.taxes_json((tax,)),
                             None, unit_code, None))
            hit = self.cache[key] = (rows, self.columns(t, discount), t)
        return hit

    def columns(self, t, discount: str | None) -> tuple:
        from orders_cli.core.money import to_cents
        from orders_cli.store import documents

        c = documents.totals_columns(t)
        return (discount, to_cents(c["shipping_charge"]), to_cents(c["adjustment"]), to_cents(c["subtotal"]),
                to_cents(c["discount_amount"]), to_cents(c["tax_total"]), to_cents(c["total"]), c["tax_breakdown"])

    def reduction(self, key: tuple, amount: str):
        """A price reduction credit note (``invoice credit --amount``) of the priced mix ``key``:
        (line rows without the description, totals columns), as invoicing.credits computes it."""
        hit = self.reductions.get((key, amount))
        if hit is None:
            from orders_cli.core import planner, shares
            from orders_cli.core.money import plain, to_cents

            t = self.priced(*key)[2]
            bases = planner.bases(t)
            keys = [k for k in bases if k is not None and bases[k] > 0] + ([None] if bases[None] > 0 else [])
            names = {(b.rate, b.name): b.tax for b in t.tax_breakdown}
            nets = []
            for k, share in zip(keys, shares.allocate(Decimal(amount), [bases[k] for k in keys])):
                if share > 0:
                    nets.append((share, (names[k],) if k is not None else ()))
            rows = [(no, None, "REDUCTION", None, "reduction", "1", plain(share), None, to_cents(share),
                     json.dumps([tx.snapshot() for tx in taxes]), None, None, None) for no, (share, taxes) in enumerate(nets, 1)]
            tt = self.pricing.totals_from_nets(nets)
            hit = self.reductions[(key, amount)] = (rows, self.columns(tt, key[1]))  # the invoice's discount text stays
        return hit


def reference(catalog_db: Path, pricer: Pricer, work: Path) -> dict:
    """Documents made by the real commands on a copy of the catalog: the shape the book copies
    (seller/buyer JSON, a recurring invoice's language), and a check that every amount the
    builder computes is the one the CLI stores."""
    db = work / "reference.db"
    shutil.copyfile(catalog_db, db)
    d = ["--db", str(db)]
    cli(*d, "order", "add", "--subject", "A", "--account", "Customer 000", "--line", "BOOK:3", "--line", "TRAINING:2", "--line", "MUG:4",
        "--discount", "5%", "--date", "2026-03-01")
    cli(*d, "order", "convert", "invoice", "SO-00001", "--date", "2026-03-02")
    cli(*d, "invoice", "credit", "INV-00001", "--amount", "25.00", "--date", "2026-03-10")
    cli(*d, "order", "add", "--subject", "B", "--account", "Customer 001", "--line", "MUG:2", "--line", "CONSULT:2.5:120.00:10%",
        "--line", "HOSTING:3", "--date", "2026-03-03")
    cli(*d, "order", "convert", "invoice", "SO-00002", "--date", "2026-03-04")
    cli(*d, "invoice", "credit", "INV-00002", "--date", "2026-03-11")
    cli(*d, "order", "add", "--subject", "C", "--account", "Customer 002", "--line", "HOSTING:2", "--line", "CONSULT:0.5", "--date", "2026-01-01")
    cli(*d, "recur", "set", "SO-00003", "--frequency", "quarterly", "--start", "2026-01-15")
    cli(*d, "recur", "run", "--date", "2026-05-01")
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    want = {1: ((("BOOK", "3", None), ("TRAINING", "2", None), ("MUG", "4", None)), "5%"),
            2: ((("MUG", "2", None), ("CONSULT", "2.5", "10%"), ("HOSTING", "3", None)), None),
            3: ((("HOSTING", "2", None), ("CONSULT", "0.5", None)), None)}
    lines = ", ".join(LINE)
    for inv in con.execute("SELECT * FROM invoice ORDER BY id"):
        rows, cols, _ = pricer.priced(*want[inv["order_id"]])
        got = tuple(inv[c] for c in TOT)
        assert got == cols, f"invoice {inv['number']}: the CLI stored {got}, the builder computes {cols}"
        stored = [tuple(r) for r in con.execute(f"SELECT {lines} FROM invoice_line WHERE invoice_id = ? ORDER BY line_no", (inv["id"],))]
        assert stored == rows, f"invoice {inv['number']} lines: {stored} != {rows}"
    red_rows, red_cols = pricer.reduction(want[1], "25.00")
    cn = con.execute("SELECT * FROM credit_note WHERE mode = 'amount'").fetchone()
    assert tuple(cn[c] for c in TOT) == red_cols, (tuple(cn[c] for c in TOT), red_cols)
    stored = [tuple(r) for r in con.execute(f"SELECT {lines} FROM credit_note_line WHERE credit_note_id = ? ORDER BY line_no", (cn["id"],))]
    mine = [r[:3] + (f"Price reduction on invoice INV-00001",) + r[4:] for r in red_rows]
    assert stored == mine, (stored, mine)
    whole = con.execute("SELECT * FROM credit_note WHERE mode = 'whole'").fetchone()
    inv2 = con.execute("SELECT * FROM invoice WHERE id = 2").fetchone()
    assert tuple(whole[c] for c in TOT) == tuple(inv2[c] for c in TOT)
    rec = con.execute("SELECT * FROM invoice WHERE recurring = 1 ORDER BY id").fetchone()
    r = con.execute("SELECT * FROM recurrence").fetchone()
    expect = {"enabled": 1, "due_days": 30, "invoice_status": "auto_created", "subject": "", "language": None, "invoice_date": "start",
              "last_day": 0, "catch_up": "all", "usage": 0}
    assert {k: r[k] for k in expect} == expect, dict(r)
    assert (rec["status"], rec["due_days"], rec["kind"], rec["rebill_no"], rec["subject"]) == ("auto_created", 30, "standard", 0, "C"), dict(rec)
    out = {"seller": inv2["seller"], "buyer": inv2["buyer"], "language": inv2["language"], "recurring_language": rec["language"],
           "invoice_status": inv2["status"], "customer_ref": inv2["customer_ref"]}
    con.close()
    return out


class Writer:
    """Rows buffered per table, written with executemany in the tables' order (an invoice's
    lines before its status row: the lock triggers refuse lines after)."""

    ORDER = ("sales_order", "order_line", "recurrence", "invoice", "invoice_line", "credit_note", "credit_note_line",
             "payment", "activity", "status_history")

    def __init__(self, con: sqlite3.Connection):
        self.con = con
        self.buf = {t: [] for t in self.ORDER}
        self.count = dict.fromkeys(self.ORDER, 0)
        self.history = 0

    def add(self, table: str, row: tuple) -> None:
        self.buf[table].append(row)

    def status(self, doc_type: str, doc_id: int, status: str, at: str) -> None:
        self.history += 1
        self.buf["status_history"].append((self.history, doc_type, doc_id, None, status, at))

    def flush(self) -> None:
        for t in self.ORDER:
            if self.buf[t]:
                self.con.executemany(INSERT[t], self.buf[t])
                self.count[t] += len(self.buf[t])
                self.buf[t].clear()


def one_off(rng: random.Random) -> tuple:
    pattern = PATTERNS[rng.randrange(3)]
    spec = tuple((s, rng.choice(QTY[s]), "10%" if s == "CONSULT" and rng.random() < 0.33 else None) for s in pattern)
    return spec, "5%" if rng.random() < 0.25 else None


def write_book(db: Path, pricer: Pricer, ref: dict, n: int) -> dict:
    from orders_cli.core import schedule

    rng = random.Random(17)
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute("PRAGMA cache_size=-400000")
    con.execute("PRAGMA foreign_keys=ON")
    w = Writer(con)
    con.execute("BEGIN IMMEDIATE")
    seller, buyer = ref["seller"], ref["buyer"]
    recs = max(1, n // 100)

    def order(oid: int, acct: int, subject: str, day: date, key: tuple, first_line: int, cref: str | None) -> None:
        rows, cols, _ = pricer.priced(*key)
        at = f"{day} 08:00:00.000000"
        w.add("sales_order", cols + ADDRESS + (oid, f"SO-{oid:05d}", subject, acct, None, None, cref, None, "created", 0, None,
                                              day.isoformat(), "EUR", None, at, at, "[]"))
        for k, r in enumerate(rows):
            w.add("order_line", r + (first_line + k, oid))
        w.status("order", oid, "created", at)

    # the recurring orders (ids after the one-off orders), their schedules and every period due by TODAY
    events = []
    rec_of = {}
    for r in range(recs):
        oid, first_line = n + 1 + r, 3 * n + 2 * r + 1
        key = ((("HOSTING", str(rng.randint(1, 5)), None), ("CONSULT", rng.choice(("0.5", "1", "2")), None)), None)
        start = FIRST + timedelta(days=rng.randrange(DAYS - 20))
        freq = rng.choice(FREQ)
        end = start + timedelta(days=rng.randint(60, 600)) if rng.random() < 0.2 else None
        acct = pricer.accounts[rng.randrange(ACCOUNTS)]
        order(oid, acct, f"Hosting plan {r}", start - timedelta(days=3), key, first_line, None)
        w.add("recurrence", (oid, 1, freq, start.isoformat(), end.isoformat() if end else None, 30, "auto_created", "", None, "start",
                             0, "all", 0, f"{start} 08:00:00.000000"))
        rec_of[oid] = (acct, key, first_line)
        events.extend((p.invoice_date, 1, oid, p.start, p.end) for p in schedule.due_periods(start, freq, TODAY, end=end))
    events.sort()
    regular = ((FIRST + timedelta(days=(i * DAYS) // n), 0, i, None, None) for i in range(n))

    inv_id = line_id = pay_id = 0
    credits = []
    for day, recurring, x, p_start, p_end in heapq.merge(regular, events):
        inv_id += 1
        number = f"INV-{inv_id:05d}"
        if recurring:
            oid = x
            acct, key, first_line = rec_of[oid]
            subject, cref, status, lang = f"Hosting plan {oid - n - 1}", None, "auto_created", ref["recurring_language"]
        else:
            oid, first_line = x + 1, 3 * x + 1
            key = one_off(rng)
            acct = pricer.accounts[(x * 7) % ACCOUNTS]
            subject, cref, status, lang = f"Order {x}", f"C-{x}", ref["invoice_status"], ref["language"]
            order(oid, acct, subject, day - timedelta(days=x % 4), key, first_line, cref)
        rows, cols, _ = pricer.priced(*key)
        at = f"{day} 09:00:00.000000"
        w.add("invoice", cols + ADDRESS + (inv_id, number, oid, acct, subject, status, day.isoformat(), (day + timedelta(days=30)).isoformat(),
                                           30, p_start and p_start.isoformat(), p_end and p_end.isoformat(), recurring, None, "EUR", lang,
                                           at, "standard", 0, "[]", cref, None, seller, buyer))
        first_inv_line = line_id + 1
        for k, r in enumerate(rows):
            line_id += 1
            w.add("invoice_line", r + (line_id, inv_id, first_line + k, k + 1, None))
        w.status("invoice", inv_id, status, at)
        total, credited = cols[6], 0
        u = rng.random()
        if u < 0.05 and day + timedelta(days=45) <= TODAY:
            whole = u < 0.025
            amount = None if whole else rng.choice(("10.00", "25.00"))
            credited = total if whole else pricer.reduction(key, amount)[1][6]
            credits.append((day + timedelta(days=rng.randint(5, 40)), inv_id, number, oid, acct, subject, key, amount,
                            first_inv_line, first_line))
        left = total - credited
        if left > 0 and rng.random() < 0.8:
            pay_day = day + timedelta(days=rng.randint(0, 55))
            if pay_day <= TODAY:
                amount_paid = left // 2 if rng.random() < 0.15 else left
                method = METHODS[inv_id % len(METHODS)]
                pay_id += 1
                pat = f"{pay_day} 10:00:00.000000"
                w.add("payment", (pay_id, inv_id, None, acct, amount_paid, pay_day.isoformat(), method, None, pat))
                w.add("activity", (pay_id, None, inv_id, "payment",
                                   f"Payment received for {number}: {money_text(amount_paid)} EUR by {method}, balance {money_text(left - amount_paid)} EUR",
                                   None, None, 1, pat))
        if inv_id % 20_000 == 0:
            w.flush()
    w.flush()

    # credit notes, numbered in date order (a credit note is never dated before the latest one)
    credits.sort()
    cn_line = 0
    for cn_id, (cday, iid, number, oid, acct, subject, key, amount, first_inv_line, first_line) in enumerate(credits, 1):
        at = f"{cday} 11:00:00.000000"
        if amount is None:  # whole: the invoice's lines, citing them and the order lines they came from
            rows, cols, _ = pricer.priced(*key)
            lines = [r + (first_inv_line + k, first_line + k, k + 1) for k, r in enumerate(rows)]
            mode, reason = "whole", "returned"
        else:
            rows, cols = pricer.reduction(key, amount)
            desc = f"Price reduction on invoice {number}"
            lines = [r[:3] + (desc,) + r[4:] + (None, None, None) for r in rows]
            mode, reason = "amount", "commercial gesture"
        w.add("credit_note", cols + ADDRESS + (cn_id, f"CN-{cn_id:05d}", iid, oid, acct, subject, cday.isoformat(), reason, mode, 0, "EUR",
                                               None, at, "[]", seller, buyer))
        for r in lines:
            cn_line += 1
            w.add("credit_note_line", r[:13] + (cn_line, cn_id) + r[13:] + (None,))
        w.status("credit_note", cn_id, "created", at)
        if cn_id % 20_000 == 0:
            w.flush()
    w.flush()
    for doc, value in (("order", n + recs), ("invoice", inv_id), ("credit", len(credits))):
        con.execute("UPDATE sequence SET last_value = ? WHERE doc_type = ?", (value, doc))
    con.execute("COMMIT")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # no ANALYZE: `orders` never runs one, the plans are a user's
    con.close()
    return {k: v for k, v in w.count.items()}

def check_book(db: Path, env: dict) -> str:
    """The book is coherent: ``db check``, the documents' own sums, and ``invoice show --json``
    of a few invoices (credited whole, by amount, paid in part, recurring) against SQL."""
    child = {**os.environ, **env, "ORDERS_DB": str(db)}
    run = lambda *a: subprocess.run([sys.executable, "-m", "orders_cli", *a], env=child, capture_output=True, text=True, check=True).stdout  # noqa: E731
    health = json.loads(run("db", "check", "--json"))
    assert health["ok"], health
    con = sqlite3.connect(db)
    bad = con.execute(
        "SELECT count(*) FROM invoice i WHERE i.subtotal != (SELECT sum(net) FROM invoice_line l WHERE l.invoice_id = i.id) "
        "OR i.total != i.subtotal - i.discount_amount + i.tax_total "
        "OR i.tax_total != (SELECT sum(CAST(replace(j.value ->> '$.amount', '.', '') AS INTEGER)) FROM json_each(i.tax_breakdown) j) "
        "OR i.subtotal - i.discount_amount != (SELECT sum(CAST(replace(j.value ->> '$.base', '.', '') AS INTEGER)) FROM json_each(i.tax_breakdown) j)"
    ).fetchone()[0]
    assert bad == 0, f"{bad} invoices whose totals do not add up"
    balance = ("i.total - coalesce((SELECT sum(total) FROM credit_note c WHERE c.invoice_id = i.id), 0) "
               "- coalesce((SELECT sum(amount) FROM payment p WHERE p.invoice_id = i.id), 0)")
    negative = con.execute(f"SELECT count(*) FROM invoice i WHERE {balance} < 0").fetchone()[0]
    assert negative == 0, f"{negative} invoices credited or paid beyond their total"
    picks = [
        "SELECT i.number FROM invoice i JOIN credit_note c ON c.invoice_id = i.id WHERE c.mode = 'whole' LIMIT 1",
        "SELECT i.number FROM invoice i JOIN credit_note c ON c.invoice_id = i.id JOIN payment p ON p.invoice_id = i.id WHERE c.mode = 'amount' LIMIT 1",
        f"SELECT i.number FROM invoice i JOIN payment p ON p.invoice_id = i.id WHERE {balance} > 0 LIMIT 1",
        "SELECT number FROM invoice WHERE recurring = 1 AND total > 0 ORDER BY id DESC LIMIT 1",
        "SELECT number FROM invoice WHERE recurring = 0 ORDER BY id DESC LIMIT 1",
    ]
    shown = []
    for q in picks:
        row = con.execute(q).fetchone()
        if row is None:
            continue
        doc = json.loads(run("invoice", "show", row[0], "--json"))
        total, = con.execute("SELECT total FROM invoice WHERE number = ?", row).fetchone()
        expect, = con.execute(f"SELECT {balance} FROM invoice i WHERE number = ?", row).fetchone()
        assert Decimal(doc["totals"]["total"]) == Decimal(total) / 100, (doc["totals"], total)
        assert Decimal(doc["balance"]) == Decimal(expect) / 100, (row[0], doc["balance"], expect)
        assert Decimal(doc["balance"]) == Decimal(doc["totals"]["total"]) - Decimal(doc["credited"]) - Decimal(doc["paid"]), doc
        net = sum(Decimal(ln["net"]) for ln in doc["lines"])
        assert net == Decimal(doc["totals"]["subtotal"]), (net, doc["totals"])
        shown.append(f"{row[0]} {doc['payment_state']} balance {doc['balance']}")
    fk = con.execute("PRAGMA foreign_key_check").fetchall()
    assert not fk, fk[:5]
    con.close()
    return "db check ok, every invoice adds up, no foreign key broken; invoice show: " + "; ".join(shown)


def build(n: int, cache: Path, env: dict) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="orders-reports-", dir=cache.parent))
    db = tmp / "book.db"
    try:
        start = time.perf_counter()
        child = {**os.environ, **env}
        subprocess.run([sys.executable, "-m", "orders_cli", "--db", str(db), "db", "init"], env=child, check=True, capture_output=True)
        os.environ.update(env)
        for args in CATALOG:
            cli("--db", str(db), *args)
        for i in range(ACCOUNTS):
            cli("--db", str(db), "account", "add", f"Customer {i:03d}", "--billing-country", "FR")
        from orders_cli import store

        store.dispose_all()
        pricer = Pricer(db)
        ref = reference(db, pricer, tmp)
        store.dispose_all()
        catalog = time.perf_counter() - start
        counts = write_book(db, pricer, ref, n)
        elapsed = time.perf_counter() - start
        checks = check_book(db, env)
        rows = sum(counts.values())
        stats = {"orders": n, "rows": counts, "seconds": round(elapsed, 1), "catalog_seconds": round(catalog, 1),
                 "rows_per_s": round(rows / (elapsed - catalog)), "mb": round(db.stat().st_size / 1e6), "checks": checks,
                 "check_seconds": round(time.perf_counter() - start - elapsed, 1), "built": time.strftime("%Y-%m-%d %H:%M:%S")}
        for suffix in ("-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        db.replace(cache)
        Path(f"{cache}.build.json").write_text(json.dumps(stats, indent=1))
        return stats
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


SINCE, UNTIL, ASOF = f"{YEAR}-01-01", f"{YEAR}-12-31", TODAY.isoformat()

COUNTED = "(i.status != 'cancelled' OR EXISTS (SELECT 1 FROM credit_note kc WHERE kc.invoice_id = i.id))"
INV_IN = f"i.invoice_date BETWEEN '{SINCE}' AND '{UNTIL}' AND {COUNTED}"
CN_IN = f"c.credit_date BETWEEN '{SINCE}' AND '{UNTIL}'"
QUARTER = "substr({d}, 1, 4) || '-Q' || ((CAST(substr({d}, 6, 2) AS INTEGER) + 2) / 3)"


def sales_floor(key_inv: str, key_cn: str, join_inv: str = "", join_cn: str = "") -> str:
    return (
        f"SELECT grp, sum(net), sum(vat), sum(gross) FROM ("
        f"SELECT {key_inv} AS grp, i.total - i.tax_total AS net, i.tax_total AS vat, i.total AS gross FROM invoice i {join_inv} WHERE {INV_IN} "
        f"UNION ALL SELECT {key_cn}, -(c.total - c.tax_total), -c.tax_total, -c.total FROM credit_note c {join_cn} WHERE {CN_IN}"
        f") GROUP BY grp ORDER BY grp"
    )


def lines_floor(key: str, margin: bool) -> str:
    """By product or vendor: the lines' nets (and the catalog cost of their quantities)."""
    cost = "CAST(l.quantity AS REAL) * CAST(p.cost AS REAL)"
    return (
        f"SELECT grp, sum(net){', sum(cost)' if margin else ''} FROM ("
        f"SELECT {key} AS grp, l.net AS net, {cost} AS cost FROM invoice_line l JOIN invoice i ON i.id = l.invoice_id "
        f"LEFT JOIN product p ON p.id = l.product_id LEFT JOIN vendor v ON v.id = p.vendor_id WHERE {INV_IN} "
        f"UNION ALL SELECT {key}, -l.net, -{cost} FROM credit_note_line l JOIN credit_note c ON c.id = l.credit_note_id "
        f"LEFT JOIN product p ON p.id = l.product_id LEFT JOIN vendor v ON v.id = p.vendor_id WHERE {CN_IN}"
        f") GROUP BY grp ORDER BY grp"
    )


def cents(expr: str) -> str:
    return f"CAST(replace({expr}, '.', '') AS INTEGER)"


# the VAT rows of revision 0005 (store/summaries.py), grouped as report vat groups them
VAT_FLOOR = (
    "SELECT category, name, rate, sum(base), sum(tax) FROM ("
    f"SELECT category, name, rate, base, amount AS tax FROM invoice_tax WHERE invoice_date BETWEEN '{SINCE}' AND '{UNTIL}' "
    f"UNION ALL SELECT category, name, rate, -base, -amount FROM credit_note_tax WHERE credit_date BETWEEN '{SINCE}' AND '{UNTIL}'"
    ") GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
)

# on receipts: each payment of the period takes its share of its invoice's VAT rows
VAT_PAYMENT_FLOOR = (
    "SELECT t.category, t.name, t.rate, sum(t.base * p.amount / i.total), sum(t.amount * p.amount / i.total) "
    "FROM payment p JOIN invoice i ON i.id = p.invoice_id JOIN invoice_tax t ON t.invoice_id = i.id "
    f"WHERE p.payment_date BETWEEN '{SINCE}' AND '{UNTIL}' AND p.id NOT IN (SELECT payment_id FROM payment_removal) AND i.total != 0 "
    "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
)

# the balances of revision 0005 (invoice_balance) of the invoices not settled for good, bucketed
AGING_FLOOR = (
    "WITH bal AS MATERIALIZED (SELECT b.account_id, julianday(:asof) - julianday(b.due_date) AS late, "
    "b.total - b.credited - b.paid AS balance FROM invoice_balance b WHERE b.open_until > :asof AND b.last_event <= :asof) "
    "SELECT a.name, sum(CASE WHEN late <= 0 THEN balance END), sum(CASE WHEN late BETWEEN 1 AND 30 THEN balance END), "
    "sum(CASE WHEN late BETWEEN 31 AND 60 THEN balance END), sum(CASE WHEN late BETWEEN 61 AND 90 THEN balance END), "
    "sum(CASE WHEN late > 90 THEN balance END), sum(balance) FROM bal JOIN account a ON a.id = bal.account_id "
    "WHERE balance != 0 GROUP BY a.name ORDER BY a.name"
).replace(":asof", f"'{ASOF}'")

# aging as of a past day: each invoice dated by then, less its credit notes and live payments
# dated by then (the documents summed once per invoice), bucketed
PAST = f"{YEAR}-06-30"
AGING_PAST_FLOOR = (
    "WITH bal AS MATERIALIZED (SELECT i.account_id, julianday(:asof) - julianday(i.due_date) AS late, "
    "i.total - coalesce(c.t, 0) - coalesce(p.t, 0) AS balance FROM invoice i "
    "LEFT JOIN (SELECT invoice_id, sum(total) AS t FROM credit_note WHERE credit_date <= :asof GROUP BY invoice_id) c ON c.invoice_id = i.id "
    "LEFT JOIN (SELECT invoice_id, sum(amount) AS t FROM payment WHERE invoice_id IS NOT NULL AND payment_date <= :asof "
    "AND id NOT IN (SELECT payment_id FROM payment_removal) GROUP BY invoice_id) p ON p.invoice_id = i.id WHERE i.invoice_date <= :asof) "
    "SELECT a.name, sum(CASE WHEN late <= 0 THEN balance END), sum(CASE WHEN late BETWEEN 1 AND 30 THEN balance END), "
    "sum(CASE WHEN late BETWEEN 31 AND 60 THEN balance END), sum(CASE WHEN late BETWEEN 61 AND 90 THEN balance END), "
    "sum(CASE WHEN late > 90 THEN balance END), sum(balance) FROM bal JOIN account a ON a.id = bal.account_id "
    "WHERE balance != 0 GROUP BY a.name ORDER BY a.name"
).replace(":asof", f"'{PAST}'")

RECURRING_FLOOR = (
    "SELECT strftime('%Y-%m', i.period_start), count(DISTINCT i.order_id), "
    "sum((i.total - i.tax_total) / CASE r.frequency WHEN 'quarterly' THEN 3 WHEN 'annual' THEN 12 ELSE 1 END) "
    "FROM invoice i JOIN recurrence r ON r.order_id = i.order_id WHERE i.recurring = 1 GROUP BY 1 ORDER BY 1"
)

FORECAST_FLOOR = (
    "SELECT r.frequency, count(*), sum(o.total) FROM recurrence r JOIN sales_order o ON o.id = r.order_id "
    f"WHERE r.enabled AND (r.\"end\" IS NULL OR r.\"end\" >= '{ASOF}') GROUP BY r.frequency"
)

# An export's floor: every entry line of the year in the shell, sorted by date (411/706-707/44571 of
# each invoice, the same reversed for credit notes, 512/411 of each payment), written to a file.
ENTRY_LINES = (
    "SELECT * FROM ("
    "SELECT i.invoice_date AS d, i.number AS ref, '411' || a.id AS acct, i.total AS debit, 0 AS credit FROM invoice i "
    f"JOIN account a ON a.id = i.account_id WHERE {INV_IN} "
    "UNION ALL SELECT i.invoice_date, i.number, CASE l.kind WHEN 'service' THEN '706' ELSE '707' END, 0, sum(l.net) "
    f"FROM invoice i JOIN invoice_line l ON l.invoice_id = i.id WHERE {INV_IN} GROUP BY i.id, l.kind "
    f"UNION ALL SELECT i.invoice_date, i.number, '44571' || (j.value ->> '$.name'), 0, {cents('j.value ->> ' + repr('$.amount'))} "
    f"FROM invoice i, json_each(i.tax_breakdown) j WHERE {INV_IN} "
    "UNION ALL SELECT c.credit_date, c.number, '411' || c.account_id, 0, c.total FROM credit_note c "
    f"WHERE {CN_IN} "
    f"UNION ALL SELECT c.credit_date, c.number, '44571' || (j.value ->> '$.name'), {cents('j.value ->> ' + repr('$.amount'))}, 0 "
    f"FROM credit_note c, json_each(c.tax_breakdown) j WHERE {CN_IN} "
    "UNION ALL SELECT p.payment_date, i.number, '512', p.amount, 0 FROM payment p JOIN invoice i ON i.id = p.invoice_id "
    f"WHERE p.payment_date BETWEEN '{SINCE}' AND '{UNTIL}' "
    "UNION ALL SELECT p.payment_date, i.number, '411' || p.account_id, 0, p.amount FROM payment p JOIN invoice i ON i.id = p.invoice_id "
    f"WHERE p.payment_date BETWEEN '{SINCE}' AND '{UNTIL}'"
    ") ORDER BY d, ref"
)

P = ["--period", str(YEAR), "--json"]
REPORTS = [
    ("sales --by month", ["report", "sales", "--by", "month", *P], sales_floor("strftime('%Y-%m', i.invoice_date)", "strftime('%Y-%m', c.credit_date)")),
    ("sales --by quarter", ["report", "sales", "--by", "quarter", *P], sales_floor(QUARTER.format(d="i.invoice_date"), QUARTER.format(d="c.credit_date"))),
    ("sales --by account", ["report", "sales", "--by", "account", *P],
     sales_floor("a.name", "a.name", "JOIN account a ON a.id = i.account_id", "JOIN account a ON a.id = c.account_id")),
    ("sales --by product", ["report", "sales", "--by", "product", *P], lines_floor("l.sku", False)),
    ("sales --by product --margin", ["report", "sales", "--by", "product", "--margin", *P], lines_floor("l.sku", True)),
    ("sales --by vendor --margin", ["report", "sales", "--by", "vendor", "--margin", *P], lines_floor("v.name", True)),
    ("vat --basis invoice", ["report", "vat", *P], VAT_FLOOR),
    ("vat --basis payment", ["report", "vat", "--basis", "payment", *P], VAT_PAYMENT_FLOOR),
    ("aging", ["report", "aging", "--as-of", ASOF, "--json"], AGING_FLOOR),
    ("aging --as-of a past day", ["report", "aging", "--as-of", PAST, "--json"], AGING_PAST_FLOOR),
    ("recurring", ["report", "recurring", "--json"], RECURRING_FLOOR),
    ("forecast --months 12", ["report", "forecast", "--months", "12", "--json"], FORECAST_FLOOR),
]
EXPORTS = [
    ("export fec", ["export", "fec", "--year", str(YEAR), "-o"], "fec"),
    ("export journal hledger", ["export", "journal", "--format", "hledger", "--year", str(YEAR), "-o"], "journal"),
]


def median(cmd: list[str], env: dict | None, repeat: int) -> tuple[float, int]:  # float-ok: timing
    times, peaks = [], []
    for _ in range(repeat):
        elapsed, peak, _ = timed(cmd, env=env)
        times.append(elapsed)
        peaks.append(peak)
    return statistics.median(times), max(peaks)


def exists(env: dict, *words: str) -> bool:
    """Whether this checkout has the command (``orders WORDS --help`` exits 0)."""
    return subprocess.run([sys.executable, "-m", "orders_cli", *words, "--help"], env=env, capture_output=True).returncode == 0


def export_run(args: list[str], env: dict, repeat: int, out: Path) -> dict:
    times, peak = [], 0
    for _ in range(repeat):
        out.unlink(missing_ok=True)
        elapsed, rss, _ = timed([sys.executable, "-m", "orders_cli", *args, str(out)], env=env)
        times.append(elapsed)
        peak = max(peak, rss)
    with out.open("rb") as f:
        rows = sum(1 for _ in f)
    return {"seconds": statistics.median(times), "rows": rows, "peak_kib": peak, "bytes": out.stat().st_size}


def floor_export(shell: str, db: Path, out: Path, repeat: int, fmt: str) -> dict:
    sql = ENTRY_LINES if fmt == "fec" else (
        "SELECT d || ' ' || ref || char(10) || '    ' || acct || '  ' || printf('%.2f', (debit - credit) / 100.0) FROM (" + ENTRY_LINES + ")")
    times, peak = [], 0
    for _ in range(repeat):
        with out.open("wb") as f:
            elapsed, rss, _ = timed([shell, "-separator", "\t", str(db), sql], stdout=f)
        times.append(elapsed)
        peak = max(peak, rss)
    with out.open("rb") as f:
        rows = sum(1 for _ in f)
    return {"seconds": statistics.median(times), "rows": rows, "peak_kib": peak}


def environment(home: Path) -> dict:
    return {
        "ORDERS_CONFIG": str(home / "config.toml"), "ORDERS_TODAY": ASOF, "NO_COLOR": "1", "HOME": str(home),
        "XDG_DATA_HOME": str(home / "xdg-data"), "XDG_CONFIG_HOME": str(home / "xdg-config"),
    }


def book(n: int, cache: Path | None = None, rebuild: bool = False) -> tuple[Path, dict]:
    """The book of ``n`` orders, built once into ``cache`` (default $TMPDIR/orders-bench-reports-N.db)
    and reused: (its path, its build figures)."""
    cache = (cache or Path(tempfile.gettempdir()) / f"orders-bench-reports-{n}.db").resolve()
    cache.parent.mkdir(parents=True, exist_ok=True)
    if rebuild or not cache.exists():
        print(f"building a book of {n:,} orders into {cache} ...", flush=True)
        home = Path(tempfile.mkdtemp(prefix="orders-reports-home-"))
        try:
            return cache, build(n, cache, environment(home))
        finally:
            shutil.rmtree(home, ignore_errors=True)
    print(f"reusing {cache}", flush=True)
    return cache, json.loads(Path(f"{cache}.build.json").read_text())


def measure(db: Path, repeat: int = 5, only: str | None = None, quiet: bool = False) -> dict:
    """Every report and export on the book ``db`` next to its floor (medians of ``repeat``)."""
    say = (lambda *a, **k: None) if quiet else print  # noqa: E731
    home = Path(tempfile.mkdtemp(prefix="orders-reports-home-"))
    con = sqlite3.connect(db)
    (n,) = con.execute("SELECT count(*) FROM sales_order WHERE id NOT IN (SELECT order_id FROM recurrence)").fetchone()
    con.close()
    try:
        child = {**os.environ, **environment(home), "ORDERS_DB": str(db)}
        shell = shutil.which("sqlite3")
        if not shell:
            raise SystemExit("the floors need the sqlite3 shell (apt-get install sqlite3)")
        table = []
        start, _ = median([sys.executable, "-c", "import sqlmodel"], None, repeat)
        say(f"start-up floor: python -c 'import sqlmodel' {start * 1000:.0f} ms (median of {repeat})")
        small = None
        if exists(child, "report", "sales"):  # the same report on the 5-order demo book: what of it is start-up
            demo = {**child, "ORDERS_DB": str(home / "demo.db")}
            subprocess.run([sys.executable, "-m", "orders_cli", "demo"], env=demo, check=True, capture_output=True)
            small, _ = median([sys.executable, "-m", "orders_cli", *REPORTS[0][1]], demo, repeat)
            say(f"start-up: orders {' '.join(REPORTS[0][1])} on the 5-order demo book {small * 1000:.0f} ms")
        say(f"\n{'report (' + str(n) + ' orders, --period ' + str(YEAR) + ')':<44} {'time ms':>9} {'floor ms':>9} {'ratio':>7}  goal   result")
        for name, args, sql in REPORTS:
            if only and only not in name:
                continue
            if not exists(child, *args[:2]):
                f, _ = median([shell, str(db), sql], None, repeat)
                say(f"{name:<44} {'-':>9} {round(f * 1000):>9,}          (orders {' '.join(args[:2])} is not in this checkout)")
                table.append({"report": name, "missing": True, "floor_ms": round(f * 1000), "floor_sql": sql})
                continue
            t, peak = median([sys.executable, "-m", "orders_cli", *args], child, repeat)
            f, _ = median([shell, str(db), sql], None, repeat)
            row = {"report": name, "command": "orders " + " ".join(args), "ms": round(t * 1000), "floor_ms": round(f * 1000),
                   "ratio": round(t / f, 1), "goal_ms": GOAL * 1000, "pass": t < GOAL, "peak_mib": round(peak / 1024), "floor_sql": sql}
            table.append(row)
            say(f"{name:<44} {row['ms']:>9,} {row['floor_ms']:>9,} {row['ratio']:>6}x  < 2 s  {'pass' if row['pass'] else 'FAIL'}", flush=True)
        outdir = Path(tempfile.mkdtemp(prefix="orders-reports-out-", dir=db.parent))
        try:
            for name, args, fmt in EXPORTS:
                if only and only not in name:
                    continue
                fl = floor_export(shell, db, outdir / f"{fmt}.floor", max(1, min(repeat, 3)), fmt)
                if not exists(child, *args[:2]):
                    say(f"{name:<44} {'-':>9} {round(fl['seconds'] * 1000):>9,}          (orders {' '.join(args[:2])} is not in this "
                        f"checkout; floor {fl['rows']:,} lines, peak {round(fl['peak_kib'] / 1024)} MiB)")
                    table.append({"report": name, "missing": True, "floor_ms": round(fl["seconds"] * 1000), "floor_rows": fl["rows"]})
                    continue
                r = export_run(args, child, max(1, min(repeat, 3)), outdir / f"{fmt}.out")
                row = {"report": name, "command": "orders " + " ".join(args) + " FILE", "ms": round(r["seconds"] * 1000),
                       "floor_ms": round(fl["seconds"] * 1000), "ratio": round(r["seconds"] / fl["seconds"], 1),
                       "rows": r["rows"], "rows_per_s": round(r["rows"] / r["seconds"]), "peak_mib": round(r["peak_kib"] / 1024),
                       "mb": round(r["bytes"] / 1e6, 1), "floor_rows": fl["rows"], "floor_rows_per_s": round(fl["rows"] / fl["seconds"]),
                       "floor_peak_mib": round(fl["peak_kib"] / 1024), "goal_ms": None, "pass": None}
                table.append(row)
                say(f"{name:<44} {row['ms']:>9,} {row['floor_ms']:>9,} {row['ratio']:>6}x  {row['rows']:,} lines, "
                    f"{row['rows_per_s']:,} lines/s, peak {row['peak_mib']} MiB (floor {row['floor_rows']:,} lines, "
                    f"{row['floor_rows_per_s']:,}/s, peak {row['floor_peak_mib']} MiB)", flush=True)
        finally:
            shutil.rmtree(outdir, ignore_errors=True)
        return {"orders": n, "year": YEAR, "as_of": ASOF, "repeat": repeat, "startup_floor_ms": round(start * 1000),
                "startup_report_ms": round(small * 1000) if small else None, "rows": table,
                "loadavg": Path("/proc/loadavg").read_text().split()[:3], "measured": time.strftime("%Y-%m-%d %H:%M:%S"),
                "sqlite": sqlite3.sqlite_version, "python": sys.version.split()[0]}
    finally:
        shutil.rmtree(home, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000, help="orders in the book (default 1000000)")
    parser.add_argument("--quick", action="store_true", help="20,000 orders")
    parser.add_argument("--cache", type=Path, help="the database to build once and reuse (default: $TMPDIR/orders-bench-reports-N.db)")
    parser.add_argument("--rebuild", action="store_true", help="build the book again even if the cache exists")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure, the median is kept (default 5)")
    parser.add_argument("--json-out", type=Path, help="write the table as JSON here")
    parser.add_argument("--only", help="only the rows whose name contains this text")
    opts = parser.parse_args()
    n = 20_000 if opts.quick else opts.orders
    if n < 100:
        parser.error("--orders must be at least 100")
    cache, stats = book(n, opts.cache, opts.rebuild)
    print("book:    " + ", ".join(f"{v:,} {k}" for k, v in stats["rows"].items()))
    print(f"         built in {stats['seconds']} s ({stats['rows_per_s']:,} rows/s), {stats['mb']} MB; checks: {stats['checks']}")
    result = measure(cache, opts.repeat, opts.only)
    result["build"] = stats
    if opts.json_out:
        opts.json_out.write_text(json.dumps(result, indent=1))
        print(f"\nwrote {opts.json_out}")
    over = [r["report"] for r in result["rows"] if r.get("pass") is False]
    print(f"over the {GOAL:.0f} s goal: {', '.join(over) if over else 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
