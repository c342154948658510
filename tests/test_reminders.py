"""Reminders (dunning): `remind run` levels by dates, each level once per invoice, never for
a paid or credited invoice, the open balance stated, --dry-run writing nothing, --send
through a real SMTP server (aiosmtpd) with the PDF attached and an activity logged, the
English and French templates and the late-payment mention, two processes at once, and the
refusals with the database unchanged; `remind list`; the reminders.* settings; the
late-payment mention on invoice PDFs."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from datetime import date
from decimal import Decimal

import pytest
from conftest import clone_db, db_content, ok, refused, run, sql
from test_mail import attachment, body_of, pdf_text, start_server


@pytest.fixture(autouse=True)
def _plain_pdfs(isolated):
    """Invoices here carry no complete EN 16931 identity (no SIREN, no customer country): these tests
    are about what a PDF draws and how mail goes out, so invoices are plain PDFs (invoice.format
    plain). The default, Factur-X, is held to by test_facturx_out.py and test_facturx_pdf.py."""
    from conftest import ok as _ok

    _ok("config", "set", "invoice.format", "plain")


DUE = "2026-12-28"  # invoices made on 2026-11-28 (ORDERS_TODAY) with the default 30 days


BOOKS = {"Acme Ltd": "INV-00001", "Café Müller": "INV-00002", "Nomail": "INV-00003"}


def build_books() -> None:
    ok("tax", "add", "VAT20", "--rate", "20")
    ok("account", "add", "Acme Ltd", "--email", "ap@acme.example", "--language", "en")
    ok("account", "add", "Café Müller", "--email", "compta@mueller.example", "--language", "fr")
    ok("account", "add", "Nomail")
    ok("product", "add", "WIDGET", "--name", "Widget", "--price", "100", "--tax", "VAT20")
    for account, number in BOOKS.items():
        order = ok("order", "add", "--subject", f"Widgets for {account}", "--account", account, "--line", "WIDGET:1", "--json").json()
        inv = ok("order", "convert", "invoice", order["number"], "--json").json()
        assert (inv["number"], inv["due_date"], inv["totals"]["total"]) == (number, DUE, "120.00")


@pytest.fixture
def books(db_template, isolated):
    """Three accounts (English, French, no e-mail), one invoice each, all due 2026-12-28: built
    once per session, copied for each test."""
    from orders_cli import store

    clone_db(db_template("reminder-books", build_books))
    yield dict(BOOKS)
    store.dispose_all()


def today(monkeypatch, day: str) -> None:
    monkeypatch.setenv("ORDERS_TODAY", day)


def remind(monkeypatch, day: str, *args: str, code: int = 0) -> dict:
    today(monkeypatch, day)
    r = run("remind", "run", *args, "--json")
    assert r.code == code, f"-> {r.code}\n{r.out}\n{r.err}"
    assert "Traceback" not in r.err
    return r.json()


def levels_of(result: dict) -> dict[str, int]:
    return {r["invoice"]: r["level"] for r in result["reminders"]}


def rows() -> list[tuple]:
    return sql("SELECT i.number, r.level, r.reminder_date, r.balance, r.status FROM reminder r JOIN invoice i ON i.id = r.invoice_id "
               "ORDER BY i.number, r.level")


def _invoice(number: str):
    from sqlmodel import select

    from orders_cli.store import schema as m

    return select(m.Invoice).where(m.Invoice.number == number)


def pay(number: str, amount: str, day: date = date(2026, 12, 1)) -> None:
    """A payment row (# until `orders payment add` lands)."""
    from orders_cli import store
    from orders_cli.store import receivables as rv

    with store.transaction() as s:
        inv = s.exec(_invoice(number)).one()
        s.add(rv.Payment(invoice_id=inv.id, account_id=inv.account_id, amount=Decimal(amount), payment_date=day))
    store.dispose_all()


def credit(number: str, *args: str) -> None:
    """A credit note through the command (whole by default; ``--amount A`` before tax)."""
    ok("invoice", "credit", number, *args)


# ---------------------------------------------------------------- levels, once each


def test_levels_follow_the_days_after_the_due_date(books, monkeypatch):
    acme = books["Acme Ltd"]
    assert remind(monkeypatch, "2027-01-03")["reminders"] == []  # 6 days late: nothing yet
    first = remind(monkeypatch, "2027-01-04")  # 7 days: level 1 for all three
    assert first["as_of"] == "2027-01-04" and first["dry_run"] is False and first["failed"] == []
    assert levels_of(first) == {n: 1 for n in books.values()}
    entry = next(r for r in first["reminders"] if r["invoice"] == acme)
    assert entry == {"invoice": acme, "account": "Acme Ltd", "level": 1, "due_date": DUE, "days_late": 7, "balance": "120.00",
                     "currency": "EUR", "status": "recorded"}
    assert remind(monkeypatch, "2027-01-04")["reminders"] == []  # the same day again: nothing new
    assert remind(monkeypatch, "2027-01-11")["reminders"] == []  # 14 days
    assert levels_of(remind(monkeypatch, "2027-01-12")) == {n: 2 for n in books.values()}  # 15 days
    assert levels_of(remind(monkeypatch, "2027-01-27")) == {n: 3 for n in books.values()}  # 30 days
    assert remind(monkeypatch, "2027-06-01")["reminders"] == []  # no level after the last
    assert [(n, lv, str(d)[:10], st) for n, lv, d, _, st in rows() if n == acme] == [
        (acme, 1, "2027-01-04", "recorded"), (acme, 2, "2027-01-12", "recorded"), (acme, 3, "2027-01-27", "recorded")]


def test_after_a_gap_only_the_highest_level_reached_and_never_a_lower_one(books, monkeypatch):
    got = remind(monkeypatch, "2027-01-20")  # cron down until 23 days late: level 2 only
    assert levels_of(got) == {n: 2 for n in books.values()}
    assert remind(monkeypatch, "2027-01-25")["reminders"] == []  # level 1 is never sent late
    assert {lv for _, lv, _, _, _ in rows()} == {2}
    assert levels_of(remind(monkeypatch, "2027-02-01")) == {n: 3 for n in books.values()}


def test_levels_from_the_setting(books, monkeypatch):
    ok("config", "set", "reminders.days", "3, 10")
    assert ok("config", "get", "reminders.days", "--json").json() == [3, 10]
    got = remind(monkeypatch, "2026-12-31")
    assert got["levels"] == [3, 10] and levels_of(got) == {n: 1 for n in books.values()}
    assert levels_of(remind(monkeypatch, "2027-01-07")) == {n: 2 for n in books.values()}


# ---------------------------------------------------------------- what is owed


def test_paid_invoice_never_reminded_partly_paid_on_its_balance(books, monkeypatch):
    acme, cafe, nomail = books["Acme Ltd"], books["Café Müller"], books["Nomail"]
    pay(acme, "120.00")
    pay(cafe, "20.00")
    pay(cafe, "0.01")
    got = remind(monkeypatch, "2027-01-04")
    assert levels_of(got) == {cafe: 1, nomail: 1}
    by = {r["invoice"]: r for r in got["reminders"]}
    assert by[cafe]["balance"] == "99.99" and by[nomail]["balance"] == "120.00"
    assert sql("SELECT r.balance FROM reminder r JOIN invoice i ON i.id = r.invoice_id WHERE i.number = ?", cafe) == [(9999,)]
    pay(cafe, "99.99")  # paid since: the next level never comes
    assert levels_of(remind(monkeypatch, "2027-01-12")) == {nomail: 2}


def test_credited_and_legacy_cancelled_invoices_never_reminded(books, monkeypatch):
    acme, cafe, nomail = books["Acme Ltd"], books["Café Müller"], books["Nomail"]
    credit(acme)  # wholly credited
    credit(cafe, "--amount", "83.33")  # partly: 83.33 + 16.67 VAT = 100.00, 20.00 still due
    ok("invoice", "status", nomail, "cancelled")  # cancelled: a credit note of all of it
    got = remind(monkeypatch, "2027-01-04")
    assert levels_of(got) == {cafe: 1}
    assert got["reminders"][0]["balance"] == "20.00"


def test_status_paid_without_a_payment_row_is_not_reminded(books, monkeypatch):
    ok("invoice", "status", books["Acme Ltd"], "paid")
    assert books["Acme Ltd"] not in levels_of(remind(monkeypatch, "2027-01-04"))


def test_recurring_invoices_are_reminded_like_the_others(monkeypatch):
    ok("tax", "add", "VAT20", "--rate", "20")
    ok("account", "add", "Subscriber", "--email", "s@example.com")
    ok("product", "add", "HOST", "--name", "Hosting", "--price", "10", "--tax", "VAT20", "--service")
    order = ok("order", "add", "--subject", "Hosting", "--account", "Subscriber", "--line", "HOST:1", "--json").json()["number"]
    ok("recur", "set", order, "--frequency", "monthly", "--start", "2026-10-01", "--due-days", "10")
    ok("recur", "run", "--date", "2026-11-28")  # October and November, both dated the run's day, due 12-08
    assert levels_of(remind(monkeypatch, "2026-12-20")) == {"INV-00001": 1, "INV-00002": 1}  # 12 days late
    assert levels_of(remind(monkeypatch, "2027-01-08")) == {"INV-00001": 3, "INV-00002": 3}  # 31 days late: the highest level only


# ---------------------------------------------------------------- dry run, refusals


def test_dry_run_writes_nothing_and_may_look_ahead(books, monkeypatch):
    before = db_content()
    got = remind(monkeypatch, "2027-01-04", "--dry-run")
    assert got["dry_run"] is True and levels_of(got) == {n: 1 for n in books.values()}
    assert {r["status"] for r in got["reminders"]} == {"planned"}
    today(monkeypatch, "2026-11-28")
    ahead = ok("remind", "run", "--date", "2027-02-01", "--dry-run", "--json").json()  # a preview of a later day
    assert levels_of(ahead) == {n: 3 for n in books.values()}
    assert db_content() == before
    r = ok("remind", "run", "--date", "2027-01-04", "--dry-run")
    assert "would record 3 reminders" in r.err and books["Acme Ltd"] in r.out
    assert db_content() == before


@pytest.mark.parametrize("args", [
    ("--date", "2027-13-01"), ("--date", "yesterday"), ("--date", "2027-02-01"),  # bad, and after today without --dry-run
])
def test_bad_date_refused_database_unchanged(books, args):
    before = db_content()
    refused("remind", "run", *args)
    assert db_content() == before


def test_retry_uncertain_needs_send(books):
    refused("remind", "run", "--retry-uncertain", code=2)


@pytest.mark.parametrize("key,value", [
    ("reminders.days", "15,7"), ("reminders.days", "7,7"), ("reminders.days", "0,7"), ("reminders.days", ""), ("reminders.days", "7,x"),
    ("reminders.days", "7.5"), ("reminders.days", "３"), ("reminders.penalty_rate", "-1"), ("reminders.penalty_rate", "abc"),
    ("reminders.penalty_rate", "101"), ("reminders.recovery_indemnity", "40.001"), ("reminders.recovery_indemnity", "-40"),
    ("reminders.mention", "maybe"),
])
def test_bad_settings_refused(books, key, value):
    before = db_content()
    refused("config", "set", "--", key, value)
    assert db_content() == before


def test_bad_settings_file_refuses_the_run_database_unchanged(books, monkeypatch):
    with open(os.environ["ORDERS_CONFIG"], "a", encoding="utf-8") as fh:
        fh.write("[reminders]\ndays = [30, 7]\n")
    today(monkeypatch, "2027-01-04")
    before = db_content()
    r = refused("remind", "run")
    assert "reminders.days" in r.err
    assert db_content() == before


def test_send_without_smtp_refused_database_unchanged(books, monkeypatch):
    today(monkeypatch, "2027-01-04")
    before = db_content()
    r = refused("remind", "run", "--send")
    assert "smtp.host" in r.err
    assert db_content() == before


def test_settings_defaults_and_forms():
    values = ok("config", "show", "--json").json()
    assert values["reminders.days"] == [7, 15, 30]
    assert values["reminders.penalty_rate"] == "12.15"
    assert values["reminders.recovery_indemnity"] == "40.00"
    assert values["reminders.mention"] is True
    ok("config", "set", "reminders.days", "[5 20 45]")
    ok("config", "set", "reminders.penalty_rate", "10")
    ok("config", "set", "reminders.recovery_indemnity", "40")
    data = tomllib.loads(open(os.environ["ORDERS_CONFIG"], encoding="utf-8").read())
    assert data["reminders"] == {"days": [5, 20, 45], "penalty_rate": "10", "recovery_indemnity": "40.00"}
    assert ok("config", "get", "reminders.days").out == "5;20;45\n"


# ---------------------------------------------------------------- remind list


def test_remind_list_filters_and_formats(books, monkeypatch):
    remind(monkeypatch, "2027-01-04")
    remind(monkeypatch, "2027-01-12")
    every = ok("remind", "list", "--json").json()
    assert len(every) == 6 and [r["level"] for r in every[:3]] == [2, 2, 2]  # newest first
    acme = ok("remind", "list", "--invoice", books["Acme Ltd"], "--json").json()
    assert [(r["invoice"], r["level"], r["reminder_date"], r["balance"], r["status"], r["to"]) for r in acme] == [
        (books["Acme Ltd"], 2, "2027-01-12", "120.00", "recorded", "ap@acme.example"),
        (books["Acme Ltd"], 1, "2027-01-04", "120.00", "recorded", "ap@acme.example")]
    assert [r["invoice"] for r in ok("remind", "list", "--account", "Café Müller", "--json").json()] == [books["Café Müller"]] * 2
    assert len(ok("remind", "list", "--jsonl").jsonl()) == 6
    assert ok("remind", "list", "--csv").out.splitlines()[0] == "id,invoice,account,level,reminder_date,balance,currency,status,to"
    refused("remind", "list", "--invoice", "INV-99999")
    refused("remind", "list", "--account", "Nobody")


# ---------------------------------------------------------------- --send


@pytest.fixture
def smtp():
    server = start_server()
    ok("config", "set", "smtp.host", "127.0.0.1")
    ok("config", "set", "smtp.port", str(server.port))
    ok("config", "set", "smtp.security", "none")
    ok("config", "set", "smtp.sender", "billing@example.com")
    ok("config", "set", "company.name", "Atelier Dupré")
    yield server
    server.controller.stop()


def mails_to(server, address: str) -> list:
    return [msg for rcpt, msg in server.messages if address in rcpt]


def test_send_mails_the_reminder_with_the_pdf_and_logs_an_activity(books, smtp, monkeypatch):
    acme, cafe = books["Acme Ltd"], books["Café Müller"]
    pay(acme, "20.00")
    got = remind(monkeypatch, "2027-01-04", "--send", code=1)  # Nomail has no address: exit 1
    by = {r["invoice"]: r for r in got["reminders"]}
    assert by[acme]["status"] == "sent" and by[acme]["to"] == "ap@acme.example" and by[acme]["balance"] == "100.00"
    assert by[cafe]["status"] == "sent"
    assert by[books["Nomail"]]["status"] == "failed"
    assert [(f["invoice"], f["level"]) for f in got["failed"]] == [(books["Nomail"], 1)]
    assert "no e-mail address" in got["failed"][0]["error"]

    [msg] = mails_to(smtp, "ap@acme.example")
    assert msg["Subject"] == f"Reminder: invoice {acme} is 7 days overdue"
    body = body_of(msg)
    assert "Amount still due: 100.00 EUR (invoice total 120.00 EUR)" in body and DUE in body and "7 days late" in body
    assert "12.15 % a year" in body and "40.00 EUR" in body and "L441-10" in body  # the mention, on by default
    assert "$" not in body and "\n\n\n" not in body
    name, data = attachment(msg)
    assert name == f"{acme}.pdf" and data.startswith(b"%PDF-")
    text = pdf_text(data)
    assert acme in text and "12.15" in text

    [fr] = mails_to(smtp, "compta@mueller.example")  # a French account: the French template
    assert fr["Subject"] == f"Relance : facture {cafe} échue depuis 7 jours"
    fr_body = body_of(fr)
    assert "Montant restant dû : 120.00 EUR" in fr_body and "Code de commerce" in fr_body and "40.00 EUR" in fr_body
    assert "Pénalités de retard" in " ".join(pdf_text(attachment(fr)[1]).split())

    order = ok("invoice", "show", acme, "--json").json()["order"]
    logged = [a for a in ok("activity", "list", order, "--json").json() if a["invoice"] == acme]
    assert len(logged) == 1 and logged[0]["type"] == "email" and logged[0]["done"] is True
    assert logged[0]["subject"] == f"Reminder 1 sent: {msg['Subject']}"
    assert "ap@acme.example" in logged[0]["note"] and "100.00 EUR" in logged[0]["note"]
    assert [(n, lv, st) for n, lv, _, _, st in rows()] == [(acme, 1, "sent"), (cafe, 1, "sent"), (books["Nomail"], 1, "failed")]

    # run again the same day: nothing is mailed twice; the failed one is tried again (and fails again)
    again = remind(monkeypatch, "2027-01-04", "--send", code=1)
    assert [(r["invoice"], r.get("retry")) for r in again["reminders"]] == [(books["Nomail"], True)]
    assert len(smtp.messages) == 2
    ok("account", "edit", "Nomail", "--email", "hello@nomail.example")
    fixed = remind(monkeypatch, "2027-01-05", "--send")
    assert [(r["invoice"], r["level"], r["status"]) for r in fixed["reminders"]] == [(books["Nomail"], 1, "sent")]
    assert len(mails_to(smtp, "hello@nomail.example")) == 1
    assert remind(monkeypatch, "2027-01-06", "--send")["reminders"] == []


def test_mention_off(books, smtp, monkeypatch):
    ok("config", "set", "reminders.mention", "false")
    remind(monkeypatch, "2027-01-04", "--send", code=1)
    body = body_of(mails_to(smtp, "ap@acme.example")[0])
    assert "L441-10" not in body and "12.15" not in body
    assert "12.15 % a year" in " ".join(pdf_text(attachment(mails_to(smtp, "ap@acme.example")[0])[1]).split())  # the invoice PDF keeps its mention


def test_server_refusing_leaves_the_level_failed_then_the_next_run_mails_it(books, smtp, monkeypatch):
    pay(books["Nomail"], "120.00")
    smtp.inbox.refuse = True
    got = remind(monkeypatch, "2027-01-04", "--send", code=1)
    assert got["failed"] and got["failed"][0]["uncertain"] is False
    assert got["left"] == 1  # the batch stopped after the first refusal: the other is left for the next run
    assert {st for *_, st in rows()} == {"failed"} and len(rows()) == 1
    smtp.inbox.refuse = False
    again = remind(monkeypatch, "2027-01-05", "--send")
    assert sorted(r["status"] for r in again["reminders"]) == ["sent", "sent"]
    assert {st for *_, st in rows()} == {"sent"} and len(smtp.messages) == 2


def test_uncertain_is_not_mailed_again_without_retry_uncertain(books, smtp, monkeypatch):
    pay(books["Nomail"], "120.00")
    pay(books["Café Müller"], "120.00")
    smtp.inbox.drop_after_data = True
    got = remind(monkeypatch, "2027-01-04", "--send", code=1)
    assert got["failed"][0]["uncertain"] is True and got["reminders"][0]["status"] == "uncertain"
    assert len(smtp.messages) == 1
    smtp.inbox.drop_after_data = False
    later = remind(monkeypatch, "2027-01-05", "--send")
    assert later["reminders"] == [] and [p["invoice"] for p in later["uncertain"]] == [books["Acme Ltd"]]
    today(monkeypatch, "2027-01-05")
    assert "retry-uncertain" in run("remind", "run", "--send").err
    retried = remind(monkeypatch, "2027-01-05", "--send", "--retry-uncertain")
    assert [(r["invoice"], r["status"]) for r in retried["reminders"]] == [(books["Acme Ltd"], "sent")]
    assert len(smtp.messages) == 2 and rows()[0][4] == "sent"


@pytest.mark.slow
def test_two_processes_at_once_send_each_level_once(books, smtp, monkeypatch):
    ok("account", "edit", "Nomail", "--email", "n@nomail.example")
    for i in range(9):  # 12 invoices in all
        order = ok("order", "add", "--subject", f"More {i}", "--account", ("Acme Ltd", "Café Müller", "Nomail")[i % 3],
                   "--line", "WIDGET:1", "--json").json()["number"]
        ok("order", "convert", "invoice", order)
    env = {**os.environ, "ORDERS_TODAY": "2027-01-12"}
    procs = [subprocess.Popen([sys.executable, "-m", "orders_cli", "remind", "run", "--send"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env) for _ in range(2)]
    outs = [p.communicate(timeout=180) for p in procs]
    for p, (_, err) in zip(procs, outs):
        assert p.returncode == 0, err
        assert "Traceback" not in err
    assert len(smtp.messages) == 12
    assert len({msg["Subject"] for _, msg in smtp.messages}) == 12
    assert sql("SELECT level, status, count(*) FROM reminder GROUP BY level, status") == [(2, "sent", 12)]


# ---------------------------------------------------------------- the mention on invoice PDFs


def test_invoice_pdf_states_the_penalty_rate_and_the_indemnity(books, tmp_path, monkeypatch):
    # the books' invoices were issued with the defaults: 12.15 % a year, 40.00 EUR
    ok("invoice", "pdf", books["Acme Ltd"], "--output", str(tmp_path / "en.pdf"))
    text = " ".join(pdf_text((tmp_path / "en.pdf").read_bytes()).split())
    assert "penalties at 12.15 % a year" in text and "40.00 EUR" in text and "L441-10" in text
    ok("invoice", "pdf", books["Café Müller"], "--output", str(tmp_path / "fr.pdf"))
    text = " ".join(pdf_text((tmp_path / "fr.pdf").read_bytes()).split())
    assert "Pénalités de retard : 12,15 % par an" in text and "40,00 EUR" in text
    # one setting, stated as at issue: a later change leaves issued invoices as they were
    ok("config", "set", "invoice.late_penalty_rate", "three times the legal interest rate")
    ok("config", "set", "invoice.recovery_indemnity", "45")
    ok("invoice", "pdf", books["Acme Ltd"], "--output", str(tmp_path / "again.pdf"))
    assert "12.15 % a year" in " ".join(pdf_text((tmp_path / "again.pdf").read_bytes()).split())
    today(monkeypatch, "2026-11-28")
    order = ok("order", "add", "--subject", "More widgets", "--account", "Acme Ltd", "--line", "WIDGET:1", "--json").json()
    inv = ok("order", "convert", "invoice", order["number"], "--json").json()
    assert (inv["seller"]["late_penalty_rate"], inv["seller"]["recovery_indemnity"]) == ("three times the legal interest rate", "45.00")
    ok("invoice", "pdf", inv["number"], "--output", str(tmp_path / "new.pdf"))
    text = " ".join(pdf_text((tmp_path / "new.pdf").read_bytes()).split())
    assert "penalties at three times the legal interest rate from the day after" in text and "45.00 EUR" in text
    ok("order", "pdf", "SO-00001", "--output", str(tmp_path / "order.pdf"))
    assert "L441-10" not in pdf_text((tmp_path / "order.pdf").read_bytes())  # invoices only


def test_the_older_reminders_keys_still_count_when_the_invoice_keys_are_unset(books, tmp_path, monkeypatch):
    ok("config", "set", "reminders.penalty_rate", "11.5")
    today(monkeypatch, "2026-11-28")
    order = ok("order", "add", "--subject", "More widgets", "--account", "Acme Ltd", "--line", "WIDGET:1", "--json").json()
    inv = ok("order", "convert", "invoice", order["number"], "--json").json()
    assert inv["seller"]["late_penalty_rate"] == "11.5"
    ok("config", "set", "invoice.late_penalty_rate", "10")  # the new key wins once set
    order = ok("order", "add", "--subject", "Yet more", "--account", "Acme Ltd", "--line", "WIDGET:1", "--json").json()
    assert ok("order", "convert", "invoice", order["number"], "--json").json()["seller"]["late_penalty_rate"] == "10"
    ok("invoice", "pdf", inv["number"], "--output", str(tmp_path / "old-key.pdf"))
    assert "11.5 % a year" in " ".join(pdf_text((tmp_path / "old-key.pdf").read_bytes()).split())
