"""Quotes with a life (issue 18, item 15): validity (--valid-until, quote.validity_days, on the
PDF), statuses with their history, edits and lines, duplicate, send (a real SMTP server on
127.0.0.1), conversion (accepted, expiry refused unless --force) and the JSON round trip that
never links one quote to two orders. Every refusal is one line and changes nothing."""

from __future__ import annotations

import email
import email.policy
import io
import json
import socket

import pytest
from conftest import clone_db, db_content, ok, refused

pypdf = pytest.importorskip("pypdf", reason="pypdf is in the test extra: pip install -e '.[test]'")

# today is 2026-11-28 (ORDERS_TODAY, conftest)


pytestmark = pytest.mark.usefixtures("cached_cli")  # the command tree built once (conftest)


def build_shop() -> None:
    ok("tax", "add", "VAT20", "--rate", "20")
    ok("account", "add", "Acme", "--email", "buy@acme.test", "--billing-city", "Paris")
    ok("account", "add", "Dupré", "--email", "achat@dupre.test", "--language", "fr")
    ok("contact", "add", "Jane Doe", "--account", "Acme")
    ok("product", "add", "MUG", "--name", "Mug", "--price", "8.50", "--tax", "VAT20")
    ok("product", "add", "CONSULT", "--name", "Consulting", "--price", "120.00", "--tax", "VAT20", "--service")


@pytest.fixture
def shop(db_template, isolated):
    """Tax VAT20; accounts Acme (contact Jane Doe) and Dupré (French); products MUG 8.50, CONSULT 120.00."""
    from orders_cli import store

    clone_db(db_template("quotes-shop", build_shop))
    ok("config", "set", "invoice.format", "plain")
    yield True
    store.dispose_all()


def unchanged(*args: str, code: int = 1, error_code: str | None = None) -> str:
    """Refused with one line, and the database exactly as before; returns the error line."""
    before = db_content()
    r = refused(*args, code=code, error_code=error_code)
    assert db_content() == before
    return r.err


def quote(*extra: str, date: str = "2026-11-01") -> dict:
    return ok("quote", "add", "--json", "--subject", "Proposal", "--account", "Acme", "--contact", "Jane Doe",
              "--line", "MUG:10", "--line", "CONSULT:2", "--date", date, *extra).json()


def show(ref: str = "QT-00001") -> dict:
    return ok("quote", "show", ref, "--json").json()


def statuses(ref: str = "QT-00001") -> list[tuple]:
    return [(e["old"], e["new"]) for e in ok("quote", "history", ref, "--json").json() if e["kind"] == "status"]


def changes(ref: str = "QT-00001") -> list[tuple]:
    return [(e["field"], e["old"], e["new"]) for e in ok("quote", "history", ref, "--json").json() if e["kind"] == "change"]


# ---------------------------------------------------------------- validity


def test_valid_until_defaults_from_the_setting_and_is_checked(shop):
    q = quote()
    assert q["quote_date"] == "2026-11-01" and q["valid_until"] == "2026-12-01"  # 30 days by default
    assert list(q)[:6] == ["id", "number", "subject", "status", "quote_date", "valid_until"]
    ok("config", "set", "quote.validity_days", "10")
    assert quote()["valid_until"] == "2026-11-11"
    ok("config", "set", "quote.validity_days", "0")  # no date by default
    assert quote()["valid_until"] is None
    assert quote("--valid-until", "2027-01-15")["valid_until"] == "2027-01-15"
    assert quote("--valid-until", "")["valid_until"] is None
    assert [r["valid_until"] for r in ok("quote", "list", "--json").json()] == [None, "2027-01-15", None, "2026-11-11", "2026-12-01"]
    assert "2026-12-01" in ok("quote", "list", "--csv").out.splitlines()[-1]
    ok("config", "set", "quote.validity_days", "30")
    assert "before the quote date 2026-11-01" in unchanged("quote", "add", "--subject", "s", "--account", "Acme", "--date", "2026-11-01",
                                                          "--valid-until", "2026-10-31")
    assert "leaves no room" in unchanged("quote", "add", "--subject", "s", "--account", "Acme", "--date", "9999-12-31")
    assert quote("--valid-until", "9999-12-31", date="9999-12-31")["valid_until"] == "9999-12-31"
    for bad in ("2026-02-30", "tomorrow", "a\x00b"):
        assert "--valid-until" in unchanged("quote", "add", "--subject", "s", "--account", "Acme", "--valid-until", bad)
    for bad in ("-1", "3651", "x"):
        err = refused("config", "set", "quote.validity_days", bad).err
        assert err.startswith("error: quote.validity_days: expected a whole number of days from 0 to 3650")
    assert ok("config", "get", "quote.validity_days").out == "30\n"


def test_the_pdf_prints_the_valid_until_date(shop, tmp_path):
    quote()
    ok("quote", "pdf", "QT-00001", "-o", str(tmp_path / "q.pdf"))
    text = pypdf.PdfReader(str(tmp_path / "q.pdf")).pages[0].extract_text()
    assert "Quote date: 2026-11-01\nValid until: 2026-12-01\n" in text
    ok("quote", "add", "--subject", "Devis", "--account", "Dupré", "--line", "MUG:1", "--valid-until", "2026-12-24")
    ok("quote", "pdf", "QT-00002", "-o", str(tmp_path / "fr.pdf"))
    text = pypdf.PdfReader(str(tmp_path / "fr.pdf")).pages[0].extract_text()
    assert "Valable jusqu'au" in text and "24/12/2026" in text
    ok("quote", "edit", "QT-00002", "--valid-until", "")  # none: no line for it
    ok("quote", "pdf", "QT-00002", "-o", str(tmp_path / "none.pdf"))
    assert "Valable" not in pypdf.PdfReader(str(tmp_path / "none.pdf")).pages[0].extract_text()


# ---------------------------------------------------------------- statuses and history


def test_status_moves_along_and_each_change_is_in_the_history(shop):
    quote()
    assert ok("quote", "status", "QT-00001", "sent").err == "QT-00001 is now sent\n"
    assert ok("quote", "status", "QT-00001", "EXPIRED", "--json").json()["status"] == "expired"
    assert [q["number"] for q in ok("quote", "list", "--status", "expired", "--json").json()] == ["QT-00001"]
    assert statuses() == [(None, "created"), ("created", "sent"), ("sent", "expired")]
    ok("quote", "status", "QT-00001", "sent")  # re-offered (its date is not past)
    ok("quote", "status", "QT-00001", "rejected")
    assert statuses()[-2:] == [("expired", "sent"), ("sent", "rejected")]
    assert "rejected, which is final" in unchanged("quote", "status", "QT-00001", "sent")
    assert "orders quote duplicate QT-00001" in unchanged("quote", "status", "QT-00001", "accepted", "--force")
    # quote show prints the history after the totals
    out = ok("quote", "show", "QT-00001").out
    assert out.index("total ") < out.index("History") < out.rindex("│ sent    │ rejected │")


def test_refused_transitions_say_so_in_one_line(shop):
    quote()
    assert unchanged("quote", "status", "QT-00001", "created") == "error: QT-00001 is already created\n"
    ok("quote", "status", "QT-00001", "sent")
    assert unchanged("quote", "status", "QT-00001", "sent", "--json", error_code="invalid_transition")
    assert unchanged("quote", "status", "QT-00001", "sent") == "error: QT-00001 is already sent\n"
    assert unchanged("quote", "status", "QT-00001", "created") == (
        "error: a quote cannot go from sent to created (allowed: accepted, cancelled, expired, rejected)\n")
    assert "unknown quote status 'acepted'; did you mean accepted" in unchanged("quote", "status", "QT-00001", "acepted")
    assert "QT-00009" in unchanged("quote", "status", "QT-00009", "sent", "--json", error_code="not_found")
    ok("quote", "status", "QT-00001", "cancelled")
    assert unchanged("quote", "status", "QT-00001", "sent") == (
        "error: QT-00001 is cancelled, which is final: make a new quote from it with orders quote duplicate QT-00001\n")
    assert "unknown quote status ''" in unchanged("quote", "status", "QT-00001", "")


def test_accepting_an_expired_quote_needs_force(shop):
    quote(date="2026-10-01")  # valid until 2026-10-31: past
    assert unchanged("quote", "status", "QT-00001", "accepted") == (
        "error: QT-00001 expired on 2026-10-31 (valid until then): accept it anyway with --force, "
        "or give it a new date first: orders quote edit QT-00001 --valid-until YYYY-MM-DD\n")
    assert "give it a new date first" in unchanged("quote", "status", "QT-00001", "sent")
    ok("quote", "status", "QT-00001", "accepted", "--force")
    assert statuses() == [(None, "created"), ("created", "accepted")]
    # accepted in time (here: by force) and not yet an order: converted without --force, no second accepted row
    o = ok("quote", "convert", "order", "QT-00001", "--json").json()
    assert o["quote"] == "QT-00001" and statuses() == [(None, "created"), ("created", "accepted")]
    assert "became SO-00001" in unchanged("quote", "status", "QT-00001", "rejected")


def test_an_accepted_quote_may_still_be_rejected_until_it_is_an_order(shop):
    quote()
    ok("quote", "status", "QT-00001", "accepted")
    ok("quote", "status", "QT-00001", "rejected")
    assert "rejected; it cannot become an order" in unchanged("quote", "convert", "order", "QT-00001")


def test_the_human_view_marks_a_past_date(shop, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    quote(date="2026-10-01")
    lines = ok("quote", "show", "QT-00001").out.splitlines()
    assert lines[:8] == [
        "QT-00001  Proposal",
        "number       QT-00001",
        "subject      Proposal",
        "status       created",
        "date         2026-10-01",
        "valid until  2026-10-31 (past: expired)",
        "account      Acme",
        "contact      Jane Doe",
    ]


# ---------------------------------------------------------------- edits and lines


def test_edit_and_lines_recompute_and_are_logged(shop):
    q = quote()
    assert q["totals"]["total"] == "390.00"  # 10 x 8.50 + 2 x 120.00 = 325.00, + 20 %
    e = ok("quote", "edit", "QT-00001", "--subject", "Fit-out", "--discount", "25.00", "--valid-until", "2026-12-20", "--json").json()
    assert (e["subject"], e["valid_until"], e["totals"]["total"]) == ("Fit-out", "2026-12-20", "360.00")
    assert ok("quote", "line", "add", "QT-00001", "--line", "MUG:2::10%", "--json").json()["lines"][2]["net"] == "15.30"
    assert ok("quote", "line", "edit", "QT-00001", "1", "--qty", "4", "--json").json()["lines"][0]["net"] == "34.00"
    r = ok("quote", "line", "remove", "QT-00001", "2", "--json").json()
    assert [(ln["line_no"], ln["sku"]) for ln in r["lines"]] == [(1, "MUG"), (3, "MUG")]
    assert r["totals"]["subtotal"] == "49.30" and show() == r
    assert changes() == [
        ("subject", "Proposal", "Fit-out"), ("valid_until", "2026-12-01", "2026-12-20"), ("discount", None, "25.00"),
        ("line 3", None, "MUG:2::10%"), ("line 1 quantity", "10", "4"), ("line 2", "CONSULT:2", None),
    ]
    ok("quote", "edit", "QT-00001", "--date", "2026-11-10")  # still before its valid-until date
    assert "after its valid-until date 2026-12-20" in unchanged("quote", "edit", "QT-00001", "--date", "2026-12-21")
    assert show()["quote_date"] == "2026-11-10"
    ok("quote", "edit", "QT-00001", "--date", "2026-12-21", "--valid-until", "2027-01-20")


def test_edit_and_line_refusals_change_nothing(shop):
    quote()
    assert "nothing to change" in unchanged("quote", "edit", "QT-00001")
    assert "before the quote date" in unchanged("quote", "edit", "QT-00001", "--valid-until", "2026-10-01")
    assert "has no line 9" in unchanged("quote", "line", "edit", "QT-00001", "9", "--qty", "1")
    assert "has no line 9" in unchanged("quote", "line", "remove", "QT-00001", "9")
    unchanged("quote", "line", "add", "QT-00001")
    unchanged("quote", "line", "add", "QT-00001", "--line", "NOPE:1")
    unchanged("quote", "line", "edit", "QT-00001", "1", "--qty", "0")
    ok("quote", "convert", "order", "QT-00001")
    locked = "error: QT-00001 is accepted: it can no longer change (it stays as the customer accepted it; change the order made from it)\n"
    assert unchanged("quote", "edit", "QT-00001", "--subject", "x") == locked
    assert unchanged("quote", "line", "add", "QT-00001", "--line", "MUG:1") == locked
    assert unchanged("quote", "line", "edit", "QT-00001", "1", "--qty", "2") == locked
    assert unchanged("quote", "line", "remove", "QT-00001", "1", "--json", error_code="locked")
    quote()
    ok("quote", "status", "QT-00002", "rejected")
    assert "make a new one with orders quote duplicate QT-00002" in unchanged("quote", "edit", "QT-00002", "--subject", "x")


# ---------------------------------------------------------------- duplicate


def test_duplicate_makes_a_new_created_quote_of_today(shop):
    quote("--discount", "5%", date="2026-10-01")
    ok("quote", "status", "QT-00001", "rejected")
    old = show()
    r = ok("quote", "duplicate", "QT-00001", "--json").json()
    assert ok("quote", "duplicate", "QT-00001").err == "created QT-00003 from QT-00001\n"
    assert (r["number"], r["status"], r["quote_date"], r["valid_until"]) == ("QT-00002", "created", "2026-11-28", "2026-12-28")
    keys = ("sku", "quantity", "unit_price", "discount", "net")
    assert [{k: ln[k] for k in keys} for ln in r["lines"]] == [{k: ln[k] for k in keys} for ln in old["lines"]]
    assert (r["contact"], r["discount"], r["totals"]) == (old["contact"], "5%", old["totals"])
    assert statuses("QT-00002") == [(None, "created")] and changes("QT-00002") == []
    assert show() == old  # the original is untouched
    unchanged("quote", "duplicate", "QT-00042", "--json", error_code="not_found")


# ---------------------------------------------------------------- convert


def test_convert_marks_the_quote_accepted_with_a_history_row(shop):
    quote()
    ok("quote", "status", "QT-00001", "sent")
    o = ok("quote", "convert", "order", "QT-00001", "--json").json()
    assert (o["number"], o["quote"], o["order_date"]) == ("SO-00001", "QT-00001", "2026-11-28")
    q = show()
    assert q["status"] == "accepted" and q["related"]["orders"] == [{"number": "SO-00001"}]
    assert statuses() == [(None, "created"), ("created", "sent"), ("sent", "accepted")]
    assert unchanged("quote", "convert", "order", "QT-00001") == "error: QT-00001 was already converted into SO-00001\n"
    assert unchanged("quote", "convert", "order", "QT-00001", "--force", "--json", error_code="conflict")


def test_an_expired_quote_is_converted_only_with_force(shop):
    quote(date="2026-10-01")  # valid until 2026-10-31
    assert unchanged("quote", "convert", "order", "QT-00001") == (
        "error: QT-00001 expired on 2026-10-31 (valid until then): convert it anyway with --force, "
        "or give it a new date first: orders quote edit QT-00001 --valid-until YYYY-MM-DD\n")
    quote()
    ok("quote", "status", "QT-00002", "expired")  # expired by its status, its date still ahead
    assert unchanged("quote", "convert", "order", "QT-00002", "--json", error_code="conflict")
    assert "QT-00002 is expired" in unchanged("quote", "convert", "order", "QT-00002")
    assert ok("quote", "convert", "order", "QT-00001", "--force", "--json").json()["quote"] == "QT-00001"
    assert statuses() == [(None, "created"), ("created", "accepted")]
    ok("quote", "edit", "QT-00002", "--valid-until", "2026-12-31")  # an expired quote may be edited ...
    ok("quote", "status", "QT-00002", "sent")  # ... sent again ...
    assert ok("quote", "convert", "order", "QT-00002", "--json").json()["number"] == "SO-00002"  # ... and converted


# ---------------------------------------------------------------- the JSON round trip


def test_an_order_fed_back_does_not_take_its_quote_along(shop):
    quote()
    ok("quote", "convert", "order", "QT-00001")
    order = ok("order", "show", "SO-00001", "--json").out
    assert ok("order", "add", "--from-json", "-", stdin=order).err == "imported 1 orders (SO-00002 to SO-00002)\n"
    copy = ok("order", "show", "SO-00002", "--json").json()
    assert copy["quote"] is None and copy["related"]["quote"] is None
    assert copy["lines"][0]["sku"] == "MUG" and copy["totals"] == json.loads(order)["totals"]
    assert show()["related"]["orders"] == [{"number": "SO-00001"}]
    # a quote's own JSON: a new order, no link, status created; the quote is not touched
    before = show()
    ok("order", "add", "--from-json", "-", stdin=json.dumps(before))
    made = ok("order", "show", "SO-00003", "--json").json()
    assert (made["quote"], made["status"], made["order_date"]) == (None, "created", "2026-11-28")
    assert show() == before
    # naming a quote that already led to an order
    assert unchanged("order", "add", "--subject", "s", "--account", "Acme", "--line", "MUG:1", "--quote", "QT-00001") == (
        "error: QT-00001 already led to SO-00001: one quote makes one order (leave --quote out)\n")


def test_one_import_links_a_quote_to_one_order_only(shop):
    quote()
    one = {"subject": "A", "account": "Acme", "quote": "QT-00001", "lines": [{"sku": "MUG", "quantity": "1"}]}
    ok("order", "add", "--from-json", "-", stdin=json.dumps([one, dict(one, subject="B")]))
    got = {o["number"]: ok("order", "show", o["number"], "--json").json()["quote"] for o in ok("order", "list", "--json").json()}
    assert got == {"SO-00001": "QT-00001", "SO-00002": None}
    assert show()["related"]["orders"] == [{"number": "SO-00001"}]
    assert show()["status"] == "created"  # a link is not an acceptance: quote convert order is


# ---------------------------------------------------------------- send


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content, policy=email.policy.default)))
        return "250 OK"


@pytest.fixture
def smtp(shop):
    controller_mod = pytest.importorskip("aiosmtpd.controller", reason="aiosmtpd is in the test extra")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = controller_mod.Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    for key, value in (("smtp.host", "127.0.0.1"), ("smtp.port", str(port)), ("smtp.security", "none"),
                       ("smtp.sender", "sales@example.com"), ("company.name", "Atelier")):
        ok("config", "set", key, value)
    yield inbox
    controller.stop()


def test_send_mails_the_pdf_and_the_quote_becomes_sent(smtp):
    quote()
    r = ok("quote", "send", "QT-00001", "--json").json()
    assert (r["sent"], r["to"], r["status"], r["attachment"]) == (True, ["buy@acme.test"], "sent", "QT-00001.pdf")
    (rcpt, msg), = smtp.messages
    assert rcpt == ["buy@acme.test"] and msg["Subject"] == "Quote QT-00001: Proposal"
    body = msg.get_body(("plain",)).get_content()
    assert "390.00 EUR, valid until 2026-12-01" in body
    (part,) = list(msg.iter_attachments())
    assert "Valid until: 2026-12-01" in pypdf.PdfReader(io.BytesIO(part.get_content())).pages[0].extract_text()
    assert statuses() == [(None, "created"), ("created", "sent")]
    assert changes() == [("e-mail", None, f"Quote QT-00001: Proposal (to buy@acme.test; {r['message_id']})")]
    # sent again: logged again, the status stays
    assert ok("quote", "send", "QT-00001", "--to", "x@example.com").err == "QT-00001 mailed to x@example.com (now sent)\n"
    assert len(changes()) == 2 and len(statuses()) == 2


def test_send_refusals_mail_and_change_nothing(smtp, tmp_path):
    quote(date="2026-10-01")  # past its date
    assert unchanged("quote", "send", "QT-00001") == (
        "error: QT-00001 expired on 2026-10-31 (valid until then): give it a new date first: "
        "orders quote edit QT-00001 --valid-until YYYY-MM-DD\n")
    quote()
    ok("quote", "status", "QT-00002", "rejected")
    assert unchanged("quote", "send", "QT-00002") == "error: QT-00002 is rejected: it is not sent\n"
    unchanged("quote", "send", "QT-00009", "--json", error_code="not_found")
    quote()
    unchanged("quote", "send", "QT-00003", "--to", "not an address")
    assert smtp.messages == []
    before = db_content()
    ok("quote", "send", "QT-00003", "--eml", str(tmp_path / "q.eml"))  # written, not sent: nothing logged
    assert db_content() == before and b"Subject: Quote QT-00003: Proposal" in (tmp_path / "q.eml").read_bytes()


def test_a_french_quote_is_mailed_in_french(smtp):
    ok("quote", "add", "--subject", "Devis", "--account", "Dupré", "--line", "MUG:1", "--valid-until", "2026-12-24")
    ok("quote", "send", "QT-00001")
    (_, msg), = smtp.messages
    assert msg["Subject"] == "Devis QT-00001 : Devis"
    assert "valable jusqu'au 2026-12-24" in msg.get_body(("plain",)).get_content()
