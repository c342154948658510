"""core.planner: partial invoices and delivery notes (SPEC.md §3) as pure rules.

Table tests of the refusals (with their exact messages) and of the rounding rules, and the
property tests of partial conversions, run on the planner alone (milliseconds per example):
random orders (fractional quantities, 4-place prices, line and overall discounts, shipping,
adjustment, maybe a tax on shipping) invoiced in random partial steps (``--line N:QTY``,
``--percent P``, the remainder) until nothing remains. No line is ever invoiced beyond its
quantity, an over-quantity step is refused, and at the end the invoices add up exactly, to the
cent and per tax rate, to the order. Likewise partial deliveries never exceed the product
quantities and services are never delivered. tests/test_conversions_property.py keeps a few
examples of each through the CLI.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import partial_steps
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from partial_steps import SCALARS, fits_grid, prices, quantities, some_lines

from orders_cli.core import invoicecheck, planner, pricing
from orders_cli.core.errors import Invalid, NotFound, OverQuantity

D = Decimal
ZERO = D(0)
VAT20 = pricing.TaxRate("VAT20", D("20"))
VAT55 = pricing.TaxRate("VAT5.5", D("5.5"))
VAT10 = pricing.TaxRate("VAT10", D("10"))

# sku -> (catalog price, kind, taxes)
CATALOG = {
    "P20": (D("10.00"), "product", (VAT20,)),
    "P55": (D("19.99"), "product", (VAT55,)),
    "PMIX": (D("8.90"), "product", (VAT55, VAT20)),
    "P10": (D("0.33"), "product", (VAT10,)),
    "PNOTAX": (D("4.00"), "product", ()),
    "SRV": (D("120.00"), "service", (VAT20,)),
}
SKUS = sorted(CATALOG)


def make_order(lines, discount=None, shipping=ZERO, adjustment=ZERO, charge=None, status="open", number="SO-00001"):
    """An order as sales makes it: lines (sku, quantity, unit price, line discount) -> nets and totals."""
    ins = []
    order_lines = []
    for i, (sku, qty, price, disc) in enumerate(lines, start=1):
        unit = price if price is not None else CATALOG[sku][0]
        kind, taxes = CATALOG[sku][1], CATALOG[sku][2]
        ins.append(pricing.LineIn(quantity=qty, unit_price=unit, discount=pricing.parse_discount(disc), taxes=taxes))
        order_lines.append((100 + i, i, sku, kind, qty, taxes))
    totals = pricing.document_totals(ins, pricing.parse_discount(discount), shipping, charge, adjustment)
    order = planner.Order(
        number=number,
        status=status,
        lines=tuple(planner.OrderLine(id_, no, sku, kind, qty, net, taxes)
                    for (id_, no, sku, kind, qty, taxes), net in zip(order_lines, totals.line_nets)),
        totals=totals,
        discount=discount,
        shipping=shipping,
        adjustment=adjustment,
    )
    # what core.invoicecheck needs besides the planner's view: each line's unit price and discount
    object.__setattr__(order, "prices", {100 + i: (price if price is not None else CATALOG[sku][0], disc)
                                         for i, (sku, _, price, disc) in enumerate(lines, start=1)})
    return order


class Books:
    """What the database would hold: the invoices made so far of one order."""

    def __init__(self, order: planner.Order, charge: pricing.TaxRate | None = None):
        self.order = order
        self.charge = charge
        self.invoices: list[planner.InvoicePlan] = []

    def invoiced(self) -> dict[int, Decimal]:
        out: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for inv in self.invoices:
            for p in inv.parts:
                out[p.line.id] += p.quantity
        return dict(out)

    def nets(self) -> dict[int, Decimal]:
        out: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for inv in self.invoices:
            for p in inv.parts:
                out[p.line.id] += p.net
        return dict(out)

    def take(self, parts=None, percent=None) -> planner.Take:
        return planner.invoice_quantities(self.order, self.invoiced(), parts, percent)

    def invoice(self, parts=None, percent=None) -> planner.InvoicePlan:
        take = self.take(parts, percent)
        plan = planner.plan_invoice(self.order, take, self.nets(), [i.totals for i in self.invoices], self.charge)
        # every plan passes the check the CLI makes before writing an invoice
        parts: dict[int, int] = defaultdict(int)
        for inv in self.invoices:
            for p in inv.parts:
                parts[p.line.id] += 1
        invoicecheck.check_plan("INV", self.order, plan, self.order.prices, self.invoiced(), self.nets(), parts,
                                [i.totals for i in self.invoices], self.charge)
        self.invoices.append(plan)
        return plan


def deliver(order, delivered, parts=None):
    plan = planner.plan_delivery(order, delivered, parts)
    for p in plan.parts:
        delivered[p.line.id] = delivered.get(p.line.id, ZERO) + p.quantity
    return plan


# ---------------------------------------------------------------- table tests: refusals


ORDER = make_order([("P20", D("3"), None, None), ("SRV", D("2.5"), None, None), ("P55", D("1"), None, None)])


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"parts": ["1:1"], "percent": "10"}, Invalid, "use --line or --percent, not both"),
        ({"parts": ["9:1"]}, NotFound, "SO-00001 has no line 9"),
        ({"parts": ["1:3.001"]}, OverQuantity, "SO-00001 line 1 (P20): 3.001 asked, only 3 left to invoice"),
        ({"parts": ["1:2", "1:2"]}, OverQuantity, "SO-00001 line 1 (P20): 4 asked, only 3 left to invoice"),
        ({"parts": ["x"]}, Invalid, "--line 'x': expected N:QTY (the order's line number and a quantity), e.g. 1:2.5"),
        ({"parts": ["9:1", "x"]}, NotFound, "SO-00001 has no line 9"),
        ({"percent": "0"}, Invalid, "--percent is between 0 (excluded) and 100, got 0"),
        ({"percent": "100.5"}, Invalid, "--percent is between 0 (excluded) and 100, got 100.5"),
        ({"percent": "33.333"}, Invalid, "--percent has at most 2 decimal places, got 33.333"),
        ({"percent": "abc"}, Invalid, "--percent: not a number: 'abc'"),
    ],
)
def test_invoice_refusals(kwargs, error, message):
    with pytest.raises(error) as exc:
        planner.invoice_quantities(ORDER, {}, kwargs.get("parts"), kwargs.get("percent"))
    assert type(exc.value) is error
    assert exc.value.message == message


def test_invoice_refusals_of_the_order_itself():
    with pytest.raises(Invalid, match=r"^SO-00001 is cancelled: nothing to invoice$"):
        planner.invoice_quantities(make_order([("P20", D(1), None, None)], status="cancelled"), {})
    with pytest.raises(Invalid, match=r"^SO-00001 has no lines to invoice$"):
        planner.invoice_quantities(planner.Order("SO-00001", "open", ()), {})
    with pytest.raises(OverQuantity, match=r"^SO-00001 is fully invoiced: nothing left to invoice$"):
        planner.invoice_quantities(ORDER, {101: D(3), 102: D("2.5"), 103: D(1)})
    with pytest.raises(OverQuantity, match=r"^SO-00001 line 1 \(P20\): 1 asked, only 0 left to invoice$"):
        planner.invoice_quantities(ORDER, {101: D(4)}, ["1:1"])  # more invoiced than ordered: never below 0 left


def test_percent_of_a_quantity_with_too_many_places_is_refused():
    order = make_order([("P20", D("0.0000000001"), D("1"), None)])
    with pytest.raises(Invalid) as exc:
        planner.invoice_quantities(order, {}, percent="50")
    assert exc.value.message == "--percent 50 of line 1 (0.0000000001) has more than 10 decimal places; invoice it with --line 1:QTY"


def test_percent_over_what_remains_is_refused():
    with pytest.raises(OverQuantity, match=r"^SO-00001 line 1 \(P20\): 1.5 asked, only 1 left to invoice$"):
        planner.invoice_quantities(ORDER, {101: D(2)}, percent="50")


@pytest.mark.parametrize(
    ("parts", "delivered", "error", "message"),
    [
        (["2:1"], {}, Invalid, "SO-00001 line 2 (SRV) is a service: services are not delivered"),
        (["9:1"], {}, NotFound, "SO-00001 has no line 9"),
        (["1:3.5"], {}, OverQuantity, "SO-00001 line 1 (P20): 3.5 asked, only 3 left to deliver"),
        (["1:1"], {101: D(3)}, OverQuantity, "SO-00001 line 1 (P20): 1 asked, only 0 left to deliver"),
        (None, {101: D(3), 103: D(1)}, OverQuantity, "SO-00001: nothing left to deliver (services are never delivered)"),
    ],
)
def test_delivery_refusals(parts, delivered, error, message):
    with pytest.raises(error) as exc:
        planner.plan_delivery(ORDER, delivered, parts)
    assert type(exc.value) is error
    assert exc.value.message == message


def test_delivery_refusals_of_the_order_itself():
    with pytest.raises(Invalid, match=r"^SO-00001 is cancelled: nothing to deliver$"):
        planner.plan_delivery(make_order([("P20", D(1), None, None)], status="cancelled"), {})
    with pytest.raises(OverQuantity, match=r"nothing left to deliver"):
        planner.plan_delivery(make_order([("SRV", D(1), None, None)]), {})


# ---------------------------------------------------------------- table tests: what is taken


def test_the_default_takes_what_remains_of_every_line():
    take = planner.invoice_quantities(ORDER, {101: D(1), 103: D(1)})
    assert take.wanted == {101: D(2), 102: D("2.5")}
    assert take.remaining == {101: D(2), 102: D("2.5"), 103: D(0)}
    assert take.percent is None


def test_parts_of_one_line_add_up_and_percent_takes_every_line():
    assert planner.invoice_quantities(ORDER, {}, ["1:1", "1:0.5"]).wanted == {101: D("1.5")}
    take = planner.invoice_quantities(ORDER, {}, percent="30")
    assert take.wanted == {101: D("0.9"), 102: D("0.75"), 103: D("0.3")}
    assert take.percent == D("30")


def test_a_delivery_takes_the_remaining_product_lines_only():
    plan = planner.plan_delivery(ORDER, {101: D(1)})
    assert [(p.line.line_no, p.quantity) for p in plan.parts] == [(1, D(2)), (3, D(1))]
    plan = planner.plan_delivery(ORDER, {}, ["3:0.5", "1:1"])
    assert [(p.line.line_no, p.quantity) for p in plan.parts] == [(1, D(1)), (3, D("0.5"))]  # in line order


def test_remaining_is_ordered_minus_taken():
    assert planner.remaining(ORDER.lines, {101: D("0.5")}) == {101: D("2.5"), 102: D("2.5"), 103: D(1)}


def test_the_last_part_of_a_line_takes_what_is_left_of_its_net():
    order = make_order([("P20", D(3), D("0.33"), None)])  # net 0.99: thirds of 0.33
    books = Books(order)
    assert [books.invoice(["1:1"]).parts[0].net for _ in range(2)] == [D("0.33"), D("0.33")]
    last = books.invoice()
    assert last.final and last.parts[0].net == D("0.33")
    order = make_order([("P20", D(3), D("0.335"), None)])  # net 1.01 (1.005 rounded up)
    books = Books(order)
    nets = [books.invoice(["1:1"]).parts[0].net, books.invoice(["1:1"]).parts[0].net, books.invoice().parts[0].net]
    assert nets == [D("0.34"), D("0.34"), D("0.33")] and sum(nets) == order.lines[0].net


def test_shipping_and_adjustment_go_on_the_first_invoice_an_amount_discount_by_subtotal():
    order = make_order([("P20", D(4), None, None)], discount="5.00", shipping=D("7.00"), adjustment=D("-0.50"), charge=VAT20)
    books = Books(order, VAT20)
    first = books.invoice(["1:1"]).totals
    assert (first.subtotal, first.discount, first.shipping, first.adjustment) == (D("10.00"), D("1.25"), D("7.00"), D("-0.50"))
    second = books.invoice(["1:1"]).totals
    assert (second.discount, second.shipping, second.adjustment) == (D("1.25"), D("0.00"), D("0.00"))
    last = books.invoice()
    assert last.final and last.totals == pricing.remainder_totals(order.totals, [first, second])


def test_an_amount_discount_is_shared_by_subtotal_so_the_last_invoice_keeps_true_bases():
    """All of it on the first invoice (the old rule) left the last one with a VAT20 base of 5.00
    and no VAT20 line, and a VAT5.5 base of 45.00 under a subtotal of 50.00 and no discount."""
    order = make_order([("P20", D(5), None, None), ("P55", D(1), D(50), None)], discount="10.00")
    books = Books(order)
    first = books.invoice(["1:5"]).totals
    assert (first.discount, [(b.name, b.base) for b in first.tax_breakdown]) == (D("5.00"), [("VAT20", D("45.00"))])
    last = books.invoice().totals
    assert (last.discount, [(b.name, b.base) for b in last.tax_breakdown if b.base]) == (D("5.00"), [("VAT5.5", D("45.00"))])
    order = make_order([("P20", D(4), None, None)], discount="40.00")  # the whole subtotal
    assert Books(order).invoice(["1:1"]).totals.total == D("0.00")


def test_a_percent_discount_applies_to_every_invoice():
    order = make_order([("P20", D(4), None, None)], discount="10%")
    books = Books(order)
    assert [books.invoice(["1:1"]).totals.discount for _ in range(2)] == [D("1.00"), D("1.00")]


# ---------------------------------------------------------------- strategies

@st.composite
def orders(draw, with_charge: bool = True):
    n = draw(st.integers(1, 4))
    lines = []
    nets = []
    for _ in range(n):
        sku = draw(st.sampled_from(SKUS))
        qty = draw(quantities)
        price = draw(prices)
        unit = price if price is not None else CATALOG[sku][0]
        gross = qty * unit
        kind = draw(st.sampled_from(["none", "none", "percent", "amount"]))
        disc = None
        if kind == "percent":
            disc = f"{D(draw(st.integers(1, 1000))).scaleb(-1)}%"
        elif kind == "amount" and gross >= D("0.01"):
            disc = str(D(draw(st.integers(1, int(gross * 100)))).scaleb(-2))
        lines.append((sku, qty, price, disc))
        nets.append(pricing.line_net(qty, unit, pricing.parse_discount(disc)))
    subtotal = sum(nets, ZERO)
    dkind = draw(st.sampled_from(["none", "percent", "amount"]))
    discount = None
    if dkind == "percent":
        discount = f"{D(draw(st.integers(1, 5000))).scaleb(-2)}%"
    elif dkind == "amount" and subtotal >= D("0.01"):
        discount = str(D(draw(st.integers(1, int(subtotal * 100)))).scaleb(-2))
    shipping = draw(st.builds(lambda c: D(c).scaleb(-2), st.integers(0, 9999)))
    adjustment = draw(st.builds(lambda c: D(c).scaleb(-2), st.integers(-999, 999)))
    charge = draw(st.sampled_from([None, VAT20, VAT10, VAT55])) if with_charge else None
    return make_order(lines, discount, shipping, adjustment, charge), charge


# ---------------------------------------------------------------- sums


def totals_of(t: pricing.Totals) -> dict:
    out = {k: getattr(t, k) for k in SCALARS}
    out["breakdown"] = {(b.name, b.rate): (b.base, b.amount) for b in t.tax_breakdown if (b.base, b.amount) != (0, 0)}
    return out


def add_up(totals: list[pricing.Totals]) -> dict:
    return partial_steps.add_up(map(totals_of, totals))


def consistent(plan: planner.InvoicePlan) -> None:
    t = totals_of(plan.totals)
    assert sum((p.net for p in plan.parts), ZERO) == t["subtotal"], plan
    assert t["subtotal"] - t["discount"] + t["shipping"] + t["tax"] + t["adjustment"] == t["total"], plan
    assert sum((a for _, a in t["breakdown"].values()), ZERO) == t["tax"], plan
    for v in (*(getattr(plan.totals, k) for k in SCALARS), *(p.net for p in plan.parts)):
        assert v == v.quantize(D("0.01")), plan  # every amount is whole cents


SETTINGS = settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


# ---------------------------------------------------------------- invoices


@SETTINGS
@given(spec=orders(), data=st.data())
def test_partial_invoices_add_up_to_the_order(spec, data):
    order, charge = spec
    books = Books(order, charge)
    ordered = {ln.line_no: ln.quantity for ln in order.lines}
    ids = {ln.line_no: ln.id for ln in order.lines}
    invoiced = {n: ZERO for n in ordered}
    tried_over = False

    def check_progress():
        got = books.invoiced()
        for n, qty in ordered.items():
            assert got.get(ids[n], ZERO) == invoiced[n] <= qty

    for _ in range(data.draw(st.integers(1, 6), label="steps")):
        remaining = {n: ordered[n] - invoiced[n] for n in ordered}
        open_lines = [n for n in ordered if remaining[n] > 0]
        if not open_lines:
            break
        if not tried_over and data.draw(st.booleans(), label="try over"):
            tried_over = True
            n = data.draw(st.sampled_from(sorted(ordered)), label="over line")
            before = len(books.invoices)
            with pytest.raises(OverQuantity):
                books.invoice([f"{n}:{remaining[n] + D('0.001')}"])
            max_p = min(remaining[k] / ordered[k] for k in ordered) * 100
            if max_p < 99:
                with pytest.raises(OverQuantity):
                    books.invoice(percent=str(int(max_p) + 1))
            assert len(books.invoices) == before
        how = data.draw(st.sampled_from(["line", "line", "line", "line", "percent", "rest"]), label="how")
        parts, percent = None, None
        if how == "line":
            parts = [f"{n}:{fits_grid(remaining[n], data.draw)}" for n in some_lines(open_lines, data.draw)]
        elif how == "percent":
            max_cents = int(min(remaining[n] / ordered[n] for n in ordered) * 10000)
            if max_cents < 1:
                continue
            percent = str(D(data.draw(st.integers(1, max_cents), label="percent")).scaleb(-2))
        inv = books.invoice(parts, percent)
        consistent(inv)
        for p in inv.parts:
            invoiced[p.line.line_no] += p.quantity
        check_progress()

    if any(invoiced[n] < ordered[n] for n in ordered):
        inv = books.invoice()
        consistent(inv)
        for p in inv.parts:
            invoiced[p.line.line_no] += p.quantity
    assert invoiced == ordered
    check_progress()
    with pytest.raises(OverQuantity):
        books.invoice()

    invoices = books.invoices
    assert [i.final for i in invoices] == [False] * (len(invoices) - 1) + [True]
    assert add_up([i.totals for i in invoices]) == totals_of(order.totals)
    nets = books.nets()
    for ln in order.lines:
        assert nets[ln.id] == ln.net
    assert [i.totals.shipping for i in invoices[1:-1]] == [ZERO] * max(len(invoices) - 2, 0)


# ---------------------------------------------------------------- deliveries


@SETTINGS
@given(spec=orders(with_charge=False), data=st.data())
def test_partial_deliveries_never_exceed_the_order(spec, data):
    order, _ = spec
    ordered = {ln.line_no: ln.quantity for ln in order.lines}
    ids = {ln.line_no: ln.id for ln in order.lines}
    products = {ln.line_no for ln in order.lines if ln.kind == "product"}
    delivered: dict[int, Decimal] = {}

    def done(n: int) -> Decimal:
        return delivered.get(ids[n], ZERO)

    for _ in range(data.draw(st.integers(0, 4), label="steps")):
        remaining = {n: ordered[n] - done(n) for n in products}
        open_lines = [n for n in sorted(products) if remaining[n] > 0]
        if not open_lines:
            break
        n = data.draw(st.sampled_from(open_lines), label="over line")
        before = dict(delivered)
        with pytest.raises(OverQuantity):
            deliver(order, delivered, [f"{n}:{remaining[n] + D('0.001')}"])
        assert delivered == before
        if data.draw(st.booleans(), label="default"):
            parts = None
        else:
            parts = [f"{k}:{fits_grid(remaining[k], data.draw)}" for k in some_lines(open_lines, data.draw)]
        plan = deliver(order, delivered, parts)
        for p in plan.parts:
            assert p.line.line_no in products
        for k in ordered:
            assert done(k) <= ordered[k]
    services = sorted(set(ordered) - products)
    if services:
        with pytest.raises(Invalid):
            deliver(order, delivered, [f"{services[0]}:0.001"])
    if any(done(k) < ordered[k] for k in products):
        deliver(order, delivered)
    before = dict(delivered)
    with pytest.raises(OverQuantity):
        deliver(order, delivered)
    assert delivered == before
    for k in ordered:
        assert done(k) == (ordered[k] if k in products else ZERO)
