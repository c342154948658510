"""E-mail: a real SMTP server (aiosmtpd) on 127.0.0.1 receives what `order send`,
`invoice send` and `recur run --send` mail; the messages are parsed back."""

from __future__ import annotations

import email
import email.policy
import io
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import db_content, ok, refused, run, spawn, sql


@pytest.fixture(autouse=True)
def _plain_pdfs(isolated):
    """Invoices here carry no complete EN 16931 identity (no SIREN, no customer country): these tests
    are about what a PDF draws and how mail goes out, so invoices are plain PDFs (invoice.format
    plain). The default, Factur-X, is held to by test_facturx_out.py and test_facturx_pdf.py."""
    from conftest import ok as _ok

    _ok("config", "set", "invoice.format", "plain")


aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller", reason="aiosmtpd is in the test extra: pip install -e '.[test]'")
pypdf = pytest.importorskip("pypdf", reason="pypdf is in the test extra")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """An aiosmtpd handler keeping every message it accepts; ``refuse`` makes it answer 550 to RCPT,
    ``reject_data`` 554 to the message, ``drop_after_data`` store the message then drop the
    connection without its final 250 (the client cannot know it was delivered)."""

    def __init__(self):
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []
        self.logins: list[str] = []
        self.refuse = False
        self.reject_data = False
        self.drop_after_data = False
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.reject_data:
            return "554 5.7.1 message rejected"
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), msg))
        if self.drop_after_data:
            server.transport.abort()  # stored, then gone before the 250
            return "250 never seen"
        return "250 Message accepted for delivery"


class Server:
    def __init__(self, port: int, inbox: Inbox, controller):
        self.port, self.inbox, self.controller = port, inbox, controller

    @property
    def messages(self):
        return self.inbox.messages


def start_server(**kwargs) -> Server:
    inbox = Inbox()
    port = free_port()
    controller = aiosmtpd_controller.Controller(inbox, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    return Server(port, inbox, controller)


@pytest.fixture
def smtp():
    """A plain SMTP server on 127.0.0.1, and the settings pointing at it."""
    server = start_server()
    ok("config", "set", "smtp.host", "127.0.0.1")
    ok("config", "set", "smtp.port", str(server.port))
    ok("config", "set", "smtp.security", "none")
    ok("config", "set", "smtp.sender", "billing@example.com")
    ok("config", "set", "company.name", "Société Générale de Café")
    yield server
    server.controller.stop()


@pytest.fixture
def shop(demo):
    """The demo data; SO-00002 is Café Müller's order."""
    return "SO-00002"


def attachment(msg) -> tuple[str, bytes]:
    parts = [p for p in msg.iter_attachments()]
    assert len(parts) == 1
    return parts[0].get_filename(), parts[0].get_content()


def body_of(msg) -> str:
    """The plain-text body with the wire's CRLF line ends made plain."""
    return msg.get_body(("plain",)).get_content().replace("\r\n", "\n")


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def order_view(ref: str) -> dict:
    return ok("order", "show", ref, "--json").json()


# ---------------------------------------------------------------- order send / invoice send


def test_order_send_delivers_the_pdf_and_logs_an_activity(shop, smtp):
    order = order_view(shop)
    r = ok("order", "send", shop, "--to", "buyer@example.com", "--cc", "boss@example.com", "--cc", "acct@example.com", "--json")
    result = r.json()
    assert result["sent"] is True and result["to"] == ["buyer@example.com"]
    assert len(smtp.messages) == 1
    rcpt, msg = smtp.messages[0]
    assert sorted(rcpt) == ["acct@example.com", "boss@example.com", "buyer@example.com"]
    assert msg["To"] == "buyer@example.com"
    assert "boss@example.com" in msg["Cc"] and "acct@example.com" in msg["Cc"]
    assert msg["From"].addresses[0].addr_spec == "billing@example.com"
    assert msg["From"].addresses[0].display_name == "Société Générale de Café"
    assert msg["Subject"] == f"Order {shop}: {order['subject']}"
    assert msg["Message-ID"] == result["message_id"]
    body = body_of(msg)
    assert order["totals"]["total"] in body and "Société Générale de Café" in body
    name, data = attachment(msg)
    assert name == f"{shop}.pdf" and data.startswith(b"%PDF-")
    text = pdf_text(data)
    assert shop in text and "Müller" in text and order["totals"]["total"] in text
    # logged on the order as a done e-mail activity, visible in order show
    acts = order_view(shop)["related"]["activities"]
    assert [(a["type"], a["done"]) for a in acts] == [("email", True)]
    assert msg["Subject"] in acts[0]["subject"]


def test_default_recipient_is_the_accounts_email(shop, smtp):
    account = order_view(shop)["account"]["name"]
    email_of = {a["name"]: a.get("email") for a in ok("account", "list", "--json").json()}
    assert email_of[account]
    ok("order", "send", shop)
    assert smtp.messages[0][0] == [email_of[account]]


def test_custom_subject_and_message(shop, smtp):
    ok("order", "send", shop, "--to", "a@example.com", "--subject", "Votre commande ✓", "--message", "Merci beaucoup,\nÀ bientôt")
    _, msg = smtp.messages[0]
    assert msg["Subject"] == "Votre commande ✓"
    assert body_of(msg) == "Merci beaucoup,\nÀ bientôt\n"


def make_invoice(order: str) -> str:
    return ok("order", "convert", "invoice", order, "--json").json()["number"]


def test_invoice_send_marks_it_sent_and_logs_on_invoice_and_order(shop, smtp):
    number = make_invoice(shop)
    inv = ok("invoice", "show", number, "--json").json()
    assert inv["status"] != "sent"
    result = ok("invoice", "send", number, "--to", "ap@example.com", "--json").json()
    assert result["status"] == "sent"
    assert ok("invoice", "show", number, "--json").json()["status"] == "sent"
    _, msg = smtp.messages[0]
    assert msg["Subject"].startswith(f"Invoice {number}")
    name, data = attachment(msg)
    assert name == f"{number}.pdf"
    text = pdf_text(data)
    assert number in text and inv["totals"]["total"] in text and inv["due_date"] in text
    acts = order_view(shop)["related"]["activities"]
    assert acts[-1]["type"] == "email"
    [(inv_id,)] = sql("SELECT id FROM invoice WHERE number = ?", number)
    assert sql("SELECT count(*) FROM activity WHERE type = 'email' AND invoice_id = ?", inv_id) == [(1,)]
    # sending a sent invoice again is allowed (a reminder) and keeps it sent
    ok("invoice", "send", number, "--to", "ap@example.com")
    assert len(smtp.messages) == 2


def test_cancelled_invoice_is_not_sent(shop, smtp):
    number = make_invoice(shop)
    ok("invoice", "status", number, "cancelled")
    before = db_content()
    refused("invoice", "send", number, "--to", "ap@example.com")
    assert db_content() == before and smtp.messages == []


def test_french_account_gets_the_french_template_and_labels(shop, smtp):
    account = order_view(shop)["account"]["name"]
    ok("account", "edit", account, "--language", "fr")
    number = make_invoice(shop)
    ok("invoice", "send", number, "--to", "ap@example.com")
    _, msg = smtp.messages[0]
    assert msg["Subject"].startswith(f"Facture {number}")
    assert "veuillez trouver ci-joint la facture" in body_of(msg)
    text = pdf_text(attachment(msg)[1])
    assert "Facture" in text and "Date d'échéance" in text


# ---------------------------------------------------------------- --eml


def test_eml_writes_the_message_and_logs_nothing(shop, tmp_path):
    before = db_content()
    path = tmp_path / "out" / "order.eml"
    ok("order", "send", shop, "--to", "buyer@example.com", "--eml", str(path))  # no SMTP settings needed
    assert db_content() == before
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert msg["To"] == "buyer@example.com"
    name, data = attachment(msg)
    assert name == f"{shop}.pdf" and shop in pdf_text(data)


def test_eml_to_a_folder_is_refused(shop, tmp_path):
    before = db_content()
    r = refused("order", "send", shop, "--to", "a@example.com", "--eml", str(tmp_path))
    assert "is a folder" in r.err
    assert db_content() == before and not list(tmp_path.glob(".*.tmp"))


# ---------------------------------------------------------------- refusals: nothing sent, nothing logged


@pytest.mark.parametrize("args", [
    ["--to", "not-an-address"],
    ["--to", "a@example.com\r\nBcc: victim@example.com"],
    ["--to", "a@example.com", "--cc", "b@example.com\nBcc: victim@example.com"],
    ["--to", "a@example.com", "--subject", "hello\r\nBcc: victim@example.com"],
    ["--to", "a@example.com", "--subject", "hello\nX-Injected: 1"],
    ["--to", "a@example.com", "--message", "nul\x00byte"],
    ["--to", "a@example.com, b@example.com"],
])
def test_header_injection_and_bad_addresses_are_refused(shop, smtp, args):
    before = db_content()
    refused("order", "send", shop, *args)
    assert db_content() == before
    assert smtp.messages == []


def test_unknown_order_is_refused(shop, smtp):
    refused("order", "send", "SO-99999", "--to", "a@example.com", error_code=None)
    assert smtp.messages == []


def test_no_smtp_settings_is_a_clear_refusal(shop):
    before = db_content()
    r = refused("order", "send", shop, "--to", "a@example.com")
    assert "smtp.host" in r.err
    assert db_content() == before


def test_unreachable_server_is_one_error_and_nothing_logged(shop):
    port = free_port()  # nothing listens there
    ok("config", "set", "smtp.host", "127.0.0.1")
    ok("config", "set", "smtp.port", str(port))
    ok("config", "set", "smtp.security", "none")
    ok("config", "set", "smtp.sender", "billing@example.com")
    number = make_invoice(shop)
    before = db_content()
    r = refused("invoice", "send", number, "--to", "a@example.com")
    assert f"127.0.0.1:{port}" in r.err
    assert db_content() == before
    r = run("invoice", "send", number, "--to", "a@example.com", "--json")
    assert r.code == 1 and '"code": "mail"' in r.err


def test_refused_recipient_is_one_error_and_nothing_logged(shop, smtp):
    smtp.inbox.refuse = True
    before = db_content()
    r = refused("order", "send", shop, "--to", "nobody@example.com")
    assert "refused" in r.err and "nobody@example.com" in r.err
    assert db_content() == before and smtp.messages == []


def test_user_without_password_variable_is_refused(shop, smtp):
    ok("config", "set", "smtp.user", "billing")
    before = db_content()
    r = refused("order", "send", shop, "--to", "a@example.com")
    assert "ORDERS_SMTP_PASSWORD" in r.err
    assert db_content() == before and smtp.messages == []


# ---------------------------------------------------------------- TLS and login


@pytest.fixture
def tls(tmp_path, monkeypatch):
    """A certificate authority the client trusts (SSL_CERT_FILE) and a server context for 127.0.0.1."""
    trustme = pytest.importorskip("trustme", reason="trustme is in the test extra")
    import ssl

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    return context


class Authenticator:
    def __init__(self, logins: list[str]):
        self.logins = logins

    def __call__(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult

        ok_ = auth_data.login == b"billing" and auth_data.password == b"s3cret \xc3\xa9"
        if ok_:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok_, handled=False)  # handled=False: the server answers 535 itself


def configure(port: int, security: str, user: str = "") -> None:
    ok("config", "set", "smtp.host", "127.0.0.1")
    ok("config", "set", "smtp.port", str(port))
    ok("config", "set", "smtp.security", security)
    ok("config", "set", "smtp.sender", "billing@example.com")
    if user:
        ok("config", "set", "smtp.user", user)


def test_starttls_with_login_password_from_the_environment(shop, tls, monkeypatch):
    logins: list[str] = []
    server = start_server(tls_context=tls, require_starttls=True, authenticator=Authenticator(logins), auth_require_tls=True)
    try:
        configure(server.port, "starttls", "billing")
        monkeypatch.setenv("ORDERS_SMTP_PASSWORD", "s3cret é")
        ok("order", "send", shop, "--to", "buyer@example.com")
        assert logins == ["billing"] and len(server.messages) == 1
        # the password is never written to the settings file
        assert "s3cret" not in Path(os.environ["ORDERS_CONFIG"]).read_text()
        # a wrong password: one clear error, nothing logged
        monkeypatch.setenv("ORDERS_SMTP_PASSWORD", "wrong")
        before = db_content()
        r = refused("order", "send", shop, "--to", "buyer@example.com")
        assert "refused the login" in r.err
        assert db_content() == before and len(server.messages) == 1
    finally:
        server.controller.stop()


def test_starttls_refuses_an_untrusted_certificate(shop, tls, monkeypatch):
    server = start_server(tls_context=tls, require_starttls=True)
    try:
        configure(server.port, "starttls")
        monkeypatch.delenv("SSL_CERT_FILE")
        monkeypatch.setenv("SSL_CERT_DIR", "/nonexistent")
        before = db_content()
        r = refused("order", "send", shop, "--to", "buyer@example.com")
        assert "certificate" in r.err.lower()
        assert db_content() == before and server.messages == []
    finally:
        server.controller.stop()


def test_implicit_tls(shop, tls):
    server = start_server(ssl_context=tls)
    try:
        configure(server.port, "ssl")
        ok("order", "send", shop, "--to", "buyer@example.com")
        assert len(server.messages) == 1
    finally:
        server.controller.stop()


# ---------------------------------------------------------------- templates overridden by the business


def test_templates_dir_overrides_email_and_layout(shop, smtp, tmp_path):
    folder = tmp_path / "my-templates"
    (folder / "email").mkdir(parents=True)
    (folder / "email" / "order.txt").write_text("Subject: Your order $number is confirmed\n\nDear $account,\nthanks.\n", encoding="utf-8")
    (folder / "layout.toml").write_text('[columns]\norder = ["sku", "description", "quantity", "net"]\n[colours]\ntitle = "#1f4e79"\n', encoding="utf-8")
    (folder / "labels.toml").write_text('[en]\nfooter = "IBAN FR76 3000 6000 0112 3456 7890 189"\nsku = "Article"\n', encoding="utf-8")
    ok("config", "set", "templates.dir", str(folder))
    ok("order", "send", shop, "--to", "a@example.com")
    _, msg = smtp.messages[0]
    account = order_view(shop)["account"]["name"]
    assert msg["Subject"] == f"Your order {shop} is confirmed"
    assert body_of(msg) == f"Dear {account},\nthanks.\n"
    text = pdf_text(attachment(msg)[1])
    assert "IBAN FR76 3000 6000 0112 3456 7890 189" in text
    assert "Article" in text and "Unit price" not in text and "Disc." not in text


@pytest.mark.parametrize("layout, message", [
    ('[columns]\norder = ["sku", "colour"]\n', "unknown column"),
    ('[columns]\norder = ["sku", "net"]\n', "must include description"),
    ('[colours]\ntitle = "blue"\n', "colour"),
    ('[logo]\nposition = "top"\n', "logo.position"),
    ('[columns\n', "not valid TOML"),
])
def test_a_broken_layout_is_a_clear_refusal(shop, tmp_path, layout, message):
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "layout.toml").write_text(layout, encoding="utf-8")
    ok("config", "set", "templates.dir", str(folder))
    r = refused("order", "pdf", shop, "-o", str(tmp_path / "x.pdf"))
    assert message in r.err
    assert not (tmp_path / "x.pdf").exists()


def test_a_missing_templates_dir_is_a_clear_refusal(shop, tmp_path):
    (tmp_path / "gone").mkdir()
    ok("config", "set", "templates.dir", str(tmp_path / "gone"))  # a folder when set (checked), removed since
    (tmp_path / "gone").rmdir()
    r = refused("order", "pdf", shop, "-o", str(tmp_path / "x.pdf"))
    assert "templates.dir" in r.err


# ---------------------------------------------------------------- recur run --send


def recurring_setup(email_address: str | None = "billing@acme.example") -> str:
    ok("tax", "add", "VAT20", "--rate", "20")
    args = ["--email", email_address] if email_address else []
    ok("account", "add", "Acme", *args)
    ok("product", "add", "MAINT", "--name", "Maintenance", "--price", "100.00", "--tax", "VAT20", "--service")
    number = ok("order", "add", "--json", "--subject", "Support", "--account", "Acme", "--line", "MAINT:1").json()["number"]
    ok("recur", "set", number, "--frequency", "monthly", "--start", "2026-01-01")
    return number


def send_log() -> list[tuple[str, str, str]]:
    return sql("SELECT i.number, s.recipient, s.status FROM send_log s JOIN invoice i ON i.id = s.invoice_id ORDER BY i.number")


def test_recur_run_send_mails_each_invoice_once(smtp):
    recurring_setup()
    out = ok("recur", "run", "--date", "2026-03-15", "--send", "--json").json()
    numbers = [i["number"] for i in out["invoices"]]
    assert len(numbers) == 3
    assert sorted(i["invoice"] for i in out["mail"]["sent"]) == sorted(numbers)
    assert out["mail"]["pending"] == 0 and out["mail"]["failed"] == []
    got = sorted(msg["Subject"].split(":")[0] for _, msg in smtp.messages)
    assert got == sorted(f"Invoice {n}" for n in numbers)
    assert all(rcpt == ["billing@acme.example"] for rcpt, _ in smtp.messages)
    assert [s for _, _, s in send_log()] == ["sent"] * 3
    for n in numbers:
        assert ok("invoice", "show", n, "--json").json()["status"] == "sent"
    # again, and a later day: only the new period's invoice goes out
    ok("recur", "run", "--date", "2026-03-15", "--send")
    assert len(smtp.messages) == 3
    out = ok("recur", "run", "--date", "2026-04-02", "--send", "--json").json()
    assert len(out["invoices"]) == 1 and len(smtp.messages) == 4


def test_recur_run_without_send_mails_nothing_and_queues_nothing(smtp):
    recurring_setup()
    ok("recur", "run", "--date", "2026-02-15")
    assert smtp.messages == [] and send_log() == []
    # a later --send run mails only what it makes
    ok("recur", "run", "--date", "2026-03-15", "--send")
    assert len(smtp.messages) == 1


def test_recur_run_send_refuses_before_billing_without_smtp_settings():
    recurring_setup()
    before = db_content()
    refused("recur", "run", "--date", "2026-03-15", "--send")
    assert db_content() == before


def test_account_without_email_is_billed_and_reported(smtp):
    recurring_setup(email_address=None)
    r = run("recur", "run", "--date", "2026-01-15", "--send")
    assert r.code == 0, r.err
    assert "no e-mail address" in r.err
    assert smtp.messages == [] and send_log() == []


def test_server_down_keeps_invoices_queued_until_the_next_run(tmp_path):
    recurring_setup()
    port = free_port()
    configure(port, "none")
    r = run("recur", "run", "--date", "2026-02-15", "--send", "--json")
    assert r.code == 1, r.err
    out = r.json()
    assert len(out["invoices"]) == 2 and out["mail"]["sent"] == []
    assert out["mail"]["pending"] == 2 and f"127.0.0.1:{port}" in out["mail"]["error"]
    assert [s for _, _, s in send_log()] == ["pending", "pending"]
    assert sql("SELECT count(*) FROM activity") == [(0,)]
    # the server comes up: the next run mails both, once
    inbox = Inbox()
    controller = aiosmtpd_controller.Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        out = ok("recur", "run", "--date", "2026-02-15", "--send", "--json").json()
        assert out["invoices"] == [] and len(out["mail"]["sent"]) == 2
        assert len(inbox.messages) == 2
        ok("recur", "run", "--date", "2026-02-15", "--send")
        assert len(inbox.messages) == 2
    finally:
        controller.stop()


@pytest.mark.slow
def test_overlapping_runs_never_mail_an_invoice_twice(smtp):
    """Four real processes run `recur run --send` at once over 12 due periods: every invoice
    is made once and mailed exactly once."""
    recurring_setup()
    from orders_cli import store

    store.dispose_all()
    procs = [subprocess.Popen([sys.executable, "-m", "orders_cli", "recur", "run", "--date", "2026-12-15", "--allow-future", "--send"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ)) for _ in range(4)]
    outs = [p.communicate(timeout=180) for p in procs]
    for p, (o, e) in zip(procs, outs):
        assert p.returncode == 0, e
        assert "Traceback" not in e
    numbers = [n for n, _, _ in send_log()]
    assert len(numbers) == 12 and len(set(numbers)) == 12
    subjects = [msg["Subject"] for _, msg in smtp.messages]
    assert len(subjects) == 12 and len(set(subjects)) == 12
    assert [s for _, _, s in send_log()] == ["sent"] * 12


@pytest.mark.slow
def test_a_run_killed_while_mailing_never_mails_twice(smtp):
    """SIGKILL a `recur run --send` part way through mailing; the next run mails what was
    still queued and never an invoice the killed run had already handed to the server."""
    import signal

    recurring_setup()
    from orders_cli import store

    store.dispose_all()
    p = subprocess.Popen([sys.executable, "-m", "orders_cli", "recur", "run", "--date", "2026-12-15", "--allow-future", "--send"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ))
    deadline = time.monotonic() + 120
    while len(smtp.messages) < 3 and time.monotonic() < deadline and p.poll() is None:
        time.sleep(0.01)
    p.send_signal(signal.SIGKILL)
    p.wait()
    first = len(smtp.messages)
    assert first >= 3
    r = spawn("recur", "run", "--date", "2026-12-15", "--allow-future", "--send")
    assert r.returncode == 0, r.stderr
    from collections import Counter

    received = Counter(msg["Subject"].split(":")[0] for _, msg in smtp.messages)
    assert max(received.values()) == 1, "an invoice was mailed twice"
    log = send_log()
    assert len(log) == 12
    statuses = [s for _, _, s in log]
    # at most one invoice can be caught between 'sending' and 'sent': reported, never re-sent
    assert statuses.count("sending") <= 1 and set(statuses) <= {"sent", "sending"}
    for number, _, status in log:
        assert received[f"Invoice {number}"] == (1 if status == "sent" else received[f"Invoice {number}"])
    if "sending" in statuses:
        assert "may or may not have been mailed" in r.stderr


# ---------------------------------------------------------------- uncertain: the message went out, no final reply


def test_invoice_send_says_a_mail_may_have_been_delivered(shop, smtp):
    number = make_invoice(shop)
    smtp.inbox.drop_after_data = True
    before = db_content()
    r = refused("invoice", "send", number, "--to", "ap@example.com")
    assert "may have been delivered" in r.err and f"127.0.0.1:{smtp.port}" in r.err
    assert db_content() == before and len(smtp.messages) == 1


def test_a_mail_that_may_have_been_delivered_is_not_sent_again(smtp):
    recurring_setup()
    smtp.inbox.drop_after_data = True
    r = run("recur", "run", "--date", "2026-01-15", "--send")
    assert r.code == 1, r.err
    [(number, _, status)] = send_log()
    assert status == "uncertain" and len(smtp.messages) == 1
    assert f"error: {number}: may have been mailed" in r.err and "--retry-uncertain" in r.err
    # the server is fine again: the next runs do not mail it, and name it every time
    smtp.inbox.drop_after_data = False
    r = run("recur", "run", "--date", "2026-01-15", "--send", "--json")
    assert r.code == 0, r.err
    assert r.json()["mail"]["uncertain"] == [number] and r.json()["mail"]["sent"] == []
    assert f"warning: {number} may have been mailed" in r.err
    assert len(smtp.messages) == 1 and [s for _, _, s in send_log()] == ["uncertain"]
    assert sql("SELECT count(*) FROM activity") == [(0,)]
    assert ok("invoice", "show", number, "--json").json()["status"] != "sent"
    # a person checked: --retry-uncertain mails it, once
    out = ok("recur", "run", "--date", "2026-01-15", "--send", "--retry-uncertain", "--json").json()
    assert [m["invoice"] for m in out["mail"]["sent"]] == [number] and out["mail"]["uncertain"] == []
    assert len(smtp.messages) == 2 and [s for _, _, s in send_log()] == ["sent"]
    assert ok("invoice", "show", number, "--json").json()["status"] == "sent"
    ok("recur", "run", "--date", "2026-01-15", "--send", "--retry-uncertain")
    assert len(smtp.messages) == 2


def test_retry_uncertain_needs_send(smtp):
    recurring_setup()
    before = db_content()
    r = run("recur", "run", "--date", "2026-01-15", "--retry-uncertain")
    assert r.code == 2 and "--send" in r.err
    assert db_content() == before


@pytest.mark.parametrize("failure", ["refuse", "reject_data"])
def test_a_refused_mail_stays_queued_and_the_next_run_mails_it(smtp, failure):
    """Refused at RCPT (550) or the message refused (554): certainly not delivered, a safe retry."""
    recurring_setup()
    setattr(smtp.inbox, failure, True)
    r = run("recur", "run", "--date", "2026-01-15", "--send", "--json")
    assert r.code == 1, r.err
    assert r.json()["mail"]["pending"] == 1 and r.json()["mail"]["uncertain"] == []
    assert [s for _, _, s in send_log()] == ["pending"] and smtp.messages == []
    assert "may have been" not in r.err
    setattr(smtp.inbox, failure, False)
    ok("recur", "run", "--date", "2026-01-15", "--send")
    assert len(smtp.messages) == 1 and [s for _, _, s in send_log()] == ["sent"]


def test_a_timeout_waiting_for_the_final_reply_is_uncertain(monkeypatch):
    """The server keeps the message and never answers: after the client's timeout, uncertain."""
    import asyncio

    from orders_cli.adapters import mail

    class Slow(Inbox):
        async def handle_DATA(self, server, session, envelope):
            self.messages.append((list(envelope.rcpt_tos), envelope.content))
            await asyncio.sleep(3)
            return "250 too late"

    inbox = Slow()
    port = free_port()
    controller = aiosmtpd_controller.Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        configure(port, "none")
        monkeypatch.setattr(mail, "TIMEOUT", 1)
        recurring_setup()
        r = run("recur", "run", "--date", "2026-01-15", "--send")
        assert r.code == 1 and "may have been mailed" in r.err, r.err
        assert [s for _, _, s in send_log()] == ["uncertain"] and len(inbox.messages) == 1
    finally:
        controller.stop()
