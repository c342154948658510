"""Issue 14, payments: `payment add | list | remove`, the balances and payment states on every
invoice (show and list, set-wise), `invoice list --unpaid | --overdue`, `invoice status paid`
recording the balance, and the database locks on payments. Every refusal leaves the database
unchanged.

Most credit notes here are rows of `credit_note` written by a helper, so a test can pick any
credited total and date; `orders invoice credit` writes the same table, and
test_credit_notes.py / test_real_credit_notes_count_the_same below go through the command."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from conftest import db_content, ok, raw_connect, refused, run

D = Decimal


@pytest.fixture
def catalog():
    ok("tax", "add", "VAT20", "--rate", "20")
    ok("account", "add", "Café Müller", "--language", "fr")
    ok("account", "add", "Other")
    ok("product", "add", "W", "--name", "Widget", "--price", "100", "--tax", "VAT20")
    ok("product", "add", "C", "--name", "Cent", "--price", "0.01", "--tax", "VAT20")
    return True


def invoice(qty: str = "1", account: str = "Café Müller", day: str = "2026-11-01", sku: str = "W") -> str:
    """A new order of ``qty`` W (100.00 + 20 % = 120.00 each) invoiced whole on ``day`` (due 30 days later)."""
    so = ok("order", "add", "--subject", "Fit-out", "--account", account, "--line", f"{sku}:{qty}", "--json").json()["number"]
    return ok("order", "convert", "invoice", so, "--date", day, "--json").json()["number"]


def show(number: str, *args: str) -> dict:
    return ok("invoice", "show", number, *args, "--json").json()


def standing(number: str, *args: str) -> tuple[str, str, str, str]:
    doc = show(number, *args)
    return doc["paid"], doc["credited"], doc["balance"], doc["payment_state"]


def pay(number: str, amount: str, *args: str) -> dict:
    return ok("payment", "add", number, "--amount", amount, *args, "--json").json()


def credit_note(invoice_number: str, total: str, day: str = "2026-11-10") -> str:
    """A credit note row citing the invoice, of any total (the command is tested elsewhere)."""
    from sqlmodel import func, select

    from orders_cli import store
    from orders_cli.store import receivables as rv
    from orders_cli.store import schema as m

    with store.transaction() as s:
        inv = s.exec(select(m.Invoice).where(m.Invoice.number == invoice_number)).one()
        n = s.exec(select(func.count()).select_from(rv.CreditNote)).one() + 1
        number = f"CN-{n:05d}"
        amount = D(total)
        s.add(rv.CreditNote(number=number, invoice_id=inv.id, order_id=inv.order_id, account_id=inv.account_id, subject=inv.subject,
                            credit_date=date.fromisoformat(day), currency=inv.currency, language=inv.language,
                            subtotal=(amount / D("1.2")).quantize(D("0.01")), tax_total=amount - (amount / D("1.2")).quantize(D("0.01")),
                            total=amount))
    store.dispose_all()
    return number


def refused_unchanged(*args: str, says: str | tuple[str, ...] = (), code: int = 1, error_code: str | None = None):
    before = db_content()
    r = refused(*args, code=code)
    assert db_content() == before, f"orders {' '.join(args)} changed the database"
    for part in (says,) if isinstance(says, str) else says:
        assert part in r.err, r.err
    if error_code:
        r2 = refused(*args, "--json", code=code, error_code=error_code)
        assert r2
    return r


# ---------------------------------------------------------------- happy paths and states


def test_unpaid_partially_paid_paid(catalog):
    inv = invoice()
    assert standing(inv) == ("0.00", "0.00", "120.00", "unpaid")
    r = ok("payment", "add", inv, "--amount", "50", "--reference", "VIR 0042", "--date", "2026-11-20", "--json")
    p = r.json()
    assert list(p) == ["id", "date", "document", "kind", "account", "amount", "currency", "method", "reference", "removed",
                       "removed_reason", "balance", "payment_state"]
    assert p == {"id": 1, "date": "2026-11-20", "document": inv, "kind": "payment", "account": {"id": 1, "name": "Café Müller"},
                 "amount": "50.00", "currency": "EUR", "method": "transfer", "reference": "VIR 0042", "removed": False,
                 "removed_reason": None, "balance": "70.00", "payment_state": "partially_paid"}
    assert "balance 70.00 EUR (partially paid)" in r.err
    assert standing(inv) == ("50.00", "0.00", "70.00", "partially_paid")
    last = pay(inv, "70.00", "--method", "card")
    assert (last["balance"], last["payment_state"], last["method"], last["date"]) == ("0.00", "paid", "card", "2026-11-28")
    assert standing(inv) == ("120.00", "0.00", "0.00", "paid")
    # the status is untouched: the payment state is derived, never typed
    assert show(inv)["status"] == "created"
    human = ok("invoice", "show", inv).out
    assert "balance" in human and "0.00 EUR" in human and "paid" in human


def test_the_standing_keys_come_last_on_show_and_list(catalog):
    inv = invoice()
    assert list(show(inv))[-4:] == ["paid", "credited", "balance", "payment_state"]
    row = ok("invoice", "list", "--json").json()[0]
    assert list(row)[-4:] == ["paid", "credited", "balance", "payment_state"]
    made = ok("order", "convert", "invoice", ok("order", "add", "--subject", "x", "--account", "Other", "--line", "W:1", "--json").json()["number"],
              "--json").json()
    assert (made["balance"], made["payment_state"]) == ("120.00", "unpaid")


def test_every_method_is_accepted_and_case_does_not_matter(catalog):
    inv = invoice()
    for method in ("transfer", "card", "cash", "cheque", "direct_debit", "OTHER"):
        assert pay(inv, "1.00", "--method", method)["method"] == method.lower()
    assert show(inv)["balance"] == "114.00"


def test_overdue_with_as_of(catalog):
    inv = invoice(day="2026-10-01")  # due 2026-10-31: overdue today (2026-11-28)
    assert show(inv)["due_date"] == "2026-10-31"
    assert standing(inv)[3] == "overdue"
    assert standing(inv, "--as-of", "2026-10-31")[3] == "unpaid"
    assert standing(inv, "--as-of", "2026-11-01")[3] == "overdue"
    pay(inv, "20")
    assert standing(inv, "--as-of", "2026-10-31")[3] == "partially_paid"
    assert standing(inv)[3] == "overdue"  # a balance and the due date passed
    pay(inv, "100")
    assert standing(inv)[3] == "paid"


def test_credited_with_a_credit_note(catalog):
    inv = invoice()
    credit_note(inv, "20.00")
    assert standing(inv) == ("0.00", "20.00", "100.00", "unpaid")
    refused_unchanged("payment", "add", inv, "--amount", "100.01", says="100.00 EUR", error_code="over_quantity")
    pay(inv, "100")
    assert standing(inv)[2:] == ("0.00", "paid")
    whole = invoice()
    credit_note(whole, "120.00")
    assert standing(whole) == ("0.00", "120.00", "0.00", "credited")
    refused_unchanged("payment", "add", whole, "--amount", "1", says=("nothing left to pay", "0.00 EUR"))


def test_a_refund_on_a_credit_note(catalog):
    inv = invoice()
    pay(inv, "120")
    cn = credit_note(inv, "30.00")
    assert standing(inv) == ("120.00", "30.00", "-30.00", "paid")  # 30.00 owed to the customer
    refused_unchanged("payment", "add", cn, "--amount", "30.01", says=("more than the balance of " + cn, "30.00 EUR"))
    refused_unchanged("payment", "add", cn, "--amount", "5", "--date", "2026-11-09", says="before " + cn)
    r = pay(cn, "30", "--method", "transfer")
    assert (r["kind"], r["document"], r["balance"]) == ("refund", cn, "0.00")
    assert "payment_state" not in r
    refused_unchanged("payment", "add", cn, "--amount", "1", says="nothing left to refund")
    # the refund does not count as a payment of the invoice
    assert standing(inv)[2] == "-30.00"
    rows = ok("payment", "list", "--json").json()
    assert [(p["kind"], p["document"], p["amount"]) for p in rows] == [("payment", inv, "120.00"), ("refund", cn, "30.00")]
    # --invoice takes a credit note's number too
    assert [p["kind"] for p in ok("payment", "list", "--invoice", cn, "--json").json()] == ["refund"]


def test_overpayment_only_when_asked(catalog):
    inv = invoice()
    refused_unchanged("payment", "add", inv, "--amount", "120.01", says=("more than the balance", "120.00 EUR", "--allow-overpayment"),
                      error_code="over_quantity")
    over = pay(inv, "150", "--allow-overpayment")
    assert (over["balance"], over["payment_state"]) == ("-30.00", "paid")
    refused_unchanged("payment", "add", inv, "--amount", "1", says=("nothing left to pay", "-30.00 EUR"))
    assert pay(inv, "1", "--allow-overpayment")["balance"] == "-31.00"


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    "args, says",
    [
        (("--amount", "0"), "greater than 0"),
        (("--amount", "-5"), "greater than 0"),
        (("--amount", "1.001"), "2 decimal places"),
        (("--amount", "abc"), "not a number"),
        (("--amount", "1e3"), "greater than 0"),
        (("--amount", "NaN"), "finite"),
        (("--amount", "10", "--date", "2026-11-29"), "after today"),
        (("--amount", "10", "--date", "2026-10-31"), "before INV-00001's date"),
        (("--amount", "10", "--date", "2026-02-30"), "no such date"),
        (("--amount", "10", "--method", "bitcoin"), "--method: one of transfer, card, cash, cheque, direct_debit, other"),
        (("--amount", "10", "--reference", "x" * 201), "at most 200"),
        (("--amount", "10", "--reference", "a\x1bb"), "control characters"),
    ],
    ids=["zero", "negative", "three-places", "text", "exponent-ok-but-big", "nan", "future", "before-invoice", "bad-date", "method",
         "long-reference", "control-reference"],
)
def test_refusals_change_nothing(catalog, args, says):
    invoice()
    if args[1] == "1e3":
        # 1e3 is a number (1000): refused as more than the balance
        refused_unchanged("payment", "add", "INV-00001", *args, says="more than the balance")
        return
    refused_unchanged("payment", "add", "INV-00001", *args, says=says)


def test_unknown_documents_are_refused(catalog):
    invoice()
    refused_unchanged("payment", "add", "INV-99999", "--amount", "1", says="no invoice or credit note", error_code="not_found")
    refused_unchanged("payment", "add", "99", "--amount", "1", says="no invoice or credit note")
    refused_unchanged("payment", "list", "--invoice", "CN-00009", says="no invoice or credit note")
    refused_unchanged("payment", "list", "--account", "Nobody", says="no account")
    refused_unchanged("payment", "list", "--since", "yesterday", says="--since")
    refused_unchanged("payment", "add", "INV-00001", code=2)  # --amount is required


# ---------------------------------------------------------------- removing a payment


def test_remove_restores_the_balance_and_stays_listed(catalog):
    inv = invoice()
    first = pay(inv, "50")
    pay(inv, "20")
    assert standing(inv)[2:] == ("50.00", "partially_paid")
    r = ok("payment", "remove", str(first["id"]), "--reason", "entered twice", "--yes", "--json")
    gone = r.json()
    assert (gone["removed"], gone["removed_reason"], gone["balance"], gone["payment_state"]) == (True, "entered twice", "100.00", "partially_paid")
    assert "balance 100.00 EUR" in r.err
    assert standing(inv) == ("20.00", "0.00", "100.00", "partially_paid")
    rows = ok("payment", "list", "--json").json()
    assert [(p["id"], p["removed"], p["removed_reason"]) for p in rows] == [(1, True, "entered twice"), (2, False, None)]
    csv_out = ok("payment", "list", "--csv").out.splitlines()
    assert csv_out[0] == "id,date,document,kind,account.name,amount,currency,method,reference,removed"
    # logged on the invoice, so its order's activities show it
    acts = ok("activity", "list", "SO-00001", "--json").json()
    assert [a["type"] for a in acts] == ["payment", "payment", "payment_removed"]
    assert acts[2]["invoice"] == inv and acts[2]["note"] == "entered twice"
    ok("payment", "remove", "2", "--yes")
    assert standing(inv) == ("0.00", "0.00", "120.00", "unpaid")


def test_remove_refusals(catalog):
    inv = invoice()
    pay(inv, "50")
    refused_unchanged("payment", "remove", "7", "--yes", says="no payment 7", error_code="not_found")
    refused_unchanged("payment", "remove", "abc", "--yes", says="no payment")
    refused_unchanged("payment", "remove", "\u0661", "--yes", says="no payment")  # Arabic-Indic one is not id 1
    refused_unchanged("payment", "remove", "1", says="--yes")  # no terminal to ask
    refused_unchanged("payment", "remove", "1", "--yes", "--reason", "x" * 501, says="at most 500")
    ok("payment", "remove", "1", "--yes")
    refused_unchanged("payment", "remove", "1", "--yes", says="already removed", error_code="conflict")


# ---------------------------------------------------------------- the list, set-wise


def _count_statements():
    import sqlalchemy as sa

    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", count)
    return seen, lambda: sa.event.remove(sa.engine.Engine, "before_cursor_execute", count)


def test_the_list_is_set_wise_and_every_state_is_right(catalog):
    expected: dict[str, tuple[str, str, str, str]] = {}
    # (paid, credited) per invoice in a cycle of situations; invoices 1-9 are dated 2026-10-01 (due
    # 2026-10-31: overdue if a balance is left), the others 2026-11-20 (due 2026-12-20)
    plans = [("0", None), ("50", None), ("120", None), ("0", "120.00"), ("20", "100.00"), ("0", "20.00"), ("150", None)]
    for i in range(21):
        day = "2026-10-01" if i < 9 else "2026-11-20"
        inv = invoice(day=day)
        paid, credited = plans[i % len(plans)]
        if credited:
            credit_note(inv, credited, day="2026-11-21")
        if paid != "0":
            pay(inv, paid, *(("--allow-overpayment",) if paid == "150" else ()))
        cr = D(credited or "0")
        balance = D("120") - cr - D(paid)
        if cr >= 120:
            state = "credited"
        elif balance <= 0:
            state = "paid"
        elif i < 9:
            state = "overdue"
        elif D(paid) > 0:
            state = "partially_paid"
        else:
            state = "unpaid"
        expected[inv] = (f"{D(paid):.2f}", f"{cr:.2f}", f"{balance:.2f}", state)
    rows = ok("invoice", "list", "--json").json()
    assert {r["number"]: (r["paid"], r["credited"], r["balance"], r["payment_state"]) for r in rows} == expected
    # the same in every format
    jsonl = ok("invoice", "list", "--jsonl").jsonl()
    assert {r["number"]: r["payment_state"] for r in jsonl} == {k: v[3] for k, v in expected.items()}
    lines = ok("invoice", "list", "--csv").out.splitlines()
    assert lines[0].endswith(",total,paid,credited,balance,payment_state")
    assert len(lines) == 22
    # --unpaid and --overdue
    unpaid = {r["number"] for r in ok("invoice", "list", "--unpaid", "--json").json()}
    assert unpaid == {k for k, v in expected.items() if D(v[2]) > 0}
    overdue = {r["number"] for r in ok("invoice", "list", "--overdue", "--json").json()}
    assert overdue == {k for k, v in expected.items() if v[3] == "overdue"} and overdue
    later = ok("invoice", "list", "--overdue", "--as-of", "2026-12-21", "--json").json()
    assert {r["number"] for r in later} == unpaid
    assert all(r["payment_state"] == "overdue" for r in later)
    assert ok("invoice", "list", "--overdue", "--as-of", "2026-10-31", "--json").json() == []
    assert len(ok("invoice", "list", "--unpaid", "--limit", "2", "--json").json()) == 2
    refused_unchanged("invoice", "list", "--as-of", "tomorrow", says="--as-of")
    # no query per row: 21 invoices cost what 1 costs
    seen, stop = _count_statements()
    try:
        ok("invoice", "list", "--json")
        many = len(seen)
        seen.clear()
        ok("invoice", "list", "--limit", "1", "--json")
        one = len(seen)
    finally:
        stop()
    assert many == one, (many, one)


# ---------------------------------------------------------------- invoice status paid


def test_invoice_status_paid_records_the_balance(catalog):
    inv = invoice()
    pay(inv, "20.50")
    r = ok("invoice", "status", inv, "paid")
    assert r.err.splitlines()[0] == f"recorded a payment of 99.50 EUR: {inv} is paid"
    doc = show(inv)
    assert (doc["status"], doc["paid"], doc["balance"], doc["payment_state"]) == ("paid", "120.00", "0.00", "paid")
    last = ok("payment", "list", "--invoice", inv, "--json").json()[-1]
    assert (last["amount"], last["method"], last["reference"], last["date"]) == ("99.50", "other", "invoice status paid", "2026-11-28")
    history = ok("order", "show", "SO-00001", "--json").json()["related"]["activities"]
    assert [a["type"] for a in history] == ["payment", "payment"]


def test_invoice_status_paid_with_nothing_left_records_nothing(catalog):
    inv = invoice()
    pay(inv, "120")
    before = ok("payment", "list", "--json").json()
    r = ok("invoice", "status", inv, "paid", "--json")
    assert r.json()["status"] == "paid" and "recorded a payment" not in r.err
    assert ok("payment", "list", "--json").json() == before
    whole = invoice()
    credit_note(whole, "120.00")
    r = ok("invoice", "status", whole, "paid")
    assert "recorded a payment" not in r.err and f"{whole} is now paid" in r.err
    assert show(whole)["payment_state"] == "credited"


def test_invoice_status_paid_refused_changes_nothing(catalog):
    inv = invoice()
    ok("invoice", "status", inv, "paid")
    refused_unchanged("invoice", "status", inv, "paid", says="already paid")


# ---------------------------------------------------------------- the database locks


def test_payments_cannot_be_changed_or_deleted_by_plain_sql(catalog):
    inv = invoice()
    pay(inv, "50")
    ok("payment", "remove", "1", "--yes")
    pay(inv, "10")
    from orders_cli import store

    store.dispose_all()
    before = db_content()
    for statement in ("UPDATE payment SET amount = 1", "DELETE FROM payment", "UPDATE payment SET invoice_id = NULL",
                      "DELETE FROM payment_removal", "UPDATE payment_removal SET reason = 'x'"):
        con = raw_connect()
        try:
            with pytest.raises(con.Error, match="locked"):
                con.execute(statement)
            con.rollback()
        finally:
            con.close()
    assert db_content() == before


def test_the_hostile_shapes_of_payment_commands(catalog):
    """A few shapes hostile.py's walk does not build: huge amounts and ids, surrogates."""
    invoice()
    for args in (("payment", "add", "INV-00001", "--amount", "9" * 40), ("payment", "add", "INV-00001", "--amount", "1" + "0" * 12),
                 ("payment", "remove", "9" * 30, "--yes"), ("payment", "add", "INV\udce9", "--amount", "1"),
                 ("payment", "add", "INV-00001", "--amount", "1", "--method", "\udce9")):
        before = db_content()
        r = run(*args)
        assert r.code == 1 and "Traceback" not in r.err and "internal" not in r.err, r
        assert db_content() == before


@pytest.mark.slow
def test_two_processes_cannot_both_fit_one_balance(catalog):
    """Four processes each pay 70.00 on a 120.00 invoice at once: exactly one gets through (the
    balance is read and the payment written under the document's lock)."""
    import os
    import subprocess
    import sys

    from orders_cli import store

    inv = invoice()
    store.dispose_all()
    procs = [subprocess.Popen([sys.executable, "-m", "orders_cli", "payment", "add", inv, "--amount", "70.00"], env=dict(os.environ),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    assert sorted(code for code, _ in results) == [0, 1, 1, 1], results
    assert all("more than the balance" in err and "50.00 EUR" in err for code, err in results if code), results
    assert standing(inv)[2:] == ("50.00", "partially_paid")


def test_real_credit_notes_count_the_same(catalog):
    inv = ok("order", "add", "--subject", "S", "--account", "Other", "--line", "W:2", "--json").json()["number"]
    number = ok("order", "convert", "invoice", inv, "--json").json()["number"]  # 240.00
    ok("invoice", "credit", number, "--line", "1:1")  # 120.00 back
    shown = ok("invoice", "show", number, "--json").json()
    assert (shown["credited"], shown["balance"], shown["payment_state"]) == ("120.00", "120.00", "unpaid")
    ok("payment", "add", number, "--amount", "120.00")
    assert ok("invoice", "show", number, "--json").json()["payment_state"] == "paid"
    ok("invoice", "credit", number)  # the rest: more credited than is owed, so a refund is due
    shown = ok("invoice", "show", number, "--json").json()
    assert (shown["credited"], shown["balance"], shown["payment_state"]) == ("240.00", "-120.00", "credited")
    ok("payment", "add", "CN-00002", "--amount", "120.00", "--method", "transfer")  # the refund
    assert ok("credit", "show", "CN-00002", "--json").json()["refunded"] == "120.00"
