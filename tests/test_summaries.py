"""Revision 0005, the summaries the reports read (``store/summaries.py``): the VAT rows and the
settlement of every invoice, kept by triggers. On random books of invoices, credit notes,
payments (back-dated, partial, over), refunds and removals, ``report aging`` on many days and
``report vat --basis payment`` over many spans equal the same figures computed here from the
documents alone (raw SQL and the JSON breakdowns, the summaries never read), and ``db check``
finds the summaries in step; a summary changed behind the triggers' back is found, a VAT row
cannot be changed."""

from __future__ import annotations

import json
import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from conftest import PG, clone_db, ok, raw_connect, run, sql, undo_receipts

from orders_cli.core.pricing import share_cents

D = Decimal
TODAY = date(2026, 11, 28)  # ORDERS_TODAY in the tests


def cents(text: str) -> int:
    return int(D(text) * 100)


def setup_catalog() -> None:
    ok("tax", "add", "VAT20", "--rate", "20")
    ok("tax", "add", "VAT5.5", "--rate", "5.5")
    ok("tax", "add", "EXO", "--rate", "0", "--category", "E", "--exemption-reason", "Exonération, article 261 4 4° du CGI")
    for name in ("North", "South", "East"):
        ok("account", "add", name)
    ok("product", "add", "MUG", "--name", "Mug", "--price", "8.90", "--tax", "VAT20")
    ok("product", "add", "COFFEE", "--name", "Coffee", "--price", "24.55", "--tax", "VAT5.5")
    ok("product", "add", "TRAINING", "--name", "Training", "--price", "300.00", "--tax", "EXO", "--service")


def day(rnd: random.Random, lo: date = date(2026, 6, 1)) -> date:
    return lo + timedelta(days=rnd.randint(0, (TODAY - lo).days))


def random_book_copy(db_template, seed: int) -> None:
    """This test's database: a copy of the random book of ``seed``, built once per session."""
    clone_db(db_template(f"summaries-{seed}", lambda: random_book(seed)))


def random_book(seed: int) -> None:
    rnd = random.Random(seed)
    setup_catalog()
    invoices = []
    for issued in sorted(day(rnd, date(2026, 6, 1)) for _ in range(12)):  # invoices are numbered in date order
        lines = [a for _ in range(rnd.randint(1, 3))
                 for a in ("--line", f"{rnd.choice(['MUG', 'COFFEE', 'TRAINING'])}:{rnd.randint(1, 9)}")]
        extra = ("--discount", f"{rnd.randint(1, 20)}%") if rnd.random() < 0.3 else ()
        so = ok("order", "add", "--subject", "Order", "--account", rnd.choice(["North", "South", "East"]), *lines, *extra,
                "--json").json()["number"]
        invoices.append((ok("order", "convert", "invoice", so, "--date", issued.isoformat(), "--json").json()["number"], issued))
    last_credit = date(2026, 6, 1)
    for number, issued in invoices:
        total = D(ok("invoice", "show", number, "--json").json()["totals"]["total"])
        for _ in range(rnd.choice([0, 1, 1, 2, 3])):  # payments, back-dated in any order, sometimes more than the balance
            amount = max(D("0.01"), (total * D(rnd.choice([1, 2, 3, 5])) / D(rnd.choice([2, 3, 4, 6]))).quantize(D("0.01")))
            paid = ok("payment", "add", number, "--amount", str(amount), "--date", day(rnd, issued).isoformat(),
                      "--allow-overpayment", "--json").json()
            if rnd.random() < 0.2:
                ok("payment", "remove", str(paid["id"]), "--yes")
        if rnd.random() < 0.35:  # a credit note, whole or in part, then perhaps its refund
            args = ("--amount", f"{rnd.randint(1, 40)}.{rnd.randint(0, 99):02d}") if rnd.random() < 0.6 else ()
            last_credit = day(rnd, max(issued, last_credit))  # credit notes too
            credited = run("invoice", "credit", number, *args, "--date", last_credit.isoformat(), "--json")
            if credited.code == 0 and rnd.random() < 0.5:
                cn = credited.json()
                refund = ok("payment", "add", cn["number"], "--amount", cn["totals"]["total"], "--date",
                            day(rnd, date.fromisoformat(cn["credit_date"])).isoformat(), "--json").json()
                if rnd.random() < 0.3:
                    ok("payment", "remove", str(refund["id"]), "--yes")


# ---------------------------------------------------------------- the documents alone


def documents():
    """Invoices, credit notes and live payments straight from their tables."""
    con = raw_connect()
    try:
        q = lambda query: [tuple(r) for r in con.execute(query).fetchall()]  # noqa: E731
        invoices = q("SELECT i.id, a.name, i.invoice_date, i.due_date, i.total, i.status, i.tax_breakdown FROM invoice i "
                     "JOIN account a ON a.id = i.account_id")
        credits = q("SELECT id, invoice_id, credit_date, total, tax_breakdown FROM credit_note")
        payments = q("SELECT invoice_id, credit_note_id, payment_date, amount FROM payment "
                     "WHERE id NOT IN (SELECT payment_id FROM payment_removal)")
    finally:
        con.close()
    as_date = lambda v: v if isinstance(v, date) or v is None else date.fromisoformat(str(v))  # noqa: E731
    invoices = [(i, n, as_date(d), as_date(due), int(t), st, b) for i, n, d, due, t, st, b in invoices]
    credits = [(i, inv, as_date(d), int(t), b) for i, inv, d, t, b in credits]
    payments = [(inv, cn, as_date(d), int(a)) for inv, cn, d, a in payments]
    return invoices, credits, payments


def aging_by_hand(as_of: date, docs) -> dict:
    invoices, credits, payments = docs
    cn_of = {c[0]: c[1] for c in credits}
    has_cn = {c[1] for c in credits}
    out: dict = defaultdict(lambda: [0] * 6)
    for inv_id, account, issued, due, total, status, _ in invoices:
        if (status == "cancelled" and inv_id not in has_cn) or issued > as_of:
            continue
        balance = total - sum(t for _, i, d, t, _ in credits if i == inv_id and d <= as_of)
        balance -= sum(a for i, _, d, a in payments if i == inv_id and d <= as_of)
        refunded = sum(a for _, cn, d, a in payments if cn is not None and cn_of[cn] == inv_id and d <= as_of)
        row = out[account]
        if balance > 0:
            late = (as_of - due).days if due is not None else 0
            slot = 0 if late <= 0 else 1 if late <= 30 else 2 if late <= 60 else 3 if late <= 90 else 4
            row[slot] += balance
        row[5] += min(balance, 0) + refunded
    return {k: v for k, v in out.items() if any(v)}


def vat_on_receipts_by_hand(since: date, until: date, docs) -> dict:
    invoices, credits, payments = docs
    has_cn = {c[1] for c in credits}
    out: dict = defaultdict(lambda: [0, 0, 0, 0])
    for slot, rows, key in ((0, [(i, t, st, b) for i, _, _, _, t, st, b in invoices], 0), (2, [(i, t, "", b) for i, _, _, t, b in credits], 1)):
        for doc_id, total, status, breakdown in rows:
            if (slot == 0 and status == "cancelled" and doc_id not in has_cn) or total <= 0:
                continue
            mine = [(d, a) for p in payments if p[key] == doc_id for d, a in [(p[2], p[3])]]
            if not any(since <= d <= until for d, _ in mine):
                continue
            before = min(sum(a for d, a in mine if d < since), total)
            through = min(sum(a for d, a in mine if d <= until), total)
            for b in json.loads(breakdown):
                row = out[(b.get("category") or "S", b["name"], b["rate"])]
                base, amount = cents(b["base"]), cents(b["amount"])
                row[slot] += share_cents(base, through, total) - share_cents(base, before, total)
                row[slot + 1] += share_cents(amount, through, total) - share_cents(amount, before, total)
    return {k: v for k, v in out.items() if any(v)}


# ---------------------------------------------------------------- the tests


@pytest.mark.parametrize("seed", [11, 12, 13, 14])
def test_aging_and_vat_on_receipts_equal_the_documents_on_random_books(db_template, seed):
    random_book_copy(db_template, seed)
    docs = documents()
    rnd = random.Random(seed)
    days = {TODAY, date(2026, 6, 1), *(day(rnd) for _ in range(6)), TODAY + timedelta(days=40), TODAY + timedelta(days=200)}
    for as_of in sorted(days):
        rows = ok("report", "aging", "--as-of", as_of.isoformat(), "--json").json()
        got = {r["account"]["name"]: [cents(r[k]) for k in ("current", "days_1_30", "days_31_60", "days_61_90", "days_over_90", "credit")]
               for r in rows}
        assert got == aging_by_hand(as_of, docs), as_of
    for since, until in ((date(2026, 6, 1), TODAY), (date(2026, 9, 1), date(2026, 9, 30)), (date(2026, 10, 15), date(2026, 11, 20)),
                         (date(2026, 11, 1), TODAY)):
        rows = ok("report", "vat", "--basis", "payment", "--since", since.isoformat(), "--until", until.isoformat(), "--json").json()
        got = {(r["category"], r["tax"], r["rate"]): [cents(r[k]) for k in ("invoices_base", "invoices_vat", "credit_notes_base",
                                                                            "credit_notes_vat")]
               for r in rows}
        hand = vat_on_receipts_by_hand(since, until, docs)
        assert {k: v for k, v in got.items() if any(v)} == {(c, n, str(D(r))): v for (c, n, r), v in hand.items()}, (since, until)
    check = ok("db", "check", "--json").json()
    assert check["problems"] == [] and check["ok"], check


@pytest.mark.parametrize("seed", [12, 13])
def test_aging_of_one_account_on_past_days_equals_the_documents(db_template, seed):
    """As of a past day most invoices have a later event (a payment, credit note or refund
    dated after it): those dated by then are balanced from the documents, the others left out;
    one account's rows are its documents' balances then, each day from the first invoice on."""
    random_book_copy(db_template, seed)
    docs = documents()
    first = min(d for _, _, d, *_ in docs[0])
    for as_of in (first - timedelta(days=1), first, *(first + timedelta(days=n) for n in range(7, (TODAY - first).days, 23)),
                  TODAY - timedelta(days=1)):
        hand = aging_by_hand(as_of, docs)
        for account in ("North", "South", "East"):
            rows = ok("report", "aging", "--as-of", as_of.isoformat(), "--account", account, "--json").json()
            got = {r["account"]["name"]: [cents(r[k]) for k in ("current", "days_1_30", "days_31_60", "days_61_90", "days_over_90", "credit")]
                   for r in rows}
            assert got == {k: v for k, v in hand.items() if k == account}, (as_of, account)


def test_the_vat_rows_are_the_breakdowns_and_cannot_change(db_template):
    random_book_copy(db_template, 11)
    for table, doc, key in (("invoice_tax", "invoice", "invoice_id"), ("credit_note_tax", "credit_note", "credit_note_id")):
        rows = sql(f"SELECT {key}, category, name, rate, base, amount FROM {table} ORDER BY {key}, seq")
        expected = []
        for doc_id, breakdown in sql(f"SELECT id, tax_breakdown FROM {doc} ORDER BY id"):
            expected += [(doc_id, b.get("category") or "S", b["name"], b["rate"], cents(b["base"]), cents(b["amount"]))
                         for b in json.loads(breakdown)]
        assert [tuple(r) for r in rows] == expected and expected
    con = raw_connect()
    try:
        for statement in ("UPDATE invoice_tax SET amount = amount + 1", "DELETE FROM invoice_tax"):
            with pytest.raises(Exception, match="locked: the VAT of an issued document never changes"):
                con.execute(statement)
            con.rollback()
    finally:
        con.close()


def test_db_check_finds_a_balance_out_of_step(db_template):
    random_book_copy(db_template, 12)
    assert ok("db", "check", "--json").json()["ok"]
    con = raw_connect()
    try:
        con.execute("UPDATE invoice_balance SET paid = paid + 1 WHERE invoice_id = (SELECT min(id) FROM invoice)")
        con.commit()
    finally:
        con.close()
    result = run("db", "check", "--json")
    assert result.code != 0
    assert any("invoice_balance: 1 invoice(s) out of step" in p for p in result.json()["problems"])


def receipts_of(number: str) -> tuple:
    """(first_paid, last_paid, settled_on) of an invoice and the (seq, first_paid, settled_on) of its receipt rows, as text."""
    (dates,) = sql("SELECT b.first_paid, b.last_paid, b.settled_on FROM invoice_balance b JOIN invoice i ON i.id = b.invoice_id "
                   "WHERE i.number = ?", number)
    rows = sql("SELECT r.seq, r.first_paid, r.settled_on FROM invoice_receipt_tax r JOIN invoice i ON i.id = r.invoice_id "
               "WHERE i.number = ? ORDER BY r.seq", number)
    text = lambda v: None if v is None else str(v)  # noqa: E731  (a date on PostgreSQL, text on SQLite)
    return tuple(map(text, dates)), [(seq, text(a), text(b)) for seq, a, b in rows]


def test_payment_dates_follow_back_dated_payments_and_removals(isolated):
    """Revision 0008: settled_on is the first day the live payments dated by then reach the total;
    a back-dated payment moves it earlier, a removal unsettles it, an overpayment settles no
    earlier; the receipt rows are the VAT rows with those dates once it is paid at all, and report
    vat --basis payment counts an invoice paid whole in a span as its VAT rows, one paid in part
    as its share (the same figures the documents give)."""
    setup_catalog()
    so = ok("order", "add", "--subject", "Two rates", "--account", "North", "--line", "MUG:10", "--line", "COFFEE:4", "--json").json()["number"]
    inv = ok("order", "convert", "invoice", so, "--date", "2026-09-01", "--json").json()
    number, total = inv["number"], D(inv["totals"]["total"])
    assert receipts_of(number) == ((None, None, None), [])
    first = ok("payment", "add", number, "--amount", str(total - 10), "--date", "2026-10-20", "--json").json()
    assert receipts_of(number) == (("2026-10-20", "2026-10-20", None), [(0, "2026-10-20", None), (1, "2026-10-20", None)])
    ok("payment", "add", number, "--amount", "10.00", "--date", "2026-11-05")
    settled = [(0, "2026-10-20", "2026-11-05"), (1, "2026-10-20", "2026-11-05")]
    assert receipts_of(number) == (("2026-10-20", "2026-11-05", "2026-11-05"), settled)
    ok("payment", "add", number, "--amount", "10.00", "--date", "2026-10-01", "--allow-overpayment")  # back-dated: total reached 10-20
    assert receipts_of(number) == (("2026-10-01", "2026-11-05", "2026-10-20"), [(0, "2026-10-01", "2026-10-20"), (1, "2026-10-01", "2026-10-20")])
    ok("payment", "add", number, "--amount", "5.00", "--date", "2026-09-15", "--allow-overpayment")
    assert receipts_of(number)[0] == ("2026-09-15", "2026-11-05", "2026-10-20")  # more paid, not settled sooner
    ok("payment", "remove", str(first["id"]), "--yes")  # 25.00 left of the total: not settled any more
    assert receipts_of(number) == (("2026-09-15", "2026-11-05", None), [(0, "2026-09-15", None), (1, "2026-09-15", None)])
    docs = documents()
    for since, until in ((date(2026, 9, 1), date(2026, 9, 30)), (date(2026, 10, 1), date(2026, 11, 30)), (date(2026, 11, 1), TODAY)):
        rows = ok("report", "vat", "--basis", "payment", "--since", since.isoformat(), "--until", until.isoformat(), "--json").json()
        got = {(r["category"], r["tax"], r["rate"]): [cents(r[k]) for k in ("invoices_base", "invoices_vat", "credit_notes_base", "credit_notes_vat")]
               for r in rows}
        hand = vat_on_receipts_by_hand(since, until, docs)
        assert got == {(c, n, str(D(r))): v for (c, n, r), v in hand.items()} and hand, (since, until)
    assert ok("db", "check", "--json").json()["ok"]


def test_db_check_finds_payment_dates_and_receipt_rows_out_of_step(db_template):
    random_book_copy(db_template, 14)
    assert ok("db", "check", "--json").json()["ok"]
    assert sql("SELECT count(*) FROM invoice_receipt_tax")[0][0] > 0
    con = raw_connect()
    try:
        con.execute("UPDATE invoice_balance SET settled_on = first_paid WHERE settled_on IS NULL AND first_paid IS NOT NULL "
                    "AND invoice_id = (SELECT min(invoice_id) FROM invoice_balance WHERE settled_on IS NULL AND first_paid IS NOT NULL)")
        con.execute("DELETE FROM invoice_receipt_tax WHERE invoice_id = (SELECT min(invoice_id) FROM invoice_receipt_tax)")
        con.commit()
    finally:
        con.close()
    problems = run("db", "check", "--json").json()["problems"]
    assert any("invoice_balance: 1 invoice(s) whose payment dates are out of step" in p for p in problems), problems
    assert any(p.startswith("invoice_receipt_tax: ") and "row(s) out of step" in p for p in problems), problems


@pytest.mark.skipif(bool(PG), reason="the 0004 file is built with SQLite here; the PostgreSQL upgrade runs in test_migrations")
def test_the_upgrade_fills_the_summaries_from_the_documents_already_there(db_template, tmp_path):
    """A book written at 0004 (no triggers of 0005 yet), upgraded (0005 to 0008): the same rows as written live."""
    random_book_copy(db_template, 13)
    live_tax = sql("SELECT * FROM invoice_tax ORDER BY invoice_id, seq") + sql("SELECT * FROM credit_note_tax ORDER BY credit_note_id, seq")
    live_balance = sql("SELECT invoice_id, total, credited, paid, refunded FROM invoice_balance ORDER BY invoice_id")
    live_lines = sql("SELECT * FROM invoice_line_sales ORDER BY line_id") + sql("SELECT * FROM credit_note_line_sales ORDER BY line_id")
    live_dates = sql("SELECT invoice_id, first_paid, last_paid, settled_on FROM invoice_balance ORDER BY invoice_id")
    live_receipts = sql("SELECT * FROM invoice_receipt_tax ORDER BY invoice_id, seq")
    con = raw_connect()
    try:  # back to 0004 by hand: what 0008, 0007 and 0006 added, then the summaries emptied, their triggers gone
        undo_receipts(con)
        for name in ("invoice_line_summaries", "credit_note_line_summaries"):
            con.execute(f"DROP TRIGGER {name}")
        for table in ("invoice_line_sales", "credit_note_line_sales"):
            con.execute(f"DROP TABLE {table}")
        con.execute("ALTER TABLE product DROP COLUMN archived")
        for column in ("country", "state", "postal_code", "city", "street"):
            con.execute(f"ALTER TABLE vendor DROP COLUMN {column}")
        for name in ("invoice_summaries", "credit_note_summaries", "payment_summaries", "payment_removal_summaries",
                     "invoice_tax_lock_delete", "credit_note_tax_lock_delete"):
            con.execute(f"DROP TRIGGER {name}")
        for table in ("invoice_tax", "credit_note_tax", "invoice_balance"):
            con.execute(f"DROP TABLE {table}")
        for index in ("ix_invoice_status", "ix_invoice_recurring", "ix_invoice_sales"):
            con.execute(f"DROP INDEX {index}")
        con.execute("UPDATE alembic_version SET version_num = '0004'")
        con.commit()
    finally:
        con.close()
    ok("db", "upgrade")
    assert sql("SELECT * FROM invoice_tax ORDER BY invoice_id, seq") + sql("SELECT * FROM credit_note_tax ORDER BY credit_note_id, seq") == live_tax
    assert sql("SELECT invoice_id, total, credited, paid, refunded FROM invoice_balance ORDER BY invoice_id") == live_balance
    assert sql("SELECT * FROM invoice_line_sales ORDER BY line_id") + sql("SELECT * FROM credit_note_line_sales ORDER BY line_id") == live_lines
    assert live_lines
    assert sql("SELECT invoice_id, first_paid, last_paid, settled_on FROM invoice_balance ORDER BY invoice_id") == live_dates
    assert sql("SELECT * FROM invoice_receipt_tax ORDER BY invoice_id, seq") == live_receipts
    assert any(d[3] for d in live_dates) and any(d[1] and not d[3] for d in live_dates) and live_receipts  # settled and not
    assert ok("db", "check", "--json").json()["ok"]


@pytest.mark.skipif(bool(PG), reason="SQLite's query plan (EXPLAIN QUERY PLAN); PostgreSQL's planner chooses by its statistics")
def test_the_reports_read_revision_0008_indexes(db_template):
    """report recurring reads the recurring periods' covering index and the usage lines' partial
    index (no wide invoice row, no line of an invoice without usage); VAT on receipts sums the
    receipt rows through their covering index, and reads the others by date from the second one."""
    from datetime import date as day_

    from sqlalchemy.dialects import sqlite

    from orders_cli.core.spans import Span
    from orders_cli.reporting import recurring, vat

    random_book_copy(db_template, 11)

    class Capture:  # the statements a report would run, compiled for SQLite
        def __init__(self):
            self.sql = []

        def execute(self, statement):
            self.sql.append(str(statement.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True})))
            return []

    def plan(statement_of) -> str:
        cap = Capture()
        statement_of(cap)
        return " | ".join(row[-1] for q in cap.sql for row in sql("EXPLAIN QUERY PLAN " + q))

    periods = plan(lambda s: recurring._billed_periods(s, day_(2026, 11, 30), day_(2025, 11, 1)))
    assert "COVERING INDEX ix_invoice_recurring" in periods and "INDEX ix_invoice_line_usage" in periods, periods
    receipts = plan(lambda s: vat._receipts(s, Span(day_(2026, 9, 1), day_(2026, 9, 30)), {}, []))
    assert "COVERING INDEX ix_invoice_receipt_tax_sums" in receipts and "COVERING INDEX ix_invoice_receipt_tax_part" in receipts, receipts
