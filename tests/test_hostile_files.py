"""Hostile input files (issue 8): `order add --from-json` and the CSV imports
(`product import`, `usage import`) fed mutated, truncated, mis-nested and oversized
documents. Each import is all or nothing: exit 0 with every document in, or exit 1
with one line on stderr and the database exactly as it was. No traceback, ever.
"""

from __future__ import annotations

import csv
import io
import json
import os

import pytest
from conftest import run
from hostile import drop, fresh_copy, orders_count, outcome, seed, snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_hostile import NASTY


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    return seed(tmp_path_factory.mktemp("hostile-files-seed"))


SETTINGS = settings(
    max_examples=int(os.environ.get("ORDERS_HOSTILE_EXAMPLES", "100")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

# ------------------------------------------------------------------ JSON

GOOD_LINE = {"sku": "MUG", "quantity": "2", "unit_price": "8.90", "discount": "10%"}
GOOD = {
    "subject": "Hostile", "account": {"id": 1, "name": "Café Müller"}, "contact": None, "customer_ref": "PO 7",
    "order_date": "2026-11-20", "status": "approved", "finalized": False, "discount": "5%",
    "shipping_charge": "12.00", "adjustment": "-1.00",
    "shipping_address": {"street": "1 rue", "city": "Lyon", "postal_code": "69001", "state": "", "country": "FR"},
    "lines": [dict(GOOD_LINE), {"sku": "CONSULT", "quantity": "1.5"}],
    "recurrence": {"frequency": "monthly", "start": "2026-11-01", "due_days": 30},
}

json_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(), st.sampled_from([10**400, -(10**30), 2**63, -(2**63) - 1]),
    st.floats(allow_nan=True, allow_infinity=True),  # float-ok: hostile JSON numbers, refused by the import
    st.sampled_from(NASTY), st.text(max_size=20),
)
json_value = st.recursive(json_scalar, lambda kids: st.one_of(st.lists(kids, max_size=3), st.dictionaries(st.text(max_size=8), kids, max_size=3)), max_leaves=8)

KEYS = sorted(GOOD) + ["id", "number", "totals", "related", "progress", "currency", "quote", "assigned_to", "billing_address", "nope", ""]
LINE_KEYS = sorted(GOOD_LINE) + ["comment", "line_no", "net", "taxes", "zzz"]
REC_KEYS = ["frequency", "start", "end", "due_days", "invoice_status", "subject", "language", "invoice_date", "last_day", "catch_up", "usage", "enabled", "next_date", "bogus"]
ADDR_KEYS = ["street", "city", "postal_code", "state", "country", "planet"]


@st.composite
def hostile_order(draw) -> object:
    doc = json.loads(json.dumps(GOOD))
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.sampled_from(["top", "line", "rec", "addr", "drop", "drop_line_key", "lines"]))
        if where == "top":
            doc[draw(st.sampled_from(KEYS))] = draw(json_value)
        elif where == "line" and isinstance(doc.get("lines"), list) and doc["lines"] and isinstance(doc["lines"][0], dict):
            doc["lines"][0][draw(st.sampled_from(LINE_KEYS))] = draw(json_value)
        elif where == "rec" and isinstance(doc.get("recurrence"), dict):
            doc["recurrence"][draw(st.sampled_from(REC_KEYS))] = draw(json_value)
        elif where == "addr" and isinstance(doc.get("shipping_address"), dict):
            doc["shipping_address"][draw(st.sampled_from(ADDR_KEYS))] = draw(json_value)
        elif where == "drop":
            doc.pop(draw(st.sampled_from(sorted(GOOD))), None)
        elif where == "drop_line_key" and isinstance(doc.get("lines"), list) and doc["lines"] and isinstance(doc["lines"][0], dict):
            doc["lines"][0].pop(draw(st.sampled_from(sorted(GOOD_LINE))), None)
        elif where == "lines":
            # a deep copy: the later edits must never reach GOOD_LINE itself (hypothesis replays draws)
            doc["lines"] = json.loads(json.dumps(draw(st.sampled_from([[], None, {}, "MUG:1", [[GOOD_LINE]], [None], [GOOD_LINE] * 3, {"0": GOOD_LINE}]))))
    return doc


@st.composite
def hostile_json_text(draw) -> tuple[str, int]:
    """(input text, number of documents it holds if it is all valid)."""
    docs = draw(st.lists(st.one_of(hostile_order(), st.just(GOOD), json_value), min_size=1, max_size=3))
    assert GOOD_LINE == {"sku": "MUG", "quantity": "2", "unit_price": "8.90", "discount": "10%"}, "the strategy mutated its template"
    shape = draw(st.sampled_from(["one", "array", "lines", "nested"]))
    ascii_ = draw(st.booleans())
    dump = lambda d: json.dumps(d, ensure_ascii=ascii_, allow_nan=True)  # noqa: E731
    if shape == "one":
        text, n = dump(docs[0]), 1
    elif shape == "array":
        text, n = dump(docs), len(docs)
    elif shape == "lines":
        text, n = "\n".join(dump(d) for d in docs) + "\n", len(docs)
    else:
        text, n = dump({"orders": docs}), 1
    edit = draw(st.sampled_from(["none", "none", "truncate", "insert", "literal"]))
    if edit == "truncate" and text:
        text = text[: draw(st.integers(0, len(text) - 1))]
    elif edit == "insert":
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(["\x00", ",", "]", "}", "{", "\n", "\ufeff", "'", '"', "\\", "\x1b"])) + text[at:]
    elif edit == "literal":
        text = text.replace('"2"', draw(st.sampled_from(["1e309", "NaN", "-Infinity", "01", "2.0", "0x2", "1e400", "2", "true", '"2"'])), 1)
    return text, n


@SETTINGS
@given(case=hostile_json_text(), via_stdin=st.booleans(), json_flag=st.booleans())
def test_order_import_survives_hostile_json(case, via_stdin, json_flag, seeded, tmp_path, monkeypatch):
    text, n = case
    db, cfg = fresh_copy(*seeded, tmp_path, monkeypatch)
    try:
        before = orders_count(db)
        if via_stdin:
            argv, stdin = ["order", "add", "--from-json", "-"], text
        else:
            src = tmp_path / "in.json"
            src.write_text(text, encoding="utf-8", errors="surrogatepass")
            argv, stdin = ["order", "add", "--from-json", str(src)], None
        if json_flag:
            argv.append("--json")
        r = outcome(argv, db, cfg, stdin=stdin, json_out=json_flag)
        if r.code == 0:
            assert orders_count(db) == before + n, (text[:500], r.out)
            if json_flag:
                assert r.json()["imported"] == n
    finally:
        drop(db, cfg)


def test_a_bad_last_document_refuses_the_whole_bulk_import(seeded, tmp_path, monkeypatch):
    db, cfg = fresh_copy(*seeded, tmp_path, monkeypatch)
    bad = dict(GOOD, lines=[{"sku": "MUG", "quantity": "NaN"}])
    text = "\n".join(json.dumps(GOOD) for _ in range(1200)) + "\n" + json.dumps(bad) + "\n"
    r = outcome(["order", "add", "--from-json", "-"], db, cfg, stdin=text)
    assert r.code == 1 and "line 1201" in r.err, r.err


@pytest.mark.parametrize(
    "text",
    [
        '{"subject": "' + "s" * (10 << 20) + '", "account": "Café Müller", "lines": []}',
        json.dumps(dict(GOOD, lines=[GOOD_LINE] * 20000)),
        "[" * 100000 + "]" * 100000,
        '{"a":' * 50000 + "1" + "}" * 50000,
        json.dumps(GOOD) + "\x00",
        "\ufeff" + json.dumps(GOOD),
        "",
        "   \n\n  ",
        "null",
        "[]",
        "[{}]",
        '{"subject": "x", "account": {"\\r\\nline two": 0.5}}',
    ],
    ids=["10MB-subject", "20000-lines", "deep-array", "deep-object", "trailing-NUL", "BOM", "empty", "blank", "null", "empty-array", "empty-object", "newline-in-a-key"],
)
def test_order_import_of_pathological_documents(text, seeded, tmp_path, monkeypatch):
    db, cfg = fresh_copy(*seeded, tmp_path, monkeypatch)
    before = orders_count(db)
    r = outcome(["order", "add", "--from-json", "-"], db, cfg, stdin=text)
    if r.code == 0:
        assert orders_count(db) == before + 1
    drop(db, cfg)


# ------------------------------------------------------------------ CSV

PRODUCT_COLS = ["sku", "name", "price", "kind", "unit", "cost", "vendor", "taxes", "description"]
USAGE_COLS = ["order", "product", "qty", "date", "price"]
PLAUSIBLE = {
    "sku": ["NEWSKU", "NEW-2", "BOOK", "a b", "x:y"], "name": ["Thing", ""], "price": ["1.00", "0.125", "-1", "1,5"],
    "kind": ["product", "service", "gift"], "unit": ["h", "kg"], "cost": ["", "2.00"], "vendor": ["", "Papeterie Lefèvre", "Nobody"],
    "taxes": ["VAT20", "VAT20;VAT5.5", "VAT20;VAT20", "NOPE"], "description": ["multi\nline", ""],
    "order": ["SO-00003", "SO-00002", "SO-00001", "3"], "product": ["MUG", "MAINT", "NOPE"], "qty": ["1", "2.5", "0"],
    "date": ["2026-11-01", "2026-02-30"],
}
cell = st.one_of(st.sampled_from(NASTY), st.text(max_size=15), st.sampled_from(["\x00", '"', '""', "a\r\nb", "\ufeff", ";", ",,"]))


@st.composite
def hostile_csv(draw, columns: list[str]) -> str:
    header = draw(st.one_of(
        st.permutations(columns).flatmap(lambda p: st.integers(3, len(p)).map(lambda k: list(p[:k]))),
        st.lists(st.sampled_from(columns + ["bogus", "", " sku ", "SKU"]), max_size=6),
    ))
    rows = []
    for _ in range(draw(st.integers(0, 4))):
        width = len(header) + draw(st.sampled_from([0, 0, 0, -1, 1]))
        rows.append([
            draw(st.one_of(st.sampled_from(PLAUSIBLE.get(header[i].strip(), [""])), cell)) if i < len(header) and draw(st.booleans()) else draw(cell)
            for i in range(max(width, 0))
        ])
    out = io.StringIO()
    writer = csv.writer(out, quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC])))
    writer.writerow(header)
    writer.writerows(rows)
    text = out.getvalue()
    if draw(st.integers(0, 4)) == 0 and text:
        text = text[: draw(st.integers(0, len(text) - 1))]
    if draw(st.integers(0, 5)) == 0:
        text = "\ufeff" + text
    return text


def _import_case(command: list[str], text: str, via_stdin: bool, seeded, tmp_path, monkeypatch, table: str):
    db, cfg = fresh_copy(*seeded, tmp_path, monkeypatch)
    try:
        before = snapshot(db, cfg)[0][table]
        if via_stdin:
            r = outcome([*command, "-"], db, cfg, stdin=text)
        else:
            src = tmp_path / "in.csv"
            src.write_text(text, encoding="utf-8", errors="surrogatepass", newline="")
            r = outcome([*command, str(src)], db, cfg)
        if r.code == 0:
            imported = int(r.err.split()[1]) if r.err.startswith("imported") else None
            after = snapshot(db, cfg)[0][table]
            assert imported is None or len(after) == len(before) + imported, (text[:300], r.err)
    finally:
        drop(db, cfg)


@SETTINGS
@given(text=hostile_csv(PRODUCT_COLS), via_stdin=st.booleans())
def test_product_import_survives_hostile_csv(text, via_stdin, seeded, tmp_path, monkeypatch):
    _import_case(["product", "import"], text, via_stdin, seeded, tmp_path, monkeypatch, "product")


@SETTINGS
@given(text=hostile_csv(USAGE_COLS), via_stdin=st.booleans())
def test_usage_import_survives_hostile_csv(text, via_stdin, seeded, tmp_path, monkeypatch):
    _import_case(["usage", "import"], text, via_stdin, seeded, tmp_path, monkeypatch, "usage_record")


BIG_FIELD = "z" * 200_000  # above the csv module's default field limit (131,072)


@pytest.mark.parametrize(
    "command,text",
    [
        (["product", "import"], f"sku,name,price\nBIG,{BIG_FIELD},1.00\n"),
        (["product", "import"], "sku,name,price,description\nBIG,Big,1.00,\"" + "d" * (10 << 20) + "\"\n"),
        (["product", "import"], "sku,name,price\n" + "".join(f"S{i},N{i},1.00\n" for i in range(5000)) + "S0,dup,1.00\n"),
        (["product", "import"], "sku,name,price\nNUL\x00,Name,1.00\n"),
        (["product", "import"], 'sku,name,price\n"unterminated,Name,1.00\n'),
        (["usage", "import"], f"order,product,qty\nSO-00003,MUG,{BIG_FIELD}\n"),
        (["usage", "import"], "\ufefforder,product,qty\nSO-00003,MUG,1\n"),
        (["usage", "import"], "order,product,qty\nSO-00003,MUG,1e309\n"),
        (["usage", "import"], "order,product,qty\n" + "SO-00003,MUG,1\n" * 3000 + "SO-00003,MUG,NaN\n"),
    ],
    ids=["field-over-limit", "10MB-description", "duplicate-at-5001", "NUL-in-sku", "unterminated-quote", "usage-field-over-limit",
         "usage-BOM", "usage-1e309", "usage-NaN-at-3001"],
)
@pytest.mark.parametrize("via_stdin", [True, False], ids=["stdin", "file"])
def test_csv_import_of_pathological_files(command, text, via_stdin, seeded, tmp_path, monkeypatch):
    _import_case(command, text, via_stdin, seeded, tmp_path, monkeypatch, "product" if command[0] == "product" else "usage_record")


@pytest.mark.parametrize("command", [["product", "import"], ["usage", "import"], ["order", "add", "--from-json"]], ids=" ".join)
@pytest.mark.parametrize("data", [b"\xff\xfe\x00s\x00k\x00u", b"sku,name,price\nX,\xe9t\xe9,1.00\n", b"\x00" * 1000], ids=["utf16", "latin1", "zeros"])
def test_binary_input_files(command, data, seeded, tmp_path, monkeypatch):
    db, cfg = fresh_copy(*seeded, tmp_path, monkeypatch)
    src = tmp_path / "in.bin"
    src.write_bytes(data)
    r = outcome([*command, str(src)], db, cfg)
    assert r.code == 1
    drop(db, cfg)


def test_stdin_that_is_not_utf8_through_a_real_pipe(seeded, tmp_path, monkeypatch):
    """The in-process runner hands over str; a real process reads bytes from the pipe."""
    import os
    import subprocess
    import sys

    db, cfg = fresh_copy(*seeded, tmp_path, monkeypatch)
    before = snapshot(db, cfg)
    for command in (["product", "import", "-"], ["order", "add", "--from-json", "-"]):
        p = subprocess.run([sys.executable, "-m", "orders_cli", *command], input=b"sku,name,price\nX,\xe9t\xe9,1.00\n",
                           capture_output=True, env=dict(os.environ), timeout=60)
        err = p.stderr.decode("utf-8", "replace")
        assert p.returncode == 1 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert snapshot(db, cfg) == before
    assert run  # the in-process runner stays importable alongside (used by hostile.outcome)


@pytest.mark.parametrize("command,text,table", [
    (["usage", "import", "-"], "\ufefforder,product,qty\nSO-00003,MUG,1\n", "usage_record"),
    (["product", "import", "-"], "\ufeffsku,name,price\nBOMMED,Bom,1.00\n", "product"),
], ids=["usage", "product"])
def test_a_bom_on_stdin_is_accepted_by_every_csv_import(command, text, table, seeded, tmp_path, monkeypatch):
    """Excel writes a BOM; a file is opened as utf-8-sig, stdin is not, so the import strips it itself."""
    db, cfg = fresh_copy(*seeded, tmp_path, monkeypatch)
    before = len(snapshot(db, cfg)[0][table])
    r = outcome(command, db, cfg, stdin=text)
    assert r.code == 0, r.err
    assert len(snapshot(db, cfg)[0][table]) == before + 1
    drop(db, cfg)
