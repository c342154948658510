"""core/subject.py: recurring invoice subject tokens (SPEC.md §4)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest

from orders_cli.core.errors import Invalid
from orders_cli.core.subject import check_language, render

MARCH = date(2026, 3, 1)


@pytest.mark.parametrize(
    "template, expected",
    [
        ("{YYYY}", "2026"),
        ("{YY}", "26"),
        ("{MM}", "03"),
        ("{MMM}", "March"),
        ("{DD}", "01"),
        ("{Q}", "1"),
        ("{YYYY}-{MM}-{DD}", "2026-03-01"),
        ("{MMM}{MM}{YY}{YYYY}", "March03262026"),
        ("no tokens at all", "no tokens at all"),
    ],
)
def test_every_token(template, expected):
    assert render(template, MARCH) == expected


@pytest.mark.parametrize(
    "d, expected",
    [
        (date(2026, 1, 1), "Q1 01 2026"),
        (date(2026, 3, 31), "Q1 03 2026"),
        (date(2026, 4, 1), "Q2 04 2026"),
        (date(2026, 6, 30), "Q2 06 2026"),
        (date(2026, 7, 15), "Q3 07 2026"),
        (date(2026, 9, 30), "Q3 09 2026"),
        (date(2026, 10, 1), "Q4 10 2026"),
        (date(2026, 12, 31), "Q4 12 2026"),
    ],
)
def test_quarter(d, expected):
    assert render("Q{Q} {MM} {YYYY}", d) == expected


@pytest.mark.parametrize(
    "d, expected",
    [(date(2009, 12, 5), "09 05"), (date(2000, 1, 9), "00 09"), (date(1999, 7, 31), "99 31")],
)
def test_two_digit_year_and_day_are_zero_padded(d, expected):
    assert render("{YY} {DD}", d) == expected


@pytest.mark.parametrize(
    "language, month, expected",
    [
        ("en", 3, "March"),
        ("en", 8, "August"),
        ("fr", 3, "mars"),
        ("fr", 2, "février"),
        ("fr", 8, "août"),
        ("fr", 12, "décembre"),
        ("de", 3, "März"),
        ("de", 12, "Dezember"),
        ("en_GB", 9, "September"),
        ("fr_CA", 1, "janvier"),
        ("de-CH", 3, "März"),
        ("FR", 7, "juillet"),
        ("", 3, "March"),
        (None, 3, "March"),
    ],
)
def test_month_names_in_language(language, month, expected):
    assert render("{MMM}", date(2026, month, 10), language=language) == expected


def test_spec_example_subject():
    template = "Maintenance {MMM} {YYYY} – Q{Q}"
    assert render(template, date(2026, 3, 1)) == "Maintenance March 2026 – Q1"
    assert render(template, date(2026, 3, 1), "fr") == "Maintenance mars 2026 – Q1"
    assert render(template, date(2026, 11, 30), "de") == "Maintenance November 2026 – Q4"


@pytest.mark.parametrize(
    "template",
    [
        "{FOO}",
        "{yyyy}",
        "{ YYYY }",
        "{MMMM}",
        "{Y}",
        "{}",
        "{",
        "}",
        "{YYYY",
        "YYYY}",
        "{{Q",
        "50% {off} {MM",
    ],
)
def test_unknown_tokens_and_unbalanced_braces_stay_as_written(template):
    assert render(template, MARCH) == template


def test_unknown_tokens_next_to_known_ones():
    assert render("{FOO} {MM} {BAR}{YY}} {", MARCH) == "{FOO} 03 {BAR}26} {"


@pytest.mark.parametrize("template", [None, "", "   ", "\t\n"])
def test_empty_template_gives_the_fallback(template):
    assert render(template, MARCH, "fr", fallback="Order subject") == "Order subject"
    assert render(template, MARCH) == ""


def test_month_name_only_needs_a_known_language_when_used():
    assert render("{MM}/{YYYY}", MARCH, language="xx") == "03/2026"
    with pytest.raises(Invalid):
        render("{MMM}", MARCH, language="xx")


@pytest.mark.parametrize(
    "code, expected",
    [("en", "en"), ("fr", "fr"), ("de", "de"), ("en_GB", "en_GB"), ("en-gb", "en_GB"), (" fr_FR ", "fr_FR"),
     ("DE", "de")],
)
def test_check_language_normalises(code, expected):
    assert check_language(code) == expected


@pytest.mark.parametrize("code", ["xx", "zz_ZZ", "en_XX", "", "  ", "123", "english", None, 3])
def test_check_language_refuses_unknown(code):
    with pytest.raises(Invalid) as exc:
        check_language(code)
    assert "unknown language" in exc.value.message


def test_import_does_not_load_babel():
    code = (
        "import sys, orders_cli.core; before = set(sys.modules); import orders_cli.core.subject; "
        "print(sorted(m for m in set(sys.modules) - before if m.split('.')[0] == 'babel'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
