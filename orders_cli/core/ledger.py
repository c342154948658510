"""The books as pure rules: the balanced entry of an invoice, a credit note or a payment (French
PCG accounts), the chart of accounts the settings give, and the text of FEC fields.

- **Invoice** (journal ``VT`` Ventes): debit the customer (``accounting.customer``, 411000,
  auxiliary account ``accounting.customer_prefix`` + the account id on 5 digits) with the
  total; credit the line nets per kind (product 707000, service 706000, deposit and deduction
  419100: a deposit invoice credits it, the final invoice's negative deduction debits it);
  debit the document discount and allowances (709000); credit shipping and document charges
  (708500) and the adjustment (758000, signed); credit each VAT of the breakdown
  (``accounting.vat.<TAX>`` or ``accounting.vat``, 445710).
- **Credit note** (``VT`` too): the same, reversed; its ``reduction`` lines go to 709000.
- **Payment** (``BQ`` Banque): debit the bank (512000), credit the customer; a refund paid for a
  credit note the other way.

Every amount is signed (positive: debit); a negative one goes on the other side, so a
posting's debit and credit are never negative, and a zero one is left out. An entry that does
not balance is a bug: ``Entry`` refuses to exist.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Iterable

from .errors import Invalid

ZERO = Decimal("0.00")

# role -> (setting, default account, the PCG label of the default account)
ROLES: dict[str, tuple[str, str, str]] = {
    "customer": ("accounting.customer", "411000", "Clients"),
    "sales_goods": ("accounting.sales_goods", "707000", "Ventes de marchandises"),
    "sales_services": ("accounting.sales_services", "706000", "Prestations de services"),
    "deposits": ("accounting.deposits", "419100", "Clients - Avances et acomptes reçus sur commandes"),
    "discounts": ("accounting.discounts", "709000", "Rabais, remises et ristournes accordés par l'entreprise"),
    "charges": ("accounting.charges", "708500", "Ports et frais accessoires facturés"),
    "adjustment": ("accounting.adjustment", "758000", "Produits divers de gestion courante"),
    "vat": ("accounting.vat", "445710", "TVA collectée"),
    "bank": ("accounting.bank", "512000", "Banques"),
}
# the PCG class an account of each role must be in (its first digits)
ROLE_CLASSES: dict[str, tuple[str, ...]] = {
    "customer": ("411",), "sales_goods": ("7",), "sales_services": ("7",), "deposits": ("419",), "discounts": ("7",),
    "charges": ("7",), "adjustment": ("7", "6"), "vat": ("4457",), "bank": ("51",),
}
LINE_ROLE = {"product": "sales_goods", "service": "sales_services", "deposit": "deposits", "deduction": "deposits",
             "reduction": "discounts"}
JOURNALS = {"VT": "Ventes", "BQ": "Banque"}
_ACCOUNT = re.compile(r"\d{3,20}")
_AUX_PREFIX = re.compile(r"[A-Za-z0-9]{0,10}")


def check_account(value: object, role: str) -> str:
    """An account number for ``role``: digits only, 3 to 20 (the FEC's CompteNum), in its PCG class."""
    text = str(value if value is not None else "").strip()
    if not _ACCOUNT.fullmatch(text):
        raise Invalid(f"an account number is 3 to 20 digits (PCG), got {text[:40]!r}")
    classes = ROLE_CLASSES[role]
    if not text.startswith(classes):
        wanted = " or ".join(f"{c}..." for c in classes)
        raise Invalid(f"a {role.replace('_', ' ')} account starts with {wanted} (PCG class {classes[0][0]}), got {text!r}")
    return text


def check_aux_prefix(value: object) -> str:
    text = str(value if value is not None else "").strip()
    if not _AUX_PREFIX.fullmatch(text):
        raise Invalid(f"a customer prefix is at most 10 letters or digits, got {text[:40]!r}")
    return text


@dataclass(frozen=True)
class Chart:
    """The accounts of each role, and the VAT account of each tax name that has its own."""

    accounts: dict[str, str] = field(default_factory=lambda: {r: d for r, (_, d, _) in ROLES.items()})
    vat_by_tax: dict[str, str] = field(default_factory=dict)
    customer_prefix: str = "C"

    def of(self, role: str) -> str:
        return self.accounts.get(role) or ROLES[role][1]

    def vat_of(self, tax: str) -> str:
        return self.vat_by_tax.get(tax) or self.of("vat")

    def aux(self, account_id: int) -> str:
        return f"{self.customer_prefix}{account_id:05d}"

    def label(self, account: str) -> str:
        """The PCG label of an account: its role's (the first role using it), or by its class."""
        for role in ROLES:
            if self.of(role) == account:
                return ROLES[role][2]
        if account in self.vat_by_tax.values():
            return ROLES["vat"][2]
        return {"4": "Comptes de tiers", "5": "Comptes financiers", "6": "Charges", "7": "Produits"}.get(account[:1], "Compte")


@dataclass(frozen=True)
class Posting:
    account: str
    debit: Decimal
    credit: Decimal
    label: str
    aux: str = ""  # CompAuxNum (the customer's auxiliary account), on customer postings only
    aux_label: str = ""
    letter: str = ""  # EcritureLet
    letter_date: date | None = None  # DateLet

    @property
    def signed(self) -> Decimal:
        return self.debit - self.credit


@dataclass(frozen=True)
class Entry:
    journal: str
    day: date
    ref: str  # PieceRef: the document's number
    ref_day: date  # PieceDate
    label: str  # EcritureLib
    party: str  # the customer's name
    postings: tuple[Posting, ...]
    currency: str = "EUR"

    def __post_init__(self) -> None:
        debit = sum((p.debit for p in self.postings), ZERO)
        credit = sum((p.credit for p in self.postings), ZERO)
        if debit != credit:
            raise Invalid(f"the entry of {self.ref} does not balance: debit {debit} != credit {credit}")
        if any(p.debit < 0 or p.credit < 0 for p in self.postings):
            raise Invalid(f"the entry of {self.ref} has a negative debit or credit")

    @property
    def journal_label(self) -> str:
        return JOURNALS.get(self.journal, self.journal)


@dataclass(frozen=True)
class DocFacts:
    """What an entry of an invoice or a credit note is made of (amounts as stored, positive)."""

    kind: str  # invoice | credit
    number: str
    day: date
    account_id: int
    account_name: str
    currency: str
    line_nets: dict[str, Decimal]  # per line kind
    discount: Decimal
    shipping: Decimal
    allowances: Decimal
    charges: Decimal
    adjustment: Decimal
    taxes: tuple[tuple[str, Decimal], ...]  # (tax name, amount), in breakdown order
    total: Decimal
    letter: str = ""
    letter_date: date | None = None


@dataclass(frozen=True)
class PaymentFacts:
    number: str  # the invoice paid, or the credit note refunded
    day: date
    account_id: int
    account_name: str
    currency: str
    amount: Decimal
    refund: bool
    method: str = ""
    reference: str = ""
    letter: str = ""
    letter_date: date | None = None


def _postings(signed: Iterable[tuple[str, Decimal, str]], customer: tuple) -> tuple[Posting, ...]:
    """(account, signed amount, label) -> postings; the one labelled ``customer`` carries the
    auxiliary account and the letter (``customer`` = (label, aux, aux label, letter, letter date))."""
    out = []
    for account, amount, label in signed:
        if amount == 0:
            continue
        debit, credit = (amount, ZERO) if amount > 0 else (ZERO, -amount)
        if label == "customer":
            out.append(Posting(account, debit, credit, customer[0], customer[1], customer[2], customer[3], customer[4]))
        else:
            out.append(Posting(account, debit, credit, label))
    return tuple(out)


def document_entry(doc: DocFacts, chart: Chart) -> Entry:
    """The balanced VT entry of an invoice (or, reversed, of a credit note)."""
    sign = Decimal(1) if doc.kind == "invoice" else Decimal(-1)
    what = "Facture" if doc.kind == "invoice" else "Avoir"
    signed: list[tuple[str, Decimal, str]] = [(chart.of("customer"), doc.total, "customer")]
    roles: dict[str, Decimal] = {}
    for kind, net in doc.line_nets.items():
        role = LINE_ROLE.get(kind, "sales_goods")
        roles[role] = roles.get(role, ZERO) + net
    for role in ("sales_goods", "sales_services", "deposits"):
        if role in roles:
            signed.append((chart.of(role), -roles[role], f"{what} {doc.number} {ROLES[role][2]}"))
    signed.append((chart.of("discounts"), doc.discount + doc.allowances - roles.get("discounts", ZERO), f"{what} {doc.number} remises"))
    signed.append((chart.of("charges"), -(doc.shipping + doc.charges), f"{what} {doc.number} frais de port et frais"))
    signed.append((chart.of("adjustment"), -doc.adjustment, f"{what} {doc.number} ajustement"))
    for tax, amount in doc.taxes:
        signed.append((chart.vat_of(tax), -amount, f"{what} {doc.number} TVA {tax}"))
    signed = [(a, sign * v, label) for a, v, label in signed]
    label = f"{what} {doc.number} {doc.account_name}"
    customer = (label, chart.aux(doc.account_id), doc.account_name, doc.letter, doc.letter_date)
    return Entry("VT", doc.day, doc.number, doc.day, label, doc.account_name, _postings(signed, customer), doc.currency)


def payment_entry(pay: PaymentFacts, chart: Chart) -> Entry:
    """The balanced BQ entry of a payment received (or, reversed, of a refund paid)."""
    sign = Decimal(-1) if pay.refund else Decimal(1)
    what = "Remboursement" if pay.refund else "Règlement"
    how = " ".join(x for x in (pay.method, pay.reference) if x)
    label = f"{what} {pay.number}" + (f" {how}" if how else "")
    signed = [(chart.of("bank"), sign * pay.amount, label), (chart.of("customer"), -sign * pay.amount, "customer")]
    label = f"{label} {pay.account_name}"
    customer = (label, chart.aux(pay.account_id), pay.account_name, pay.letter, pay.letter_date)
    return Entry("BQ", pay.day, pay.number, pay.day, label, pay.account_name, _postings(signed, customer), pay.currency)


def letter_code(n: int) -> str:
    """The n-th lettering code (1 -> AA, 2 -> AB, ... 676 -> ZZ, 677 -> AAA, ...): an invoice's
    code is its id's, so the same invoice keeps its code from one export to the next."""
    if n < 1:
        raise Invalid("a lettering code is numbered from 1")
    k, width = n - 1, 2
    while k >= 26 ** width:
        k -= 26 ** width
        width += 1
    out = ""
    for _ in range(width):
        k, r = divmod(k, 26)
        out = chr(65 + r) + out
    return out


# ---------------------------------------------------------------- field text

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def field_text(value: object, max_len: int = 200) -> str:
    """Stored text as one field: tabs, line breaks and other control characters become one
    space (the FEC's field and record separators must not appear in a field), trimmed."""
    text = _CONTROL.sub(" ", str(value if value is not None else ""))
    return re.sub(r" {2,}", " ", text).strip()[:max_len]


def fec_amount(d: Decimal) -> str:
    """``1234,56``: two places, a comma decimal, no thousands separator."""
    return f"{d.quantize(Decimal('0.01')):f}".replace(".", ",")


def fec_date(day: date | None) -> str:
    return day.strftime("%Y%m%d") if day else ""


def latin9(text: str) -> str:
    """Text that ISO-8859-15 can hold: a character it has not loses its accent (NFKD), or
    becomes ``?``."""
    try:
        text.encode("iso-8859-15")
        return text
    except UnicodeEncodeError:
        pass
    out = []
    for ch in text:
        try:
            ch.encode("iso-8859-15")
            out.append(ch)
        except UnicodeEncodeError:
            base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
            try:
                base.encode("iso-8859-15")
                out.append(base or "?")
            except UnicodeEncodeError:
                out.append("?")
    return "".join(out)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def spreadsheet_cell(text: str) -> str:
    """The rule of ``cli/output.spreadsheet_cell`` (OWASP): text a spreadsheet would run as a
    formula (starting with = + - @) gets a leading ``'``; numbers stay as they are."""
    if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text
