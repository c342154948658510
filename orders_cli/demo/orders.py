"""The orders of the demo company, in several states. Looked up by subject first: idempotent."""

from __future__ import annotations

from sqlmodel import Session, select

from orders_cli.store import schema as m
from orders_cli.sales import orders as sales

ORDERS = [
    dict(subject="Réassort de printemps", account="Café Müller", contact="Jürgen Müller", assigned_to="Chloé Martin",
         lines=[("BOOK", "3", None, None), ("CONSULT", "1", "120.00", "15%")], status="approved", date="2026-10-05"),
    dict(subject="Commande Łódź – mugs et café", account="Łódź Trading Sp. z o.o.", customer_ref="PO-ŁT-2026-117",
         lines=[("MUG", "48", None, None), ("COFFEE-1KG", "10", None, "5%")], discount="5%", shipping_charge="25.00",
         status="approved", finalized=True, date="2026-10-20"),
    dict(subject="Affiches pour la brasserie", account="Brasserie Léon", lines=[("POSTER", "4", None, None), ("MUG", "12", None, "10.00")],
         date="2026-11-02"),
    dict(subject="Commande annulée", account="Café Müller", lines=[("MUG", "2", None, None)], status="cancelled", date="2026-11-10"),
]
QUOTE = dict(subject="Aménagement de la boutique", account="Boulangerie Dupré", contact="Élodie Dupré",
             lines=[("CONSULT", "8", None, None), ("MUG", "24", None, None)], date="2026-09-15")


def _input(spec: dict) -> sales.DocInput:
    return sales.DocInput(
        subject=spec["subject"],
        account=spec["account"],
        contact=spec.get("contact"),
        customer_ref=spec.get("customer_ref"),
        assigned_to=spec.get("assigned_to"),
        date=spec.get("date"),
        discount=spec.get("discount"),
        shipping_charge=spec.get("shipping_charge"),
        lines=[sales.LineInput(*line) for line in spec["lines"]],
    )


def fill(session: Session) -> dict:
    made = {"orders": 0, "quotes": 0}
    if session.exec(select(m.Quote).where(m.Quote.subject == QUOTE["subject"])).first() is None:
        quote = sales.create(session, sales.QUOTE, _input(QUOTE))
        made["quotes"] += 1
        sales.convert_quote(session, quote["number"])
        made["orders"] += 1
    for spec in ORDERS:
        if session.exec(select(m.SalesOrder).where(m.SalesOrder.subject == spec["subject"])).first() is not None:
            continue
        doc = sales.create(session, sales.ORDER, _input(spec))
        made["orders"] += 1
        status = spec.get("status", "created")
        path = {"approved": ["approved"], "delivered": ["approved", "delivered"], "cancelled": ["cancelled"]}.get(status, [])
        for step in path:
            sales.set_status(session, doc["number"], step)
        if spec.get("finalized"):
            sales.finalize(session, doc["number"])
    return made
