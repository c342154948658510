"""``order add --from-json`` writes exactly the rows the code before its fast path wrote: the
same file imported by the CLI (memos of a bulk import, ids taken as a block, rows handed to the
driver as tuples) and by the old path kept here (a fresh Resolver per document, so nothing is
remembered, and the insert of before: Core ``insert().returning()`` through each column's type)
leave the same tables, row for row, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import sqlalchemy as sa
from conftest import clone_db, ok, sql
from test_orders import catalog, catalog_template, fast_cli  # noqa: F401  (fixtures)

NOW = datetime(2026, 11, 28, 9, 30, 15, 123456, tzinfo=timezone.utc)
TABLES = ("sales_order", "order_line", "status_history", "recurrence", "sequence")


def _documents() -> list[dict]:
    """Orders that repeat (what the memos remember) and differ (what they must not mix up)."""
    docs = []
    for i in range(60):
        doc = {
            "subject": f"Bulk order {i % 7}",
            "account": "Acme" if i % 3 else "Reunion Co",
            "customer_ref": f"C-{i}" if i % 5 else None,
            "order_date": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "discount": ["5%", None, "2.00", "0", "12.5%"][i % 5],
            "shipping_charge": ["9.90", "0.00", None, "9.9"][i % 4],
            "lines": [
                {"sku": "BOOK", "quantity": ["1", "2.5", "2.50", 3, "0.001"][i % 5]},
                {"sku": "CONSULT", "quantity": "2.5", "unit_price": ["99.5000", "99.5", "120"][i % 3], "discount": ["10%", None, "1.50"][i % 3]},
                {"sku": "MUG", "quantity": "3", "discount": "1.50", "comment": "gift wrap" if i % 2 else None},
            ][: 1 + i % 3],
        }
        if i % 6 == 0:
            doc["adjustment"] = "-0.01"
        if i % 8 == 1:
            doc["status"] = "approved"
        if i % 9 == 2:
            doc["finalized"] = True
        if i % 10 == 3:
            doc["shipping_address"] = {"street": "9 quai", "city": "Lyon", "postal_code": "69002", "country": "FR"}
        if i % 11 == 4:
            doc["lines"].append({"sku": "GIFT", "quantity": "1", "unit_price": "12.00", "base_quantity": "100"})
        if i % 12 == 5:
            doc["contact"] = "Jane Doe" if doc["account"] == "Acme" else "Bob Roe"
            doc["assigned_to"] = "Alice"
        if i % 13 == 6:
            doc["allowances_charges"] = [{"kind": "charge", "reason": "Packing", "value": "4.00", "tax": "VAT20"},
                                         {"kind": "allowance", "reason": "Loyalty [95]", "value": "3%"}]
        if i % 14 == 7:
            doc["recurrence"] = {"frequency": "monthly", "start": "2026-12-01", "due_days": 30}
        docs.append(doc)
    return docs


def _dump() -> dict:
    out = {}
    for t in TABLES:
        rows = sql(f'SELECT * FROM "{t}"')
        if t == "recurrence":  # its own timestamps come from its model's default, not the import's clock
            rows = [tuple("<time>" if isinstance(v, datetime) or (isinstance(v, str) and v[:2] == "20" and ":" in v) else v for v in r)
                    for r in rows]
        out[t] = sorted(repr(r) for r in rows)  # each row holds its id
    return out


def _old_insert(session, ctx, kind, batch):
    """``sales.inputs.insert`` as it was before the fast path (revision ecac90d)."""
    from orders_cli import store
    from orders_cli.parties.taxes import require_buyer_vat_id
    from orders_cli.recurring import settings as recurring_uc
    from orders_cli.store import schema as m

    numbers = store.allocate(session, kind.name, ctx.settings.prefix(kind.name), len(batch))
    now = m.utcnow()
    rows = []
    for number, p in zip(numbers, batch):
        require_buyer_vat_id(number, ((ln["line_no"], ln["sku"], ln["taxes"]) for ln in p.lines), p.account)
        rows.append(dict(p.header, number=number, status=p.status, created_at=now, finalized=False, updated_at=now))
    table = kind.table.__table__
    ids = session.execute(sa.insert(table).returning(table.c.id, table.c.number, sort_by_parameter_order=True), rows).all()
    line_rows = [dict(ln, **{kind.fk: doc_id}) for (doc_id, _), p in zip(ids, batch) for ln in p.lines]
    if line_rows:
        session.execute(sa.insert(kind.line_table.__table__), line_rows)
    session.execute(sa.insert(m.StatusChange.__table__),
                    [{"doc_type": kind.name, "doc_id": doc_id, "old_status": None, "new_status": p.status, "at": now}
                     for (doc_id, _), p in zip(ids, batch)])
    finalized = [doc_id for (doc_id, _), p in zip(ids, batch) if p.finalized]
    if finalized:
        session.execute(sa.update(table).where(table.c.id.in_(finalized)).values(finalized=True, finalized_at=now))
    for (doc_id, _), p in zip(ids, batch):
        if p.recurrence:
            recurring_uc.set_recurrence_from_json(session, doc_id, p.recurrence)


class _Forgetful(dict):
    """A memo that keeps nothing: every line and every total is worked out again."""

    def __setitem__(self, key, value):
        pass


def _old_import(docs: list[dict]) -> None:
    from orders_cli import store
    from orders_cli.cli.common import context
    from orders_cli.parties.resolver import Resolver
    from orders_cli.sales import imports, inputs
    from orders_cli.store.documents import ORDER

    ctx = context()
    with store.transaction() as s:
        prepared = []
        for doc in docs:
            rv = Resolver(s, ctx.settings)
            rv.memo = _Forgetful()
            prepared.append(inputs.prepare(rv, ctx, ORDER, imports.input_from_json(json.loads(json.dumps(doc)))))
        for k in range(0, len(prepared), 25):  # batches like import_json's
            _old_insert(s, ctx, ORDER, prepared[k:k + 25])


def test_the_bulk_import_writes_the_rows_of_the_old_path(catalog, catalog_template, tmp_path, monkeypatch):
    from orders_cli.store import schema as m

    monkeypatch.setattr(m, "utcnow", lambda: NOW)
    docs = _documents()
    path = tmp_path / "orders.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    ok("order", "add", "--json", "--subject", "before", "--account", "Acme", "--line", "MUG:1")  # ids and numbers go on
    assert ok("order", "add", "--from-json", str(path), "--json").json() == {"imported": 60, "first": "SO-00002", "last": "SO-00061"}
    bulk = _dump()
    assert len(bulk["order_line"]) > 100 and bulk["recurrence"]

    clone_db(catalog_template)
    ok("order", "add", "--json", "--subject", "before", "--account", "Acme", "--line", "MUG:1")
    _old_import(docs)
    assert _dump() == bulk


def test_one_order_added_writes_the_rows_of_the_old_path(catalog, catalog_template, monkeypatch):
    """``order add`` (one order, the same insert) against the old insert."""
    from orders_cli.store import schema as m

    monkeypatch.setattr(m, "utcnow", lambda: NOW)
    doc = _documents()[13]
    ok("order", "add", "--json", "--subject", doc["subject"], "--account", doc["account"], "--line", "BOOK:2.5", "--line", "CONSULT:1:99.5:10%",
       "--discount", "5%", "--shipping-charge", "9.90", "--date", "2026-02-14")
    one = _dump()
    clone_db(catalog_template)
    _old_import([{"subject": doc["subject"], "account": doc["account"], "discount": "5%", "shipping_charge": "9.90", "order_date": "2026-02-14",
                  "lines": [{"sku": "BOOK", "quantity": "2.5"}, {"sku": "CONSULT", "quantity": "1", "unit_price": "99.5", "discount": "10%"}]}])
    assert _dump() == one
