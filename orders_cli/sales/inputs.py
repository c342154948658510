"""Making orders and quotes: the raw input of one document (``DocInput``, ``LineInput``),
its validation into rows (``prepare``), and the set-based insert of one or many (``insert``).

Orders and quotes share one shape (header, lines, document-level amounts), so one code path
prepares and inserts both. Inserts are set-based (Core ``insert`` with lists of dicts), so a
bulk import pays no per-object ORM cost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from orders_cli import store
from orders_cli.core import lifecycle, pricing, text
from orders_cli.core.context import Context
from orders_cli.core.errors import Conflict, Invalid
from orders_cli.core.lines import parse_line
from orders_cli.core.money import Money, money, non_negative, positive, text_of
from orders_cli.parties.catalog import ADDRESS_FIELDS, address_of
from orders_cli.parties.edits import refuse_archived
from orders_cli.parties.resolver import Resolver, _ref_text
from orders_cli.parties.taxes import require_buyer_vat_id
from orders_cli.sales.results import DocView
from orders_cli.sales.views import view
from orders_cli.store import bulk
from orders_cli.store import schema as m
from orders_cli.store.documents import ORDER, QUOTE, Kind, taxes_from_json, totals_columns


@dataclass
class LineInput:
    """One line as given (``--line`` text or a JSON object); checked by ``prepare_line``."""

    sku: str
    quantity: Any
    unit_price: Any = None
    discount: Any = None
    comment: Any = None
    base_quantity: Any = None  # the price is per this many units; None: the product's

    @classmethod
    def parse(cls, spec: str) -> "LineInput":
        """From the ``SKU:QTY[:PRICE[:DISCOUNT]]`` syntax of ``--line``."""
        ls = parse_line(spec)
        return cls(ls.sku, ls.quantity, ls.unit_price, ls.discount)


@dataclass
class DocInput:
    """One order or quote as given (options or ``show --json`` output); checked by ``prepare``."""

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
    # document allowances and charges: "REASON:AMOUNT|PCT[:TAX]" texts (with their kind) or the
    # objects of ``show --json``'s ``allowances_charges``; None: none given
    allowances_charges: list | None = None
    valid_until: Any = None  # a quote's: YYYY-MM-DD, '' for none; None: the quote.validity_days setting


# ---------------------------------------------------------------- totals


def compute(lines: list[dict], discount: str | None, shipping: Decimal, charge: pricing.TaxRate | None, adjustment: Decimal,
            extras: tuple[pricing.DocCharge, ...] = (), memo: dict | None = None) -> dict:
    """Totals of a document from its lines (dicts with quantity, unit_price, discount, taxes JSON)
    and its allowances and charges. Sets each line's ``net``; returns the header's amount columns.

    ``memo`` (a bulk import's, ``Resolver.memo``): the totals of the documents already priced,
    by what they depend on; a document priced like an earlier one takes its figures (the same:
    the inputs are equal values, and every figure is rounded to the cent)."""
    key = None
    if memo is not None:
        key = (tuple((ln["quantity"], ln["unit_price"], ln.get("discount"), ln["taxes"], ln.get("base_quantity")) for ln in lines),
               discount, shipping, charge, adjustment, extras)
        known = memo.get(key)
        if known is not None:
            for ln, net in zip(lines, known[0]):
                ln["net"] = net
            return dict(known[1])
    ins = [
        pricing.LineIn(
            quantity=ln["quantity"],
            unit_price=ln["unit_price"],
            discount=pricing.parse_discount(ln.get("discount"), f"line {ln['line_no']} discount"),
            taxes=_taxes(ln["taxes"]),
            base_quantity=ln.get("base_quantity") or Decimal(1),
        )
        for ln in lines
    ]
    totals = pricing.document_totals(ins, pricing.parse_discount(discount), shipping, charge, adjustment, extras)
    for ln, net in zip(lines, totals.line_nets):
        ln["net"] = net
    columns = totals_columns(totals, extras)
    if memo is not None:
        if len(memo) > MEMO_MAX:
            memo.clear()
        memo[key] = (totals.line_nets, dict(columns))
    return columns


MEMO_MAX = 10_000  # entries of each memo of a bulk import (a line, a document's totals)
_TAXES: dict[str, tuple[pricing.TaxRate, ...]] = {}


def _taxes(raw: str) -> tuple[pricing.TaxRate, ...]:
    """``taxes_from_json``, once per text (TaxRate is immutable)."""
    found = _TAXES.get(raw)
    if found is None:
        if len(_TAXES) > MEMO_MAX:
            _TAXES.clear()
        found = _TAXES[raw] = taxes_from_json(raw)
    return found


# ---------------------------------------------------------------- allowances and charges

MAX_CHARGES = 100


def _split_spec(kind: str, spec: str) -> tuple[str, str, str | None]:
    """``REASON:VALUE[:TAX]``, the reason free to hold colons: (reason, value, tax or None)."""
    parts = spec.rsplit(":", 2)
    if len(parts) == 3 and pricing.looks_like_value(parts[2]):
        return parts[0] + ":" + parts[1], parts[2], None
    if len(parts) == 3:
        return parts[0], parts[1], parts[2]
    if len(parts) == 2:
        return parts[0], parts[1], None
    raise Invalid(f"--{kind} {spec!r}: expected REASON:AMOUNT[:TAX] or REASON:PERCENT%[:TAX], like 'Loyalty:5%' or 'Packing:12.50:VAT20'")


# EN 16931 code lists for BT-98 (allowances: UNTDID 5189, as the 2023 EN 16931 code lists restrict
# it) and BT-105 (charges: UNTDID 7161, 1 to 3 capitals, e.g. FC freight, ABL packaging)
ALLOWANCE_CODES = frozenset({"41", "42", "60", "62", "63", "64", "65", "66", "67", "68", "70", "71", "88", "95", "100", "102",
                             "103", "104", "105"})


def reason_code(kind: str, code: str | None, what: str) -> str | None:
    """An allowance's UNTDID 5189 code or a charge's UNTDID 7161 code, checked (None: no code)."""
    if not code:
        return None
    if kind == "allowance" and code not in ALLOWANCE_CODES:
        raise Invalid(f"{what}: reason code {code!r} is not an allowance code of UNTDID 5189 "
                      f"(one of {', '.join(sorted(ALLOWANCE_CODES, key=int))}; e.g. 95 discount, 100 special rebate)")
    if kind == "charge" and not re.fullmatch(r"[A-Z]{1,3}", code):
        raise Invalid(f"{what}: reason code {code!r} is not a charge code of UNTDID 7161 (1 to 3 capitals, e.g. FC freight, ABL packaging)")
    return code


def doc_charges(rv: Resolver, items: list | None, region: str | None) -> tuple[pricing.DocCharge, ...]:
    """The allowances and charges of a document, checked: each a ``(kind, "REASON:VALUE[:TAX]")``
    pair (the command line) or an object of ``allowances_charges`` (``show --json``). A charge
    named with no tax is at ``charges.tax``, like the shipping charge; an allowance with no tax
    is shared over the rates in proportion, like the overall discount."""
    if not items:
        return ()
    if not isinstance(items, list) or len(items) > MAX_CHARGES:
        raise Invalid(f"allowances_charges: expected a list of at most {MAX_CHARGES} allowances and charges")
    out = []
    for n, item in enumerate(items, start=1):
        if isinstance(item, tuple):
            kind, spec = item
            reason, value, tax = _split_spec(kind, str(spec))
            code = None
        elif isinstance(item, dict):
            kind = item.get("kind")
            if kind not in ("allowance", "charge"):
                raise Invalid(f"allowances_charges item {n}: kind is 'allowance' or 'charge', got {kind!r}")
            reason, value, code = item.get("reason"), item.get("value", item.get("amount")), item.get("reason_code")
            tax = item.get("tax")
            if isinstance(tax, dict):
                tax = tax.get("name")
        else:
            raise Invalid(f"allowances_charges item {n}: expected an object")
        what = f"{kind} {n}"
        reason = text.clean(reason, f"{what} reason", 500, required=True)
        if code is None:  # "Loyalty [95]": the UNTDID code in brackets after the reason
            tagged = re.fullmatch(r"(.*?)\s*\[([^\[\]]*)\]", reason)
            if tagged:
                reason, code = tagged.group(1).strip(), tagged.group(2).strip()
                if not reason:
                    raise Invalid(f"{what}: a reason is required before its code [{code}]")
        code = reason_code(kind, text.optional(code, f"{what} reason code", 10), f"{what} ({reason})")
        parsed = pricing.parse_discount(str(value) if value is not None else None, f"{what} ({reason})")
        if parsed is None:
            raise Invalid(f"{what} ({reason}): an amount more than 0.00 or a percent is required")
        if tax not in (None, ""):
            rate = rv.tax_named(_ref_text(tax, f"{what} tax"), region)
        elif kind == "charge":
            rate = rv.charge_tax(region)
        else:
            rate = None
        out.append(pricing.DocCharge(kind, reason, parsed, rate, code))
    return tuple(out)


# ---------------------------------------------------------------- preparing a document


def discount_text(value: Any, what: str = "discount") -> str | None:
    """A discount as it is stored ("10%", "5.00"), or None for none; refuses anything else."""
    if value is None or value == "":
        return None
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise Invalid(f"{what}: expected text like '10%' or '5.00', got {type(value).__name__}")
    parsed = pricing.parse_discount(str(value), what)
    return parsed.text() if parsed else None


def amount_or_zero(value: Any, what: str, allow_negative: bool = False) -> Decimal:
    """An optional document-level amount (shipping charge, adjustment): 0.00 when not given."""
    if value is None or value == "":
        return Decimal("0.00")
    amount = money(value, what)
    if amount < 0 and not allow_negative:
        raise Invalid(f"{what} must not be negative, got {text_of(Money(amount))}")
    return amount


def prepare_line(rv: Resolver, spec: LineInput, line_no: int, region: str | None) -> dict:
    """One line's row (no net yet: ``compute`` sets it). A line given as text (what a JSON file
    holds) like one already prepared in this transaction is that one again (``rv.memo``)."""
    key = ("line", spec.sku, spec.quantity, spec.unit_price, spec.discount, spec.comment, spec.base_quantity, region)
    if _TEXTS.issuperset(map(type, key)):
        known = rv.memo.get(key)
        if known is None:
            known = rv.remember(key, _prepare_line(rv, spec, line_no, region))
        return dict(known, line_no=line_no)
    return _prepare_line(rv, spec, line_no, region)


def _prepare_line(rv: Resolver, spec: LineInput, line_no: int, region: str | None) -> dict:
    sku = _ref_text(spec.sku, f"line {line_no} sku")
    product, taxes = rv.product(sku)
    refuse_archived(product, f"line {line_no}")  # a new line; the documents that have it keep it
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
        "discount": discount_text(spec.discount, f"line {line_no} discount"),
        "taxes": rv.taxes_text(sku, region),
        "comment": text.optional(spec.comment, f"line {line_no} comment", 2000),
        "unit_code": product.unit_code,
        "base_quantity": product.base_quantity if spec.base_quantity in (None, "") else _base_quantity(spec.base_quantity, line_no),
    }


def _base_quantity(value: Any, line_no: int) -> Decimal | None:
    """A line's base quantity as given (JSON: a string), None for 1."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):  # float-ok: refusing floats
        raise Invalid(f"line {line_no} base quantity: write it as a string (\"100\")")
    try:
        q = pricing.parse_base_quantity(str(value))
    except Invalid as err:
        raise Invalid(f"line {line_no} {err.message}") from None
    return None if q == 1 else q


@dataclass
class Prepared:
    header: dict
    lines: list[dict]
    status: str
    finalized: bool
    recurrence: dict | None
    account: m.Account


def prepare(rv: Resolver, ctx: Context, kind: Kind, inp: DocInput) -> Prepared:
    subject = text.clean(inp.subject, "subject", 500, required=True)
    account = rv.account(inp.account) if inp.account not in (None, "") else None
    if account is None:
        raise Invalid("account is required")
    header: dict[str, Any] = {
        "subject": subject,
        "account_id": account.id,
        "contact_id": rv.contact(inp.contact, account).id if inp.contact not in (None, "") else None,
        "assigned_user_id": rv.user(inp.assigned_to).id if inp.assigned_to not in (None, "") else None,
        kind.date_field: _known(rv, text.parse_date, inp.date, f"{kind.label} date") if inp.date not in (None, "") else ctx.today,
        "currency": ctx.settings.get("currency"),
        "discount": _known(rv, discount_text, inp.discount),
    }
    if kind is QUOTE:
        header["valid_until"] = valid_until(ctx, header["quote_date"], inp.valid_until)
    if kind is ORDER:
        header["customer_ref"] = text.optional(inp.customer_ref, "customer reference", 200)
        header["quote_id"] = rv.quote_id(_ref_text(inp.quote, "quote")) if inp.quote not in (None, "") else None
        header["language"] = account.language
    if inp.billing is None and inp.shipping is None:  # the account's addresses, as they are
        key = ("addresses", account.id)
        addresses = rv.memo.get(key)
        if addresses is None:
            addresses = rv.remember(key, _address_columns(address_of(account, "billing"), address_of(account, "shipping")))
        header.update(addresses)
    else:
        header.update(_address_columns(address_override(address_of(account, "billing"), inp.billing, "billing"),
                                       address_override(address_of(account, "shipping"), inp.shipping, "shipping")))
    shipping = _known(rv, amount_or_zero, inp.shipping_charge, "shipping charge")
    adjustment = _known(rv, amount_or_zero, inp.adjustment, "adjustment", True)
    region = account.tax_region
    lines = [prepare_line(rv, spec, i, region) for i, spec in enumerate(inp.lines, start=1)]
    extras = doc_charges(rv, inp.allowances_charges, region)
    header.update(compute(lines, header["discount"], shipping, rv.charge_tax(region), adjustment, extras, rv.memo))
    statuses = lifecycle.ORDER_STATUSES if kind is ORDER else lifecycle.QUOTE_STATUSES
    status = lifecycle.check_status(inp.status, statuses) if inp.status not in (None, "") else "created"
    if not isinstance(inp.finalized, bool):
        raise Invalid("finalized: expected true or false")
    return Prepared(header, lines, status, bool(inp.finalized), inp.recurrence, account)


def _address_columns(bill: dict, ship: dict) -> dict:
    return {**{f"billing_{k}": v for k, v in bill.items()}, **{f"shipping_{k}": v for k, v in ship.items()}}


_UNKNOWN = object()
_TEXTS = frozenset({str, type(None)})  # what a memo key may hold: JSON text, or nothing


def _known(rv: Resolver, check, value: Any, *args):
    """``check(value, *args)``, once per text in this transaction (``rv.memo``): what a date, a
    discount or an amount written the same way reads as does not change; a refusal is not kept."""
    if type(value) is not str:
        return check(value, *args)
    key = (check.__name__, value, *args)
    found = rv.memo.get(key, _UNKNOWN)
    if found is _UNKNOWN:
        found = rv.remember(key, check(value, *args))
    return found


def valid_until(ctx: Context, quote_date, given: Any = None):
    """A quote's valid-until date: the one given ('' for none), else the quote date plus the
    ``quote.validity_days`` setting (0: none); never before the quote date."""
    from datetime import timedelta

    if given is None:
        days = int(ctx.settings.get("quote.validity_days") or 0)
        try:
            return quote_date + timedelta(days=days) if days else None
        except OverflowError:  # 9999-12-31 + 30 days
            raise Invalid(f"the quote date {quote_date.isoformat()} leaves no room for its {days} days of validity "
                          "(quote.validity_days): give --valid-until") from None
    if given == "":
        return None
    day = text.parse_date(given, "--valid-until")
    if day < quote_date:
        raise Invalid(f"--valid-until {day.isoformat()} is before the quote date {quote_date.isoformat()}")
    return day


def address_override(base: dict, override: dict | None, what: str) -> dict:
    """``base`` with the parts ``override`` gives (unknown parts refused, named)."""
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


def insert(session: Session, ctx: Context, kind: Kind, batch: list[Prepared], vat_checked: bool = False) -> list[tuple[int, str]]:
    """Insert prepared documents set-wise; numbers are allocated as one block inside this transaction.
    ``vat_checked``: the caller made ``require_buyer_vat_id`` pass for each already (an import)."""
    if not batch:
        return []
    numbers = store.allocate(session, kind.name, ctx.settings.prefix(kind.name), len(batch))
    now = m.utcnow()
    for number, p in zip(numbers, () if vat_checked else batch):
        require_buyer_vat_id(number, ((ln["line_no"], ln["sku"], ln["taxes"]) for ln in p.lines), p.account)
    table = kind.table.__table__
    ids = bulk.allocate_ids(session, table, len(batch))
    # the rows as tuples in the order of ``keys``: no dict per row, no work per row left to SQLAlchemy
    fields = tuple(batch[0].header)
    get = itemgetter(*fields)
    keys = (*fields, "id", "number", "status", "created_at", *(("finalized", "updated_at") if kind is ORDER else ()))
    tail = (False, now) if kind is ORDER else ()
    rest = bulk.defaults(table, keys)
    keys, fixed = keys + tuple(rest), (*tail, *rest.values())
    rows = []
    for doc_id, number, p in zip(ids, numbers, batch):
        if len(p.header) != len(fields):
            raise ValueError("the documents of one insert have the same header columns")
        rows.append((*get(p.header), doc_id, number, p.status, now, *fixed))
    bulk.insert_rows(session, table, keys, rows)
    line_rows = []
    if any(p.lines for p in batch):
        line_fields = tuple(next(p.lines[0] for p in batch if p.lines))
        get = itemgetter(*line_fields)
        for doc_id, p in zip(ids, batch):
            for ln in p.lines:
                if len(ln) != len(line_fields):
                    raise ValueError("the lines of one insert have the same columns")
                line_rows.append((*get(ln), doc_id))
        line_table = kind.line_table.__table__
        line_keys = (*line_fields, kind.fk)
        line_rest = bulk.defaults(line_table, line_keys)
        if line_rest:
            line_keys, extra = line_keys + tuple(line_rest), tuple(line_rest.values())
            line_rows = [row + extra for row in line_rows]
        bulk.insert_rows(session, line_table, line_keys, line_rows)
    bulk.insert_rows(session, m.StatusChange.__table__, ("doc_type", "doc_id", "old_status", "new_status", "at"),
                     [(kind.name, doc_id, None, p.status, now) for doc_id, p in zip(ids, batch)])
    if kind is ORDER:
        finalized = [doc_id for doc_id, p in zip(ids, batch) if p.finalized]
        if finalized:
            session.execute(sa.update(table).where(table.c.id.in_(finalized)).values(finalized=True, finalized_at=now))
        recurring = [(doc_id, p) for doc_id, p in zip(ids, batch) if p.recurrence]
        if recurring:  # set-wise too: each row as the model makes it (its defaults filled in)
            from orders_cli.recurring import settings as recurring_uc

            rec_table = m.Recurrence.__table__
            rec_keys = tuple(c.key for c in rec_table.c)
            recs = [recurring_uc.recurrence_from_json(doc_id, p.recurrence) for doc_id, p in recurring]
            bulk.insert_rows(session, rec_table, rec_keys, [tuple(getattr(r, k) for k in rec_keys) for r in recs])
    return list(zip(ids, numbers))


def create(session: Session, ctx: Context, kind: Kind, inp: DocInput) -> DocView:
    """One order or quote from its input; returns its view."""
    rv = Resolver(session, ctx.settings)
    prepared = prepare(rv, ctx, kind, inp)
    quote_id = prepared.header.get("quote_id")
    if quote_id is not None:
        taken = session.execute(sa.select(m.SalesOrder.number).where(m.SalesOrder.quote_id == quote_id).limit(1)).scalar()
        if taken:
            raise Conflict(f"{session.get(m.Quote, quote_id).number} already led to {taken}: one quote makes one order (leave --quote out)")
    ((doc_id, _),) = insert(session, ctx, kind, [prepared])
    return view(session, kind, session.get(kind.table, doc_id), ctx.today)
