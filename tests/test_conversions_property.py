"""Partial conversions (SPEC.md §3) end to end, through the CLI in-process: a few examples.

The properties themselves (no line invoiced beyond its quantity, over-quantity refused, the
invoices adding up to the order to the cent and per tax rate, deliveries never beyond the
product quantities) run on the pure planner in tests/core/test_planner.py, hundreds of examples
in a few seconds. Here a few random orders go the whole way through the commands, with the
same assertions, to show the CLI, the database and the planner agree (numbering, stored
totals, `order show` progress, refusals that write nothing).

Random orders (fractional quantities, 4-place prices, line and overall discounts, shipping,
adjustment, maybe a tax on shipping) are invoiced in random partial steps (`--line N:QTY`,
`--percent P`, the default remainder) until nothing remains; likewise random partial
deliveries. Each example gets its own database: a copy of a catalog database built once.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import partial_steps
from conftest import build_template, clone_db, db_content, drop_db, ok, refused
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from partial_steps import SCALARS, fits_grid, prices, quantities, some_lines

D = Decimal
ZERO = D(0)

# sku -> (catalog price, is a service)
CATALOG = {
    "P20": ("10.00", False),  # VAT20
    "P55": ("19.99", False),  # VAT5.5
    "PMIX": ("8.90", False),  # VAT5.5 + VAT20 on one line
    "P10": ("0.33", False),  # VAT10
    "PNOTAX": ("4.00", False),  # no tax at all
    "SRV": ("120.00", True),  # a service, VAT20
}
SKUS = sorted(CATALOG)

_TEMPLATE: dict = {}


def _build_catalog() -> None:
    ok("tax", "add", "VAT20", "--rate", "20")
    ok("tax", "add", "VAT5.5", "--rate", "5.5")
    ok("tax", "add", "VAT10", "--rate", "10")
    ok("account", "add", "Acme Corp", "--shipping-city", "Lyon")
    ok("vendor", "add", "Supplier")
    for sku, tax in (("P20", ["VAT20"]), ("P55", ["VAT5.5"]), ("PMIX", ["VAT5.5", "VAT20"]), ("P10", ["VAT10"]), ("PNOTAX", [])):
        taxes = [a for t in tax for a in ("--tax", t)]
        ok("product", "add", sku, "--name", sku, "--price", CATALOG[sku][0], *taxes, "--vendor", "Supplier", "--cost", "1")
    ok("product", "add", "SRV", "--name", "Service", "--price", CATALOG["SRV"][0], "--tax", "VAT20", "--service")


def _template() -> str:
    """A migrated database holding the catalog, built once per session."""
    if "db" not in _TEMPLATE:
        base = Path(tempfile.mkdtemp(prefix="orders-prop-"))
        _TEMPLATE["db"], _TEMPLATE["base"] = build_template(base, _build_catalog, "catalog.db"), base
    return _TEMPLATE["db"]


@contextmanager
def _env(db: str | Path, config: Path):
    old = {k: os.environ.get(k) for k in ("ORDERS_DB", "ORDERS_CONFIG")}
    os.environ["ORDERS_DB"] = str(db)
    os.environ["ORDERS_CONFIG"] = str(config)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextmanager
def fresh_db():
    """A fresh copy of the catalog database and an empty settings file, for one example."""
    template = _template()
    d = Path(tempfile.mkdtemp(dir=_TEMPLATE["base"]))
    db = clone_db(template, str(d / "orders.db"))
    try:
        with _env(db, d / "config.toml"):
            yield
    finally:
        drop_db(db)
        shutil.rmtree(d, ignore_errors=True)


# ---------------------------------------------------------------- strategies

@st.composite
def order_specs(draw):
    from orders_cli.core import pricing

    n = draw(st.integers(1, 4))
    lines = []
    nets = []
    for _ in range(n):
        sku = draw(st.sampled_from(SKUS))
        qty = draw(quantities)
        price = draw(prices)
        unit = price if price is not None else D(CATALOG[sku][0])
        gross = qty * unit
        kind = draw(st.sampled_from(["none", "none", "percent", "amount"]))
        disc = ""
        if kind == "percent":
            disc = f"{D(draw(st.integers(1, 1000))).scaleb(-1)}%"
        elif kind == "amount" and gross >= D("0.01"):
            disc = str(D(draw(st.integers(1, int(gross * 100)))).scaleb(-2))
        price_text = "" if price is None else str(price)
        spec = f"{sku}:{qty}" + (f":{price_text}:{disc}" if disc else (f":{price_text}" if price_text else ""))
        lines.append(spec)
        nets.append(pricing.line_net(qty, unit, pricing.parse_discount(disc or None)))
    subtotal = sum(nets, ZERO)
    dkind = draw(st.sampled_from(["none", "percent", "amount"]))
    discount = None
    if dkind == "percent":
        discount = f"{D(draw(st.integers(1, 5000))).scaleb(-2)}%"
    elif dkind == "amount" and subtotal >= D("0.01"):
        discount = str(D(draw(st.integers(1, int(subtotal * 100)))).scaleb(-2))
    shipping = draw(st.one_of(st.none(), st.builds(lambda c: D(c).scaleb(-2), st.integers(0, 9999))))
    adjustment = draw(st.one_of(st.none(), st.builds(lambda c: D(c).scaleb(-2), st.integers(-999, 999))))
    charge_tax = draw(st.sampled_from([None, "VAT20", "VAT10", "VAT5.5"]))
    return {"lines": lines, "discount": discount, "shipping": shipping, "adjustment": adjustment, "charge_tax": charge_tax}


def create_order(spec) -> dict:
    if spec["charge_tax"]:
        ok("config", "set", "charges.tax", spec["charge_tax"])
    args = ["order", "add", "--subject", "Random", "--account", "Acme Corp"]
    for ln in spec["lines"]:
        args += ["--line", ln]
    if spec["discount"]:
        args += ["--discount", spec["discount"]]
    if spec["shipping"] is not None:
        args += ["--shipping-charge", str(spec["shipping"])]
    if spec["adjustment"] is not None:
        args += ["--adjustment", str(spec["adjustment"])]
    args.append("--json")
    return ok(*args).json()


# ---------------------------------------------------------------- sums


def totals_of(t: dict) -> dict:
    out = {k: D(t[k]) for k in SCALARS}
    out["breakdown"] = {(b["name"], D(b["rate"])): (D(b["base"]), D(b["amount"])) for b in t["tax_breakdown"] if (D(b["base"]), D(b["amount"])) != (0, 0)}
    return out


def add_up(totals: list[dict]) -> dict:
    return partial_steps.add_up(map(totals_of, totals))


def consistent(doc: dict) -> None:
    t = totals_of(doc["totals"])
    assert sum((D(ln["net"]) for ln in doc["lines"]), ZERO) == t["subtotal"], doc
    assert t["subtotal"] - t["discount"] + t["shipping"] + t["tax"] + t["adjustment"] == t["total"], doc
    assert sum((a for _, a in t["breakdown"].values()), ZERO) == t["tax"], doc


SETTINGS = settings(max_examples=3, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


# ---------------------------------------------------------------- invoices


@SETTINGS
@given(spec=order_specs(), data=st.data())
def test_partial_invoices_add_up_to_the_order(spec, data):
    with fresh_db():
        order = create_order(spec)
        no = order["number"]
        ordered = {ln["line_no"]: D(ln["quantity"]) for ln in order["lines"]}
        invoiced = {n: ZERO for n in ordered}
        invoices: list[dict] = []
        tried_over = False

        def check_progress():
            shown = ok("order", "show", no, "--json").json()
            for ln in shown["lines"]:
                got = D(ln["invoiced_quantity"])
                assert got == invoiced[ln["line_no"]]
                assert got <= D(ln["quantity"])
            return shown

        for _ in range(data.draw(st.integers(1, 6), label="steps")):
            remaining = {n: ordered[n] - invoiced[n] for n in ordered}
            open_lines = [n for n in ordered if remaining[n] > 0]
            if not open_lines:
                break
            if not tried_over and data.draw(st.booleans(), label="try over"):
                tried_over = True
                n = data.draw(st.sampled_from(sorted(ordered)), label="over line")
                before = db_content()
                refused("order", "convert", "invoice", no, "--line", f"{n}:{remaining[n] + D('0.001')}", "--json", error_code="over_quantity")
                max_p = min(remaining[k] / ordered[k] for k in ordered) * 100
                if max_p < 99:
                    refused("order", "convert", "invoice", no, "--percent", str(int(max_p) + 1), "--json", error_code="over_quantity")
                assert db_content() == before
            how = data.draw(st.sampled_from(["line", "line", "line", "line", "percent", "rest"]), label="how")
            args: list[str] = []
            if how == "line":
                for n in some_lines(open_lines, data.draw):
                    args += ["--line", f"{n}:{fits_grid(remaining[n], data.draw)}"]
            elif how == "percent":
                max_cents = int(min(remaining[n] / ordered[n] for n in ordered) * 10000)
                if max_cents < 1:
                    continue
                args = ["--percent", str(D(data.draw(st.integers(1, max_cents), label="percent")).scaleb(-2))]
            inv = ok("order", "convert", "invoice", no, *args, "--json").json()
            consistent(inv)
            for ln in inv["lines"]:
                invoiced[ln["line_no"]] += D(ln["quantity"])
            invoices.append(inv)
            check_progress()

        if any(invoiced[n] < ordered[n] for n in ordered):
            inv = ok("order", "convert", "invoice", no, "--json").json()
            consistent(inv)
            for ln in inv["lines"]:
                invoiced[ln["line_no"]] += D(ln["quantity"])
            invoices.append(inv)
        assert invoiced == ordered
        final = check_progress()
        refused("order", "convert", "invoice", no, "--json", error_code="over_quantity")

        assert [i["number"] for i in invoices] == [f"INV-{k:05d}" for k in range(1, len(invoices) + 1)]
        assert add_up([i["totals"] for i in invoices]) == totals_of(final["totals"])
        for ln in final["lines"]:
            nets = sum((D(il["net"]) for i in invoices for il in i["lines"] if il["line_no"] == ln["line_no"]), ZERO)
            assert nets == D(ln["net"])
        assert [D(i["totals"]["shipping"]) for i in invoices[1:-1]] == [ZERO] * max(len(invoices) - 2, 0)
        assert final["progress"]["invoiced_percent"] == "100"
        assert final["progress"]["invoiced_amount"] == final["totals"]["total"]


# ---------------------------------------------------------------- deliveries


@settings(max_examples=3, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(spec=order_specs(), data=st.data())
def test_partial_deliveries_never_exceed_the_order(spec, data):
    with fresh_db():
        order = create_order({**spec, "charge_tax": None})
        no = order["number"]
        ordered = {ln["line_no"]: D(ln["quantity"]) for ln in order["lines"]}
        products = {ln["line_no"] for ln in order["lines"] if ln["kind"] == "product"}
        delivered = {n: ZERO for n in ordered}
        made = 0
        for _ in range(data.draw(st.integers(0, 4), label="steps")):
            remaining = {n: ordered[n] - delivered[n] for n in products}
            open_lines = [n for n in sorted(products) if remaining[n] > 0]
            if not open_lines:
                break
            n = data.draw(st.sampled_from(open_lines), label="over line")
            refused("order", "convert", "delivery", no, "--line", f"{n}:{remaining[n] + D('0.001')}", "--json", error_code="over_quantity")
            if data.draw(st.booleans(), label="default"):
                args: list[str] = []
            else:
                args = [a for k in some_lines(open_lines, data.draw) for a in ("--line", f"{k}:{fits_grid(remaining[k], data.draw)}")]
            dn = ok("order", "convert", "delivery", no, *args, "--json").json()
            made += 1
            assert dn["number"] == f"DN-{made:05d}"
            for ln in dn["lines"]:
                assert ln["line_no"] in products
                delivered[ln["line_no"]] += D(ln["quantity"])
            shown = ok("order", "show", no, "--json").json()
            for ln in shown["lines"]:
                assert D(ln["delivered_quantity"]) == delivered[ln["line_no"]] <= D(ln["quantity"])
        services = sorted(set(ordered) - products)
        if services:
            refused("order", "convert", "delivery", no, "--line", f"{services[0]}:0.001", "--json", error_code="invalid")
        if any(delivered[n] < ordered[n] for n in products):
            ok("order", "convert", "delivery", no)
        before = db_content()
        refused("order", "convert", "delivery", no, "--json", error_code="over_quantity")
        assert db_content() == before
        shown = ok("order", "show", no, "--json").json()
        for ln in shown["lines"]:
            want = ln["quantity"] if ln["line_no"] in products else "0"
            assert ln["delivered_quantity"] == want
        assert shown["progress"]["delivered_percent"] == ("100" if products else "0")
