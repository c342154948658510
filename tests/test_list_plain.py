"""``order list`` / ``quote list`` stream light rows (sales/views.list_docs: ``ListLine``, integer
cents, no Decimal and no dataclass per row), rendered by cli/list_rows: each rendered row must be
exactly ``to_data`` of the typed ``ListRow`` built from the same records, and the cents text
exactly ``fmt_money(from_cents(c))``."""

from __future__ import annotations

import json

from conftest import ok


def test_cents_text_is_fmt_money_of_from_cents():
    from orders_cli.core.money import cents_text, fmt_money, from_cents

    samples = list(range(-1005, 1006)) + [10**k + d for k in range(2, 19) for d in (-1, 0, 1)] + [-(10**18), 2**63 - 1, -(2**63)]
    for c in samples:
        assert cents_text(c) == fmt_money(from_cents(c)), c


def _typed(s, kind) -> list[dict]:
    """The list as the typed results would give it: ORM records -> ListRow -> to_data."""
    from sqlmodel import select

    from orders_cli.core.money import Money
    from orders_cli.core.results import to_data
    from orders_cli.sales.results import ListRow, PartyRef
    from orders_cli.store import schema as m
    from orders_cli.store.documents import ORDER

    rows = []
    docs = s.exec(select(kind.table)).all()
    docs.sort(key=lambda d: (getattr(d, kind.date_field), d.id), reverse=True)
    for d in docs:
        a = s.get(m.Account, d.account_id)
        row = ListRow(id=d.id, number=d.number, subject=d.subject, status=d.status, account=PartyRef(a.id, a.name), currency=d.currency,
                      subtotal=Money(d.subtotal), tax=Money(d.tax_total), total=Money(d.total))
        setattr(row, kind.date_field, getattr(d, kind.date_field))
        if kind is ORDER:
            row.finalized = bool(d.finalized)
        else:
            row.valid_until = d.valid_until
        rows.append(to_data(row))
    return rows


def test_list_rows_are_the_typed_rows_data(demo):
    from orders_cli import store
    from orders_cli.cli.list_rows import plain as render
    from orders_cli.sales import views
    from orders_cli.store.documents import ORDER, QUOTE

    ok("order", "edit", "SO-00004", "--adjustment", "-999.99")  # a negative total among them
    with store.transaction(write=False) as s:
        for kind in (ORDER, QUOTE):
            plain = [render(r) for r in views.list_docs(s, kind)]
            typed = _typed(s, kind)
            assert plain == typed, kind.name
            assert [json.dumps(p, ensure_ascii=False) for p in plain] == [json.dumps(t, ensure_ascii=False) for t in typed]
            assert [list(p) for p in plain] == [list(t) for t in typed]  # the same keys in the same order
    rows = [json.loads(x) for x in ok("order", "list", "--jsonl").out.splitlines()]
    assert [r["total"] for r in rows if r["number"] == "SO-00004"][0].startswith("-")
