"""What must hold in any database `orders` wrote, however its writers were interleaved or
killed: checked with plain SQL (either backend) after the load and crash tests."""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal

from conftest import Raw

# document table, sequence doc_type, default prefix
DOCUMENTS = (
    ("quote", "quote", "QT-"),
    ("sales_order", "order", "SO-"),
    ("invoice", "invoice", "INV-"),
    ("purchase_order", "purchase", "PO-"),
    ("delivery", "delivery", "DN-"),
)


def violations(target: str | None = None, *, orders_have_lines: bool = True, batch: int | None = None) -> list[str]:
    """Every broken invariant, as readable lines (empty: all hold). All read in one snapshot, so
    it may run while writers work: what a reader sees must be whole at every moment. With
    ``batch``, the number of orders is a multiple of it (batch imports are all or nothing)."""
    con = Raw(target)
    try:
        if con.pg:
            con.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        else:
            con.con.isolation_level = None
            con.execute("BEGIN")
        q = lambda query, *p: [tuple(r) for r in con.execute(query, p).fetchall()]  # noqa: E731
        return _violations(q, orders_have_lines, batch)
    finally:
        con.rollback()
        con.close()


def _violations(q, orders_have_lines: bool, batch: int | None) -> list[str]:
    bad: list[str] = []
    if batch:
        n = q("SELECT count(*) FROM sales_order")[0][0]
        if n % batch:
            bad.append(f"{n} orders: a batch import of {batch} was half written")
    last = dict(q("SELECT doc_type, last_value FROM sequence"))
    # gap-free, duplicate-free numbers per document type, matching the counter
    for table, doc_type, prefix in DOCUMENTS:
        numbers = [r[0] for r in q(f"SELECT number FROM {table}")]
        ints = []
        for n in numbers:
            m = re.fullmatch(re.escape(prefix) + r"(\d{5,})", n)
            if not m:
                bad.append(f"{table}: unexpected number {n!r}")
                continue
            ints.append(int(m.group(1)))
        if sorted(ints) != list(range(1, len(ints) + 1)):
            missing = sorted(set(range(1, max(ints, default=0) + 1)) - set(ints))[:5]
            bad.append(f"{table}: numbers not gap-free 1..{len(ints)} (missing {missing}, duplicates {len(ints) - len(set(ints))})")
        if last.get(doc_type, 0) != len(ints):
            bad.append(f"{table}: sequence says {last.get(doc_type)} numbers, table holds {len(ints)}")
    # at most one recurring invoice per (order, period start)
    for oid, start, n in q("SELECT order_id, period_start, count(*) FROM invoice WHERE recurring "
                           "GROUP BY order_id, period_start HAVING count(*) > 1"):
        bad.append(f"order {oid}: period {start} invoiced {n} times")
    # no half-written document
    if orders_have_lines:
        for (number,) in q("SELECT number FROM sales_order o WHERE NOT EXISTS (SELECT 1 FROM order_line l WHERE l.order_id = o.id)"):
            bad.append(f"{number}: an order without lines")
    for (number,) in q("SELECT number FROM invoice i WHERE NOT EXISTS (SELECT 1 FROM invoice_line l WHERE l.invoice_id = i.id)"):
        bad.append(f"{number}: an invoice without lines")
    for table, line_table, key in (("sales_order", "order_line", "order_id"), ("invoice", "invoice_line", "invoice_id")):
        rows = q(f"SELECT d.number, d.subtotal, d.discount_amount, d.shipping_charge, d.tax_total, d.adjustment, d.total, "
                 f"(SELECT COALESCE(SUM(l.net), 0) FROM {line_table} l WHERE l.{key} = d.id) FROM {table} d")
        for number, subtotal, disc, ship, tax, adj, total, lines_net in rows:
            if subtotal != lines_net:
                bad.append(f"{number}: subtotal {subtotal} but its lines add up to {lines_net}")
            if total != subtotal - disc + ship + tax + adj:
                bad.append(f"{number}: total {total} is not subtotal - discount + shipping + tax + adjustment")
    # an order's (non-recurring, live) invoices never exceed it: per line quantity and in total
    ordered = {lid: (number, Decimal(str(qty))) for lid, number, qty in q(
        "SELECT l.id, o.number, l.quantity FROM order_line l JOIN sales_order o ON o.id = l.order_id")}
    invoiced: dict[int, Decimal] = defaultdict(Decimal)
    for lid, qty in q("SELECT l.order_line_id, l.quantity FROM invoice_line l JOIN invoice i ON i.id = l.invoice_id "
                      "WHERE NOT i.recurring AND i.status <> 'cancelled' AND l.order_line_id IS NOT NULL"):
        invoiced[lid] += Decimal(str(qty))
    for lid, qty in invoiced.items():
        if qty > ordered[lid][1]:
            bad.append(f"{ordered[lid][0]}: a line invoiced {qty} of {ordered[lid][1]}")
    for number, total, billed in q(
            "SELECT o.number, o.total, SUM(i.total) FROM sales_order o JOIN invoice i ON i.order_id = o.id "
            "WHERE NOT i.recurring AND i.status <> 'cancelled' GROUP BY o.number, o.total"):
        if billed > total:
            bad.append(f"{number}: invoiced {billed} of {total}")
    # every invoice has its status history row; usage billed at most once, on a live invoice of its order
    n_inv, n_hist = q("SELECT (SELECT count(*) FROM invoice), (SELECT count(DISTINCT doc_id) FROM status_history WHERE doc_type = 'invoice')")[0]
    if n_inv != n_hist:
        bad.append(f"{n_inv} invoices but {n_hist} with a status history")
    for (uid,) in q("SELECT u.id FROM usage_record u JOIN invoice i ON i.id = u.invoice_id WHERE i.order_id <> u.order_id"):
        bad.append(f"usage record {uid} billed on another order's invoice")
    return bad
