"""Use cases for quotes and orders: create (one or a hundred thousand), show, list,
edit, lines, status, finalize, duplicate, history, quote -> order.

Orders and quotes share one shape (header, lines, document-level amounts), so one
code path prepares and inserts both. Inserts are set-based (Core ``insert`` with
lists of dicts), so a bulk import pays no per-object ORM cost.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Iterable, Iterator

import sqlalchemy as sa
from sqlmodel import Session, select

from orders_cli.adapters import settings as settings_mod
from orders_cli.store import schema as m
from orders_cli import store
from orders_cli.store import refs
from orders_cli.parties.catalog import ADDRESS_FIELDS, address_of
from orders_cli.parties.resolver import Resolver, _ref_text
from orders_cli.store.documents import ORDER, QUOTE, Kind, get, lines_of, progress_quantities, taxes_from_json, totals_columns, totals_from_row, totals_view  # noqa: F401 (used by the other use cases as sales.*)
from orders_cli.core import lifecycle, pricing, text
from orders_cli.core.lines import parse_line
from orders_cli.core.money import D, fmt_money, money, plain, positive, non_negative, price_text
from orders_cli.adapters.env import today
from orders_cli.core.errors import Conflict, Invalid, Locked, NotFound


@dataclass
class LineInput:
    sku: str
    quantity: Any
    unit_price: Any = None
    discount: Any = None
    comment: Any = None


@dataclass
class DocInput:
    subject: Any
    account: Any
    contact: Any = None
    quote: Any = None
    customer_ref: Any = None
    assigned_to: Any = None
    date: Any = None
    discount: Any = None
    shipping_charge: Any = None
    adjustment: Any = None
    billing: dict | None = None
    shipping: dict | None = None
    lines: list[LineInput] = field(default_factory=list)
    status: Any = None
    finalized: bool = False
    recurrence: dict | None = None


# ---------------------------------------------------------------- resolving, cached per transaction


# ---------------------------------------------------------------- totals


def compute(lines: list[dict], discount: str | None, shipping: Decimal, charge: pricing.TaxRate | None, adjustment: Decimal) -> dict:
    """Totals of a document from its lines (dicts with quantity, unit_price, discount, taxes JSON).
    Sets each line's ``net``; returns the header's amount columns."""
    ins = [
        pricing.LineIn(
            quantity=ln["quantity"],
            unit_price=ln["unit_price"],
            discount=pricing.parse_discount(ln.get("discount"), f"line {ln['line_no']} discount"),
            taxes=taxes_from_json(ln["taxes"]),
        )
        for ln in lines
    ]
    totals = pricing.document_totals(ins, pricing.parse_discount(discount), shipping, charge, adjustment)
    for ln, net in zip(lines, totals.line_nets):
        ln["net"] = net
    return totals_columns(totals)


# ---------------------------------------------------------------- preparing a document


def _discount_text(value: Any, what: str = "discount") -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise Invalid(f"{what}: expected text like '10%' or '5.00', got {type(value).__name__}")
    parsed = pricing.parse_discount(str(value), what)
    return parsed.text() if parsed else None


def _money_opt(value: Any, what: str, allow_negative: bool = False) -> Decimal:
    if value is None or value == "":
        return Decimal("0.00")
    amount = money(value, what)
    if amount < 0 and not allow_negative:
        raise Invalid(f"{what} must not be negative, got {fmt_money(amount)}")
    return amount


def prepare_line(rv: Resolver, spec: LineInput, line_no: int, region: str | None) -> dict:
    sku = _ref_text(spec.sku, f"line {line_no} sku")
    product, taxes = rv.product(sku)
    quantity = positive(spec.quantity, f"line {line_no} quantity")
    price = product.unit_price if spec.unit_price in (None, "") else non_negative(spec.unit_price, f"line {line_no} price")
    return {
        "line_no": line_no,
        "product_id": product.id,
        "sku": product.sku,
        "description": product.name,
        "kind": product.kind,
        "quantity": quantity,
        "unit_price": price,
        "discount": _discount_text(spec.discount, f"line {line_no} discount"),
        "taxes": json.dumps(rv.taxes_of(taxes, region)),
        "comment": text.optional(spec.comment, f"line {line_no} comment", 2000),
    }


@dataclass
class Prepared:
    header: dict
    lines: list[dict]
    status: str
    finalized: bool
    recurrence: dict | None
    account: m.Account


def prepare(rv: Resolver, kind: Kind, inp: DocInput) -> Prepared:
    subject = text.clean(inp.subject, "subject", 500, required=True)
    account = rv.account(inp.account) if inp.account not in (None, "") else None
    if account is None:
        raise Invalid("account is required")
    header: dict[str, Any] = {
        "subject": subject,
        "account_id": account.id,
        "contact_id": rv.contact(inp.contact, account).id if inp.contact not in (None, "") else None,
        "assigned_user_id": rv.user(inp.assigned_to).id if inp.assigned_to not in (None, "") else None,
        kind.date_field: text.parse_date(inp.date, f"{kind.label} date") if inp.date not in (None, "") else today(),
        "currency": rv.settings.get("currency"),
        "discount": _discount_text(inp.discount),
    }
    if kind is ORDER:
        header["customer_ref"] = text.optional(inp.customer_ref, "customer reference", 200)
        header["quote_id"] = refs.document(rv.session, m.Quote, _ref_text(inp.quote, "quote"), "quote").id if inp.quote not in (None, "") else None
        header["language"] = account.language
    bill = _address_override(address_of(account, "billing"), inp.billing, "billing")
    ship = _address_override(address_of(account, "shipping"), inp.shipping, "shipping")
    header.update({f"billing_{k}": v for k, v in bill.items()})
    header.update({f"shipping_{k}": v for k, v in ship.items()})
    shipping = _money_opt(inp.shipping_charge, "shipping charge")
    adjustment = _money_opt(inp.adjustment, "adjustment", allow_negative=True)
    lines = [prepare_line(rv, spec, i, account.tax_region) for i, spec in enumerate(inp.lines, start=1)]
    header.update(compute(lines, header["discount"], shipping, rv.charge_tax(account.tax_region), adjustment))
    statuses = lifecycle.ORDER_STATUSES if kind is ORDER else lifecycle.QUOTE_STATUSES
    status = lifecycle.check_status(inp.status, statuses) if inp.status not in (None, "") else "created"
    if not isinstance(inp.finalized, bool):
        raise Invalid("finalized: expected true or false")
    return Prepared(header, lines, status, bool(inp.finalized), inp.recurrence, account)


def _address_override(base: dict, override: dict | None, what: str) -> dict:
    if override is None:
        return base
    if not isinstance(override, dict):
        raise Invalid(f"{what}_address: expected an object with {', '.join(ADDRESS_FIELDS)}")
    unknown = set(override) - set(ADDRESS_FIELDS)
    if unknown:
        raise Invalid(f"{what}_address: unknown field {sorted(unknown)[0]!r}")
    merged = dict(base)
    for key, value in override.items():
        merged[key] = text.clean(value, f"{what} {key.replace('_', ' ')}", 300)
    return merged


def insert(session: Session, kind: Kind, batch: list[Prepared]) -> list[tuple[int, str]]:
    """Insert prepared documents set-wise; numbers are allocated as one block inside this transaction."""
    if not batch:
        return []
    numbers = store.allocate(session, kind.name, settings_mod.current().prefix(kind.name), len(batch))
    now = m.utcnow()
    rows = []
    for number, p in zip(numbers, batch):
        row = dict(p.header, number=number, status=p.status, created_at=now)
        if kind is ORDER:
            row.update(finalized=False, updated_at=now)
        rows.append(row)
    table = kind.table.__table__
    ids = session.execute(
        sa.insert(table).returning(table.c.id, table.c.number, sort_by_parameter_order=True), rows
    ).all()
    line_rows = []
    for (doc_id, _), p in zip(ids, batch):
        for ln in p.lines:
            line_rows.append(dict(ln, **{kind.fk: doc_id}))
    if line_rows:
        session.execute(sa.insert(kind.line_table.__table__), line_rows)
    session.execute(
        sa.insert(m.StatusChange.__table__),
        [{"doc_type": kind.name, "doc_id": doc_id, "old_status": None, "new_status": p.status, "at": now} for (doc_id, _), p in zip(ids, batch)],
    )
    if kind is ORDER:
        finalized = [doc_id for (doc_id, _), p in zip(ids, batch) if p.finalized]
        if finalized:
            session.execute(sa.update(table).where(table.c.id.in_(finalized)).values(finalized=True, finalized_at=now))
        recurring = [(doc_id, p) for (doc_id, _), p in zip(ids, batch) if p.recurrence]
        if recurring:
            from orders_cli.recurring import settings as recurring_uc

            for doc_id, p in recurring:
                recurring_uc.set_recurrence_from_json(session, doc_id, p.recurrence)
    return [(i, n) for i, n in ids]


def create(session: Session, kind: Kind, inp: DocInput) -> dict:
    rv = Resolver(session)
    prepared = prepare(rv, kind, inp)
    ((doc_id, _),) = insert(session, kind, [prepared])
    return view(session, kind, session.get(kind.table, doc_id))


# ---------------------------------------------------------------- JSON in


ORDER_JSON_KEYS = {
    "id", "number", "subject", "status", "finalized", "order_date", "currency", "account", "contact", "quote",
    "customer_ref", "assigned_to", "billing_address", "shipping_address", "lines", "totals", "progress",
    "recurrence", "related", "discount", "shipping_charge", "adjustment", "language", "finalized_at", "created_at",
    "updated_at", "quote_date", "valid_until",
}
LINE_JSON_KEYS = {
    "line_no", "sku", "description", "quantity", "unit_price", "discount", "net", "taxes", "delivered_quantity",
    "invoiced_quantity", "kind", "comment", "remaining_to_invoice", "remaining_to_deliver",
}


def input_from_json(obj: Any, kind: Kind = ORDER) -> DocInput:
    """A DocInput from what ``show --json`` prints (unknown keys refused, named)."""
    _refuse_floats(obj)
    if not isinstance(obj, dict):
        raise Invalid(f"expected a JSON object, got {type(obj).__name__}")
    unknown = sorted(set(obj) - ORDER_JSON_KEYS)
    if unknown:
        raise Invalid(f"unknown field {unknown[0]!r}")
    lines = obj.get("lines", [])
    if not isinstance(lines, list):
        raise Invalid("lines: expected an array")
    specs = []
    for i, ln in enumerate(lines, start=1):
        if not isinstance(ln, dict):
            raise Invalid(f"lines[{i}]: expected an object")
        bad = sorted(set(ln) - LINE_JSON_KEYS)
        if bad:
            raise Invalid(f"lines[{i}]: unknown field {bad[0]!r}")
        if "sku" not in ln or "quantity" not in ln:
            raise Invalid(f"lines[{i}]: sku and quantity are required")
        for key in ("quantity", "unit_price"):
            if isinstance(ln.get(key), float):  # float-ok: refusing floats
                raise Invalid(f"lines[{i}].{key}: write numbers as strings (\"2.5\"), not JSON floats")
        specs.append(LineInput(ln["sku"], ln["quantity"], ln.get("unit_price"), ln.get("discount"), ln.get("comment")))
    totals = obj.get("totals") if isinstance(obj.get("totals"), dict) else {}
    shipping = obj.get("shipping_charge", totals.get("shipping"))
    adjustment = obj.get("adjustment", totals.get("adjustment"))
    discount = obj["discount"] if "discount" in obj else (totals.get("discount") if totals.get("discount") not in (None, "0.00", "0") else None)
    for key, value in (("shipping_charge", shipping), ("adjustment", adjustment), ("discount", discount)):
        if isinstance(value, float):  # float-ok: refusing floats
            raise Invalid(f"{key}: write amounts as strings (\"12.00\"), not JSON floats")
    rec = obj.get("recurrence")
    if rec is not None and not isinstance(rec, dict):
        raise Invalid("recurrence: expected an object or null")
    return DocInput(
        subject=obj.get("subject"),
        account=obj.get("account"),
        contact=obj.get("contact"),
        quote=obj.get("quote"),
        customer_ref=obj.get("customer_ref"),
        assigned_to=obj.get("assigned_to"),
        date=obj.get(kind.date_field),
        discount=discount,
        shipping_charge=shipping,
        adjustment=adjustment,
        billing=obj.get("billing_address"),
        shipping=obj.get("shipping_address"),
        lines=specs,
        status=obj.get("status"),
        finalized=obj.get("finalized", False),
        recurrence=rec,
    )


def iter_json_documents(stream, source: str) -> Iterator[tuple[int, Any]]:
    """Yield (line number, value) from one object, an array of objects, or JSON lines,
    reading the stream in chunks (a 100,000-order file is never held whole)."""
    decoder = json.JSONDecoder(parse_float=_no_float, parse_constant=_no_constant)
    buf = ""
    pos = 0
    line = 1
    eof = False
    in_array = None  # None: not decided yet

    def fill() -> bool:
        nonlocal buf, pos, eof
        if eof:
            return False
        chunk = stream.read(1 << 16)
        if not chunk:
            eof = True
            return False
        buf = buf[pos:] + chunk
        pos = 0
        return True

    def skip_ws() -> None:
        nonlocal pos, line
        while True:
            while pos < len(buf) and buf[pos] in " \t\r\n":
                if buf[pos] == "\n":
                    line += 1
                pos += 1
            if pos < len(buf) or not fill():
                return

    skip_ws()
    if pos >= len(buf):
        raise Invalid(f"{source}: no JSON input")
    if buf[pos] == "[":
        in_array = True
        pos += 1
    first = True
    while True:
        skip_ws()
        if pos >= len(buf):
            if in_array:
                raise Invalid(f"{source}: line {line}: the array is not closed (missing ']')")
            return
        if in_array:
            if buf[pos] == "]":
                pos += 1
                skip_ws()
                if pos < len(buf):
                    raise Invalid(f"{source}: line {line}: unexpected text after the array")
                return
            if not first:
                if buf[pos] != ",":
                    raise Invalid(f"{source}: line {line}: expected ',' or ']' between array items")
                pos += 1
                skip_ws()
        start_line = line
        while True:
            try:
                value, end = decoder.raw_decode(buf, pos)
                break
            except json.JSONDecodeError as err:
                # Only an error on the buffer's last, unfinished line can be a document cut by the
                # chunk boundary (JSON strings hold no newline): read on. Any other error is real,
                # and is reported now rather than after reading the rest of a large file.
                if buf.find("\n", err.pos) == -1 and fill():
                    continue
                if not buf[err.pos:].strip():
                    raise Invalid(
                        f"{source}: line {start_line}: invalid JSON: the document starting on this line is incomplete ({err.msg} at the end of the input)"
                    ) from None
                bad_line = start_line + buf.count("\n", pos, err.pos)
                raise Invalid(f"{source}: line {bad_line}: invalid JSON: {err.msg}") from None
            except _Refused as err:
                raise Invalid(f"{source}: line {start_line}: {err}") from None
        line += buf.count("\n", pos, end)
        pos = end
        first = False
        yield start_line, value


class _Refused(ValueError):
    pass


class _JsonFloat(str):  # float-ok: marks a refused JSON float
    """A JSON float as written, kept so the refusal can name its field (see _refuse_floats)."""


def _no_float(text_value: str):
    return _JsonFloat(text_value)  # float-ok: kept only to be refused


def _refuse_floats(value: Any, path: str = "") -> None:
    """Refuse any JSON float (not exact), naming where it is: ``lines[1].quantity``."""
    if isinstance(value, (_JsonFloat, float)):  # float-ok: the refusal itself
        shown = str(value)[:30]
        where = f"{path}: " if path else ""
        raise Invalid(f"{where}the number {shown} must be written as a string (\"{shown}\"): JSON floats are not exact")
    if isinstance(value, dict):
        for key, item in value.items():
            key = text.shown(key, 40)  # a key is user input too: no newline into the one-line error
            _refuse_floats(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for i, item in enumerate(value, start=1):
            _refuse_floats(item, f"{path}[{i}]")


def _no_constant(name: str):
    raise _Refused(f"{name} is not a number")


def import_json(session: Session, stream, source: str, batch_size: int = 500, progress=None) -> list[str]:
    """Create orders from JSON (one object, an array, or JSON lines), all in this transaction.

    Returns the numbers made. Documents are validated and inserted in batches, so memory
    stays flat whatever the file's size. The first bad document refuses the whole import.
    """
    rv = Resolver(session)
    numbers: list[str] = []
    batch: list[Prepared] = []
    documents = iter_json_documents(stream, source)
    line = 1
    while True:
        try:
            line, obj = next(documents)
        except StopIteration:
            break
        except RecursionError:
            raise Invalid(f"{source}: after line {line}: the JSON is nested too deeply") from None
        try:
            batch.append(prepare(rv, ORDER, input_from_json(obj)))
        except (Invalid, NotFound, Conflict) as err:
            raise type(err)(f"{source}: line {line}: {err.message}") from None
        except RecursionError:
            raise Invalid(f"{source}: line {line}: the JSON is nested too deeply") from None
        if len(batch) >= batch_size:
            numbers.extend(n for _, n in insert(session, ORDER, batch))
            if progress:
                progress(len(numbers))
            batch = []
    numbers.extend(n for _, n in insert(session, ORDER, batch))
    if not numbers:
        raise Invalid(f"{source}: no orders in the input")
    return numbers


# ---------------------------------------------------------------- viewing


def _line_view(ln, delivered: Decimal | None = None, invoiced: Decimal | None = None) -> dict:
    out = {
        "line_no": ln.line_no,
        "sku": ln.sku,
        "description": ln.description,
        "kind": ln.kind,
        "quantity": plain(ln.quantity),
        "unit_price": price_text(ln.unit_price),
        "discount": ln.discount,
        "net": fmt_money(ln.net),
        "taxes": json.loads(ln.taxes),
        "comment": ln.comment,
    }
    if delivered is not None:
        out["delivered_quantity"] = plain(delivered)
        out["invoiced_quantity"] = plain(invoiced or Decimal(0))
    return out


def _party(session: Session, model, pk: int | None) -> dict | None:
    if pk is None:
        return None
    row = session.get(model, pk)
    return {"id": row.id, "name": row.name} if row else None


def view(session: Session, kind: Kind, doc) -> dict:
    """The JSON shape of CLI.md for an order (or a quote)."""
    lines = lines_of(session, kind, doc.id)
    out: dict[str, Any] = {
        "id": doc.id,
        "number": doc.number,
        "subject": doc.subject,
        "status": doc.status,
    }
    if kind is ORDER:
        out["finalized"] = doc.finalized
        out["order_date"] = doc.order_date.isoformat()
    else:
        out["quote_date"] = doc.quote_date.isoformat()
    out["currency"] = doc.currency
    account = session.get(m.Account, doc.account_id)
    out["language"] = getattr(doc, "language", None) or (account.language if account else None)
    out["account"] = _party(session, m.Account, doc.account_id)
    out["contact"] = _party(session, m.Contact, doc.contact_id)
    if kind is ORDER:
        quote = session.get(m.Quote, doc.quote_id) if doc.quote_id else None
        out["quote"] = quote.number if quote else None
        out["customer_ref"] = doc.customer_ref
    out["assigned_to"] = _party(session, m.AppUser, doc.assigned_user_id)
    out["billing_address"] = address_of(doc, "billing")
    out["shipping_address"] = address_of(doc, "shipping")
    out["discount"] = doc.discount
    out["shipping_charge"] = fmt_money(doc.shipping_charge)
    out["adjustment"] = fmt_money(doc.adjustment)
    if kind is ORDER:
        delivered, invoiced, invoiced_amount = progress_quantities(session, doc.id)
        out["lines"] = [_line_view(ln, delivered.get(ln.id, Decimal(0)), invoiced.get(ln.id, Decimal(0))) for ln in lines]
        out["totals"] = totals_view(doc)
        out["progress"] = progress_view(lines, delivered, invoiced, invoiced_amount)
        from orders_cli.recurring import views as recurring_uc

        out["recurrence"] = recurring_uc.recurrence_view(session, doc.id)
        out["related"] = related_view(session, doc)
    else:
        out["lines"] = [_line_view(ln) for ln in lines]
        out["totals"] = totals_view(doc)
        orders = session.exec(select(m.SalesOrder.number).where(m.SalesOrder.quote_id == doc.id)).all()
        out["related"] = {"orders": [{"number": n} for n in orders]}
    return out


def progress_view(lines, delivered: dict, invoiced: dict, invoiced_amount: Decimal) -> dict:
    inv = [(ln.net, ln.quantity, invoiced.get(ln.id, Decimal(0))) for ln in lines]
    dlv = [(ln.net, ln.quantity, delivered.get(ln.id, Decimal(0))) for ln in lines if ln.kind == "product"]
    return {
        "delivered_percent": pricing.percent_done(dlv),
        "invoiced_percent": pricing.percent_done(inv),
        "invoiced_amount": fmt_money(invoiced_amount),
    }


def related_view(session: Session, doc: m.SalesOrder) -> dict:
    invoices = session.exec(select(m.Invoice).where(m.Invoice.order_id == doc.id).order_by(m.Invoice.id)).all()
    pos = session.exec(
        select(m.PurchaseOrder, m.Vendor).join(m.Vendor, m.Vendor.id == m.PurchaseOrder.vendor_id).where(m.PurchaseOrder.order_id == doc.id).order_by(m.PurchaseOrder.id)
    ).all()
    dns = session.exec(select(m.Delivery).where(m.Delivery.order_id == doc.id).order_by(m.Delivery.id)).all()
    docs = session.exec(select(m.Document.id, m.Document.filename, m.Document.size, m.Document.sha256, m.Document.content_type).where(m.Document.order_id == doc.id).order_by(m.Document.id)).all()
    from orders_cli.records import activities

    acts = activities.for_order(session, doc.id)  # the order's and its invoices' (mails sent), any type
    quote = session.get(m.Quote, doc.quote_id) if doc.quote_id else None
    return {
        "quote": {"number": quote.number, "status": quote.status} if quote else None,
        "invoices": [
            {
                "number": i.number,
                "invoice_date": i.invoice_date.isoformat(),
                "status": i.status,
                "total": fmt_money(i.total),
                "period_start": i.period_start.isoformat() if i.period_start else None,
                "period_end": i.period_end.isoformat() if i.period_end else None,
            }
            for i in invoices
        ],
        "purchase_orders": [{"number": p.number, "vendor": v.name, "total": fmt_money(p.total)} for p, v in pos],
        "deliveries": [{"number": d.number, "date": d.delivery_date.isoformat(), "status": d.status} for d in dns],
        "documents": [{"id": d[0], "filename": d[1], "content_type": d[4], "size": d[2], "sha256": d[3]} for d in docs],
        "activities": [{k: a[k] for k in ("id", "type", "subject", "due", "done", "invoice", "note")} for a in acts],
    }


def show(session: Session, kind: Kind, ref: str) -> dict:
    return view(session, kind, get(session, kind, ref))


def list_docs(
    session: Session,
    kind: Kind,
    account: str | None = None,
    status: str | None = None,
    recurring: bool = False,
    since: str | None = None,
    until: str | None = None,
    limit: int | None = None,
) -> Iterator[dict]:
    """Newest first; one streamed query with the account name joined (set-based, no per-row lookups)."""
    t = kind.table.__table__
    a = m.Account.__table__
    date_col = t.c[kind.date_field]
    cols = [t.c.id, t.c.number, t.c.subject, t.c.status, date_col, t.c.currency, t.c.total, t.c.subtotal, t.c.tax_total, a.c.id.label("account_id"), a.c.name.label("account_name")]
    if kind is ORDER:
        cols.append(t.c.finalized)
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
    q = q.order_by(date_col.desc(), t.c.id.desc())
    if limit:
        q = q.limit(limit)
    result = session.connection().execution_options(stream_results=True, yield_per=1000).execute(q)
    for row in result:
        item = {
            "id": row.id,
            "number": row.number,
            "subject": row.subject,
            "status": row.status,
        }
        if kind is ORDER:
            item["finalized"] = bool(row.finalized)
        item[kind.date_field] = _iso(row._mapping[kind.date_field])
        item["account"] = {"id": row.account_id, "name": row.account_name}
        item["currency"] = row.currency
        item["subtotal"] = fmt_money(row.subtotal)
        item["tax"] = fmt_money(row.tax_total)
        item["total"] = fmt_money(row.total)
        yield item


def _iso(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


# ---------------------------------------------------------------- changing an order


def _log(session: Session, kind: Kind, doc_id: int, field_name: str, old: Any, new: Any) -> None:
    def fmt(v):
        if v is None:
            return None
        if isinstance(v, Decimal):
            return plain(v)
        if isinstance(v, date):
            return v.isoformat()
        return str(v)

    if fmt(old) != fmt(new):
        session.add(m.FieldChange(doc_type=kind.name, doc_id=doc_id, field=field_name, old_value=fmt(old), new_value=fmt(new)))


def _editable(doc, kind: Kind, what: str) -> None:
    if kind is ORDER:
        lifecycle.check_editable(doc.finalized, what, doc.number)


def recompute(session: Session, kind: Kind, doc) -> None:
    lines = lines_of(session, kind, doc.id)
    dicts = [{"line_no": ln.line_no, "quantity": ln.quantity, "unit_price": ln.unit_price, "discount": ln.discount, "taxes": ln.taxes} for ln in lines]
    account = session.get(m.Account, doc.account_id)
    rv = Resolver(session)
    cols = compute(dicts, doc.discount, doc.shipping_charge, rv.charge_tax(account.tax_region), doc.adjustment)
    for ln, d in zip(lines, dicts):
        if ln.net != d["net"]:
            ln.net = d["net"]
            session.add(ln)
    for key, value in cols.items():
        setattr(doc, key, value)
    if kind is ORDER:
        doc.updated_at = m.utcnow()
    session.add(doc)
    session.flush()


def edit(session: Session, kind: Kind, ref: str, changes: dict) -> dict:
    """Change header fields, document-level amounts or addresses; totals are recomputed."""
    doc = get(session, kind, ref)
    if not changes:
        raise Invalid("nothing to change: give at least one option (see --help)")
    _editable(doc, kind, "header")
    rv = Resolver(session)
    account = session.get(m.Account, doc.account_id)
    setters: dict[str, Any] = {}
    if "subject" in changes:
        setters["subject"] = text.clean(changes["subject"], "subject", 500, required=True)
    if "contact" in changes:
        setters["contact_id"] = rv.contact(changes["contact"], account).id if changes["contact"] else None
    if "assigned_to" in changes:
        setters["assigned_user_id"] = rv.user(changes["assigned_to"]).id if changes["assigned_to"] else None
    if "customer_ref" in changes and kind is ORDER:
        setters["customer_ref"] = text.optional(changes["customer_ref"], "customer reference", 200)
    if "date" in changes:
        setters[kind.date_field] = text.parse_date(changes["date"], f"{kind.label} date")
    if "discount" in changes:
        setters["discount"] = _discount_text(changes["discount"])
    if "shipping_charge" in changes:
        setters["shipping_charge"] = _money_opt(changes["shipping_charge"], "shipping charge")
    if "adjustment" in changes:
        setters["adjustment"] = _money_opt(changes["adjustment"], "adjustment", allow_negative=True)
    for prefix in ("billing", "shipping"):
        part = changes.get(prefix)
        if part:
            for key, value in _address_override(address_of(doc, prefix), part, prefix).items():
                setters[f"{prefix}_{key}"] = value
    for key, value in setters.items():
        _log(session, kind, doc.id, key, getattr(doc, key), value)
        setattr(doc, key, value)
    recompute(session, kind, doc)
    return view(session, kind, doc)


def add_lines(session: Session, kind: Kind, ref: str, specs: list[str]) -> dict:
    doc = get(session, kind, ref)
    _editable(doc, kind, "lines")
    if not specs:
        raise Invalid("give at least one --line SKU:QTY[:PRICE[:DISCOUNT]]")
    rv = Resolver(session)
    account = session.get(m.Account, doc.account_id)
    last = session.execute(sa.select(sa.func.max(kind.line_table.line_no)).where(getattr(kind.line_table, kind.fk) == doc.id)).scalar() or 0
    for i, spec in enumerate(specs, start=1):
        ls = parse_line(spec)
        row = prepare_line(rv, LineInput(ls.sku, ls.quantity, ls.unit_price, ls.discount), last + i, account.tax_region)
        row["net"] = Decimal("0.00")
        session.add(kind.line_table(**row, **{kind.fk: doc.id}))
        _log(session, kind, doc.id, f"line {last + i}", None, spec)
    session.flush()
    recompute(session, kind, doc)
    return view(session, kind, doc)


def _line(session: Session, kind: Kind, doc, line_no: int):
    if not 0 < line_no < 2**31:  # also keeps a huge number away from the driver (OverflowError)
        raise NotFound(f"{doc.number} has no line {line_no}")
    lt = kind.line_table
    ln = session.exec(select(lt).where(getattr(lt, kind.fk) == doc.id, lt.line_no == line_no)).first()
    if ln is None:
        raise NotFound(f"{doc.number} has no line {line_no}")
    return ln


def edit_line(session: Session, kind: Kind, ref: str, line_no: int, quantity=None, price=None, discount=None, comment=None) -> dict:
    doc = get(session, kind, ref)
    _editable(doc, kind, "lines")
    ln = _line(session, kind, doc, line_no)
    if quantity is None and price is None and discount is None and comment is None:
        raise Invalid("nothing to change: give --qty, --price, --discount or --comment")
    if kind is ORDER:
        delivered, invoiced, _ = progress_quantities(session, doc.id)
        billed = invoiced.get(ln.id, Decimal(0))
        if billed and billed >= (positive(quantity, "quantity") if quantity is not None else ln.quantity) and (price is not None or discount is not None):
            # every unit is on an issued invoice: a new price would leave a difference that no
            # later invoice line could carry (a partly invoiced line's remainder carries it)
            raise Conflict(f"line {line_no} is fully invoiced ({plain(billed)}); its price and discount can no longer change "
                           "(cancel those invoices first, or add a line)")
    if quantity is not None:
        q = positive(quantity, "quantity")
        if kind is ORDER:
            floor = max(delivered.get(ln.id, Decimal(0)), billed)
            if q < floor:
                raise Conflict(f"line {line_no}: {plain(floor)} already delivered or invoiced; the quantity cannot go below that")
        _log(session, kind, doc.id, f"line {line_no} quantity", ln.quantity, q)
        ln.quantity = q
    if price is not None:
        p = non_negative(price, "price")
        _log(session, kind, doc.id, f"line {line_no} unit_price", ln.unit_price, p)
        ln.unit_price = p
    if discount is not None:
        d = _discount_text(discount, f"line {line_no} discount")
        _log(session, kind, doc.id, f"line {line_no} discount", ln.discount, d)
        ln.discount = d
    if comment is not None:
        ln.comment = text.optional(comment, "comment", 2000)
    session.add(ln)
    session.flush()
    recompute(session, kind, doc)
    return view(session, kind, doc)


def remove_line(session: Session, kind: Kind, ref: str, line_no: int) -> dict:
    doc = get(session, kind, ref)
    _editable(doc, kind, "lines")
    ln = _line(session, kind, doc, line_no)
    if kind is ORDER:
        used = session.execute(sa.select(sa.func.count()).select_from(m.InvoiceLine).where(m.InvoiceLine.order_line_id == ln.id)).scalar_one()
        used += session.execute(sa.select(sa.func.count()).select_from(m.DeliveryLine).where(m.DeliveryLine.order_line_id == ln.id)).scalar_one()
        used += session.execute(sa.select(sa.func.count()).select_from(m.PurchaseLine).where(m.PurchaseLine.order_line_id == ln.id)).scalar_one()
        if used:
            raise Conflict(f"line {line_no} is on an invoice, delivery note or purchase order; it cannot be removed")
    _log(session, kind, doc.id, f"line {line_no}", f"{ln.sku}:{plain(ln.quantity)}", None)
    session.delete(ln)
    session.flush()
    recompute(session, kind, doc)
    return view(session, kind, doc)


def set_status(session: Session, ref: str, status: str) -> dict:
    doc = get(session, ORDER, ref)
    new = lifecycle.order_transition(doc.status, status)
    session.add(m.StatusChange(doc_type="order", doc_id=doc.id, old_status=doc.status, new_status=new))
    doc.status = new
    doc.updated_at = m.utcnow()
    session.add(doc)
    session.flush()
    return view(session, ORDER, doc)


def finalize(session: Session, ref: str) -> dict:
    doc = get(session, ORDER, ref)
    if doc.finalized:
        raise Locked(f"{doc.number} is already finalized")
    if not lines_of(session, ORDER, doc.id):
        raise Invalid(f"{doc.number} has no lines: add some before finalizing")
    doc.finalized = True
    doc.finalized_at = m.utcnow()
    doc.updated_at = doc.finalized_at
    session.add(doc)
    session.add(m.FieldChange(doc_type="order", doc_id=doc.id, field="finalized", old_value="false", new_value="true"))
    session.flush()
    return view(session, ORDER, doc)


def duplicate(session: Session, kind: Kind, ref: str) -> dict:
    """A new document (new number, status created, not finalized, today's date) with the
    same header and lines, and no links to the old one's invoices, deliveries or purchases."""
    doc = get(session, kind, ref)
    header = {c: getattr(doc, c) for c in kind.table.__table__.c.keys()}
    for c in ("id", "number", "status", "created_at", "updated_at", "finalized", "finalized_at"):
        header.pop(c, None)
    header[kind.date_field] = today()
    lines = []
    for ln in lines_of(session, kind, doc.id):
        row = {c: getattr(ln, c) for c in kind.line_table.__table__.c.keys() if c not in ("id", kind.fk)}
        lines.append(row)
    account = session.get(m.Account, doc.account_id)
    ((new_id, _),) = insert(session, kind, [Prepared(header, lines, "created", False, None, account)])
    return view(session, kind, session.get(kind.table, new_id))


def history(session: Session, kind: Kind, ref: str) -> list[dict]:
    doc = get(session, kind, ref)
    events = []
    for s in session.exec(select(m.StatusChange).where(m.StatusChange.doc_type == kind.name, m.StatusChange.doc_id == doc.id)):
        events.append({"at": s.at, "kind": "status", "field": "status", "old": s.old_status, "new": s.new_status, "_id": (0, s.id)})
    for c in session.exec(select(m.FieldChange).where(m.FieldChange.doc_type == kind.name, m.FieldChange.doc_id == doc.id)):
        events.append({"at": c.at, "kind": "change", "field": c.field, "old": c.old_value, "new": c.new_value, "_id": (1, c.id)})
    events.sort(key=lambda e: (_aware(e["at"]), e["_id"]))
    for e in events:
        e.pop("_id")
        e["at"] = _aware(e["at"]).isoformat()
    return events


def _aware(ts):
    from datetime import timezone

    return ts if ts.tzinfo else ts.replace(tzinfo=timezone.utc)


# ---------------------------------------------------------------- quotes


def convert_quote(session: Session, ref: str) -> dict:
    quote = get(session, QUOTE, ref)
    if quote.status == "accepted":
        existing = session.exec(select(m.SalesOrder.number).where(m.SalesOrder.quote_id == quote.id)).first()
        raise Conflict(f"{quote.number} was already converted" + (f" into {existing}" if existing else ""))
    if quote.status in ("rejected", "cancelled"):
        raise Conflict(f"{quote.number} is {quote.status}; it cannot become an order")
    header = {c: getattr(quote, c) for c in m.Quote.__table__.c.keys()}
    for c in ("id", "number", "status", "created_at", "quote_date", "valid_until"):
        header.pop(c, None)
    header["quote_id"] = quote.id
    header["order_date"] = today()
    header["customer_ref"] = None
    account = session.get(m.Account, quote.account_id)
    header["language"] = account.language
    lines = [{c: getattr(ln, c) for c in m.QuoteLine.__table__.c.keys() if c not in ("id", "quote_id")} for ln in lines_of(session, QUOTE, quote.id)]
    ((order_id, _),) = insert(session, ORDER, [Prepared(header, lines, "created", False, None, account)])
    session.add(m.StatusChange(doc_type="quote", doc_id=quote.id, old_status=quote.status, new_status="accepted"))
    quote.status = "accepted"
    session.add(quote)
    session.flush()
    return view(session, ORDER, session.get(m.SalesOrder, order_id))
