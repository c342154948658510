"""Property tests: random orders add up exactly, and ``order show --json | order add --from-json -``
reproduces them; bulk JSON imports (array, JSON lines) are one transaction."""

from __future__ import annotations

import json
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, localcontext

from conftest import PG, db_content, ok, refused
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_orders import catalog, catalog_template, fast_cli  # noqa: F401  (fixtures)

CENT = Decimal("0.01")
CATALOG_PRICES = {"BOOK": Decimal("19.99"), "CONSULT": Decimal("120.00"), "MUG": Decimal("8.50"), "GIFT": Decimal("25.00")}

# What must come back identical after a round trip.
LINE_KEYS = ("line_no", "sku", "description", "kind", "quantity", "unit_price", "discount", "net", "taxes", "comment")
DOC_KEYS = ("subject", "status", "finalized", "order_date", "currency", "account", "contact", "quote", "customer_ref",
            "assigned_to", "billing_address", "shipping_address", "discount", "shipping_charge", "adjustment", "totals")


def text(d: Decimal) -> str:
    return format(d, "f")


def floor_cents(d: Decimal) -> Decimal:
    return d.quantize(CENT, rounding=ROUND_DOWN)


def expected_net(quantity: Decimal, price: Decimal, discount: str | None) -> Decimal:
    """The oracle for SPEC.md §2 step 1, written independently of core.pricing."""
    with localcontext() as ctx:
        ctx.prec = 100
        gross = quantity * price
        if discount is None:
            off = Decimal(0)
        elif discount.endswith("%"):
            off = gross * Decimal(discount[:-1]) / 100
        else:
            off = Decimal(discount)
        return (gross - off).quantize(CENT, rounding=ROUND_HALF_UP)


@st.composite
def order_args(draw):
    account = draw(st.sampled_from(["Acme", "Reunion Co"]))
    args = ["--subject", draw(st.text(alphabet="abcdefgh ÉéüÇ-", min_size=1, max_size=20).filter(str.strip)), "--account", account]
    nets = []
    for _ in range(draw(st.integers(1, 5))):
        sku = draw(st.sampled_from(sorted(CATALOG_PRICES)))
        quantity = draw(st.one_of(
            st.integers(1, 40).map(Decimal),
            st.decimals(min_value=Decimal("0.001"), max_value=Decimal("500"), places=3),
            st.sampled_from([Decimal("2.5"), Decimal("0.25"), Decimal("1.5")]),
        ))
        price = draw(st.one_of(st.none(), st.decimals(min_value=0, max_value=Decimal("2000"), places=4)))
        unit = CATALOG_PRICES[sku] if price is None else price
        kind = draw(st.sampled_from(["none", "percent", "amount"]))
        discount = None
        if kind == "percent":
            discount = text(draw(st.decimals(min_value=Decimal("0.01"), max_value=100, places=2))) + "%"
        elif kind == "amount":
            amount = floor_cents(quantity * unit * draw(st.decimals(min_value=0, max_value=1, places=3)))
            discount = text(amount) if amount > 0 else None
        spec = f"{sku}:{text(quantity)}:{'' if price is None else text(price)}"
        if discount:
            spec += f":{discount}"
        args += ["--line", spec]
        nets.append(expected_net(quantity, unit, discount))
    subtotal = sum(nets, Decimal("0.00"))
    kind = draw(st.sampled_from(["none", "percent", "amount"]))
    if kind == "percent":
        args += ["--discount", text(draw(st.decimals(min_value=Decimal("0.01"), max_value=100, places=2))) + "%"]
    elif kind == "amount":
        amount = floor_cents(subtotal * draw(st.decimals(min_value=0, max_value=1, places=3)))
        if amount > 0:
            args += ["--discount", text(amount)]
    if draw(st.booleans()):
        args += ["--shipping-charge", text(draw(st.decimals(min_value=0, max_value=500, places=2)))]
    if draw(st.booleans()):
        args += ["--adjustment", text(draw(st.decimals(min_value=-50, max_value=50, places=2)))]
    return args, nets


def check_adds_up(o: dict) -> None:
    t = {k: Decimal(v) for k, v in o["totals"].items() if k not in ("tax_breakdown", "allowances_charges")}
    for key, value in o["totals"].items():
        if key not in ("tax_breakdown", "allowances_charges"):
            assert value == text(Decimal(value).quantize(CENT)), (key, value)
    assert sum((Decimal(ln["net"]) for ln in o["lines"]), Decimal(0)) == t["subtotal"]
    assert sum((Decimal(b["amount"]) for b in o["totals"]["tax_breakdown"]), Decimal(0)) == t["tax"]
    assert t["total"] == t["subtotal"] - t["discount"] + t["shipping"] + t["tax"] + t["adjustment"]
    assert Decimal(0) <= t["discount"] <= t["subtotal"]
    # the tax is rounded once per rate, on that rate's base
    for b in o["totals"]["tax_breakdown"]:
        assert Decimal(b["amount"]) == (Decimal(b["base"]) * Decimal(b["rate"]) / 100).quantize(CENT, rounding=ROUND_HALF_UP), b


def same_document(a: dict, b: dict) -> None:
    for key in DOC_KEYS:
        assert a[key] == b[key], (key, a[key], b[key])
    assert [{k: ln[k] for k in LINE_KEYS} for ln in a["lines"]] == [{k: ln[k] for k in LINE_KEYS} for ln in b["lines"]]


# the arithmetic is the backend's only through what it stores: 30 examples on SQLite, 10 on PostgreSQL
@settings(max_examples=10 if PG else 30, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(order=order_args())
def test_random_orders_add_up_and_round_trip(catalog, order):
    args, nets = order
    ok("config", "set", "charges.tax", "VAT20")
    made = ok("order", "add", "--json", *args).json()
    assert [Decimal(ln["net"]) for ln in made["lines"]] == nets
    check_adds_up(made)
    shown = ok("order", "show", made["number"], "--json")
    assert shown.json() == made
    imported = ok("order", "add", "--from-json", "-", "--json", stdin=shown.out).json()
    assert imported["imported"] == 1 and imported["first"] == imported["last"] != made["number"]
    again = ok("order", "show", imported["first"], "--json").json()
    same_document(made, again)
    check_adds_up(again)


# ---------------------------------------------------------------- bulk imports


def _three_documents() -> list[dict]:
    ok("order", "add", "--subject", "one", "--account", "Acme", "--line", "BOOK:3", "--line", "CONSULT:1:120.00:15%")
    ok("order", "add", "--subject", "two", "--account", "Reunion Co", "--contact", "Bob Roe", "--line", "CONSULT:2.5::100.00",
       "--discount", "5%", "--shipping-charge", "9.90", "--adjustment", "-0.40", "--date", "2026-03-01")
    ok("order", "add", "--subject", "three", "--account", "Acme", "--line", "MUG:7:8.1234:3%", "--line", "GIFT:1",
       "--shipping-street", "5 quai Ouest", "--shipping-city", "Lille")
    return [ok("order", "show", n, "--json").json() for n in ("SO-00001", "SO-00002", "SO-00003")]


def _check_imported(originals: list[dict], first: int) -> None:
    for i, original in enumerate(originals):
        same_document(original, ok("order", "show", f"SO-{first + i:05d}", "--json").json())


def test_import_an_array(catalog):
    docs = _three_documents()
    r = ok("order", "add", "--from-json", "-", "--json", stdin=json.dumps(docs, indent=2)).json()
    assert r == {"imported": 3, "first": "SO-00004", "last": "SO-00006"}
    _check_imported(docs, 4)


def test_import_json_lines_from_a_file(catalog, tmp_path):
    docs = _three_documents()
    path = tmp_path / "orders.jsonl"
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    r = ok("order", "add", "--from-json", str(path))
    assert "3" in r.err and "SO-00004" in r.err and "SO-00006" in r.err
    _check_imported(docs, 4)


def test_import_keeps_status_and_finalized(catalog):
    docs = _three_documents()
    ok("order", "status", "SO-00001", "approved")
    ok("order", "finalize", "SO-00001", "--yes")
    doc = ok("order", "show", "SO-00001", "--json").json()
    r = ok("order", "add", "--from-json", "-", "--json", stdin=json.dumps(doc)).json()
    copy = ok("order", "show", r["first"], "--json").json()
    assert copy["status"] == "approved" and copy["finalized"] is True
    same_document(doc, copy)
    refused("order", "edit", r["first"], "--subject", "x", "--json", error_code="locked")
    assert docs


def _bad(doc: dict) -> dict:
    bad = json.loads(json.dumps(doc))
    bad["lines"][0]["quantity"] = "-1"
    return bad


def test_a_bad_third_document_refuses_the_whole_import(catalog):
    docs = _three_documents()
    cases = {
        "array": json.dumps([docs[0], docs[1], _bad(docs[2])], indent=1),
        "jsonl": "\n".join(json.dumps(d) for d in (docs[0], docs[1], _bad(docs[2]))) + "\n",
        "jsonl-syntax": json.dumps(docs[0]) + "\n" + json.dumps(docs[1]) + "\n" + json.dumps(docs[2])[:-1] + "\n",
        "jsonl-unknown": "\n".join(json.dumps(d) for d in (docs[0], docs[1], dict(docs[2], colour="red"))) + "\n",
        "jsonl-float": "\n".join((json.dumps(docs[0]), json.dumps(docs[1]), json.dumps(docs[2]).replace('"quantity": "7"', '"quantity": 7.5'))),
    }
    for name, payload in cases.items():
        before = db_content()
        r = refused("order", "add", "--from-json", "-", stdin=payload)
        assert db_content() == before, name
        if name.startswith("jsonl"):
            assert "line 3" in r.err, (name, r.err)
        if name == "jsonl-float":
            assert "lines[1].quantity" in r.err, r.err
        if name == "jsonl-unknown":
            assert "colour" in r.err, r.err
    assert ok("order", "add", "--json", "--subject", "next", "--account", "Acme").json()["number"] == "SO-00004"


def test_a_bad_document_after_a_full_batch_still_refuses_everything(catalog):
    """import_json inserts in batches of 500: a refusal after the first batch rolls it back too."""
    good = {"subject": "bulk", "account": "Acme", "lines": [{"sku": "MUG", "quantity": "1"}]}
    payload = "".join(json.dumps(good) + "\n" for _ in range(520)) + json.dumps(dict(good, account="Nobody")) + "\n"
    before = db_content()
    r = refused("order", "add", "--from-json", "-", stdin=payload)
    assert "line 521" in r.err and "Nobody" in r.err
    assert db_content() == before
    r = ok("order", "add", "--from-json", "-", "--json", stdin=payload.rsplit("\n", 2)[0] + "\n").json()
    assert r == {"imported": 520, "first": "SO-00001", "last": "SO-00520"}


class _Trickle:
    """A stream that hands out a few characters per read, to cut documents at every position."""

    def __init__(self, text: str, size: int):
        self.text, self.size, self.pos = text, size, 0

    def read(self, _n: int = -1) -> str:
        chunk = self.text[self.pos:self.pos + self.size]
        self.pos += len(chunk)
        return chunk


@settings(max_examples=25, deadline=None, database=None)
@given(size=st.integers(1, 40), indent=st.sampled_from([None, 1, 2]), as_array=st.booleans())
def test_documents_cut_anywhere_by_a_read_are_parsed_whole(size, indent, as_array):
    from orders_cli.sales.imports import iter_json_documents

    docs = [
        {"subject": "a \\\" b", "account": {"id": 1, "name": "Acme"}, "lines": [{"sku": "BOOK", "quantity": "2.5", "unit_price": "19.9900"}],
         "finalized": True, "contact": None, "n": -12345},
        {"subject": "é ü", "account": "Acme", "lines": []},
    ] * 3
    if as_array:
        payload = json.dumps(docs, indent=indent, ensure_ascii=False)
    else:
        payload = "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs)
    assert [doc for _, doc in iter_json_documents(_Trickle(payload, size), "t")] == docs
    # a real syntax error in the second document is reported at its line, whatever the reads
    broken = payload.replace('"é ü",', '"é ü"', 1)
    try:
        list(iter_json_documents(_Trickle(broken, size), "t"))
    except Exception as err:  # noqa: BLE001
        assert "invalid JSON" in str(err) and "line" in str(err)
        if not as_array:
            assert "t: line 2:" in str(err), err
    else:
        raise AssertionError("the broken payload was accepted")
