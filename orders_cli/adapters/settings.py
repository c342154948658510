"""Settings: one TOML file, read with tomllib, written with tomli-w.

Every key the tool knows is listed in ``KEYS`` with its validator and default;
anything else is refused, both by ``config set`` and when a hand-edited file is read.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from orders_cli.adapters import setting_checks as checks
from orders_cli.adapters.setting_values import (  # noqa: F401
    _text, _email, _currency, _language, _prefix, _port, _days, _choice, _bool, _day_list, _rate, _amount, _url, _optional_text, _stripped, _identity, _ledger_account, _aux_prefix,
)
from orders_cli.core import identity, ledger
from orders_cli.core.errors import Invalid, OrdersError

DOC_TYPES = ("quote", "order", "invoice", "purchase", "delivery", "credit")
DEFAULT_PREFIX = {"quote": "QT-", "order": "SO-", "invoice": "INV-", "purchase": "PO-", "delivery": "DN-", "credit": "CN-"}


@dataclass(frozen=True)
class Key:
    name: str
    check: Callable[[Any], Any]
    default: Any
    help: str
    # how a value already in the file is read, when it is laxer than ``check`` (values
    # written before the check existed are kept; ``orders config check`` names them)
    read: Callable[[Any], Any] | None = None


VAT_PREFIX = "accounting.vat."  # accounting.vat.<TAX>: one key per tax name (``_Keys``)
_TAX_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")


class _Keys(dict):
    """``KEYS``, which also knows the ``accounting.vat.<TAX>`` keys (any tax name) as VAT accounts."""

    def __contains__(self, name: object) -> bool:
        return super().__contains__(name) or self._dynamic(name) is not None

    def __missing__(self, name: str) -> Key:
        key = self._dynamic(name)
        if key is None:
            raise KeyError(name)
        return key

    @staticmethod
    def _dynamic(name: object) -> Key | None:
        if isinstance(name, str) and name.startswith(VAT_PREFIX) and _TAX_NAME.fullmatch(name[len(VAT_PREFIX):]):
            return Key(name, _ledger_account("vat"), "", f"VAT collected account of the tax {name[len(VAT_PREFIX):]} (4457...)")
        return None


_ACCOUNTING_HELP = {
    "customer": "Customers' account in the books (411...)",
    "sales_goods": "Sales of goods: product lines (7...)",
    "sales_services": "Sales of services: service lines (7...)",
    "deposits": "Advances received: deposit lines and their deductions (419...)",
    "discounts": "Discounts, allowances and the price reductions of credit notes (7...)",
    "charges": "Shipping and charges billed (7...)",
    "adjustment": "The adjustment of a document (7... or 6...)",
    "vat": "VAT collected, when the tax has no accounting.vat.<TAX> of its own (4457...)",
    "bank": "The bank, for payments and refunds (51...)",
}
_ACCOUNTING = [Key(key, _ledger_account(role), default, _ACCOUNTING_HELP[role]) for role, (key, default, _) in ledger.ROLES.items()]


KEYS: dict[str, Key] = _Keys({
    k.name: k
    for k in [
        Key("company.name", _text(200), "", "Your company's name, printed on documents"),
        Key("company.address", _text(500), "", "Your address (use \\n between lines)"),
        Key("company.email", _email, "", "Your e-mail address"),
        Key("company.vat_id", _identity(identity.vat_id), "",
            "Your VAT identification number with its country prefix (FR40303265045; a French key is checked "
            "against company.siren)", read=_text(50)),
        Key("company.siren", _identity(identity.siren), "", "Your SIREN, 9 digits (French companies)"),
        Key("company.siret", _identity(identity.siret), "",
            "Your SIRET, 14 digits: the SIREN and the establishment number"),
        Key("company.legal_form", _stripped(100), "", "Your legal form, e.g. SAS, SARL, EURL, EI"),
        Key("company.capital", _stripped(100), "", "Your share capital as printed, e.g. 10 000 EUR (companies)"),
        Key("company.rcs", _stripped(100), "", "The city of your trade register (RCS), e.g. Lyon"),
        Key("company.iban", _identity(identity.iban), "", "Your IBAN, printed for payments by transfer"),
        Key("company.bic", _identity(identity.bic), "", "Your bank's BIC (8 or 11 characters)"),
        Key("company.electronic_address", _identity(identity.electronic_address), "",
            "Your e-invoicing address: SCHEME:ID (0009:<SIRET>, 0225:<SIREN>) or an e-mail address"),
        Key("company.country", _identity(identity.country), "", "Your country, ISO 3166 code (FR)"),
        Key("company.logo", checks.logo, "", "Path to a PNG/JPEG logo for documents (checked when set; '' for none)",
            read=_text(1000)),
        Key("currency", _currency, "EUR", "ISO 4217 currency of new documents"),
        Key("language", _language, "en", "Default language of documents and subjects (one with document templates)"),
        Key("charges.tax", _optional_text, "", "Name of an existing tax applied to shipping charges (empty: untaxed)"),
        *[
            Key(f"numbering.{t}_prefix", _prefix, DEFAULT_PREFIX[t], f"Number prefix of {t} documents" if t != "credit" else "Number prefix of credit notes")
            for t in DOC_TYPES
        ],
        Key("quote.validity_days", _days, 30,
            "How long a new quote is valid: its valid-until date is the quote date + N days (0 to 3650; 0: no date)"),
        Key("invoice.due_days", _days, 30, "Payment term of invoices made from orders (due = date + N days)"),
        Key("invoice.late_penalty_rate", lambda v: checks.penalty_rate(_stripped(200)(v)), "12.15",
            "Late-payment penalty rate stated on invoices and reminders: % a year (12.15 = ECB rate 2.15 + 10 points, "
            "the rate when terms say nothing; from 0 to 100) or a text (\"three times the legal interest rate\")",
            read=_stripped(200)),
        Key("invoice.recovery_indemnity", lambda v: checks.indemnity(_amount(v)), "40.00",
            "Fixed indemnity for recovery costs stated on B2B invoices and reminders, EUR (0.00 to 10000.00)", read=_amount),
        Key("invoice.early_payment_discount", _stripped(200), "none", "Discount for early payment, as printed (text)"),
        Key("invoice.format", _choice("facturx", "plain"), "facturx",
            "facturx | plain: invoices and credit notes as Factur-X PDFs (PDF/A-3 with their EN 16931 XML) or plain PDFs"),
        Key("invoice.payment_means", _choice("transfer", "card", "cheque", "direct_debit", "cash", "other"), "transfer",
            "transfer | card | cheque | direct_debit | cash | other (transfer prints company.iban)"),
        Key("smtp.host", _text(255), "", "SMTP server host name"),
        Key("smtp.port", _port, 587, "SMTP server port"),
        Key("smtp.user", _text(255), "", "SMTP user name (password: ORDERS_SMTP_PASSWORD)"),
        Key("smtp.security", _choice("starttls", "ssl", "none"), "starttls", "starttls | ssl | none"),
        Key("smtp.sender", _email, "", "From address of outgoing mail"),
        Key("reminders.days", _day_list, [7, 15, 30],
            "Reminder levels: days after the due date (orders remind run), e.g. 7,15,30"),
        Key("reminders.penalty_rate", _rate, "12.15",
            "Older name of invoice.late_penalty_rate, read only when that one is not set"),
        Key("reminders.recovery_indemnity", lambda v: checks.indemnity(_amount(v)), "40.00",
            "Older name of invoice.recovery_indemnity, read only when that one is not set", read=_amount),
        Key("reminders.mention", _bool, True, "Reminders state the penalty rate and the recovery indemnity"),
        Key("templates.dir", checks.folder, "", "A folder overriding the shipped templates (an existing folder; '' for none)",
            read=_text(1000)),
        Key("portal.enabled", _bool, False, "Serve the customer portal (orders portal serve)"),
        Key("portal.url", _url, "http://127.0.0.1:8765", "Address customers reach the portal at (for the sign-in links)"),
        *_ACCOUNTING,
        Key("accounting.customer_prefix", _aux_prefix, "C",
            "Prefix of the customers' auxiliary accounts in the books (C: C00012), at most 10 letters or digits"),
    ]
})


# Seller data a lawful French invoice states (Code de commerce L441-9, R123-237; CGI 242 nonies A):
# the key and how ``config check`` and the invoice warnings name it.
LEGAL_SELLER_DATA = (
    ("company.name", "name"),
    ("company.address", "address"),
    ("company.siren", "SIREN"),
    ("company.vat_id", "VAT number"),
    ("company.legal_form", "legal form"),
    ("company.capital", "share capital"),
    ("company.rcs", "RCS city"),
    ("company.iban", "IBAN"),
    ("company.country", "country"),
)
# legal forms of a person trading in their own name: no share capital
_SOLE_TRADER_FORMS = {"EI", "EIRL", "MICRO-ENTREPRENEUR", "MICRO-ENTREPRISE", "AUTO-ENTREPRENEUR", "ENTREPRENEUR INDIVIDUEL",
                      "ENTREPRISE INDIVIDUELLE"}


def missing_seller_data(settings: Settings) -> list[dict[str, str]]:
    """What a lawful French invoice still misses among the seller's settings, in
    ``LEGAL_SELLER_DATA`` order: ``[{"key", "label", "problem"}]``, problem ``missing`` or
    ``invalid`` (a value written in the file before it was checked). Empty: nothing missing."""
    out: list[dict[str, str]] = []
    form = str(settings.get("company.legal_form") or "").strip().upper()
    for key, label in LEGAL_SELLER_DATA:
        if key == "company.capital" and form in _SOLE_TRADER_FORMS:
            continue
        if key == "company.iban" and settings.get("invoice.payment_means") != "transfer":
            continue
        value = settings.get(key)
        if not str(value or "").strip():
            out.append({"key": key, "label": label, "problem": "missing"})
            continue
        if KEYS[key].read is not None:
            try:
                KEYS[key].check(value)
            except Invalid:
                out.append({"key": key, "label": label, "problem": "invalid"})
    return out


def late_terms(settings: "Settings") -> dict[str, str]:
    """The late-payment terms an invoice states (Code de commerce L441-10): ``{"rate",
    "indemnity"}``. ``invoice.late_penalty_rate`` / ``invoice.recovery_indemnity`` when the file
    sets them, else the older ``reminders.*`` keys when it sets those, else the defaults: one
    figure for the invoice, its snapshot and the reminders that cite it."""
    out = {}
    for name, new, old in (("rate", "invoice.late_penalty_rate", "reminders.penalty_rate"),
                           ("indemnity", "invoice.recovery_indemnity", "reminders.recovery_indemnity")):
        values = getattr(settings, "values", {})
        out[name] = str(values[new] if new in values else values[old] if old in values else KEYS[new].default)
    return out


def _flatten(data: dict, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        else:
            out[name] = value
    return out


class Settings:
    """The settings file's values (validated), with defaults for what it does not set."""

    def __init__(self, path: Path, values: dict[str, Any]):
        self.path = path
        self.values = values

    def get(self, key: str) -> Any:
        if key not in KEYS:
            raise Invalid(checks.unknown_key(key, KEYS))
        return self.values.get(key, KEYS[key].default)

    def prefix(self, doc_type: str) -> str:
        return self.get(f"numbering.{doc_type}_prefix")

    def all(self) -> dict[str, Any]:
        return {name: self.get(name) for name in [*KEYS, *sorted(k for k in self.values if k not in dict.keys(KEYS))]}


def load(path: Path) -> Settings:
    if not path.exists():
        return Settings(path, {})
    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise Invalid(f"settings file {path} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise Invalid(f"cannot read settings file {path}: {exc.strerror}") from None
    values: dict[str, Any] = {}
    for name, value in _flatten(raw).items():
        if name not in KEYS:
            raise Invalid(f"settings file {path}: {checks.unknown_key(name, KEYS, then='')}")
        try:
            values[name] = (KEYS[name].read or KEYS[name].check)(value)
        except Invalid as exc:
            raise Invalid(f"settings file {path}: {name}: {exc.message}") from None
    return Settings(path, values)


def _agree(values: dict[str, Any], key: str) -> None:
    """The SIRET and a French VAT number must carry the SIREN (checked by ``set_value``)."""
    siren = values.get("company.siren") or ""
    hint = ' (to change both, first set the other to "")' if key == "company.siren" else ""
    siret = values.get("company.siret") or ""
    if siren and siret and key in ("company.siren", "company.siret") and siret[:9] != siren:
        raise Invalid(f"{key}: the SIRET {siret} does not begin with the SIREN {siren}{hint}")
    vat = re.sub(r"[\s.\-/]", "", str(values.get("company.vat_id") or "")).upper()
    if siren and vat.startswith("FR") and key in ("company.siren", "company.vat_id") and vat[4:] != siren:
        raise Invalid(f"{key}: the French VAT number {vat} does not end with the SIREN {siren}{hint}")


def checked(key: str, raw_value: Any, settings: "Settings | None" = None) -> Any:
    """One key's value as ``config set`` would store it (refused with the key named)."""
    if key not in KEYS:
        raise Invalid(checks.unknown_key(key, KEYS))
    try:
        value = KEYS[key].check(raw_value)
        if key == "language" and settings is not None:
            checks.language_with_templates(value, settings)
    except OrdersError as exc:  # the key named; a broken file names itself
        raise type(exc)(exc.message if exc.message.startswith("settings file ") else f"{key}: {exc.message}") from None
    return value


def set_value(path: Path, key: str, raw_value: str, refine: Callable[[str, Any], Any] | None = None) -> Any:
    """Validate and write one key (``refine(key, value)``, when given, checks the value further
    and may return it as it is to be stored); the file is replaced atomically."""
    settings = load(path)
    value = checked(key, raw_value, settings)
    if refine is not None:
        try:
            value = refine(key, value)
        except OrdersError as exc:
            raise type(exc)(f"{key}: {exc.message}") from None
    settings.values[key] = value
    _agree(settings.values, key)
    _write(path, settings.values)
    return value


def set_values(path: Path, raw: dict[str, Any], check_only: bool = False) -> dict[str, Any]:
    """Validate every key first, then write them all at once (the file replaced atomically)."""
    settings = load(path)
    stored = {key: checked(key, value, settings) for key, value in raw.items()}
    settings.values.update(stored)
    for key in stored:
        _agree(settings.values, key)
    if not check_only:
        _write(path, settings.values)
    return stored


def unset_value(path: Path, key: str) -> bool:
    """Remove one key from the file (its default applies again); False when it was not set."""
    if key not in KEYS:
        raise Invalid(checks.unknown_key(key, KEYS))
    settings = load(path)
    if key not in settings.values:
        return False
    del settings.values[key]
    _write(path, settings.values)
    return True


def _write(path: Path, values: dict[str, Any]) -> None:
    """The settings file holding ``values``, replaced atomically (a temporary file, then rename)."""
    import os
    import tempfile

    import tomli_w

    nested: dict[str, Any] = {}
    for name in sorted(values):
        # a tax name may hold a dot (VAT5.5), and accounting.vat is a value: accounting."vat.VAT5.5"
        parts = ["accounting", name[len("accounting."):]] if name.startswith(VAT_PREFIX) else name.split(".")
        node = nested
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = values[name]
    # top-level scalars must come before tables in TOML: tomli-w handles the ordering.
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".config-", suffix=".toml", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            tomli_w.dump(nested, fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_CACHE: dict[Path, Settings] = {}


def current() -> Settings:
    """The settings of this run (``--config`` / ``ORDERS_CONFIG`` / the user config dir)."""
    from orders_cli.adapters.env import ENV

    path = ENV.config_path()
    if path not in _CACHE:
        _CACHE[path] = load(path)
    return _CACHE[path]
