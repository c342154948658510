"""A stored document's JSON and amount columns as ``core.pricing`` values and back: the tax
snapshots of a line, a document's tax breakdown and allowances/charges, its totals columns, and
an address out of its ``billing_*``/``shipping_*`` columns. Pure (json and Decimal only), so the
ORM (store/documents.py) and the standard-library read path (store/quickread.py) share them.
"""

from __future__ import annotations

import json
from decimal import Decimal

from orders_cli.core import pricing
from orders_cli.core.money import fmt_money, plain

ADDRESS_FIELDS = ("street", "city", "postal_code", "state", "country")


def address_of(row, prefix: str) -> dict:
    """The ``prefix`` (billing, shipping) address of a stored row, a missing part as ''."""
    return {f: getattr(row, f"{prefix}_{f}") or "" for f in ADDRESS_FIELDS}


def taxes_from_json(raw: str) -> tuple[pricing.TaxRate, ...]:
    return tuple(pricing.TaxRate.from_snapshot(t) for t in json.loads(raw))


def taxes_json(taxes) -> str:
    """A line's ``taxes`` column: the snapshot of each tax (name, rate, category, exemption)."""
    return json.dumps([t.snapshot() for t in taxes])


def breakdown_entry(b: pricing.TaxAmount) -> dict:
    out = {"name": b.name, "rate": plain(b.rate), "category": b.category, "base": fmt_money(b.base), "amount": fmt_money(b.amount)}
    if b.exemption_reason:
        out["exemption_reason"] = b.exemption_reason
    if b.exemption_code:
        out["exemption_code"] = b.exemption_code
    return out


def breakdown_from_json(raw: str) -> tuple[pricing.TaxAmount, ...]:
    return tuple(
        pricing.TaxAmount(b["name"], Decimal(b["rate"]), Decimal(b["base"]), Decimal(b["amount"]), b.get("category") or "S",
                          b.get("exemption_reason"), b.get("exemption_code"))
        for b in json.loads(raw)
    )


def charge_entry(c: pricing.ChargeAmount, value: str | None = None) -> dict:
    """One allowance or charge of a document, as its ``doc_charges`` column keeps it."""
    return {
        "seq": c.seq, "kind": c.kind, "reason": c.reason, "reason_code": c.reason_code,
        "value": value if value is not None else (plain(c.percent) + "%" if c.percent is not None else fmt_money(c.amount)),
        "amount": fmt_money(c.amount), "base": fmt_money(c.base) if c.base is not None else None,
        "tax": c.tax.snapshot() if c.tax is not None else None,
    }


def charges_from_json(raw: str | None) -> tuple[pricing.ChargeAmount, ...]:
    """A stored document's allowances and charges as computed on it."""
    out = []
    for c in json.loads(raw or "[]"):
        value = c.get("value") or ""
        out.append(pricing.ChargeAmount(
            seq=int(c["seq"]), kind=c["kind"], reason=c["reason"], amount=Decimal(c["amount"]),
            tax=pricing.TaxRate.from_snapshot(c["tax"]) if c.get("tax") else None, reason_code=c.get("reason_code"),
            percent=Decimal(value[:-1]) if value.endswith("%") else None,
            base=Decimal(c["base"]) if c.get("base") is not None else None,
        ))
    return tuple(out)


def doc_charges_from_json(raw: str | None) -> tuple[pricing.DocCharge, ...]:
    """A document's allowances and charges as entered (to price it, or an invoice of it, again)."""
    return tuple(c for _, c in seq_charges_from_json(raw))


def seq_charges_from_json(raw: str | None) -> tuple[tuple[int, pricing.DocCharge], ...]:
    """The same, each with its place in the order's list (an invoice's, to plan a credit note)."""
    out = []
    for c in json.loads(raw or "[]"):
        value = pricing.parse_discount(c["value"], c["kind"])
        if value is None:
            continue
        out.append((int(c["seq"]), pricing.DocCharge(c["kind"], c["reason"], value,
                                                     pricing.TaxRate.from_snapshot(c["tax"]) if c.get("tax") else None, c.get("reason_code"))))
    return tuple(out)


def totals_columns(t: pricing.Totals, entered=None) -> dict:
    """The totals columns of a document; ``entered`` the DocCharge values as typed (an order's
    "10%"), else each allowance is kept as computed."""
    values = {}
    for c, item in zip(t.extras, entered or ()):
        values[c.seq] = item.value.text()
    return {
        "doc_charges": json.dumps([charge_entry(c, values.get(c.seq)) for c in t.extras]),
        "subtotal": t.subtotal,
        "discount_amount": t.discount,
        "shipping_charge": t.shipping,
        "tax_total": t.tax,
        "adjustment": t.adjustment,
        "total": t.total,
        "tax_breakdown": json.dumps([breakdown_entry(b) for b in t.tax_breakdown]),
    }


def totals_from_row(row) -> pricing.Totals:
    """A stored document's totals as a pricing.Totals (for sums, remainders and the results of
    every document type; a purchase order stores no discount, shipping or adjustment: 0.00)."""
    none = Decimal("0.00")
    extras = charges_from_json(getattr(row, "doc_charges", None))
    return pricing.Totals(
        subtotal=row.subtotal,
        discount=getattr(row, "discount_amount", none),
        shipping=getattr(row, "shipping_charge", none),
        tax=row.tax_total,
        adjustment=getattr(row, "adjustment", none),
        total=row.total,
        tax_breakdown=breakdown_from_json(row.tax_breakdown),
        line_nets=(),
        allowances=sum((c.amount for c in extras if c.kind == "allowance"), none),
        charges=sum((c.amount for c in extras if c.kind == "charge"), none),
        extras=extras,
    )
