"""The orders of the demo company, in several states. Looked up by subject first: idempotent."""

from __future__ import annotations

from sqlmodel import Session, select

from orders_cli.core.context import Context
from orders_cli.sales import edits, inputs, quotes
from orders_cli.sales.inputs import DocInput, LineInput
from orders_cli.store import schema as m
from orders_cli.store.documents import ORDER, QUOTE

# (the order, the statuses it goes through after created, finalized at the end)
ORDERS = [
    (DocInput("Réassort de printemps", "Café Müller", contact="Jürgen Müller", assigned_to="Chloé Martin", date="2026-10-05",
              lines=[LineInput("BOOK", "3"), LineInput("CONSULT", "1", "120.00", "15%")]), ["approved"], False),
    (DocInput("Commande Łódź – mugs et café", "Łódź Trading Sp. z o.o.", customer_ref="PO-ŁT-2026-117", date="2026-10-20",
              discount="5%", shipping_charge="25.00", lines=[LineInput("MUG", "48"), LineInput("COFFEE-1KG", "10", None, "5%")]),
     ["approved"], True),
    (DocInput("Affiches pour la brasserie", "Brasserie Léon", date="2026-11-02",
              lines=[LineInput("POSTER", "4"), LineInput("MUG", "12", None, "10.00")]), [], False),
    (DocInput("Commande annulée", "Café Müller", date="2026-11-10", lines=[LineInput("MUG", "2")]), ["cancelled"], False),
]
QUOTE_INPUT = DocInput("Aménagement de la boutique", "Boulangerie Dupré", contact="Élodie Dupré", date="2026-09-15",
                       lines=[LineInput("CONSULT", "8"), LineInput("MUG", "24")])


def fill(session: Session, ctx: Context) -> dict:
    made = {"orders": 0, "quotes": 0}
    if session.exec(select(m.Quote).where(m.Quote.subject == QUOTE_INPUT.subject)).first() is None:
        quote = inputs.create(session, ctx, QUOTE, QUOTE_INPUT)
        made["quotes"] += 1
        quotes.convert(session, ctx, quote.number, force=True)  # accepted back then: its 30 days may be over today
        made["orders"] += 1
    for inp, steps, finalized in ORDERS:
        if session.exec(select(m.SalesOrder).where(m.SalesOrder.subject == inp.subject)).first() is not None:
            continue
        doc = inputs.create(session, ctx, ORDER, inp)
        made["orders"] += 1
        for step in steps:
            edits.set_status(session, ctx, doc.number, step)
        if finalized:
            edits.finalize(session, ctx, doc.number)
    return made
