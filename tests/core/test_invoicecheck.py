"""core.invoicecheck: the rules every invoice keeps before it is written, as table tests."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from orders_cli.core import invoicecheck as ic
from orders_cli.core import pricing
from orders_cli.core.errors import InvoiceCheckFailed, OrdersError

D = Decimal
VAT20 = pricing.TaxRate("VAT20", D("20"))
VAT55 = pricing.TaxRate("VAT5.5", D("5.5"))


def line(q="2", p="10", disc=None, net=None, taxes=(VAT20,), order_line=None):
    q, p = D(q), D(p)
    if net is None:
        net = pricing.line_net(q, p, pricing.parse_discount(disc))
    return ic.Line(q, p, disc, D(net), taxes, order_line, "line 1 (W)")


def totals(lines, discount=None, shipping="0", charge=None, adjustment="0"):
    return pricing.totals_from_nets([(ln.net, ln.taxes) for ln in lines], pricing.parse_discount(discount), D(shipping), charge, D(adjustment))


def test_a_true_invoice_passes():
    lines = [line(), line("1", "19.99", "10%", taxes=(VAT55,))]
    ic.check_invoice("INV", lines, totals(lines, "5%", "7.00", VAT20, "-0.01"), VAT20)


def test_the_error_is_internal_not_a_refusal():
    assert not issubclass(InvoiceCheckFailed, OrdersError)


BAD_LINES = [
    ("negative quantity", line("-1", net="0"), "negative quantity"),
    ("negative price", line("1", "-1", net="0"), "negative unit price"),
    ("negative net", line("1", "100", net="-2290.00"), "negative net"),
    ("false net", line("2", "10", net="19.00"), "is 20.00, not 19.00"),
    ("not cents", line("1", "0.333", net="0.333"), "whole number of cents"),
    ("net over gross", line("1", "10", "5.00", net="6.00"), "is 5.00, not 6.00"),
]


@pytest.mark.parametrize("bad,message", [(b, m) for _, b, m in BAD_LINES], ids=[n for n, _, _ in BAD_LINES])
def test_false_lines(bad, message):
    t = pricing.Totals(bad.net, D("0.00"), D("0.00"), D("0.00"), D("0.00"), bad.net, ())
    with pytest.raises(InvoiceCheckFailed, match=message):
        ic.check_invoice("INV", [bad], t)


def _ok_totals():
    lines = [line()]
    return lines, totals(lines)


BAD_TOTALS = [
    ("subtotal", lambda t: replace(t, subtotal=t.subtotal + 1, total=t.total + 1), "not the sum of its lines"),
    ("total", lambda t: replace(t, total=t.total + 1), "is not subtotal - discount"),
    ("tax", lambda t: replace(t, tax=t.tax + 1, total=t.total + 1), "not the sum of its breakdown"),
    ("negative discount", lambda t: replace(t, discount=D("-5.00"), total=t.total + 5), "negative discount"),
    ("negative total", lambda t: replace(t, discount=D("20.00"), tax=D("-1.00"), total=D("-1.00"),
                                         tax_breakdown=(pricing.TaxAmount("VAT20", D("20"), D("-5.00"), D("-1.00")),)), "negative"),
    ("foreign rate", lambda t: replace(t, tax=t.tax + D("0.55"), total=t.total + D("0.55"),
                                       tax_breakdown=t.tax_breakdown + (pricing.TaxAmount("VAT5.5", D("5.5"), D("10.00"), D("0.55")),)),
     "rate of none of its lines"),
    ("false tax amount", lambda t: replace(t, tax=D("5.00"), total=t.subtotal + 5,
                                           tax_breakdown=(pricing.TaxAmount("VAT20", D("20"), t.subtotal, D("5.00")),)), "is not 20 %"),
]


@pytest.mark.parametrize("change,message", [(c, m) for _, c, m in BAD_TOTALS], ids=[n for n, _, _ in BAD_TOTALS])
def test_false_totals(change, message):
    lines, t = _ok_totals()
    with pytest.raises(InvoiceCheckFailed, match=message):
        ic.check_invoice("INV", lines, change(t))


def test_a_negative_total_only_as_far_as_a_negative_adjustment_goes():
    lines = [line("1", "0", net="0.00")]
    ic.check_invoice("INV", lines, totals(lines, adjustment="-5.00"))
    ic.check_invoice("INV", [line("1", "1")], totals([line("1", "1")], shipping="3.00", charge=VAT20), VAT20)  # the charge's rate


def _order(qty="4", price="10", earlier=()):
    whole = [line(qty, price, order_line=7)]
    return ic.OrderState({7: ic.OrderLineState(D(qty), whole[0].net, *earlier)}, totals(whole), ())


def test_against_the_order():
    order = _order()
    part = [line("1", "10", order_line=7)]
    ic.check_invoice("INV", part, totals(part), None, order)  # a quarter
    more = [line("5", "10", order_line=7)]
    with pytest.raises(InvoiceCheckFailed, match="more than its 4"):
        ic.check_invoice("INV", more, totals(more), None, order)
    done = ic.OrderState({7: ic.OrderLineState(D(4), D("40.00"), D(3), D("30.00"), 3)}, order.totals, (totals(part),) * 3)
    rest = [line("1", "10", net="10.04", order_line=7)]  # within a cent per part, but more than the line
    with pytest.raises(InvoiceCheckFailed, match="nets of 40.04 invoiced in all"):
        ic.check_invoice("INV", rest, totals(rest), None, done)
    short = [line("1", "10", net="9.99", order_line=7)]
    with pytest.raises(InvoiceCheckFailed, match="complete with nets of 39.99"):
        ic.check_invoice("INV", short, totals(short), None, done)
    ic.check_invoice("INV", part, totals(part), None, done)  # the last quarter: everything adds up
    foreign = [line("1", "10", order_line=8)]
    with pytest.raises(InvoiceCheckFailed, match="not a line of the order"):
        ic.check_invoice("INV", foreign, totals(foreign), None, order)


def test_a_part_of_a_line_may_differ_by_a_cent_per_part():
    whole = totals([line("3", "0.335")])
    order = ic.OrderState({7: ic.OrderLineState(D(3), D("1.01"), D(1), D("0.34"), 1)}, whole, (totals([line("1", "0.335", net="0.34")]),))
    ic.check_invoice("INV", [line("1", "0.335", net="0.34", order_line=7)], totals([line("1", "0.335", net="0.34")]), None, order)
    with pytest.raises(InvoiceCheckFailed, match="a net of 0.50"):
        ic.check_invoice("INV", [line("1", "0.335", net="0.50", order_line=7)], totals([line("1", "0.335", net="0.50")]), None, order)
