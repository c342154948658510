"""The demo company: taxes with a region, accounts with accented names, vendors,
products and services, and (once they exist) orders. Idempotent: every record is
looked up by its natural key first, so a second run adds nothing."""

from __future__ import annotations

from sqlmodel import Session, select

from orders_cli.core.context import Context
from orders_cli.demo import orders as demo_orders
from orders_cli.parties import catalog
from orders_cli.store import schema as m

NEXT_STEPS = """\
Try next:
  orders account list
  orders product list
  orders order list
  orders order show SO-00001
  orders tax list --json"""

TAXES = [("VAT20", "20", {"overseas": "8.5"}), ("VAT5.5", "5.5", {"overseas": "2.1"}), ("VAT10", "10", {})]
VENDORS = [("Papeterie Lefèvre", "commandes@lefevre.example"), ("Kaffeerösterei Weiß", "bestellung@weiss.example")]
USERS = [("Chloé Martin", "chloe@atelier.example"), ("Paweł Nowak", "pawel@atelier.example")]
ACCOUNTS = [
    dict(name="Café Müller", email="hallo@cafe-mueller.example", phone="+33 3 88 00 00 01",
         billing={"street": "12 rue des Orfèvres", "city": "Strasbourg", "postal_code": "67000", "country": "FR"}),
    dict(name="Boulangerie Dupré", email="contact@dupre.example",
         billing={"street": "3 place de l'Église", "city": "Lyon", "postal_code": "69002", "country": "FR"},
         shipping={"street": "Zone artisanale, lot 7", "city": "Villeurbanne", "postal_code": "69100", "country": "FR"}),
    dict(name="Łódź Trading Sp. z o.o.", email="biuro@lodz-trading.example",
         billing={"street": "ul. Piotrkowska 100", "city": "Łódź", "postal_code": "90-001", "country": "PL"}),
    dict(name="Brasserie Léon", email="leon@brasserie.example", tax_region="overseas",
         billing={"street": "8 rue de Paris", "city": "Saint-Denis", "postal_code": "97400", "state": "La Réunion", "country": "FR"}),
]
CONTACTS = [("Jürgen Müller", "Café Müller", "j.mueller@cafe-mueller.example"), ("Élodie Dupré", "Boulangerie Dupré", "elodie@dupre.example")]
PRODUCTS = [
    dict(sku="BOOK", name="Livre d'or relié cuir", price="19.99", taxes=["VAT5.5"], vendor="Papeterie Lefèvre", cost="9.50", unit="piece"),
    dict(sku="COFFEE-1KG", name="Café en grains, 1 kg", price="24.50", taxes=["VAT5.5"], vendor="Kaffeerösterei Weiß", cost="13.20", unit="kg"),
    dict(sku="MUG", name="Mug émaillé", price="8.90", taxes=["VAT20"], vendor="Kaffeerösterei Weiß", cost="3.10", unit="piece"),
    dict(sku="POSTER", name="Affiche A2 « Café de Flore »", price="12.00", taxes=["VAT20"], unit="piece"),
    dict(sku="CONSULT", name="Conseil en aménagement", price="120.00", taxes=["VAT20"], service=True, unit="h"),
    dict(sku="MAINT", name="Maintenance machine à café (mois)", price="49.00", taxes=["VAT20"], service=True, unit="month"),
]


# Tables a fresh migrated database fills itself (the schema revision, the numbering counters).
_BOOKKEEPING = {"alembic_version", "sequence"}


def holds_records(session: Session) -> bool:
    """Whether the database already holds records (anything beyond what migrations write)."""
    import sqlalchemy as sa

    for table in m.SQLModel.metadata.sorted_tables:
        if table.name not in _BOOKKEEPING and session.exec(sa.select(sa.literal(1)).select_from(table).limit(1)).first():
            return True
    return False


def fill(session: Session, ctx: Context) -> dict:
    made = {"taxes": 0, "vendors": 0, "users": 0, "accounts": 0, "contacts": 0, "products": 0}
    for name, rate, regions in TAXES:
        if session.exec(select(m.Tax).where(m.Tax.name == name)).first() is None:
            catalog.add_tax(session, name, rate)
            made["taxes"] += 1
        tax = session.exec(select(m.Tax).where(m.Tax.name == name)).one()
        for region, region_rate in regions.items():
            if not session.exec(select(m.TaxRegionRate).where(m.TaxRegionRate.tax_id == tax.id, m.TaxRegionRate.region == region)).first():
                catalog.add_tax(session, name, region_rate, region)
    for name, email in VENDORS:
        if session.exec(select(m.Vendor).where(m.Vendor.name == name)).first() is None:
            catalog.add_vendor(session, name, email)
            made["vendors"] += 1
    for name, email in USERS:
        if session.exec(select(m.AppUser).where(m.AppUser.name == name)).first() is None:
            catalog.add_user(session, name, email)
            made["users"] += 1
    for acc in ACCOUNTS:
        if session.exec(select(m.Account).where(m.Account.name == acc["name"])).first() is None:
            catalog.add_account(session, acc["name"], acc.get("email"), acc.get("phone"), acc.get("tax_region"), acc.get("billing"), acc.get("shipping"))
            made["accounts"] += 1
    for name, account, email in CONTACTS:
        acc = session.exec(select(m.Account).where(m.Account.name == account)).one()
        if session.exec(select(m.Contact).where(m.Contact.account_id == acc.id, m.Contact.name == name)).first() is None:
            catalog.add_contact(session, name, account, email)
            made["contacts"] += 1
    for p in PRODUCTS:
        if session.exec(select(m.Product).where(m.Product.sku == p["sku"])).first() is None:
            catalog.add_product(session, p["sku"], p["name"], p["price"], p["taxes"], p.get("vendor"), p.get("service", False), p.get("unit"), p.get("cost"))
            made["products"] += 1
    made.update(demo_orders.fill(session, ctx))
    return made
