"""Resolving the references a document names (account, contact, user, products, their tax
rates, the charge tax) once per transaction: a bulk import names the same few many times."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from orders_cli.core import pricing, text
from orders_cli.core.context import SettingsLike
from orders_cli.core.errors import Invalid
from orders_cli.parties.catalog import product_taxes, rate_for
from orders_cli.store import refs
from orders_cli.store import schema as m


class Resolver:
    """Looks references up once per transaction (a bulk import names the same few many times)."""

    def __init__(self, session: Session, settings: SettingsLike):
        """``settings``: the run's (``ctx.settings``): the currency and the charge tax."""
        self.session = session
        self.settings = settings
        self._accounts: dict[str, m.Account] = {}
        self._products: dict[str, tuple[m.Product, list[m.Tax]]] = {}
        self._rates: dict[tuple[int, str | None], Decimal] = {}
        self._contacts: dict[tuple[str, int], m.Contact] = {}
        self._users: dict[str, m.AppUser] = {}
        self._charge: dict[str | None, pricing.TaxRate | None] = {}
        self._line_taxes: dict[tuple[str, str | None], str] = {}
        # What a bulk import prepared already, by what it was made of (sales/inputs.py: a line
        # as given, a document's totals, a date or amount as written); forgotten when it grows.
        self.memo: dict[Any, Any] = {}

    MEMO_MAX = 10_000

    def remember(self, key: Any, value: Any) -> Any:
        if len(self.memo) > self.MEMO_MAX:
            self.memo.clear()
        self.memo[key] = value
        return value

    def account(self, ref: Any) -> m.Account:
        key = _ref_text(ref, "account")
        if key not in self._accounts:
            self._accounts[key] = refs.account(self.session, key)
        return self._accounts[key]

    def contact(self, ref: Any, account: m.Account) -> m.Contact:
        key = (_ref_text(ref, "contact"), account.id)
        if key not in self._contacts:
            self._contacts[key] = refs.contact(self.session, key[0], account.id)
        return self._contacts[key]

    def user(self, ref: Any) -> m.AppUser:
        key = _ref_text(ref, "assigned user")
        if key not in self._users:
            self._users[key] = refs.user(self.session, key)
        return self._users[key]

    def product(self, sku: str) -> tuple[m.Product, list[m.Tax]]:
        if sku not in self._products:
            product = refs.product(self.session, sku)
            self._products[sku] = (product, product_taxes(self.session, product.id))
        return self._products[sku]

    def taxes_text(self, sku: str, region: str | None) -> str:
        """The ``taxes`` column of a line of ``sku`` for an account of ``region``."""
        key = (sku, region)
        if key not in self._line_taxes:
            self._line_taxes[key] = json.dumps(self.taxes_of(self.product(sku)[1], region))
        return self._line_taxes[key]

    def quote_id(self, ref: str) -> int:
        """The id of the quote ``ref`` names (an order made from it links to it)."""
        return refs.document(self.session, m.Quote, ref, "quote").id

    def rate(self, tax: m.Tax, region: str | None) -> Decimal:
        key = (tax.id, region)
        if key not in self._rates:
            self._rates[key] = rate_for(self.session, tax, region)
        return self._rates[key]

    def tax_rate(self, tax: m.Tax, region: str | None) -> pricing.TaxRate:
        """The tax as a document applies it: the region's rate, the category and exemption."""
        return pricing.TaxRate(tax.name, self.rate(tax, region), tax.category or "S", tax.exemption_reason, tax.exemption_code)

    def taxes_of(self, taxes: list[m.Tax], region: str | None) -> list[dict]:
        return [self.tax_rate(t, region).snapshot() for t in taxes]

    def tax_named(self, name: str, region: str | None) -> pricing.TaxRate:
        """A tax named on the command line (an allowance's or a charge's), or ``Invalid``."""
        tax = self.session.exec(select(m.Tax).where(m.Tax.name == name)).first()
        if tax is None:
            raise Invalid(f"unknown tax {name!r} (orders tax list)")
        return self.tax_rate(tax, region)

    def charge_tax(self, region: str | None) -> pricing.TaxRate | None:
        if region not in self._charge:
            name = self.settings.get("charges.tax")
            if not name:
                self._charge[region] = None
            else:
                tax = self.session.exec(select(m.Tax).where(m.Tax.name == name)).first()
                if tax is None:
                    raise Invalid(f"the setting charges.tax names an unknown tax {name!r} (orders tax list)")
                self._charge[region] = self.tax_rate(tax, region)
        return self._charge[region]


def _ref_text(ref: Any, what: str) -> str:
    if isinstance(ref, dict):
        if ref.get("name") is not None:
            ref = ref["name"]
        elif ref.get("number") is not None:
            ref = ref["number"]
        elif ref.get("id") is not None:
            ref = ref["id"]
        else:
            raise Invalid(f"{what}: expected a name or an id")
    if isinstance(ref, bool) or not isinstance(ref, (str, int)):
        raise Invalid(f"{what}: expected a name or an id, got {type(ref).__name__}")
    value = text.clean(str(ref), what, 200, required=True)
    return value
