"""core/identity.py: the identity numbers of sellers and customers, checked and normalised."""

from __future__ import annotations

import pytest

from orders_cli.core import identity
from orders_cli.core.errors import Invalid


@pytest.mark.parametrize(
    "check, raw, expected",
    [
        (identity.siren, "732 829 320", "732829320"),
        (identity.siren, "303265045", "303265045"),
        (identity.siret, "732 829 320 00074", "73282932000074"),
        (identity.vat_id, "fr 40 303 265 045", "FR40303265045"),
        (identity.vat_id, "DE136695976", "DE136695976"),
        (identity.vat_id, "PL5261040828", "PL5261040828"),
        (identity.vat_id, "EL094259216", "EL094259216"),
        (identity.vat_id, "GB980780684", "GB980780684"),
        (identity.vat_id, "CHE-107.787.577 IVA", "CHE107787577IVA"),
        (identity.iban, "fr14 2004 1010 0505 0001 3m02 606", "FR1420041010050500013M02606"),
        (identity.iban, "DE89 3704 0044 0532 0130 00", "DE89370400440532013000"),
        (identity.bic, "bnpafrpp", "BNPAFRPP"),
        (identity.bic, "BNPAFRPPXXX", "BNPAFRPPXXX"),
        (identity.country, "fr", "FR"),
        (identity.country, "PL", "PL"),
        (identity.electronic_address, "0009:73282932000074", "0009:73282932000074"),
        (identity.electronic_address, "invoices@example.com", "invoices@example.com"),
        (identity.electronic_address, "EM:invoices@example.com", "invoices@example.com"),
    ],
)
def test_valid_numbers_come_back_normalised(check, raw, expected):
    assert check(raw) == expected


@pytest.mark.parametrize("check", [identity.siren, identity.siret, identity.vat_id, identity.iban,
                                   identity.bic, identity.country, identity.electronic_address])
def test_empty_means_not_set(check):
    assert check("") == ""
    assert check("   ") == ""


@pytest.mark.parametrize(
    "check, raw, field, words",
    [
        (identity.siren, "732829321", "siren", "wrong check digit"),  # Luhn fails
        (identity.siren, "123456788", "siren", "wrong check digit"),
        (identity.siren, "12345678", "siren", "wrong length"),
        (identity.siren, "73282932A", "siren", "wrong format"),
        (identity.siret, "73282932000075", "siret", "wrong check digit"),
        (identity.siret, "7328293200007", "siret", "wrong length"),
        (identity.vat_id, "FR41303265045", "vat_id", "wrong check digit"),  # French key wrong
        (identity.vat_id, "DE136695977", "vat_id", "wrong check digit"),
        (identity.vat_id, "PL5261040829", "vat_id", "wrong check digit"),
        (identity.vat_id, "GB980780685", "vat_id", "wrong check digit"),
        (identity.vat_id, "303265045", "vat_id", "country prefix"),
        (identity.vat_id, "ZZ12345", "vat_id", "not a country code"),
        (identity.iban, "FR1420041010050500013M02607", "iban", "wrong check digit"),
        (identity.iban, "FR14200410100505", "iban", "not a valid IBAN"),
        (identity.bic, "BNPA1RPP", "bic", "wrong format"),
        (identity.bic, "BNPAZZPP", "bic", "BIC"),
        (identity.country, "XX", "country", "ISO 3166"),
        (identity.country, "EU", "country", "ISO 3166"),
        (identity.country, "FRA", "country", "ISO 3166"),
        (identity.electronic_address, "somewhere", "electronic_address", "4-digit EAS scheme"),
        (identity.electronic_address, "9:123", "electronic_address", "4-digit EAS scheme"),
    ],
)
def test_wrong_numbers_are_refused_naming_the_field(check, raw, field, words):
    with pytest.raises(Invalid) as info:
        check(raw)
    assert info.value.message.startswith(f"{field}: ")
    assert words in info.value.message
    assert "\n" not in info.value.message


def test_the_field_name_is_the_callers():
    with pytest.raises(Invalid, match=r"^company\.siren: '123456788' is not a valid SIREN"):
        identity.siren("123456788", "company.siren")
    with pytest.raises(Invalid, match=r"^'123456788' is not a valid SIREN"):
        identity.siren("123456788", None)


def test_siret_must_begin_with_the_siren():
    assert identity.siret("73282932000074", siren_="732829320") == "73282932000074"
    with pytest.raises(Invalid, match="siret: the SIRET 73282932000074 does not begin with the SIREN 303265045"):
        identity.siret("73282932000074", siren_="303265045")


def test_french_vat_number_must_carry_the_siren():
    assert identity.vat_id("FR40303265045", siren_="303265045") == "FR40303265045"
    with pytest.raises(Invalid, match="vat_id: the French VAT number FR40303265045 does not end with the SIREN 732829320"):
        identity.vat_id("FR40303265045", siren_="732829320")
    # a foreign number is not compared with a French SIREN
    assert identity.vat_id("DE136695976", siren_="732829320") == "DE136695976"


@pytest.mark.parametrize("bad", [42, None, ["FR"], "FR\x00", "F" * 101])
def test_not_text_is_refused(bad):
    with pytest.raises(Invalid, match="^country: "):
        identity.country(bad)
