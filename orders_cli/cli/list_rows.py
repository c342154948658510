"""``order list`` / ``quote list`` rows as CLI.md shows them: a ``ListLine`` (integer cents,
dates as text) rendered as ``to_data`` of the typed ``ListRow`` would render it, the keys in its
field order, the amounts as exact text (``core.money.cents_text``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from orders_cli.core.money import cents_text
from orders_cli.sales.results import ListLine


def plain(row: ListLine) -> dict:
    item = {"id": row.id, "number": row.number, "subject": row.subject, "status": row.status}
    if row.finalized is not None:
        item["finalized"] = row.finalized
        item[row.date_field] = row.date
    else:
        item[row.date_field] = row.date
        item["valid_until"] = row.valid_until
    item["account"] = {"id": row.account_id, "name": row.account_name}
    item["currency"] = row.currency
    item["subtotal"] = cents_text(row.subtotal_cents)
    item["tax"] = cents_text(row.tax_cents)
    item["total"] = cents_text(row.total_cents)
    return item


def rendered(rows: Iterable[ListLine]) -> Iterator[dict]:
    return map(plain, rows)
