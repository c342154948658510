"""The rows `recur run` writes, column by column, against an independent path: each recurring
invoice has a twin, an order without recurrence holding the same lines (the order's, then its
merged usage as ordinary lines at the same quantities and prices) and the same discount,
shipping, adjustment, charge and customer reference, invoiced whole by `order convert invoice`
(the planner's path, not the run's pricing). Every column of the invoice, its lines, and the
rows the triggers fill (invoice_tax, invoice_balance, invoice_line_sales) must be the twin's,
but for the ones a recurring invoice sets itself (number, order, subject, status, due days,
period, language, ...), which are checked against their values worked out by hand from the
recurrence; the status history and the send log rows are checked whole.

The set: several taxes (a line under two taxes, a reduced rate, a regional rate), a line
discount, an overall percent and an amount discount, a taxed shipping charge (charges.tax), a
document charge, an adjustment, usage merged by (product, price), two periods of one order,
and `send` (one account with an e-mail, one without)."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import ok, raw_connect, sql

DAY = "2026-11-28"  # the run's day and the twins' invoice date
ACME_MAIL = "billing@acme.test"


def rows(query: str, *params) -> list[dict]:
    con = raw_connect()
    try:
        cur = con.execute(query, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]
    finally:
        con.close()


def text(value) -> str | None:
    """A cell as text, the same on both backends (dates as YYYY-MM-DD, booleans as 0/1)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(int(value))
    return str(value)[:10] if isinstance(value, date) else str(value)


def order_id(number: str) -> int:
    return sql("SELECT id FROM sales_order WHERE number = ?", number)[0][0]


def order_with(account: str, subject: str, lines: list[str], *extra: str) -> str:
    args = [a for ln in lines for a in ("--line", ln)]
    return ok("order", "add", "--json", "--subject", subject, "--account", account, *args, *extra).json()["number"]


@pytest.fixture
def book(isolated):
    ok("tax", "add", "VAT20", "--rate", "20")
    ok("tax", "add", "VAT20", "--rate", "8.5", "--region", "overseas")
    ok("tax", "add", "VAT55", "--rate", "5.5")
    ok("tax", "add", "ECO", "--rate", "1")
    ok("config", "set", "charges.tax", "VAT20")  # the shipping charge is taxed
    ok("account", "add", "Acme SAS", "--email", ACME_MAIL, "--vat-id", "FR44732829320", "--country", "FR",
       "--billing-street", "1 rue de la Paix", "--billing-city", "Paris", "--billing-postal-code", "75002", "--billing-country", "FR")
    ok("account", "add", "Beta", "--tax-region", "overseas", "--shipping-city", "Saint-Denis")  # no e-mail
    ok("product", "add", "MAINT", "--name", "Maintenance", "--price", "100.00", "--tax", "VAT20", "--service")
    ok("product", "add", "BOOK", "--name", "Manual", "--price", "12.50", "--tax", "VAT55")
    ok("product", "add", "GADGET", "--name", "Gadget", "--price", "9.99", "--tax", "VAT20", "--tax", "ECO", "--unit", "piece")
    ok("product", "add", "CPU", "--name", "CPU hours", "--price", "0.50", "--tax", "VAT20", "--service", "--unit", "h")
    amounts_a = ("--discount", "5%", "--shipping-charge", "7.50", "--adjustment", "-0.01", "--customer-ref", "PO-77",
                 "--charge", "Packing:2.00:VAT20")
    lines_a = ["MAINT:1:120:10%", "BOOK:3", "GADGET:2"]
    a = order_with("Acme SAS", "Support", lines_a, *amounts_a)
    ok("recur", "set", a, "--frequency", "monthly", "--start", "2026-10-01", "--usage", "--due-days", "45",
       "--subject", "Service {MMM} {YYYY}")
    for qty, day, price in (("10", "2026-09-20", None), ("3", "2026-09-28", "0.40"), ("5", "2026-09-25", None), ("4", "2026-10-15", None)):
        ok("usage", "add", a, "--product", "CPU", "--qty", qty, "--date", day, *(("--price", price) if price else ()))
    amounts_b = ("--discount", "5.00")
    lines_b = ["MAINT:2", "BOOK:1:12.50:1.00", "GADGET:1"]
    b = order_with("Beta", "Hosting", lines_b, *amounts_b)
    ok("recur", "set", b, "--frequency", "monthly", "--start", "2026-11-01", "--invoice-status", "sent", "--language", "fr",
       "--subject", "Abonnement {MMM}", "--due-days", "10")
    # the twins: the same lines (usage billed in advance: October's invoice takes what was used up
    # to 2026-09-30, merged by price in the order first used; November's the 2026-10-15 record)
    twins = {
        (a, "2026-10-01"): order_with("Acme SAS", "Twin A Oct", lines_a + ["CPU:15:0.50", "CPU:3:0.40"], *amounts_a),
        (a, "2026-11-01"): order_with("Acme SAS", "Twin A Nov", lines_a + ["CPU:4:0.50"], *amounts_a),
        (b, "2026-11-01"): order_with("Beta", "Twin B Nov", lines_b, *amounts_b),
    }
    return a, b, twins


# what a recurring invoice sets itself, by (order, period start): worked out from its recurrence
# (subject from the period's invoice date, due = run day + due days, the period, the language of
# the recurrence, else the order's, else the account's, else the settings' default, English)
def expected_own(a: str, b: str) -> dict:
    return {
        (a, "2026-10-01"): {"subject": "Service October 2026", "status": "auto_created", "due_days": "45", "due_date": "2027-01-12",
                            "period_start": "2026-10-01", "period_end": "2026-10-31", "recurring": "1", "rebill_no": "0", "language": "en"},
        (a, "2026-11-01"): {"subject": "Service November 2026", "status": "auto_created", "due_days": "45", "due_date": "2027-01-12",
                            "period_start": "2026-11-01", "period_end": "2026-11-30", "recurring": "1", "rebill_no": "0", "language": "en"},
        (b, "2026-11-01"): {"subject": "Abonnement novembre", "status": "sent", "due_days": "10", "due_date": "2026-12-08",
                            "period_start": "2026-11-01", "period_end": "2026-11-30", "recurring": "1", "rebill_no": "0", "language": "fr"},
    }


OWN = ("id", "number", "order_id", "created_at", "subject", "status", "due_days", "due_date", "period_start", "period_end",
       "recurring", "rebill_no", "language")


def test_recur_run_writes_the_rows_of_a_whole_invoice_of_the_same_lines(book):
    from orders_cli.adapters import settings
    from orders_cli.core.context import Context
    from orders_cli.recurring import run

    a, b, twins = book
    result = run.run(Context(today=date.fromisoformat(DAY), settings=settings.current()), send=True)
    assert result.complete and result.failed == []
    made = {(i.order, i.period_start.isoformat()): i.number for i in result.invoices}
    assert list(made) == [(a, "2026-10-01"), (a, "2026-11-01"), (b, "2026-11-01")]  # oldest order first, oldest period first
    assert list(made.values()) == ["INV-00001", "INV-00002", "INV-00003"]
    assert result.no_address == ["INV-00003"]  # Beta has no e-mail: queued for nobody
    twin_no = {key: ok("order", "convert", "invoice", twin, "--date", DAY, "--json").json()["number"] for key, twin in twins.items()}

    own = expected_own(a, b)
    for key, number in made.items():
        order, start = key
        mine = rows("SELECT * FROM invoice WHERE number = ?", number)[0]
        twin = rows("SELECT * FROM invoice WHERE number = ?", twin_no[key])[0]
        assert {k: text(mine[k]) for k in own[key]} == own[key]
        assert text(mine["order_id"]) == text(order_id(order)) and text(mine["invoice_date"]) == DAY
        assert {k: v for k, v in mine.items() if k not in OWN} == {k: v for k, v in twin.items() if k not in OWN}, key
        assert '"vat_id": "FR44732829320"' in mine["buyer"] if order == a else '"vat_id": null' in mine["buyer"]

        lines = rows("SELECT * FROM invoice_line WHERE invoice_id = ? ORDER BY line_no", mine["id"])
        twin_lines = rows("SELECT * FROM invoice_line WHERE invoice_id = ? ORDER BY line_no", twin["id"])
        order_lines = sql("SELECT id, line_no FROM order_line WHERE order_id = ? ORDER BY line_no", order_id(order))
        n = len(order_lines)
        assert [(ln["order_line_id"], ln["order_line_no"]) for ln in lines] == list(order_lines) + [(None, None)] * (len(lines) - n)
        skip = ("id", "invoice_id", "order_line_id", "order_line_no")
        assert [{k: v for k, v in ln.items() if k not in skip} for ln in lines] == \
               [{k: v for k, v in ln.items() if k not in skip} for ln in twin_lines], key

        # the rows the triggers fill from the invoice and its lines
        taxes = rows("SELECT * FROM invoice_tax WHERE invoice_id = ? ORDER BY seq", mine["id"])
        assert len(taxes) == 3  # VAT20 (Beta: its overseas 8.5 %), VAT55, ECO
        assert [{k: v for k, v in t.items() if k != "invoice_id"} for t in taxes] == \
               [{k: v for k, v in t.items() if k != "invoice_id"} for t in rows("SELECT * FROM invoice_tax WHERE invoice_id = ? ORDER BY seq", twin["id"])]
        balance = rows("SELECT * FROM invoice_balance WHERE invoice_id = ?", mine["id"])
        twin_balance = rows("SELECT * FROM invoice_balance WHERE invoice_id = ?", twin["id"])
        assert text(balance[0]["due_date"]) == own[key]["due_date"]
        assert [{k: v for k, v in r.items() if k not in ("invoice_id", "due_date")} for r in balance] == \
               [{k: v for k, v in r.items() if k not in ("invoice_id", "due_date")} for r in twin_balance]
        sales = rows("SELECT * FROM invoice_line_sales WHERE invoice_id = ? ORDER BY line_id", mine["id"])
        twin_sales = rows("SELECT * FROM invoice_line_sales WHERE invoice_id = ? ORDER BY line_id", twin["id"])
        assert len(sales) == len(lines)
        assert [{k: v for k, v in r.items() if k not in ("line_id", "invoice_id")} for r in sales] == \
               [{k: v for k, v in r.items() if k not in ("line_id", "invoice_id")} for r in twin_sales]

        # sealed by its one history row, in its status; queued for the account's e-mail
        history = sql("SELECT doc_type, old_status, new_status FROM status_history WHERE doc_id = ? AND doc_type = 'invoice'", mine["id"])
        assert history == [("invoice", None, own[key]["status"])]
        queued = sql("SELECT recipient, status FROM send_log WHERE invoice_id = ?", mine["id"])
        assert queued == ([(ACME_MAIL, "pending")] if order == a else [])

    # each usage record billed once, on the invoice of the period it came before
    used = sql("SELECT u.quantity, i.number FROM usage_record u JOIN invoice i ON i.id = u.invoice_id ORDER BY u.usage_date")
    assert used == [("10", "INV-00001"), ("5", "INV-00001"), ("3", "INV-00001"), ("4", "INV-00002")]
    # and October's amounts by hand: lines MAINT 120 - 10 % = 108.00, BOOK 3 x 12.50 = 37.50, GADGET
    # 2 x 9.99 = 19.98, CPU 7.50 + 1.20: subtotal 174.18; 5 % off 8.71, shared by the nets of the
    # tax groups, each half-up, the largest absorbing the cent left: VAT20 116.70 -> 5.84 - 0.01,
    # VAT55 37.50 -> 1.88, VAT20+ECO 19.98 -> 1.00; VAT20 on 110.87 + 18.98 + shipping 7.50 + packing
    # 2.00 = 139.35 -> 27.87, VAT55 on 35.62 -> 1.96, ECO on 18.98 -> 0.19: tax 30.02; total
    # 174.18 - 8.71 + 7.50 + 2.00 + 30.02 - 0.01 = 204.98
    oct_ = rows("SELECT subtotal, discount_amount, shipping_charge, tax_total, adjustment, total FROM invoice WHERE number = 'INV-00001'")[0]
    assert [text(v) for v in oct_.values()] == ["17418", "871", "750", "3002", "-1", "20498"]
    assert [(t["name"], text(t["base"]), text(t["amount"])) for t in rows("SELECT * FROM invoice_tax WHERE invoice_id = "
            "(SELECT id FROM invoice WHERE number = 'INV-00001') ORDER BY seq")] == \
        [("ECO", "1898", "19"), ("VAT55", "3562", "196"), ("VAT20", "13935", "2787")]
