"""Credit notes: an issued invoice is never changed or cancelled; a credit note (its own
gap-free series, ``numbering.credit_prefix``, citing the invoice) corrects it.

- **whole** (default): everything of the invoice not yet credited; the credit note that
  completes an invoice is the invoice minus its earlier credit notes, so they add up to it
  exactly, to the cent and per rate (``pricing.remainder_totals``);
- **lines** (``N:QTY``, N the order line number the invoice shows): the invoice planned like an
  order (``core.planner``, shipping and adjustment given back only by the completing credit
  note); the credited quantities go back to the order, which may invoice them again;
- **amount** (a price reduction before tax): shared over the invoice's rates in proportion to
  their bases (or on one rate, ``--tax``), quantities untouched.

Amounts on a credit note are positive; its effect on the invoice's balance is negative.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Sequence

import sqlalchemy as sa
from sqlmodel import Session, select

from orders_cli import store
from orders_cli.core import invoicecheck, planner, pricing, shares, text
from orders_cli.core.context import Context
from orders_cli.core.errors import Invalid, NotFound, OverQuantity
from orders_cli.core.money import fmt_money, money, plain
from orders_cli.invoicing import billed, labels
from orders_cli.invoicing import results as r
from orders_cli.invoicing.credit_views import credit_view
from orders_cli.parties import snapshots
from orders_cli.store import documents, refs
from orders_cli.store import receivables as rv
from orders_cli.store import schema as m

ZERO = Decimal(0)
NEGATIVE = ("deduction", "reduction")  # lines of -1 x an amount


def _display_no(ln: m.InvoiceLine) -> int:
    """The number ``--line N`` takes: the order line the invoice line shows (none: unpickable)."""
    return ln.order_line_no if ln.order_line_no is not None else -ln.line_no


def _as_order(inv: m.Invoice, lines: Sequence[m.InvoiceLine]) -> planner.Order:
    discount = inv.discount
    if pricing.parse_discount(discount) is not None and pricing.parse_discount(discount).kind == pricing.AMOUNT:
        discount = fmt_money(inv.discount_amount) if inv.discount_amount > 0 else None  # this invoice's share
    return planner.Order(
        number=inv.number,
        status="created",
        lines=tuple(
            planner.OrderLine(ln.id, _display_no(ln), ln.sku, ln.kind, abs(ln.quantity), ln.net, documents.taxes_from_json(ln.taxes))
            for ln in lines
        ),
        totals=documents.totals_from_row(inv),
        discount=discount,
        shipping=inv.shipping_charge,
        adjustment=inv.adjustment,
        extras=documents.seq_charges_from_json(inv.doc_charges),
    )


def _credited(session: Session, inv_id: int):
    """What the invoice's credit notes took: per invoice line (quantity, net, parts), their
    totals, and the price reductions (per tax snapshot)."""
    cn = rv.CreditNote.__table__
    cl = rv.CreditNoteLine.__table__
    notes = list(session.execute(sa.select(cn).where(cn.c.invoice_id == inv_id).order_by(cn.c.id)))
    qty: dict[int, Decimal] = {}
    nets: dict[int, Decimal] = {}
    parts: dict[int, int] = {}
    reductions: dict[str, Decimal] = {}
    numbers: dict[str, list[str]] = {}
    by_id = {n.id: n.number for n in notes}
    if notes:
        for cn_id, line_id, q, net, taxes in session.execute(
            sa.select(cl.c.credit_note_id, cl.c.invoice_line_id, cl.c.quantity, cl.c.net, cl.c.taxes).where(cl.c.credit_note_id.in_(by_id))
        ):
            if line_id is None:
                reductions[taxes] = reductions.get(taxes, ZERO) + net
                numbers.setdefault(taxes, []).append(by_id[cn_id])
            else:
                qty[line_id] = qty.get(line_id, ZERO) + abs(q)
                nets[line_id] = nets.get(line_id, ZERO) + net
                parts[line_id] = parts.get(line_id, 0) + 1
    return qty, nets, parts, [documents.totals_from_row(n) for n in notes], reductions, numbers


def get_invoice_for_credit(session: Session, ref: str) -> m.Invoice:
    inv = refs.document(session, m.Invoice, ref, "invoice")
    if inv.status == "cancelled" and not session.execute(
        sa.select(rv.CreditNote.id).where(rv.CreditNote.invoice_id == inv.id).limit(1)
    ).first():
        raise Invalid(f"{inv.number} was cancelled before credit notes existed: it counts for nothing and has nothing to credit")
    return inv


def credit_invoice(session: Session, ctx: Context, ref: str, parts: list[str] | None = None, amount: Any = None,
                   tax: str | None = None, reason: str | None = None, on: Any = None, allow_future: bool = False,
                   rebill: bool = False) -> r.CreditNote:
    """Issue a credit note of an invoice (whole by default, ``N:QTY`` parts, or an amount)."""
    inv = get_invoice_for_credit(session, ref)
    if inv.order_id is not None:
        documents.lock(session, m.SalesOrder, inv.order_id)
    documents.lock(session, m.Invoice, inv.id)  # what was credited and paid is read after this (PostgreSQL)
    reason = text.optional(reason, "--reason", 500)
    if parts and amount is not None:
        raise Invalid("use --line or --amount, not both")
    if tax is not None and amount is None:
        raise Invalid("--tax goes with --amount (a price reduction on one rate)")
    if rebill and not inv.recurring:
        raise Invalid(f"--rebill is for recurring invoices: {inv.number} is not one")
    if rebill and session.execute(sa.select(rv.CreditNote.id).where(rv.CreditNote.invoice_id == inv.id, rv.CreditNote.rebill == True)).first():  # noqa: E712
        raise Invalid(f"{inv.number}'s period is already to be billed again")
    if inv.kind == "deposit":
        _check_deposit_creditable(session, inv, parts, amount)
    lines = list(session.exec(select(m.InvoiceLine).where(m.InvoiceLine.invoice_id == inv.id).order_by(m.InvoiceLine.line_no)))
    qty, nets, counts, earlier, reductions, red_numbers = _credited(session, inv.id)
    whole = documents.totals_from_row(inv)
    lang = inv.language or session.get(m.Account, inv.account_id).language

    if amount is not None:
        mode = "amount"
        if any(len(documents.taxes_from_json(ln.taxes)) > 1 for ln in lines):
            raise Invalid(f"{inv.number} has lines of several taxes: a price reduction needs one rate per line (credit lines instead)")
        rows, totals = _reduction(inv, whole, earlier, amount, tax, lang)
        check_lines = [invoicecheck.Line(Decimal(1), row["unit_price"], None, row["net"], documents.taxes_from_json(row["taxes"]), None,
                                         "a price reduction") for row in rows]
        invoicecheck.check_invoice(f"the credit note of {inv.number}", check_lines, totals)
    else:
        mode = "lines" if parts else "whole"
        plan_in = _as_order(inv, lines)
        take = planner.invoice_quantities(plan_in, qty, parts, None, verb="credit")
        goods = [ln for ln in lines if ln.kind not in NEGATIVE]
        if parts and all(take.remaining[ln.id] - take.wanted.get(ln.id, ZERO) == 0 for ln in goods):
            # every line credited: the deductions go back with them, and the credit note completes the invoice
            wanted = {**take.wanted, **{ln.id: take.remaining[ln.id] for ln in lines if ln.kind in NEGATIVE and take.remaining[ln.id] > 0}}
            take = planner.Take(wanted, take.remaining)
        plan = planner.plan_invoice(plan_in, take, nets, earlier, None, charges_first=False)
        by_id = {ln.id: ln for ln in lines}
        rows = []
        for p in plan.parts:
            ln = by_id[p.line.id]
            negative = ln.kind in NEGATIVE
            rows.append({
                "invoice_line_id": ln.id, "order_line_id": ln.order_line_id, "order_line_no": ln.order_line_no, "product_id": ln.product_id,
                "sku": ln.sku, "description": ln.description, "kind": ln.kind, "quantity": -p.quantity if negative else p.quantity,
                "unit_price": ln.unit_price, "discount": ln.discount, "net": p.net, "taxes": ln.taxes, "comment": ln.comment,
                "deposit_invoice_id": ln.deposit_invoice_id, "unit_code": ln.unit_code, "base_quantity": ln.base_quantity,
            })
        if plan.final:
            for taxes, given in sorted(reductions.items()):
                if given > 0:
                    rows.append({
                        "invoice_line_id": None, "order_line_id": None, "order_line_no": None, "product_id": None, "sku": "REDUCTION",
                        "description": labels.reduction_back(lang, ", ".join(red_numbers[taxes])), "kind": "reduction",
                        "quantity": Decimal(-1), "unit_price": given, "discount": None, "net": -given, "taxes": taxes, "comment": None,
                        "deposit_invoice_id": None,
                    })
        totals = plan.totals
        if not plan.final:
            _refuse_beyond_invoice(inv, whole, earlier, totals)
        state = invoicecheck.OrderState(
            # an invoice line may itself be a part of an order line (its net prorated, not priced
            # again): checked as a part, within a cent per part
            lines={ln.id: invoicecheck.OrderLineState(ln.quantity, ln.net, qty.get(ln.id, ZERO), nets.get(ln.id, ZERO), counts.get(ln.id, 0) + 1)
                   for ln in goods},
            totals=whole,
            earlier=tuple(earlier),
        )
        check_lines = [
            invoicecheck.Line(row["quantity"], row["unit_price"], row["discount"], row["net"], documents.taxes_from_json(row["taxes"]),
                              row["invoice_line_id"] if row["kind"] not in NEGATIVE else None, f"line {row['order_line_no'] or ''} ({row['sku']})",
                              deduction=row["kind"] in NEGATIVE, base_quantity=row.get("base_quantity") or Decimal(1))
            for row in rows
        ]
        invoicecheck.check_invoice(f"the credit note of {inv.number}", check_lines, totals, _charge_tax(whole, lines), state)

    if rebill and not (mode != "amount" and plan.final):
        raise Invalid(f"--rebill bills {inv.number}'s period again: it goes with a credit note of all that is left of it "
                      f"(no --line or --amount that leaves some of it standing)")
    day = text.parse_date(on, "--date") if on not in (None, "") else ctx.today
    if day < inv.invoice_date:
        raise Invalid(f"--date {day.isoformat()} is before {inv.number}'s own date ({inv.invoice_date.isoformat()})")
    number = store.issue_number(session, "credit", ctx.settings.prefix("credit"), day, ctx.today, allow_future, label="credit note")
    note = rv.CreditNote(
        number=number, invoice_id=inv.id, order_id=inv.order_id, account_id=inv.account_id, subject=inv.subject, credit_date=day,
        reason=reason, mode=mode, rebill=rebill, currency=inv.currency, language=inv.language, discount=inv.discount,
        seller=snapshots.seller(ctx.settings), buyer=snapshots.buyer(session.get(m.Account, inv.account_id)),  # issue 15
        **{f"{side}_{k}": getattr(inv, f"{side}_{k}") for side in ("billing", "shipping") for k in ("street", "city", "postal_code", "state", "country")},
        **documents.totals_columns(totals),
    )
    session.add(note)
    session.flush()
    session.execute(sa.insert(rv.CreditNoteLine.__table__), [{"credit_note_id": note.id, "line_no": i, "unit_code": None, "base_quantity": None, **row}
                                                             for i, row in enumerate(rows, 1)])
    session.add(m.StatusChange(doc_type="credit_note", doc_id=note.id, old_status=None, new_status="created"))
    if rebill:
        # the usage it billed goes back too: the period's new invoice bills it again
        session.execute(sa.update(m.UsageRecord.__table__).where(m.UsageRecord.__table__.c.invoice_id == inv.id).values(invoice_id=None))
    session.flush()
    return credit_view(session, note)


def _check_deposit_creditable(session: Session, inv: m.Invoice, parts, amount) -> None:
    """A deposit invoice is credited whole, and only while no later invoice deducted any of it
    (else the customer would get it back twice: deducted, and refunded)."""
    if parts or amount is not None:
        raise Invalid(f"{inv.number} is a deposit invoice: it is credited whole (no --line or --amount)")
    il, cl = m.InvoiceLine.__table__, rv.CreditNoteLine.__table__
    deducted = session.execute(sa.select(sa.func.coalesce(sa.func.sum(il.c.net, type_=sa.BigInteger), 0)).where(
        il.c.deposit_invoice_id == inv.id, il.c.kind == "deduction")).scalar_one()
    given_back = session.execute(sa.select(sa.func.coalesce(sa.func.sum(cl.c.net, type_=sa.BigInteger), 0)).where(
        cl.c.deposit_invoice_id == inv.id, cl.c.kind == "deduction")).scalar_one()
    if deducted - given_back != 0:
        by = session.execute(sa.select(m.Invoice.number).join(il, il.c.invoice_id == m.Invoice.id).where(
            il.c.deposit_invoice_id == inv.id, il.c.kind == "deduction").order_by(m.Invoice.id)).scalars().all()
        raise Invalid(f"{inv.number} is a deposit already deducted by {', '.join(dict.fromkeys(by))}: "
                      f"credit that invoice first (its deduction comes back), then the deposit")


def _refuse_beyond_invoice(inv: m.Invoice, whole: pricing.Totals, earlier: list[pricing.Totals], totals: pricing.Totals) -> None:
    """A credit note never takes an invoice below zero, in total or at any rate (an invoice that
    deducted a deposit may hold less than its lines): what it deducted is credited with it whole."""
    left = pricing.remainder_totals(whole, earlier)
    room = planner.bases(left)
    over = totals.total > left.total or any(b.base > room.get((b.rate, b.name), ZERO) for b in totals.tax_breakdown)
    if over:
        raise OverQuantity(f"{inv.number}: a credit of {totals.total:.2f} is more than the {max(left.total, ZERO):.2f} left of it "
                           f"(what it deducted goes back only with the whole of it): credit it whole, or give a price reduction")


def _charge_tax(whole: pricing.Totals, lines: Sequence[m.InvoiceLine]) -> pricing.TaxRate | None:
    """The invoice's shipping tax: the rate of its breakdown none of its lines has (if any)."""
    of_lines = {t.key for ln in lines for t in documents.taxes_from_json(ln.taxes)}
    other = [b.tax for b in whole.tax_breakdown if (b.rate, b.name) not in of_lines]
    return other[0] if len(other) == 1 else None


def _reduction(inv: m.Invoice, whole: pricing.Totals, earlier: list[pricing.Totals], amount: Any, tax: str | None,
               lang: str | None) -> tuple[list[dict], pricing.Totals]:
    value = money(amount, "--amount")
    if value <= 0:
        raise Invalid(f"--amount is more than 0.00, got {fmt_money(value)}")
    bases = planner.bases(whole)
    left = planner.bases(pricing.remainder_totals(whole, earlier))
    keys = [k for k in bases if k is not None and bases[k] > 0] + ([None] if bases[None] > 0 else [])
    names = {(b.rate, b.name): b.tax for b in whole.tax_breakdown}
    if tax is not None:
        taxed = sorted({names[k].name for k in keys if k is not None})  # the taxes with a base over 0.00
        keys = [k for k in keys if k is not None and names[k].name == tax]
        if not keys:
            raise NotFound(f"{inv.number} has no base at a tax named {tax!r} (its taxes with a base: {', '.join(taxed) or 'none'})")
    if not keys:
        raise OverQuantity(f"{inv.number} has nothing left to credit")
    parts_ = shares.allocate(value, [bases[k] for k in keys])
    rows = []
    for k, share in zip(keys, parts_):
        if share > left.get(k, ZERO):
            what = f"{names[k].name} {plain(names[k].rate)} %" if k is not None else "no tax"
            raise OverQuantity(f"{inv.number}: a reduction of {share:.2f} at {what} is more than the {max(left.get(k, ZERO), ZERO):.2f} "
                               f"not yet credited at that rate")
        if share > 0:
            rows.append({
                "invoice_line_id": None, "order_line_id": None, "order_line_no": None, "product_id": None, "sku": "REDUCTION",
                "description": labels.reduction(lang, inv.number), "kind": "reduction", "quantity": Decimal(1), "unit_price": share,
                "discount": None, "net": share, "taxes": billed.taxes_json(names[k] if k is not None else None), "comment": None,
                "deposit_invoice_id": None,
            })
    totals = pricing.totals_from_nets([(row["net"], documents.taxes_from_json(row["taxes"])) for row in rows])
    return rows, totals
