"""Issue 18, item 12, settings checked when set: ``charges.tax`` an existing tax, ``language``
one the document templates speak, ``company.logo`` a readable PNG/JPEG, ``templates.dir`` a
folder, every number in its range; ``config unset KEY``; a mistyped key answered with the
closest ones. Every refusal is one line, exit 1 (2 for usage), and the settings file is left
byte for byte as it was."""

from __future__ import annotations

import os
import tomllib
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
from conftest import ok, refused, run

from orders_cli.adapters.settings import KEYS


def config_file() -> Path:
    return Path(os.environ["ORDERS_CONFIG"])


def stored() -> dict:
    return tomllib.loads(config_file().read_text(encoding="utf-8")) if config_file().exists() else {}


def refused_unchanged(*args: str, code: int = 1) -> str:
    """``orders config ...`` refused in one line, the settings file as it was; returns stderr."""
    ok("config", "set", "company.rcs", "Lyon")  # a file that must stay as it was
    before = config_file().read_bytes()
    r = refused("config", *args, code=code)
    assert config_file().read_bytes() == before
    return r.err


def image(path: Path, kind: str) -> Path:
    from PIL import Image

    Image.new("RGB", (8, 8), (200, 30, 30)).save(path, kind)
    return path


# ---------------------------------------------------------------- charges.tax


def test_charges_tax_must_name_an_existing_tax():
    err = refused_unchanged("set", "charges.tax", "VAT20")
    assert err.startswith("error: charges.tax: no tax 'VAT20'") and "orders tax list" in err
    ok("tax", "add", "VAT20", "--rate", "20")
    ok("tax", "add", "VAT5.5", "--rate", "5.5")
    ok("config", "set", "charges.tax", "VAT5.5")
    assert ok("config", "get", "charges.tax").out == "VAT5.5\n"
    ok("config", "set", "charges.tax", "1")  # an id is a tax too: stored by its name
    assert stored()["charges"]["tax"] == "VAT20"
    ok("config", "set", "charges.tax", "")  # untaxed
    assert ok("config", "get", "charges.tax", "--json").json() == ""


# ---------------------------------------------------------------- language


def test_language_must_have_document_templates(tmp_path):
    err = refused_unchanged("set", "language", "de")
    assert err == (
        "error: language: no document templates in 'de' (labels in: en, fr); add a [de] table to labels.toml "
        "in templates.dir, or give the language per order (orders recur set --language)\n"
    )
    ok("config", "set", "language", "fr_CA")  # French labels serve fr_CA
    assert ok("config", "get", "language").out == "fr_CA\n"
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "labels.toml").write_text('[de]\ninvoice = "Rechnung"\n[zz]\ninvoice = "?"\n', encoding="utf-8")
    ok("config", "set", "templates.dir", str(tmp_path / "tpl"))
    ok("config", "set", "language", "de")  # now there are German labels
    assert ok("config", "get", "language").out == "de\n"
    assert "unknown language" in refused_unchanged("set", "language", "zz")  # labels, but no language at all


# ---------------------------------------------------------------- company.logo, templates.dir


def test_logo_must_be_a_readable_png_or_jpeg(tmp_path, monkeypatch):
    (tmp_path / "notes.txt").write_text("not an image", encoding="utf-8")
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    (tmp_path / "folder.png").mkdir()
    for value, says in [
        (str(tmp_path / "missing.png"), "no such logo file"),
        (str(tmp_path / "notes.txt"), "is not a PNG or JPEG image"),
        (str(tmp_path / "broken.png"), "is not a readable PNG or JPEG image"),
        (str(tmp_path / "folder.png"), "is a folder"),
    ]:
        err = refused_unchanged("set", "company.logo", value)
        assert err.startswith("error: company.logo: ") and says in err, err
    image(tmp_path / "logo.jpg", "JPEG")
    ok("config", "set", "company.logo", str(tmp_path / "logo.jpg"))
    image(tmp_path / "logo.png", "PNG")
    monkeypatch.chdir(tmp_path)
    ok("config", "set", "company.logo", "logo.png")  # a relative path is stored absolute: cron runs elsewhere
    assert stored()["company"]["logo"] == str(tmp_path / "logo.png")
    ok("config", "set", "company.logo", "")
    assert ok("config", "get", "company.logo").out == "\n"


def test_a_logo_gone_after_it_was_set_is_still_read(tmp_path):
    config_file().write_text(f'[company]\nlogo = "{tmp_path / "gone.png"}"\n', encoding="utf-8")
    assert ok("config", "get", "company.logo").out == f"{tmp_path / 'gone.png'}\n"


def test_templates_dir_must_be_a_folder(tmp_path):
    (tmp_path / "file").write_text("x", encoding="utf-8")
    assert "no such folder" in refused_unchanged("set", "templates.dir", str(tmp_path / "nowhere"))
    assert "is not a folder" in refused_unchanged("set", "templates.dir", str(tmp_path / "file"))
    ok("config", "set", "templates.dir", str(tmp_path))
    ok("config", "set", "templates.dir", "")


# ---------------------------------------------------------------- numbers in range

# Every key of the registry that holds a number (or numbers), with a value just outside its
# range on each side (typed without `--`: a negative number is a value) and one inside.
NUMERIC = {
    "smtp.port": ("0", "65536", "2525"),
    "invoice.due_days": ("-3", "3651", "45"),
    "quote.validity_days": ("-1", "3651", "60"),
    "reminders.days": ("-7,15", "7,15,3651", "10,20"),
    "reminders.penalty_rate": ("-1", "100.5", "10.5"),
    "invoice.late_penalty_rate": ("-5", "101 % a year", "12.15 % a year"),
    "invoice.recovery_indemnity": ("-1", "10000.01", "40"),
    "reminders.recovery_indemnity": ("-0.01", "20000", "45.50"),
}


def _numeric(default) -> bool:
    if isinstance(default, bool):
        return False
    if isinstance(default, (int, list)):
        return True
    try:
        return isinstance(default, str) and default != "" and Decimal(default).is_finite()
    except InvalidOperation:
        return False


def test_the_numeric_keys_are_all_listed():
    found = {name for name, key in dict.items(KEYS) if _numeric(key.default) and not name.startswith("accounting.")}
    assert found == set(NUMERIC)  # accounting.* numbers are account codes, checked by core/ledger


@pytest.mark.parametrize("key", sorted(NUMERIC))
def test_numbers_out_of_range_are_refused(key):
    low, high, fine = NUMERIC[key]
    for value in (low, high, "99999999", "NaN"):
        err = refused_unchanged("set", key, value)
        assert err.startswith(f"error: {key}: ") and err.count("\n") == 1, err
        assert "No such option" not in err
    ok("config", "set", key, fine)


def test_a_negative_number_needs_no_double_dash():
    r = refused("config", "set", "invoice.due_days", "-3")
    assert r.err == "error: invoice.due_days: expected a whole number of days from 0 to 3650, got '-3'\n"
    ok("config", "set", "invoice.late_penalty_rate", "three times the legal interest rate")  # a text is still a text


# ---------------------------------------------------------------- config unset


def test_unset_brings_the_default_back_and_keeps_the_others():
    ok("config", "set", "currency", "USD")
    ok("config", "set", "smtp.port", "2525")
    r = ok("config", "unset", "currency")
    assert r.out == "" and r.err == f"currency unset: the default 'EUR' applies (in {config_file()})\n"
    assert stored() == {"smtp": {"port": 2525}}
    assert ok("config", "get", "currency").out == "EUR\n"
    r = ok("config", "unset", "currency")  # again: nothing to do, and said so
    assert r.err == f"currency was not set: the default 'EUR' applies (in {config_file()})\n"
    assert stored() == {"smtp": {"port": 2525}}
    ok("config", "unset", "smtp.port")
    assert stored() == {}


def test_unset_a_vat_account_of_a_tax():
    ok("config", "set", "accounting.vat.VAT5.5", "445712")
    ok("config", "unset", "accounting.vat.VAT5.5")
    assert "accounting.vat.VAT5.5" not in ok("config", "show", "--json").json()


def test_unset_refusals():
    err = refused_unchanged("unset", "curency")
    assert err == "error: unknown setting 'curency'; did you mean currency? (orders config show lists them all)\n"
    refused_unchanged("unset", code=2)
    refused_unchanged("unset", "currency", "extra", code=2)


# ---------------------------------------------------------------- did you mean


@pytest.mark.parametrize("command", [("set", "smtp.prot", "25"), ("get", "smtp.prot"), ("unset", "smtp.prot")])
def test_a_mistyped_key_gets_the_closest_ones(command):
    err = refused_unchanged(*command)
    assert err.startswith("error: unknown setting 'smtp.prot'; did you mean smtp.port")
    assert err.endswith("? (orders config show lists them all)\n")


def test_a_key_like_none_is_just_unknown():
    assert refused_unchanged("get", "zzzzzz") == "error: unknown setting 'zzzzzz' (orders config show lists them all)\n"


def test_a_mistyped_key_in_the_file_is_named_with_the_closest():
    config_file().write_text('curency = "USD"\n', encoding="utf-8")
    r = refused("config", "show")
    assert r.err == f"error: settings file {config_file()}: unknown setting 'curency'; did you mean currency?\n"
    assert run("config", "set", "currency", "USD").code == 1
    assert config_file().read_text(encoding="utf-8") == 'curency = "USD"\n'
