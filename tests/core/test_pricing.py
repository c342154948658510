"""Tests of core/pricing.py: the totals rules of SPEC.md §2 and the remainder of §3."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orders_cli.core.errors import Invalid
from orders_cli.core.money import D
from orders_cli.core.pricing import (
    Discount,
    LineIn,
    TaxAmount,
    TaxRate,
    Totals,
    _allocate,
    document_totals,
    line_gross,
    line_net,
    parse_discount,
    remainder_totals,
    round_money,
    sum_totals,
)

VAT20 = TaxRate("VAT20", D("20"))
VAT55 = TaxRate("VAT5.5", D("5.5"))
VAT10 = TaxRate("VAT10", D("10"))
ECO = TaxRate("ECO", D("1.25"))
ZERO_RATE = TaxRate("EXEMPT", D("0"))
ALL_TAXES = (VAT20, VAT55, VAT10, ECO, ZERO_RATE)


def pct(p: str) -> Discount:
    return Discount("percent", D(p))


def amt(a: str) -> Discount:
    return Discount("amount", D(a))


def line(q: str, p: str, discount: Discount | None = None, *taxes: TaxRate) -> LineIn:
    return LineIn(D(q), D(p), discount, tuple(taxes))


def breakdown(t: Totals) -> dict[str, tuple[str, str]]:
    return {e.name: (str(e.base), str(e.amount)) for e in t.tax_breakdown}


def places_ok(x: Decimal) -> bool:
    return x == x.quantize(D("0.01")) and x.as_tuple().exponent == -2


def assert_consistent(t: Totals) -> None:
    assert t.total == t.subtotal - t.discount + t.shipping + t.tax + t.adjustment
    assert t.tax == sum((e.amount for e in t.tax_breakdown), D("0"))
    for x in (t.subtotal, t.discount, t.shipping, t.tax, t.adjustment, t.total):
        assert places_ok(x), x
    for e in t.tax_breakdown:
        assert places_ok(e.base) and places_ok(e.amount), e
    assert list(t.tax_breakdown) == sorted(t.tax_breakdown, key=lambda e: (e.rate, e.name))


# --------------------------------------------------------------------------- #
# The worked example of the brief
# --------------------------------------------------------------------------- #


def test_worked_example() -> None:
    t = document_totals(
        [
            line("3", "19.99", None, VAT55),  # BOOK
            line("1", "120.00", pct("15"), VAT20),  # CONSULT
        ]
    )
    assert t.line_nets == (D("59.97"), D("102.00"))
    assert t.subtotal == D("161.97")
    assert t.tax_breakdown == (
        TaxAmount("VAT5.5", D("5.5"), D("59.97"), D("3.30")),
        TaxAmount("VAT20", D("20"), D("102.00"), D("20.40")),
    )
    assert t.tax == D("23.70")
    assert t.total == D("185.67")
    assert_consistent(t)


# --------------------------------------------------------------------------- #
# Discounts: parsing and text
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    "text, expected",
    [
        (None, None),
        ("", None),
        ("  ", None),
        ("0", None),
        ("0%", None),
        ("0.00", None),
        ("10%", Discount("percent", D("10"))),
        (" 12.5 % ", Discount("percent", D("12.5"))),
        ("100%", Discount("percent", D("100"))),
        ("5", Discount("amount", D("5.00"))),
        ("5.00", Discount("amount", D("5"))),
        ("0.01", Discount("amount", D("0.01"))),
    ],
)
def test_parse_discount(text: str | None, expected: Discount | None) -> None:
    assert parse_discount(text) == expected


@pytest.mark.parametrize(
    "text", ["101%", "-5%", "-1", "5.001", "abc", "%", "1e400", "10%%"]
)
def test_parse_discount_refuses(text: str) -> None:
    with pytest.raises(Invalid):
        parse_discount(text)


def test_parse_discount_names_the_field() -> None:
    with pytest.raises(Invalid, match="line 2 discount"):
        parse_discount("150%", "line 2 discount")


@pytest.mark.parametrize(
    "discount, text",
    [
        (pct("10"), "10%"),
        (pct("12.50"), "12.5%"),
        (pct("100"), "100%"),
        (amt("5"), "5.00"),
        (amt("0.5"), "0.50"),
        (amt("1234.56"), "1234.56"),
    ],
)
def test_discount_text_round_trips(discount: Discount, text: str) -> None:
    assert discount.text() == text
    assert parse_discount(text) == discount


@pytest.mark.parametrize(
    "kind, value",
    [("percent", "100.01"), ("percent", "-1"), ("amount", "-0.01"), ("amount", "1.005"), ("other", "1")],
)
def test_discount_refuses_bad_values(kind: str, value: str) -> None:
    with pytest.raises(Invalid):
        Discount(kind, D(value))


# --------------------------------------------------------------------------- #
# Rounding and line nets
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    "x, expected",
    [
        ("0.125", "0.13"),
        ("0.124999", "0.12"),
        ("3.29835", "3.30"),
        ("2.675", "2.68"),
        ("1.005", "1.01"),
        ("-0.125", "-0.13"),
        ("10", "10.00"),
        ("0", "0.00"),
    ],
)
def test_round_money_half_up(x: str, expected: str) -> None:
    r = round_money(D(x))
    assert r == D(expected) and str(r) == expected


@pytest.mark.parametrize(
    "q, p, discount, gross, net",
    [
        ("1", "0.125", None, "0.125", "0.13"),
        ("3", "19.99", None, "59.97", "59.97"),
        ("2.5", "80", None, "200.0", "200.00"),
        ("3", "0.3333", None, "0.9999", "1.00"),
        ("1", "120.00", pct("15"), "120.00", "102.00"),
        ("3", "19.99", pct("10"), "59.97", "53.97"),  # 59.97 - 5.997 = 53.973
        ("1", "0.25", pct("50"), "0.25", "0.13"),  # 0.125 -> 0.13
        ("1", "10.00", pct("100"), "10.00", "0.00"),
        ("3", "10.00", amt("5.00"), "30.00", "25.00"),
        ("3", "10.00", amt("30.00"), "30.00", "0.00"),
        ("1", "0.125", amt("0.10"), "0.125", "0.03"),  # 0.025 -> 0.03
        ("0", "10.00", None, "0.00", "0.00"),
    ],
)
def test_line_gross_and_net(q: str, p: str, discount: Discount | None, gross: str, net: str) -> None:
    assert line_gross(D(q), D(p)) == D(gross)
    got = line_net(D(q), D(p), discount)
    assert got == D(net) and places_ok(got)


def test_tax_half_up_on_book_line() -> None:
    # 3 x 19.99 = 59.97; 5.5 % of it = 3.29835 -> 3.30
    t = document_totals([line("3", "19.99", None, VAT55)])
    assert breakdown(t) == {"VAT5.5": ("59.97", "3.30")}


# --------------------------------------------------------------------------- #
# Document totals
# --------------------------------------------------------------------------- #

CASES = [
    pytest.param(
        # overall percent discount: 0.5 % of 20.00 = 0.10; shares 0.075 -> 0.08 and
        # 0.025 -> 0.03 sum to 0.11, so the larger group (15.00) absorbs: 0.07.
        [line("1", "15", None, VAT20), line("1", "5", None, VAT55)],
        dict(discount=pct("0.5")),
        dict(subtotal="20.00", discount="0.10", tax="3.26", total="23.16"),
        {"VAT20": ("14.93", "2.99"), "VAT5.5": ("4.97", "0.27")},
        id="percent-discount-cent-to-larger-group",
    ),
    pytest.param(
        # the same with an amount discount, larger group listed second
        [line("1", "5", None, VAT55), line("1", "15", None, VAT20)],
        dict(discount=amt("0.10")),
        dict(subtotal="20.00", discount="0.10", tax="3.26", total="23.16"),
        {"VAT20": ("14.93", "2.99"), "VAT5.5": ("4.97", "0.27")},
        id="amount-discount-cent-to-larger-group",
    ),
    pytest.param(
        # amount 10.00 on 100.00 split 2/3 : 1/3 -> 6.67 / 3.33 exactly
        [line("2", "33.335", None, VAT20), line("1", "33.33", None, VAT10)],
        dict(discount=amt("10.00")),
        dict(subtotal="100.00", discount="10.00", tax="15.00", total="105.00"),
        {"VAT10": ("30.00", "3.00"), "VAT20": ("60.00", "12.00")},
        id="amount-discount-proportional",
    ),
    pytest.param(
        # worked example with 10 % overall: 16.20 -> shares 6.00 / 10.20
        [line("3", "19.99", None, VAT55), line("1", "120.00", pct("15"), VAT20)],
        dict(discount=pct("10")),
        dict(subtotal="161.97", discount="16.20", tax="21.33", total="167.10"),
        {"VAT5.5": ("53.97", "2.97"), "VAT20": ("91.80", "18.36")},
        id="worked-example-with-overall-percent",
    ),
    pytest.param(
        # shipping taxed at a charge tax no line carries: its own entry
        [line("1", "100", None, VAT55)],
        dict(shipping=D("10.00"), shipping_tax=VAT20),
        dict(subtotal="100.00", shipping="10.00", tax="7.50", total="117.50"),
        {"VAT5.5": ("100.00", "5.50"), "VAT20": ("10.00", "2.00")},
        id="shipping-own-tax",
    ),
    pytest.param(
        # shipping taxed at a tax a line carries: added to that base
        [line("1", "100", None, VAT20), line("1", "50", None, VAT55)],
        dict(shipping=D("9.99"), shipping_tax=VAT20),
        dict(subtotal="150.00", shipping="9.99", tax="24.75", total="184.74"),
        {"VAT20": ("109.99", "22.00"), "VAT5.5": ("50.00", "2.75")},
        id="shipping-shares-line-tax",
    ),
    pytest.param(
        # untaxed shipping
        [line("1", "100", None, VAT20)],
        dict(shipping=D("5")),
        dict(subtotal="100.00", shipping="5.00", tax="20.00", total="125.00"),
        {"VAT20": ("100.00", "20.00")},
        id="shipping-untaxed",
    ),
    pytest.param(
        # lines without a tax: in the subtotal, in no base; they still take a share
        [line("1", "30", None), line("1", "70", None, VAT20)],
        dict(discount=amt("10")),
        dict(subtotal="100.00", discount="10.00", tax="12.60", total="102.60"),
        {"VAT20": ("63.00", "12.60")},
        id="no-tax-lines",
    ),
    pytest.param(
        [line("2", "4.50")],
        dict(),
        dict(subtotal="9.00", tax="0.00", total="9.00"),
        {},
        id="no-tax-at-all",
    ),
    pytest.param(
        # negative adjustment rounds the total down
        [line("1", "99.99", None, VAT20)],
        dict(adjustment=D("-0.99")),
        dict(subtotal="99.99", tax="20.00", adjustment="-0.99", total="119.00"),
        {"VAT20": ("99.99", "20.00")},
        id="negative-adjustment",
    ),
    pytest.param(
        # two taxes on one line: both on the same base, no tax on tax
        [line("1", "100", None, VAT20, ECO), line("1", "10", None, VAT20)],
        dict(),
        dict(subtotal="110.00", tax="23.25", total="133.25"),
        {"ECO": ("100.00", "1.25"), "VAT20": ("110.00", "22.00")},
        id="multiple-taxes-on-a-line",
    ),
    pytest.param(
        # tax order on the line does not split the group
        [line("1", "10", None, ECO, VAT20), line("1", "10", None, VAT20, ECO)],
        dict(discount=amt("0.01")),
        dict(subtotal="20.00", discount="0.01", tax="4.25", total="24.24"),
        {"ECO": ("19.99", "0.25"), "VAT20": ("19.99", "4.00")},
        id="tax-order-irrelevant",
    ),
    pytest.param(
        # each rate rounded once on the document, not line by line
        # (line by line: 3 x round(0.026) + round(0.024) = 0.09 + 0.02 = 0.11)
        [line("1", "0.13", None, VAT20)] * 3 + [line("1", "0.12", None, VAT20)],
        dict(),
        dict(subtotal="0.51", tax="0.10", total="0.61"),
        {"VAT20": ("0.51", "0.10")},
        id="tax-rounded-once-per-rate",
    ),
    pytest.param(
        [line("1", "0", None, VAT20)],
        dict(discount=pct("10")),
        dict(subtotal="0.00", discount="0.00", tax="0.00", total="0.00"),
        {"VAT20": ("0.00", "0.00")},
        id="zero-subtotal-percent-discount",
    ),
    pytest.param(
        [],
        dict(shipping=D("4.90"), shipping_tax=VAT20),
        dict(subtotal="0.00", shipping="4.90", tax="0.98", total="5.88"),
        {"VAT20": ("4.90", "0.98")},
        id="shipping-only",
    ),
    pytest.param(
        [line("1", "50", None, VAT20)],
        dict(discount=amt("50")),
        dict(subtotal="50.00", discount="50.00", tax="0.00", total="0.00"),
        {"VAT20": ("0.00", "0.00")},
        id="discount-equals-subtotal",
    ),
    pytest.param(
        [line("1", "10", None, ZERO_RATE), line("1", "10", None, VAT20)],
        dict(),
        dict(subtotal="20.00", tax="2.00", total="22.00"),
        {"EXEMPT": ("10.00", "0.00"), "VAT20": ("10.00", "2.00")},
        id="zero-rate-is-listed",
    ),
]


@pytest.mark.parametrize("lines, kwargs, expected, taxes", CASES)
def test_document_totals(
    lines: list[LineIn], kwargs: dict, expected: dict[str, str], taxes: dict[str, tuple[str, str]]
) -> None:
    t = document_totals(lines, **kwargs)
    for field_name, value in expected.items():
        got = getattr(t, field_name)
        assert got == D(value), (field_name, got, value)
    assert breakdown(t) == taxes
    assert_consistent(t)


def test_tie_goes_to_first_group_in_key_order() -> None:
    # equal nets, 0.05 -> 0.025 each -> 0.03 + 0.03 = 0.06: the first group by
    # (rate, name) gives the cent back, whatever the line order.
    a = document_totals([line("1", "10", None, VAT20), line("1", "10", None, VAT55)], amt("0.05"))
    b = document_totals([line("1", "10", None, VAT55), line("1", "10", None, VAT20)], amt("0.05"))
    assert a.tax_breakdown == b.tax_breakdown
    assert breakdown(a)["VAT5.5"][0] == "9.98"
    assert breakdown(a)["VAT20"][0] == "9.97"


@pytest.mark.parametrize(
    "discount, nets, shares",
    [
        ("0.10", ["15.00", "5.00"], ["0.07", "0.03"]),
        ("0.05", ["10.00", "10.00"], ["0.02", "0.03"]),
        ("0.01", ["1.00", "1.00", "1.00"], ["0.01", "0.00", "0.00"]),
        ("0.02", ["1.00", "3.00", "1.00"], ["0.00", "0.02", "0.00"]),
        ("0.00", ["1.00", "3.00"], ["0.00", "0.00"]),
        ("0.00", ["0.00", "0.00"], ["0.00", "0.00"]),
        ("100.00", ["60.00", "40.00"], ["60.00", "40.00"]),
    ],
)
def test_allocate(discount: str, nets: list[str], shares: list[str]) -> None:
    got = _allocate(D(discount), [D(n) for n in nets])
    assert got == [D(s) for s in shares]
    assert sum(got, D("0")) == D(discount)


# --------------------------------------------------------------------------- #
# Refusals
# --------------------------------------------------------------------------- #


def test_refuses_line_discount_larger_than_gross() -> None:
    with pytest.raises(Invalid, match=r"discount 50\.00 is more than the line \(30\.00\)"):
        line_net(D("3"), D("10"), amt("50"))
    with pytest.raises(Invalid):
        document_totals([line("3", "10", amt("30.01"))])


def test_refuses_percent_over_100() -> None:
    with pytest.raises(Invalid):
        Discount("percent", D("100.5"))
    with pytest.raises(Invalid):
        parse_discount("120%")


def test_refuses_amount_discount_larger_than_subtotal() -> None:
    with pytest.raises(Invalid, match=r"more than the subtotal \(20\.00\)"):
        document_totals([line("2", "10", None, VAT20)], amt("20.01"))


def test_refuses_amount_discount_on_zero_subtotal() -> None:
    with pytest.raises(Invalid):
        document_totals([], amt("1"))
    assert document_totals([], pct("50")).discount == D("0")


def test_refuses_negative_shipping() -> None:
    with pytest.raises(Invalid, match="shipping"):
        document_totals([line("1", "10")], shipping=D("-1"))


@pytest.mark.parametrize(
    "call",
    [
        lambda: D(0.1),
        lambda: line_gross(0.5, D("1")),  # type: ignore[arg-type]
        lambda: line_net(D("1"), 19.99, None),  # type: ignore[arg-type]
        lambda: LineIn(1.5, D("1")),  # type: ignore[arg-type]
        lambda: TaxRate("VAT", 20.0),  # type: ignore[arg-type]
        lambda: Discount("percent", 10.0),  # type: ignore[arg-type]
        lambda: round_money(0.125),  # type: ignore[arg-type]
        lambda: document_totals([], shipping=4.9),  # type: ignore[arg-type]
        lambda: document_totals([], adjustment=-0.5),  # type: ignore[arg-type]
    ],
)
def test_refuses_floats(call) -> None:
    with pytest.raises(Invalid, match="float"):
        call()


@pytest.mark.parametrize(
    "call",
    [
        lambda: line_gross(D("-1"), D("1")),
        lambda: line_gross(D("1"), D("-1")),
        lambda: TaxRate("VAT", D("-1")),
        lambda: TaxRate("", D("20")),
        lambda: LineIn(D("1"), D("1"), None, (VAT20, VAT20)),
        lambda: document_totals([], adjustment=D("0.001")),
        lambda: document_totals([], shipping=D("1.999")),
    ],
)
def test_refuses_other_bad_input(call) -> None:
    with pytest.raises(Invalid):
        call()


# --------------------------------------------------------------------------- #
# Partial invoicing
# --------------------------------------------------------------------------- #


def _as_dict(t: Totals) -> dict:
    return {
        "subtotal": t.subtotal,
        "discount": t.discount,
        "shipping": t.shipping,
        "tax": t.tax,
        "adjustment": t.adjustment,
        "total": t.total,
        "taxes": {
            (e.name, e.rate): (e.base, e.amount)
            for e in t.tax_breakdown
            if e.base != 0 or e.amount != 0
        },
    }


def test_deposit_then_remainder_adds_up_to_the_order() -> None:
    # order: the worked example + 10 % overall discount + shipping 9.90 at VAT20
    lines = [line("3", "19.99", None, VAT55), line("1", "120.00", pct("15"), VAT20)]
    whole = document_totals(lines, pct("10"), D("9.90"), VAT20)
    # 30 % deposit: 0.9 x 19.99 and 0.3 x 120 with the same discounts; shipping on it
    deposit = document_totals(
        [line("0.9", "19.99", None, VAT55), line("0.3", "120.00", pct("15"), VAT20)],
        pct("10"),
        D("9.90"),
        VAT20,
    )
    last = remainder_totals(whole, [deposit])
    assert last.line_nets == ()
    assert_consistent(last)
    assert _as_dict(sum_totals([deposit, last])) == _as_dict(whole)
    assert last.shipping == D("0.00")
    assert last.total == whole.total - deposit.total


def test_remainder_of_nothing_is_the_whole() -> None:
    whole = document_totals([line("1", "10", None, VAT20)], shipping=D("1"), shipping_tax=VAT10)
    last = remainder_totals(whole, [])
    assert last.line_nets == ()
    assert _as_dict(last) == _as_dict(whole)
    assert last.tax_breakdown == whole.tax_breakdown


def test_sum_totals() -> None:
    a = document_totals([line("1", "10", None, VAT20)])
    b = document_totals([line("1", "5", None, VAT55), line("1", "2", None, VAT20)], shipping=D("3"))
    s = sum_totals([a, b])
    assert s.subtotal == D("17.00") and s.shipping == D("3.00")
    assert breakdown(s) == {"VAT5.5": ("5.00", "0.28"), "VAT20": ("12.00", "2.40")}
    assert s.line_nets == (D("10.00"), D("5.00"), D("2.00"))
    assert_consistent(s)
    empty = sum_totals([])
    assert empty.total == D("0") and empty.tax_breakdown == ()


# --------------------------------------------------------------------------- #
# Properties
# --------------------------------------------------------------------------- #


def _scaled(lo: int, hi: int, max_places: int) -> st.SearchStrategy[Decimal]:
    """Decimals built from integers: n / 10^k, never from floats."""
    return st.builds(
        lambda n, k: D(n).scaleb(-k),
        st.integers(lo, hi),
        st.integers(0, max_places),
    )


quantities = _scaled(1, 5000, 3)  # 0.001 .. 5000, e.g. 2.5
prices = _scaled(0, 2_000_000, 4)  # up to 4 places
percents = st.builds(lambda n: Discount("percent", D(n).scaleb(-2)), st.integers(1, 10000))
tax_sets = st.lists(st.sampled_from(ALL_TAXES), max_size=3, unique=True).map(tuple)


@st.composite
def lines_in(draw) -> LineIn:
    q, p = draw(quantities), draw(prices)
    kind = draw(st.sampled_from(["none", "percent", "amount"]))
    discount: Discount | None = None
    if kind == "percent":
        discount = draw(percents)
    elif kind == "amount":
        gross_cents = int((q * p * 100).to_integral_value(rounding="ROUND_FLOOR"))
        if gross_cents > 0:
            discount = Discount("amount", D(draw(st.integers(0, gross_cents))).scaleb(-2))
    return LineIn(q, p, discount, draw(tax_sets))


@st.composite
def documents(draw) -> dict:
    lines = draw(st.lists(lines_in(), max_size=6))
    subtotal = sum((line_net(l.quantity, l.unit_price, l.discount) for l in lines), D("0"))
    kind = draw(st.sampled_from(["none", "percent", "amount"]))
    discount: Discount | None = None
    if kind == "percent":
        discount = draw(percents)
    elif kind == "amount":
        discount = Discount("amount", D(draw(st.integers(0, int(subtotal * 100)))).scaleb(-2))
    return dict(
        lines=lines,
        discount=discount,
        shipping=D(draw(st.integers(0, 10_000))).scaleb(-2),
        shipping_tax=draw(st.none() | st.sampled_from(ALL_TAXES)),
        adjustment=D(draw(st.integers(-10_000, 10_000))).scaleb(-2),
    )


FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(documents())
def test_totals_always_add_up(doc: dict) -> None:
    t = document_totals(**doc)
    assert_consistent(t)
    assert t.subtotal == sum(t.line_nets, D("0"))
    assert len(t.line_nets) == len(doc["lines"])
    assert all(places_ok(n) for n in t.line_nets)
    assert D("0") <= t.discount <= t.subtotal
    # the discount shares add up: with every line in exactly one taxed group, the
    # bases (less shipping) add up to subtotal - discount
    if all(len(l.taxes) == 1 for l in doc["lines"]) and doc["shipping_tax"] is None:
        assert sum((e.base for e in t.tax_breakdown), D("0")) == t.subtotal - t.discount
    # tax is rounded once per rate
    for e in t.tax_breakdown:
        assert e.amount == round_money(e.base * e.rate / 100)


@FAST
@given(st.lists(_scaled(0, 10**7, 2).map(round_money), max_size=6), st.data())
def test_shares_add_up(nets: list[Decimal], data) -> None:
    subtotal = sum(nets, D("0"))
    discount = D(data.draw(st.integers(0, int(subtotal * 100)))).scaleb(-2)
    shares = _allocate(discount, nets)
    assert sum(shares, D("0")) == (discount if nets else 0)
    assert all(places_ok(s) for s in shares)


@FAST
@given(documents(), st.lists(st.integers(1, 9), max_size=3), st.data())
def test_remainder_completes_the_whole(doc: dict, tenths: list[int], data) -> None:
    whole = document_totals(**doc)
    parts = []
    for i, k in enumerate(tenths):
        f = D(k).scaleb(-1)
        part_lines = [
            LineIn(
                l.quantity * f,
                l.unit_price,
                l.discount if l.discount is None or l.discount.kind == "percent" else None,
                l.taxes,
            )
            for l in doc["lines"]
        ]
        first = i == 0
        discount = doc["discount"]
        if discount is not None and discount.kind == "amount" and not first:
            discount = None
        try:
            part = document_totals(
                part_lines,
                discount,
                doc["shipping"] if first else D("0"),
                doc["shipping_tax"],
                doc["adjustment"] if first else D("0"),
            )
        except Invalid:  # the amount discount exceeds this part: put it elsewhere
            part = document_totals(
                part_lines, None, doc["shipping"] if first else D("0"), doc["shipping_tax"]
            )
        parts.append(part)
    last = remainder_totals(whole, parts)
    assert last.line_nets == ()
    assert _as_dict(sum_totals([*parts, last])) == _as_dict(whole)
    assert last.total == last.subtotal - last.discount + last.shipping + last.tax + last.adjustment
    assert last.tax == sum((e.amount for e in last.tax_breakdown), D("0"))
