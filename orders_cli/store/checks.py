"""What ``db check`` finds beyond SQLite's own integrity check: numbering counters out of step
with the numbers issued, and the reports' summaries (revisions 0005, 0007) out of step with
the documents (and, from 0008, with the payments)."""

from __future__ import annotations

import re

import sqlalchemy as sa


def counter_problems(conn: sa.Connection, rev: str, numbered: dict[str, str], gap_free: tuple[str, ...]) -> list[str]:
    """Each counter at least the highest number issued (else the next one collides); a
    gap-free counter exactly at it."""
    problems = []
    counters = dict(conn.exec_driver_sql("SELECT doc_type, last_value FROM sequence").fetchall())
    for doc_type, table in numbered.items():
        if table == "credit_note" and rev < "0003":
            continue
        highest = 0
        for (number,) in conn.exec_driver_sql(f'SELECT number FROM "{table}"'):
            m = re.search(r"(\d+)$", number or "")
            if m:
                highest = max(highest, int(m.group(1)))
        if doc_type not in counters:
            problems.append(f"missing counter {doc_type} (the numbering counters)")
        elif counters[doc_type] < highest:
            problems.append(f"counter {doc_type} is at {counters[doc_type]}, behind the highest number issued ({highest}): the next one would collide")
        elif doc_type in gap_free and counters[doc_type] > highest:
            problems.append(f"counter {doc_type} is at {counters[doc_type]}, ahead of the highest number issued ({highest}): a gap in the numbering")
    return problems


def summary_problems(conn: sa.Connection, rev: str = "0005") -> list[str]:
    """The reports' summaries (revision 0005) against the documents: every invoice's balance
    sums, and the VAT rows of every document summing to its VAT; from 0007 the sales lines."""
    live = "id NOT IN (SELECT payment_id FROM payment_removal)"
    off = conn.exec_driver_sql(
        "SELECT count(*) FROM invoice i LEFT JOIN invoice_balance b ON b.invoice_id = i.id WHERE b.invoice_id IS NULL "
        "OR b.total <> i.total OR b.credited <> coalesce((SELECT sum(total) FROM credit_note c WHERE c.invoice_id = i.id), 0) "
        f"OR b.paid <> coalesce((SELECT sum(amount) FROM payment p WHERE p.invoice_id = i.id AND p.{live}), 0) "
        "OR b.refunded <> coalesce((SELECT sum(p.amount) FROM payment p JOIN credit_note c ON c.id = p.credit_note_id "
        f"WHERE c.invoice_id = i.id AND p.{live}), 0)").scalar()
    out = [f"invoice_balance: {off} invoice(s) out of step with their documents (the balances of report aging)"] if off else []
    for doc, table in (("invoice", "invoice"), ("credit_note", "credit_note")):
        bad = conn.exec_driver_sql(
            f"SELECT count(*) FROM {table} d WHERE d.tax_total <> coalesce((SELECT sum(amount) FROM {doc}_tax t "
            f"WHERE t.{doc}_id = d.id), 0)").scalar()
        if bad:
            out.append(f"{doc}_tax: {bad} {doc.replace('_', ' ')}(s) whose VAT rows do not add up to their VAT (report vat)")
    return out + (line_sales_problems(conn) if rev >= "0007" else []) + (receipt_problems(conn) if rev >= "0008" else [])


def line_sales_problems(conn: sa.Connection) -> list[str]:
    """Revision 0007: every line of every document has its sales row, equal to the line and its
    document (date, currency, account, SKU, product, net, quantity), and no row is without a line."""
    from orders_cli.store.summaries import quantity_parts

    dialect = conn.dialect.name
    differs = "IS DISTINCT FROM" if dialect == "postgresql" else "IS NOT"
    units, fraction = quantity_parts(dialect, "l.quantity")
    out = []
    for doc, key, day in (("invoice", "invoice_id", "invoice_date"), ("credit_note", "credit_note_id", "credit_date")):
        table = f"{doc}_line_sales"
        off = conn.exec_driver_sql(
            f"SELECT count(*) FROM {doc}_line l LEFT JOIN {doc} d ON d.id = l.{key} LEFT JOIN {table} s ON s.line_id = l.id "
            f"WHERE s.line_id IS NULL OR s.{key} <> l.{key} OR s.{day} {differs} d.{day} OR s.currency {differs} d.currency "
            f"OR s.account_id {differs} d.account_id OR s.sku <> l.sku OR s.product_id {differs} l.product_id OR s.net <> l.net "
            f"OR s.units <> {units} OR s.fraction <> {fraction}").scalar()
        off += conn.exec_driver_sql(f"SELECT count(*) FROM {table} s WHERE NOT EXISTS (SELECT 1 FROM {doc}_line l "
                                    "WHERE l.id = s.line_id)").scalar()
        if off:
            out.append(f"{table}: {off} line(s) out of step with their documents (report sales by product and vendor)")
    return out


def receipt_problems(conn: sa.Connection) -> list[str]:
    """Revision 0008: every invoice's payment dates (first, last, settled) as its live payments
    give them, and its receipt rows exactly its VAT rows with those dates, its total and what its live
    payments sum to when it has one (and a total over 0), none otherwise."""
    from orders_cli.store.summaries import RECEIPT_COLUMNS, receipt_dates, receipt_select

    differs = "IS DISTINCT FROM" if conn.dialect.name == "postgresql" else "IS NOT"
    wrong = " OR ".join(f"b.{col} {differs} {expr}" for col, expr in receipt_dates("b.invoice_id", "b").items())
    off = conn.exec_driver_sql(f"SELECT count(*) FROM invoice_balance b WHERE {wrong}").scalar()
    out = [f"invoice_balance: {off} invoice(s) whose payment dates are out of step with their payments (report vat --basis payment)"] if off else []
    want = receipt_select("1 = 1")  # what the triggers write, from the documents and payments as they are
    have = f"SELECT {RECEIPT_COLUMNS} FROM invoice_receipt_tax"
    bad = conn.exec_driver_sql(f"SELECT count(*) FROM (SELECT * FROM ({want} EXCEPT {have}) x UNION ALL SELECT * FROM ({have} EXCEPT {want}) y) d").scalar()
    if bad:
        out.append(f"invoice_receipt_tax: {bad} row(s) out of step with the invoices' VAT rows and payments (report vat --basis payment)")
    return out
