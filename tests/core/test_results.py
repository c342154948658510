"""core.results.to_data: the one conversion of typed results into CLI.md's plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pytest

from orders_cli.core.money import Money, Price, Quantity, text_of
from orders_cli.core.pricing import TaxAmount, Totals
from orders_cli.core.results import OMIT, internal, to_data

S = {"category": "S", "exemption_reason": None, "exemption_code": None}  # a standard-rated breakdown entry



@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Money("12.5"), "12.50"),
        (Money("-0.10"), "-0.10"),
        (Price("10"), "10.00"),
        (Price("0.125"), "0.125"),
        (Quantity("2.50"), "2.5"),
        (Quantity("20"), "20"),
        (Decimal("5.50"), "5.5"),  # an untagged Decimal is written exactly, like a quantity
    ],
)
def test_tagged_decimals_are_written_by_their_kind(value, text):
    assert text_of(value) == text
    assert to_data(value) == text


def test_money_that_is_not_whole_cents_is_never_rounded():
    with pytest.raises(ValueError):
        to_data(Money("1.005"))


def test_tags_are_decimals_and_arithmetic_gives_plain_decimals():
    total = Money("1.10") + Money("2.20")
    assert total == Decimal("3.30") and type(total) is Decimal


@dataclass
class _Line:
    line_no: int
    quantity: Decimal
    unit_price: Decimal
    row_id: int = internal()


@dataclass
class _Doc:
    number: str
    when: date
    lines: list[_Line]
    totals: Totals
    quote_date: date = OMIT
    contact: dict | None = None
    extra: dict = field(default_factory=dict)


def test_dataclasses_become_dicts_in_field_order_without_omitted_or_internal_fields():
    totals = Totals(Money("10.00"), Money("0.00"), Money("0.00"), Money("2.00"), Money("0.00"), Money("12.00"),
                    (TaxAmount("VAT", Decimal("20"), Money("10.00"), Money("2.00")),), (Decimal("10.00"),))
    doc = _Doc("SO-00001", date(2026, 11, 28), [_Line(1, Quantity("2"), Price("5"), row_id=7)], totals)
    data = to_data(doc)
    assert list(data) == ["number", "when", "lines", "totals", "contact", "extra"]
    assert data["when"] == "2026-11-28"
    assert data["lines"] == [{"line_no": 1, "quantity": "2", "unit_price": "5.00"}]
    assert data["totals"] == {"subtotal": "10.00", "discount": "0.00", "shipping": "0.00", "tax": "2.00", "adjustment": "0.00",
                              "total": "12.00", "tax_breakdown": [{"name": "VAT", "rate": "20", "base": "10.00", "amount": "2.00", "category": "S", "exemption_reason": None, "exemption_code": None}],
                              "allowances": "0.00", "charges": "0.00", "allowances_charges": []}
    assert data["contact"] is None


def test_unknown_objects_are_refused_not_stringified():
    with pytest.raises(TypeError):
        to_data(object())
