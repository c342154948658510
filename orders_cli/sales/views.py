"""Reading orders and quotes: one document's view (lines, totals, progress, relations),
the lists, and an order's history. Everything returned is a typed result (results.py).
"""

from __future__ import annotations

from datetime import date, timezone
from typing import Iterator

import sqlalchemy as sa
from sqlmodel import Session, select

from orders_cli.core import lifecycle, text
from orders_cli.invoicing import statements
from orders_cli.sales import parts
from orders_cli.sales.parts import line_view
from orders_cli.sales.results import (
    DocView,
    HistoryEvent,
    ListLine,
    NumberRef,
    OrderRelated,
    PartyRef,
    QuoteRelated,
)
from orders_cli.store import receivables as rv
from orders_cli.store import refs
from orders_cli.store import schema as m
from orders_cli.store.documents import (
    ORDER,
    Kind,
    get,
    lines_of,
    progress_quantities,
)



def _party(session: Session, model, pk: int | None) -> PartyRef | None:
    if pk is None:
        return None
    row = session.get(model, pk)
    return PartyRef(row.id, row.name) if row else None


def view(session: Session, kind: Kind, doc, today: date) -> DocView:
    """An order (or a quote) as CLI.md shows it."""
    lines = lines_of(session, kind, doc.id)
    account = session.get(m.Account, doc.account_id)
    out = parts.head(doc, account, _party(session, m.Contact, doc.contact_id), _party(session, m.AppUser, doc.assigned_user_id))
    if kind is ORDER:
        from orders_cli.recurring import views as recurring_uc

        quote = session.get(m.Quote, doc.quote_id) if doc.quote_id else None
        parts.order_body(out, doc, quote, lines, *progress_quantities(session, doc.id))
        out.recurrence = recurring_uc.recurrence_of(session, doc.id, today)
        out.related = related_view(session, doc)
        out.open_balance = statements.open_balance(session, order_id=doc.id)
    else:
        out.quote_date = doc.quote_date
        out.valid_until = doc.valid_until
        out.lines = [line_view(ln) for ln in lines]
        orders = session.exec(select(m.SalesOrder.number).where(m.SalesOrder.quote_id == doc.id)).all()
        out.related = QuoteRelated([NumberRef(n) for n in orders])
    return out


def show(session: Session, kind: Kind, ref: str, today: date) -> DocView:
    """An order or quote as ``order show`` prints it; ``today`` dates its recurrence's next invoice."""
    return view(session, kind, get(session, kind, ref), today)


def related_view(session: Session, doc: m.SalesOrder) -> OrderRelated:
    from orders_cli.records import activities

    invoices = session.exec(select(m.Invoice).where(m.Invoice.order_id == doc.id).order_by(m.Invoice.id)).all()
    pos = session.exec(
        select(m.PurchaseOrder, m.Vendor).join(m.Vendor, m.Vendor.id == m.PurchaseOrder.vendor_id).where(m.PurchaseOrder.order_id == doc.id).order_by(m.PurchaseOrder.id)
    ).all()
    dns = session.exec(select(m.Delivery).where(m.Delivery.order_id == doc.id).order_by(m.Delivery.id)).all()
    docs = session.exec(select(m.Document.id, m.Document.filename, m.Document.size, m.Document.sha256, m.Document.content_type).where(m.Document.order_id == doc.id).order_by(m.Document.id)).all()
    acts = activities.for_order(session, doc.id)  # the order's and its invoices' (mails sent), any type
    quote = session.get(m.Quote, doc.quote_id) if doc.quote_id else None
    ids = [i.id for i in invoices]
    credits = session.exec(select(rv.CreditNote).where(rv.CreditNote.invoice_id.in_(ids)).order_by(rv.CreditNote.id)).all() if ids else []
    return parts.order_related(quote, invoices, [(p.number, v.name, p.total) for p, v in pos], dns, docs, acts, credits)


def _list_query(session: Session, kind: Kind, account, status, recurring, since, until, limit, search) -> sa.Select:
    """The list's one query, newest first, with the account name joined; amounts come as integer
    cents, dates and flags as the driver gives them (no per-row type processing)."""
    t = kind.table.__table__
    a = m.Account.__table__
    date_col = t.c[kind.date_field]
    cents = [sa.type_coerce(t.c[name], sa.BigInteger).label(name) for name in ("total", "subtotal", "tax_total")]
    cols = [t.c.id, t.c.number, t.c.subject, t.c.status, sa.type_coerce(date_col, sa.String).label("doc_date"), t.c.currency, *cents,
            a.c.id.label("account_id"), a.c.name.label("account_name")]
    if kind is ORDER:
        cols.append(sa.type_coerce(t.c.finalized, sa.Integer).label("finalized"))
    else:
        cols.append(sa.type_coerce(t.c.valid_until, sa.String).label("valid_until"))
    q = sa.select(*cols).join(a, a.c.id == t.c.account_id)
    if account:
        q = q.where(t.c.account_id == refs.account(session, account).id)
    if status:
        statuses = lifecycle.ORDER_STATUSES if kind is ORDER else lifecycle.QUOTE_STATUSES
        q = q.where(t.c.status == lifecycle.check_status(status, statuses))
    if since:
        q = q.where(date_col >= text.parse_date(since, "--since"))
    if until:
        q = q.where(date_col <= text.parse_date(until, "--until"))
    if recurring and kind is ORDER:
        r = m.Recurrence.__table__
        q = q.where(sa.exists().where(r.c.order_id == t.c.id, r.c.enabled == True))  # noqa: E712
    if search is not None:
        from orders_cli.store import search as searching

        lt = kind.line_table.__table__
        fields = [t.c.number, t.c.subject, a.c.name] + ([t.c.customer_ref] if kind is ORDER else [])
        q = q.where(searching.clause(session, search, fields, [t.c.number], [(lt.c[kind.fk] == t.c.id, [lt.c.sku, lt.c.description])]))
    q = q.order_by(date_col.desc(), t.c.id.desc())
    if limit:
        q = q.limit(limit)
    return q


def _day(value) -> str | None:
    """A date column as the driver gives it (SQLite: the stored text; PostgreSQL: a date) as YYYY-MM-DD."""
    return value if value is None or isinstance(value, str) else value.isoformat()


def list_docs(
    session: Session,
    kind: Kind,
    account: str | None = None,
    status: str | None = None,
    recurring: bool = False,
    since: str | None = None,
    until: str | None = None,
    limit: int | None = None,
    search: str | None = None,
) -> Iterator[ListLine]:
    """Newest first; one streamed query with the account name joined (set-based, no per-row lookups).
    ``search``: words in the number, subject, customer reference, account name or a line's SKU
    or description (``store.search``, in SQL).

    Each row is a ``ListLine``: the amounts as integer cents, the dates as YYYY-MM-DD, so the list
    streams at the pace of the database, without a Decimal or a dataclass per row
    (tests/test_list_plain.py checks its rendering against ``to_data`` of the typed ``ListRow``)."""
    q = _list_query(session, kind, account, status, recurring, since, until, limit, search)
    result = session.connection().execution_options(stream_results=True, yield_per=1000).execute(q)
    order, date_key = kind is ORDER, kind.date_field
    for (id_, number, subject, status_, day, currency, total, subtotal, tax, account_id, account_name, last) in result:
        yield ListLine(id_, number, subject, status_, date_key, _day(day), bool(last) if order else None, None if order else _day(last),
                       account_id, account_name, currency, subtotal, tax, total)


def history(session: Session, kind: Kind, ref: str) -> list[HistoryEvent]:
    """Status and field changes, oldest first (ties in the order they were recorded)."""
    doc = get(session, kind, ref)
    events = []
    for s in session.exec(select(m.StatusChange).where(m.StatusChange.doc_type == kind.name, m.StatusChange.doc_id == doc.id)):
        events.append(((_aware(s.at), 0, s.id), HistoryEvent(_aware(s.at), "status", "status", s.old_status, s.new_status)))
    for c in session.exec(select(m.FieldChange).where(m.FieldChange.doc_type == kind.name, m.FieldChange.doc_id == doc.id)):
        events.append(((_aware(c.at), 1, c.id), HistoryEvent(_aware(c.at), "change", c.field, c.old_value, c.new_value)))
    events.sort(key=lambda e: e[0])
    return [e for _, e in events]


def _aware(ts):
    return ts if ts.tzinfo else ts.replace(tzinfo=timezone.utc)
