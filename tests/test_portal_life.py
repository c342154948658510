"""The portal as a customer lives it (issue 18 item 17): their language (the account's, else the
`language` setting) with the labels of the PDFs, payment states instead of internal statuses,
cancelled and credited documents behind a link, a page that fits a 390 px phone, and
`orders portal serve` saying its address the moment it listens.

Most tests call the real Starlette app in this process through its ASGI interface (the
`call` below: Starlette's TestClient needs httpx, which the project does not depend on);
one starts the real process; one drives headless Chromium at 390 px."""

from __future__ import annotations

import asyncio
import io
import os
import re
import selectors
import subprocess
import sys
from contextlib import contextmanager
from html import unescape
from urllib.parse import unquote

import pytest
from conftest import clone_db, db_content, ok, spawn
from portal_server import last_line
from test_portal_browser import CHROMEDRIVER, CHROMIUM, browser  # noqa: F401  (the browser fixture)

TOKENS: dict[str, str] = {}  # the scenario's sign-in tokens, by account (issued once, in the template)
LONG = "Réaménagement-complet-de-la-salle-de-restaurant-et-de-la-terrasse-" * 3  # no space to break at


def scenario() -> None:
    """Acme (no language) and Café Müller (fr). Acme's finalized orders and their invoices on
    2026-11-28, one per payment state:

    SO-00001 / INV-00001  dated 2026-10-01, due 2026-10-31, 5.00 of 10.20 paid: overdue
    SO-00002 / INV-00002  dated 2026-10-29, due 2026-11-28: due (today)
    SO-00003              cancelled (never invoiced)
    SO-00004 / INV-00003  paid (invoice status paid)
    SO-00005 / INV-00004  10.00 of 20.40 paid, due 2026-12-28: partly paid
    SO-00006 / INV-00005  cancelled by a credit note (CN-00001): credited; INV-00006 unpaid
    SO-00007              finalized, not invoiced yet, with a subject that has no space to break at
    Café Müller: SO-00008 / INV-00007 unpaid (2 490.00 before tax: a thousands separator).
    """
    day = os.environ.get("ORDERS_TODAY")
    try:
        ok("config", "set", "company.name", "Atelier Dupré")
        ok("tax", "add", "VAT20", "--rate", "20")
        ok("account", "add", "Acme", "--billing-street", "1 rue Acme", "--billing-city", "Paris")
        ok("account", "add", "Café Müller", "--language", "fr", "--billing-street", "5 place Bellecour", "--billing-city", "Lyon")
        ok("product", "add", "MUG", "--name", "Mug émaillé", "--price", "8.50", "--tax", "VAT20")
        ok("product", "add", "OVEN", "--name", "Four à pizza", "--price", "2490.00", "--tax", "VAT20")

        def order(subject: str, line: str, account: str = "Acme") -> str:
            number = ok("order", "add", "--subject", subject, "--account", account, "--line", line, "--json").json()["number"]
            ok("order", "finalize", number, "--yes")
            return number

        os.environ["ORDERS_TODAY"] = "2026-10-01"
        ok("order", "convert", "invoice", order("Old order", "MUG:1"))
        ok("payment", "add", "INV-00001", "--amount", "5.00")
        os.environ["ORDERS_TODAY"] = "2026-10-29"
        ok("order", "convert", "invoice", order("Due today", "MUG:1"))
        os.environ["ORDERS_TODAY"] = "2026-11-28"
        ok("order", "status", order("Given up", "MUG:1"), "cancelled")
        ok("order", "convert", "invoice", order("Settled order", "MUG:1"))
        ok("invoice", "status", "INV-00003", "paid")
        ok("order", "convert", "invoice", order("Half paid", "MUG:2"))
        ok("payment", "add", "INV-00004", "--amount", "10.00")
        so6 = order("Wrong then right", "MUG:2")
        ok("order", "convert", "invoice", so6, "--line", "1:1")
        ok("invoice", "status", "INV-00005", "cancelled", "--yes")
        ok("order", "convert", "invoice", so6)
        order(LONG, "MUG:1")
        ok("order", "convert", "invoice", order("Four du restaurant", "OVEN:1", "Café Müller"))
        for name in ("Acme", "Café Müller"):
            TOKENS[name] = last_line(ok("portal", "token", name).out)
    finally:
        os.environ["ORDERS_TODAY"] = day or "2026-11-28"


@pytest.fixture
def books(db_template):
    """This test's copy of the scenario, the portal on."""
    clone_db(db_template("portal_life", scenario))
    ok("config", "set", "company.name", "Atelier Dupré")
    ok("config", "set", "portal.enabled", "true")
    return TOKENS


def call(path: str, token: str | None = None, method: str = "GET") -> tuple[int, dict, str]:
    """One request to the real app, in this process, through its ASGI interface."""
    from orders_cli import store
    from orders_cli.adapters import settings as config
    from orders_cli.portal import web

    raw, _, query = path.partition("?")
    headers = [(b"host", b"portal.test")] + ([(b"authorization", f"Bearer {token}".encode())] if token else [])
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": unquote(raw), "raw_path": raw.encode(), "query_string": query.encode(), "root_path": "",
             "headers": headers, "client": ("127.0.0.1", 50000), "server": ("portal.test", 80)}
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(web.build_app(config.current())(scope, receive, send))
    store.dispose_all()
    start = sent[0]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    head = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    return start["status"], head, body.decode("utf-8") if head.get("content-type", "").startswith("text/") else body


def page(path: str, token: str) -> str:
    status, _, body = call(path, token)
    assert status == 200, (path, status, body)
    return body


def squeeze(html: str) -> str:
    """Text with its runs of plain spaces and newlines made one space (a narrow no-break space,
    the French thousands separator, stays)."""
    return re.sub(r"[ \t\n]+", " ", unescape(html)).strip()


def rows(html: str, table_id: str) -> list[list[str]]:
    """The text of each cell of each body row of a table, tags stripped, spaces squeezed."""
    table = re.search(rf'<table id="{table_id}".*?<tbody>(.*?)</tbody>', html, re.S)
    assert table, table_id
    out = []
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(1), re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
        out.append([squeeze(re.sub(r"<[^>]+>", " ", c)) for c in cells])
    return out


def dl(html: str) -> dict[str, str]:
    """The document's header rows (``<dl class="meta">``) as label -> text."""
    block = re.search(r'<dl class="meta">(.*?)</dl>', html, re.S).group(1)
    pairs = re.findall(r"<dt>(.*?)</dt><dd[^>]*>(.*?)</dd>", block, re.S)
    return {unescape(k): squeeze(re.sub(r"<br>", " / ", re.sub(r"<(?!br>)[^>]+>", "", v))) for k, v in pairs}


# ---------------------------------------------------------------- payment states, not statuses


def test_the_order_list_shows_payment_states_and_hides_what_no_longer_counts(books):
    html = page("/", books["Acme"])
    assert rows(html, "orders") == [
        ["SO-00007", "2026-11-28", LONG, "not invoiced yet", "10.20 EUR", "", "PDF"],
        ["SO-00006", "2026-11-28", "Wrong then right", "unpaid", "20.40 EUR", "20.40 EUR", "PDF"],
        ["INV-00006", "2026-11-28", "Wrong then right", "unpaid Due date 2026-12-28", "20.40 EUR", "20.40 EUR", "PDF"],
        ["SO-00005", "2026-11-28", "Half paid", "partly paid", "20.40 EUR", "10.40 EUR", "PDF"],
        ["INV-00004", "2026-11-28", "Half paid", "partly paid Due date 2026-12-28", "20.40 EUR", "10.40 EUR", "PDF"],
        ["SO-00004", "2026-11-28", "Settled order", "paid", "10.20 EUR", "0.00 EUR", "PDF"],
        ["INV-00003", "2026-11-28", "Settled order", "paid", "10.20 EUR", "0.00 EUR", "PDF"],
        ["SO-00002", "2026-10-29", "Due today", "due today", "10.20 EUR", "10.20 EUR", "PDF"],
        ["INV-00002", "2026-10-29", "Due today", "due today Due date 2026-11-28", "10.20 EUR", "10.20 EUR", "PDF"],
        ["SO-00001", "2026-10-01", "Old order", "overdue", "10.20 EUR", "5.20 EUR", "PDF"],
        ["INV-00001", "2026-10-01", "Old order", "overdue Due date 2026-10-31", "10.20 EUR", "5.20 EUR", "PDF"],
    ]
    # no internal status anywhere (created, approved, auto_created...): the cells above are all there is
    assert not re.search(r">\s*(created|approved|auto_created|sent)\s*<", html)
    assert 'class="state overdue"' in html and 'class="state due"' in html
    # the cancelled order and the credited invoice: only behind the link, which needs no script
    body = html.split("</style>")[1]
    for hidden in ("SO-00003", "Given up", "INV-00005", 'class="state credited"', 'class="state cancelled"'):
        assert hidden not in body
    assert '<a href="/?all=1">Show cancelled and credited documents too</a>' in html and "<script" not in html


def test_all_1_shows_them_marked_and_a_link_hides_them_again(books):
    html = page("/?all=1", books["Acme"])
    table = rows(html, "orders")
    assert ["SO-00003", "2026-11-28", "Given up", "cancelled", "10.20 EUR", "", "PDF"] in table
    assert ["INV-00005", "2026-11-28", "Wrong then right", "credited", "10.20 EUR", "", "PDF"] in table  # no balance: it no longer counts
    assert len(table) == 13
    assert '<a href="/">Hide cancelled and credited documents</a>' in html and "?all=1" not in html
    for odd in ("?all=0", "?all=yes", "?all=", "?all=1%00", "?ALL=1"):  # only all=1 shows them
        assert "SO-00003" not in page("/" + odd, books["Acme"]), odd


def test_no_toggle_when_nothing_is_hidden(books):
    html = page("/", books["Café Müller"])
    assert "all=1" not in html and "SO-00008" in html


def test_the_order_page_states_and_hides_its_credited_invoice(books):
    html = page("/orders/SO-00006", books["Acme"])
    assert dl(html)["Payment"] == "unpaid"
    assert rows(html, "invoices") == [["INV-00006", "2026-11-28", "Wrong then right", "unpaid Due date 2026-12-28", "20.40 EUR", "20.40 EUR", "PDF"]]
    assert "INV-00005" not in re.search(r'<table id="invoices".*?</table>', html, re.S).group(0)
    assert '<a href="/orders/SO-00006?all=1">Show cancelled and credited documents too</a>' in html
    assert rows(html, "credit-notes") == [["CN-00001", "2026-11-28", "INV-00005", "10.20 EUR", "PDF"]]  # the customer's money: always listed
    every = rows(page("/orders/SO-00006?all=1", books["Acme"]), "invoices")
    assert [r[0] for r in every] == ["INV-00005", "INV-00006"] and every[0][3] == "credited"
    assert "No invoices yet." in page("/orders/SO-00007", books["Acme"])
    assert dl(page("/orders/SO-00003", books["Acme"]))["Payment"] == "cancelled"  # a direct link still opens it, marked
    assert '<p class="mark">CANCELLED</p>' in page("/orders/SO-00003", books["Acme"])


def test_the_invoice_page_tells_what_is_paid_and_what_is_left(books):
    meta = dl(page("/invoices/INV-00004", books["Acme"]))
    assert meta == {
        "Subject": "Half paid", "Invoice date": "2026-11-28", "Due date": "2026-12-28", "Payment term": "30 days",
        "Order": "SO-00005", "Payment": "partly paid", "Paid": "10.00 EUR", "Left to pay": "10.40 EUR",
        "Bill to": "Acme / 1 rue Acme / Paris", "Ship to": "Acme / 1 rue Acme / Paris",
    }
    assert dl(page("/invoices/INV-00001", books["Acme"]))["Payment"] == "overdue"
    assert dl(page("/invoices/INV-00002", books["Acme"]))["Payment"] == "due today"
    paid = dl(page("/invoices/INV-00003", books["Acme"]))
    assert paid["Payment"] == "paid" and paid["Left to pay"] == "0.00 EUR"
    credited = page("/invoices/INV-00005", books["Acme"])
    assert dl(credited)["Payment"] == "credited" and "Left to pay" not in dl(credited)
    assert '<p class="mark">CANCELLED BY CREDIT NOTE (CN-00001)</p>' in credited  # the PDF's mark
    assert '<a href="/orders/SO-00005">SO-00005</a>' in page("/invoices/INV-00004", books["Acme"])


def test_the_state_moves_with_the_balance_and_the_day(books, monkeypatch):
    ok("payment", "add", "INV-00004", "--amount", "10.40")
    assert dl(page("/invoices/INV-00004", books["Acme"]))["Payment"] == "paid"
    assert ["SO-00005", "2026-11-28", "Half paid", "paid", "20.40 EUR", "0.00 EUR", "PDF"] in rows(page("/", books["Acme"]), "orders")
    monkeypatch.setenv("ORDERS_TODAY", "2026-12-28")
    assert dl(page("/invoices/INV-00006", books["Acme"]))["Payment"] == "due today"
    monkeypatch.setenv("ORDERS_TODAY", "2026-12-29")
    assert dl(page("/invoices/INV-00006", books["Acme"]))["Payment"] == "overdue"
    assert dl(page("/invoices/INV-00004", books["Acme"]))["Payment"] == "paid"  # paid stays paid after the due date


# ---------------------------------------------------------------- the customer's language


def test_an_account_in_french_reads_french_with_the_pdf_labels(books):
    html = page("/", books["Café Müller"])
    assert '<html lang="fr">' in html and "<h1>Vos commandes</h1>" in html and ">Se déconnecter</a>" in html
    assert rows(html, "orders") == [
        ["SO-00008", "28/11/2026", "Four du restaurant", "à régler", "2\u202f988,00 EUR", "2\u202f988,00 EUR", "PDF"],
        ["INV-00007", "28/11/2026", "Four du restaurant", "à régler Date d'échéance 28/12/2026", "2\u202f988,00 EUR", "2\u202f988,00 EUR", "PDF"],
    ]
    order = page("/orders/SO-00008", books["Café Müller"])
    assert "<h1>Commande SO-00008</h1>" in order
    assert dl(order) == {"Objet": "Four du restaurant", "Date de commande": "28/11/2026", "Paiement": "à régler",
                         "Adresse de facturation": "Café Müller / 5 place Bellecour / Lyon",
                         "Adresse de livraison": "Café Müller / 5 place Bellecour / Lyon"}
    assert re.findall(r"<th(?: [^>]*)?>(.*?)</th>", re.search(r'<table class="lines cards">.*?</thead>', order, re.S).group(0)) == [
        "N°", "Réf.", "Désignation", "Qté", "Unité", "Prix unitaire", "Remise", "TVA", "Montant HT"]  # the PDF's columns
    totals = re.findall(r"<tr><th>(.*?)</th><td[^>]*>(.*?)</td></tr>", re.search(r'<table class="totals">.*?</table>', order, re.S).group(0))
    assert [(unescape(k), re.sub("<[^>]+>", "", v)) for k, v in totals] == [
        ("Total HT", "2\u202f490,00"), ("VAT20 20 % sur 2\u202f490,00", "498,00"), ("Total TTC", "2\u202f988,00 EUR")]
    assert "<h1>Facture INV-00007</h1>" in page("/invoices/INV-00007", books["Café Müller"])
    assert "<h1>Déconnexion</h1>" in page("/logout", books["Café Müller"]) and "<h1>Signed out</h1>" in call("/logout")[2]


def test_the_page_prints_the_words_its_pdf_prints(books):
    from pypdf import PdfReader

    html = page("/invoices/INV-00007", books["Café Müller"])
    status, headers, data = call("/invoices/INV-00007.pdf", books["Café Müller"])
    assert status == 200 and headers["content-type"] == "application/pdf"
    pdf = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())  # any space one space
    labels = list(dl(html)) + [unescape(k) for k in re.findall(r"<tr><th>(.*?)</th>", html)]
    portal_only = {"Objet", "Paiement", "Reste à payer"}  # the state and the balance are the portal's; the PDF prints the subject inline
    for label in labels:
        if label not in portal_only:
            assert " ".join(label.split()) in pdf, (label, pdf)


def test_no_account_language_means_the_setting_s(books):
    ok("config", "set", "language", "fr")
    html = page("/invoices/INV-00004", books["Acme"])
    assert '<html lang="fr">' in html and dl(html)["Paiement"] == "réglée en partie" and dl(html)["Reste à payer"] == "10,40 EUR"
    status, _, body = call("/")  # no token: the sign-in page speaks the setting's language too
    assert status == 401 and "<h1>Connexion requise</h1>" in body
    assert "<h1>Introuvable</h1>" in call("/orders/SO-09999", books["Acme"])[2]
    ok("config", "set", "language", "en")
    assert '<html lang="fr">' in page("/", books["Café Müller"])  # the account's wins over the setting


def test_the_business_s_own_labels_win_on_the_portal_as_on_the_pdf(books, tmp_path):
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "labels.toml").write_text('[en]\nstate_overdue = "LATE"\ntotal = "Grand total"\n[fr]\nstate_unpaid = "en attente"\n', encoding="utf-8")
    ok("config", "set", "templates.dir", str(folder))
    assert dl(page("/invoices/INV-00001", books["Acme"]))["Payment"] == "LATE"
    assert "<tr><th>Grand total</th>" in page("/invoices/INV-00001", books["Acme"])
    assert rows(page("/", books["Café Müller"]), "orders")[0][3] == "en attente"


def test_a_broken_template_override_refuses_serve_in_one_line(books, tmp_path):
    folder = tmp_path / "tpl"
    folder.mkdir()
    ok("config", "set", "templates.dir", str(folder))
    (folder / "labels.toml").write_text("[en]\nstate_paid = \n", encoding="utf-8")
    r = spawn("portal", "serve", "--port", "0", timeout=60)  # a process: were it not refused, it would serve on
    assert r.returncode == 1 and r.stdout == "" and r.stderr.startswith("error: template ") and "is not valid TOML" in r.stderr
    assert len(r.stderr.splitlines()) == 1
    (folder / "labels.toml").unlink()
    (folder / "layout.toml").write_text('[colours]\ntext = "red"\n', encoding="utf-8")
    from orders_cli.adapters import settings as config
    from orders_cli.core.errors import Invalid
    from orders_cli.portal import web

    with pytest.raises(Invalid, match="colours.text"):
        web.build_app(config.current())


def test_hostile_text_is_data_and_the_pages_still_never_write(books):
    ok("account", "edit", "Acme", "--name", '<script>alert(1)</script> [bold]x')
    before = db_content()
    html = page("/?all=1", books["Acme"])
    assert "&lt;script&gt;alert(1)&lt;/script&gt; [bold]x" in html and "<script>" not in html
    for path in ("/", "/?all=1", "/orders/SO-00006?all=1", "/invoices/INV-00005", "/credits/CN-00001", "/orders/SO-00008"):
        assert call(path, books["Acme"])[0] in (200, 404)
    assert db_content() == before
    ok("order", "add", "--subject", "written after the portal read", "--account", "Café Müller", "--line", "MUG:1")  # the connection is writable again


# ---------------------------------------------------------------- the real process says where it listens


@contextmanager
def serving():
    """`orders portal serve --port 0` as a real process: (the port its first stdout line names, the process)."""
    proc = subprocess.Popen([sys.executable, "-m", "orders_cli", "portal", "serve", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        assert sel.select(timeout=60), "no address line within 60 s"
        line = proc.stdout.readline()
        match = re.fullmatch(r"portal listening on http://127\.0\.0\.1:(\d+)/\n", line)
        assert match, (line, proc.poll())
        yield int(match.group(1)), proc
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=30)
        assert "Traceback" not in err, err


def test_serve_prints_its_address_as_soon_as_it_listens(books):
    import http.client

    with serving() as (port, proc):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)  # no retry loop: it listens already
        conn.request("GET", "/", headers={"Authorization": f"Bearer {books['Acme']}"})
        resp = conn.getresponse()
        assert resp.status == 200 and "SO-00001" in resp.read().decode()
        conn.close()
        assert proc.poll() is None


# ---------------------------------------------------------------- a 390 px phone, in headless Chromium

PHONE_PAGES = ["/?all=1", "/orders/SO-00006?all=1", "/orders/SO-00007", "/invoices/INV-00004", "/invoices/INV-00005",
               "/credits/CN-00001", "/orders/SO-09999"]


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists() or not CHROMEDRIVER.exists(),
                    reason="needs Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver)")
def test_every_page_fits_a_390_px_phone_without_scrolling_sideways(books, browser):
    from selenium.webdriver.common.by import By

    ok("config", "set", "company.name", "Atelier-de-céramique-et-de-porcelaine-fine-Dupré-et-fils")  # no space to wrap at
    width = "return [window.innerWidth, document.documentElement.scrollWidth, document.body.scrollWidth]"
    with serving() as (port, _):
        base = f"http://127.0.0.1:{port}"
        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 3, "mobile": True})
        for account, paths in (("Acme", PHONE_PAGES), ("Café Müller", ["/", "/orders/SO-00008", "/invoices/INV-00007"])):
            browser.delete_all_cookies()
            browser.get(f"{base}/login/{books[account]}")
            for path in paths:
                browser.get(base + path)
                inner, scroll, body = browser.execute_script(width)
                assert inner == 390 and scroll <= 390 and body <= 390, (account, path, inner, scroll, body)
            browser.get(base + paths[0])
            assert browser.execute_script("return getComputedStyle(document.querySelector('#orders thead')).display") == "none"  # cards
            labels = browser.execute_script("return [...document.querySelectorAll('#orders tr.order:first-child td')]"
                                            ".map(td => getComputedStyle(td, '::before').content)")
            assert labels[0] == ('"Order"' if account == "Acme" else '"Commande"'), labels
        browser.get(f"{base}/logout")
        assert browser.find_element(By.TAG_NAME, "h1").text == "Déconnexion"  # Café Müller signed in last
        assert browser.execute_script(width)[1] <= 390
        # the same page on a desktop is a table again
        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False})
        browser.get(f"{base}/login/{books['Acme']}")
        assert browser.execute_script("return getComputedStyle(document.querySelector('#orders thead')).display") == "table-header-group"
