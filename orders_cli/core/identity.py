"""Identity numbers of the seller and the customers: SIREN, SIRET, VAT numbers, IBAN, BIC,
country codes and electronic addresses (EN 16931 BT-34/BT-49).

Each check takes the text as typed (spaces, dots and dashes allowed where the number's
own module allows them) and returns the normalised value (compact, upper case), or raises
``Invalid`` naming the field. An empty text means "not set" and returns ``""``.

Pure: python-stdnum for the check digits, Babel's territory list for the countries.
"""

from __future__ import annotations

import re
from functools import lru_cache

from orders_cli.core.errors import Invalid

__all__ = [
    "bic",
    "country",
    "electronic_address",
    "iban",
    "siren",
    "siret",
    "vat_id",
]

# Babel's territories hold regions and reserved codes besides the ISO 3166-1 countries.
_NOT_COUNTRIES = {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "ZZ"}


def _fail(field: str | None, message: str) -> Invalid:
    return Invalid(f"{field}: {message}" if field else message)


def _reason(exc: Exception) -> str:
    from stdnum.exceptions import (
        InvalidChecksum,
        InvalidComponent,
        InvalidFormat,
        InvalidLength,
    )

    if isinstance(exc, InvalidChecksum):
        return "wrong check digit"
    if isinstance(exc, InvalidLength):
        return "wrong length"
    if isinstance(exc, InvalidFormat):
        return "wrong format"
    if isinstance(exc, InvalidComponent):
        return "unknown or invalid part"
    return "invalid"


def _text(value: object, field: str | None, what: str) -> str:
    if not isinstance(value, str):
        raise _fail(field, f"expected {what} as text, got {value!r}")
    if len(value) > 100:
        raise _fail(field, f"{what}: at most 100 characters")
    if any(ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise _fail(field, f"{what}: control characters are not allowed")
    return value.strip()


def siren(value: object, field: str | None = "siren") -> str:
    """A French SIREN (9 digits, Luhn): ``"732 829 320"`` -> ``"732829320"``."""
    from stdnum.exceptions import ValidationError
    from stdnum.fr import siren as module

    text = _text(value, field, "a SIREN")
    if not text:
        return ""
    try:
        return module.validate(text)
    except ValidationError as exc:
        raise _fail(field, f"{text!r} is not a valid SIREN (9 digits): {_reason(exc)}") from None


def siret(value: object, field: str | None = "siret", siren_: str | None = None) -> str:
    """A French SIRET (14 digits: the SIREN and a 5-digit establishment number, Luhn);
    when ``siren_`` is given, its first 9 digits must be that SIREN."""
    from stdnum.exceptions import ValidationError
    from stdnum.fr import siret as module

    text = _text(value, field, "a SIRET")
    if not text:
        return ""
    try:
        number = module.validate(text)
    except ValidationError as exc:
        raise _fail(field, f"{text!r} is not a valid SIRET (14 digits): {_reason(exc)}") from None
    if siren_ and number[:9] != siren_:
        raise _fail(field, f"the SIRET {number} does not begin with the SIREN {siren_}")
    return number


def vat_id(value: object, field: str | None = "vat_id", siren_: str | None = None) -> str:
    """A VAT identification number with its country prefix (``FR40303265045``,
    ``DE136695976``, ``EL094259216``, ``GB980780684``, ``CHE107787577IVA``).

    EU numbers are checked by their country's rules (stdnum.eu.vat); others by the
    country's stdnum module when there is one, otherwise only their shape. A French
    number's key is checked, and when ``siren_`` is given its 9 last digits must be it."""
    import stdnum
    from stdnum.eu import vat as eu_vat
    from stdnum.exceptions import ValidationError

    text = _text(value, field, "a VAT number")
    if not text:
        return ""
    compact = re.sub(r"[\s.\-/]", "", text).upper()
    if not re.fullmatch(r"[A-Z]{2}[A-Z0-9]{2,16}", compact):
        raise _fail(field, f"{text!r} is not a VAT number: a 2-letter country prefix and 2 to 16 letters or digits (FR40303265045)")
    prefix = compact[:2]
    try:
        if prefix.lower() in eu_vat.MEMBER_STATES or prefix == "EL":
            number = eu_vat.validate(compact)
        else:
            if prefix not in _countries():
                raise _fail(field, f"{text!r}: {prefix} is not a country code")
            module = stdnum.get_cc_module(prefix.lower(), "vat")  # None: no module for that country
            if module is None:
                number = compact
            else:
                rest = module.validate(compact)
                number = rest if rest.startswith(prefix) else prefix + rest
    except ValidationError as exc:
        raise _fail(field, f"{text!r} is not a valid {prefix} VAT number: {_reason(exc)}") from None
    if prefix == "FR" and siren_ and number[4:] != siren_:
        raise _fail(field, f"the French VAT number {number} does not end with the SIREN {siren_}")
    return number


def iban(value: object, field: str | None = "iban") -> str:
    """An IBAN (ISO 13616, checksum and country length): returned compact, upper case."""
    from stdnum import iban as module
    from stdnum.exceptions import ValidationError

    text = _text(value, field, "an IBAN")
    if not text:
        return ""
    try:
        return module.validate(text)
    except ValidationError as exc:
        raise _fail(field, f"{text!r} is not a valid IBAN: {_reason(exc)}") from None


def bic(value: object, field: str | None = "bic") -> str:
    """A BIC (ISO 9362, 8 or 11 characters, a real country)."""
    from stdnum import bic as module
    from stdnum.exceptions import ValidationError

    text = _text(value, field, "a BIC")
    if not text:
        return ""
    try:
        number = module.validate(text)
    except ValidationError as exc:
        raise _fail(field, f"{text!r} is not a valid BIC (8 or 11 characters, like BNPAFRPP): {_reason(exc)}") from None
    if number[4:6] not in _countries():
        raise _fail(field, f"{text!r} is not a valid BIC: {number[4:6]} is not a country code")
    return number


@lru_cache(maxsize=1)
def _countries() -> frozenset[str]:
    from babel import Locale

    return frozenset(
        code for code in Locale("en").territories if re.fullmatch(r"[A-Z]{2}", code) and code not in _NOT_COUNTRIES
    )


def country(value: object, field: str | None = "country") -> str:
    """An ISO 3166-1 alpha-2 country code (``FR``, ``DE``, ``PL``); lower case accepted."""
    text = _text(value, field, "a country")
    if not text:
        return ""
    code = text.upper()
    if not re.fullmatch(r"[A-Z]{2}", code) or code not in _countries():
        raise _fail(field, f"{text!r} is not an ISO 3166 country code (2 letters: FR, DE, PL)")
    return code


_EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")


def electronic_address(value: object, field: str | None = "electronic_address") -> str:
    """An electronic address for e-invoicing (EN 16931 BT-34/BT-49): ``SCHEME:ID`` with a
    4-digit scheme of the EAS list (``0009:73282932000074`` a SIRET, ``0225:...`` the French
    directory, ``0088:...`` a GLN), or an e-mail address (scheme EM)."""
    text = _text(value, field, "an electronic address")
    if not text:
        return ""
    if text.upper().startswith("EM:") and _EMAIL.fullmatch(text[3:]):
        return text[3:]
    if re.fullmatch(r"\d{4}:[^\s:][^\s]{0,99}", text) or _EMAIL.fullmatch(text):
        return text
    raise _fail(field, f"{text!r} is not an electronic address: SCHEME:ID with a 4-digit EAS scheme (0009:73282932000074) or an e-mail address")

