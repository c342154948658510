"""PDF documents: content read back with pypdf, structure checked with qpdf when it is installed."""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
import zlib
from datetime import date
from pathlib import Path

import pytest

from conftest import ok


@pytest.fixture(autouse=True)
def _plain_pdfs(isolated):
    """Invoices here carry no complete EN 16931 identity (no SIREN, no customer country): these tests
    are about what a PDF draws and how mail goes out, so invoices are plain PDFs (invoice.format
    plain). The default, Factur-X, is held to by test_facturx_out.py and test_facturx_pdf.py."""
    from conftest import ok as _ok

    _ok("config", "set", "invoice.format", "plain")


pypdf = pytest.importorskip("pypdf", reason="pypdf is in the test extra: pip install -e '.[test]'")

QPDF = shutil.which("qpdf")


def pdf_text(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in pypdf.PdfReader(str(path)).pages]


def money_as_printed(amount: str) -> str:
    """An amount as an English PDF prints it: thousands separated (1,408.32)."""
    whole, cents = amount.split(".")
    return f"{int(whole):,}.{cents}"


def qpdf_check(path: Path) -> None:
    if QPDF is None:
        pytest.skip("qpdf is not installed (apt-get install qpdf): structural check skipped")
    r = subprocess.run([QPDF, "--check", str(path)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def show(kind: str, ref: str) -> dict:
    from orders_cli import store
    from orders_cli.core.results import to_data
    from orders_cli.fulfilment import notes as fulfilment
    from orders_cli.invoicing import invoices as billing
    from orders_cli.sales import views as sales
    from orders_cli.store.documents import ORDER, QUOTE

    with store.transaction(write=False) as s:
        return to_data({
            "order": lambda: sales.show(s, ORDER, ref, date(2026, 11, 28)),
            "quote": lambda: sales.show(s, QUOTE, ref, date(2026, 11, 28)),
            "invoice": lambda: billing.show_invoice(s, ref),
            "purchase": lambda: fulfilment.show_purchase(s, ref),
            "delivery": lambda: fulfilment.show_delivery(s, ref),
        }[kind]())


def order_numbers() -> dict[str, str]:
    """account name -> first order number."""
    out: dict[str, str] = {}
    for row in ok("order", "list", "--json").json():
        out.setdefault(row["account"]["name"] if isinstance(row["account"], dict) else row["account"], row["number"])
    return out


def test_order_pdf_default_file_name_identity_lines_total(demo, tmp_path, monkeypatch, capsys):
    from orders_cli.cli import pdf as cmd

    ok("config", "set", "company.name", "Société Générale de Café")
    ok("config", "set", "company.address", "Rue de l'Église 3\\n67000 Strasbourg")
    ok("config", "set", "company.vat_id", "FR40303265045")
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    capsys.readouterr()
    cmd.order_pdf("SO-00002")
    path = work / "SO-00002.pdf"
    assert path.read_bytes().startswith(b"%PDF-")
    assert capsys.readouterr().err.strip() == "SO-00002.pdf"
    text = "\n".join(pdf_text(path))
    doc = show("order", "SO-00002")
    assert "SO-00002" in text
    assert "Société Générale de Café" in text and "Rue de l'Église 3" in text and "FR40303265045" in text
    assert doc["account"]["name"] in text and "Müller" in text
    assert "Bill to" in text and "Ship to" in text
    for line in doc["lines"]:
        assert line["sku"] in text and line["description"] in text and line["net"] in text
    for b in doc["totals"]["tax_breakdown"]:
        assert b["amount"] in text
    assert f"{money_as_printed(doc['totals']['total'])} {doc['currency']}" in text
    assert "Page 1/1" in text
    qpdf_check(path)


def test_every_kind_renders_with_its_parties(demo, tmp_path):
    from orders_cli.cli import pdf as cmd

    ok("order", "convert", "invoice", "SO-00002")
    ok("order", "convert", "purchase", "SO-00002")
    ok("order", "convert", "delivery", "SO-00002")
    quote = ok("quote", "list", "--json").json()[0]["number"]
    cases = [(cmd.quote_pdf, quote, "quote"), (cmd.invoice_pdf, "INV-00001", "invoice"),
             (cmd.purchase_pdf, "PO-00001", "purchase"), (cmd.delivery_pdf, "DN-00001", "delivery")]
    for fn, number, kind in cases:
        out = tmp_path / f"{kind}.pdf"
        fn(number, output=out)
        text = "\n".join(pdf_text(out))
        doc = show(kind, number)
        assert number in text, kind
        for line in doc["lines"]:
            assert line["sku"] in text and line["description"] in text, (kind, line)
        if kind != "delivery":
            assert f"{money_as_printed(doc['totals']['total'])} {doc['currency']}" in text, kind
        qpdf_check(out)
    inv = "\n".join(pdf_text(tmp_path / "invoice.pdf"))
    doc = show("invoice", "INV-00001")
    assert f"Invoice date: {doc['invoice_date']}" in inv and f"Due date: {doc['due_date']}" in inv
    assert f"Payment term: {doc['due_days']} days" in inv
    po = "\n".join(pdf_text(tmp_path / "purchase.pdf"))
    assert "Vendor" in po and show("purchase", "PO-00001")["vendor"]["name"] in po
    dn = "\n".join(pdf_text(tmp_path / "delivery.pdf"))
    assert "Delivery note" in dn and "Müller" in dn


def test_polish_account_renders_lodz(demo, tmp_path):
    from orders_cli.adapters import pdf
    from orders_cli.adapters import settings as config

    number = next(n for name, n in order_numbers().items() if "Łódź" in name)
    doc = show("order", number)
    out = tmp_path / "lodz.pdf"
    out.write_bytes(pdf.render("order", doc, config.current()))
    text = "\n".join(pdf_text(out))
    assert "Łódź Trading Sp. z o.o." in text and "ul. Piotrkowska 100" in text and "90-001 Łódź" in text
    assert "€" not in doc["currency"]  # the currency is the ISO code
    qpdf_check(out)


def test_sixty_lines_break_pages_with_the_heading_repeated(demo, tmp_path):
    from orders_cli.cli import pdf as cmd

    lines = []
    for i in range(60):
        lines += ["--line", ["MUG:1", "BOOK:2", "COFFEE-1KG:3"][i % 3]]
    number = ok("order", "add", "--subject", "Grosse commande € ß ł", "--account", "Café Müller", *lines, "--json").json()["number"]
    out = tmp_path / "big.pdf"
    cmd.order_pdf(number, output=out)
    pages = pdf_text(out)
    assert len(pages) >= 2
    for n, page in enumerate(pages, 1):
        assert "SKU" in page and "Description" in page and "Unit price" in page, f"no heading row on page {n}"
        assert f"Page {n}/{len(pages)}" in page
    text = "\n".join(pages)
    doc = show("order", number)
    assert len(doc["lines"]) == 60
    assert text.count("Mug émaillé") == 20 and text.count("Livre d'or relié cuir") == 20
    assert "Grosse commande € ß ł" in text
    assert f"{money_as_printed(doc['totals']['total'])} EUR" in pages[-1]
    qpdf_check(out)


def test_french_labels_and_templates_dir_override(demo, tmp_path):
    from orders_cli.cli import pdf as cmd

    ok("order", "convert", "invoice", "SO-00002")
    ok("config", "set", "language", "fr")
    out = tmp_path / "fr.pdf"
    cmd.invoice_pdf("INV-00001", output=out)
    text = "\n".join(pdf_text(out))
    assert "Facture" in text and "Date d'échéance" in text and "Désignation" in text and "Page 1/1" in text
    assert "Total HT" in text and "Total TTC" in text  # the labels a French accountant reads
    templates = tmp_path / "tpl"
    templates.mkdir()
    (templates / "labels.toml").write_text('[fr]\ninvoice = "Facture acquittée"\n', encoding="utf-8")
    ok("config", "set", "templates.dir", str(templates))
    cmd.invoice_pdf("INV-00001", output=out)
    text = "\n".join(pdf_text(out))
    assert "Facture acquittée" in text and "Désignation" in text


def test_logo_drawn_when_readable_and_ignored_when_missing(demo, tmp_path):
    from orders_cli.adapters import pdf
    from orders_cli.adapters import settings as config

    def png(path: Path) -> None:
        def chunk(kind: bytes, data: bytes) -> bytes:
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

        raw = b"".join(b"\x00" + b"\xcc\x22\x22" * 8 for _ in range(8))
        path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
                         + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))

    logo = tmp_path / "logo.png"
    png(logo)
    doc = show("order", "SO-00001")
    ok("config", "set", "company.logo", str(logo))
    config._CACHE.clear()
    with_logo = pdf.render("order", doc, config.current())
    reader = pypdf.PdfReader(__import__("io").BytesIO(with_logo))
    assert len(list(reader.pages[0].images)) == 1
    logo.unlink()  # a logo moved after it was set (set, it is checked): the documents print without it
    config._CACHE.clear()
    without = pdf.render("order", doc, config.current())
    assert len(list(pypdf.PdfReader(__import__("io").BytesIO(without)).pages[0].images)) == 0


def test_invoice_all_since_writes_one_file_each(demo, tmp_path, capsys):
    from orders_cli.cli import pdf as cmd
    from orders_cli.core.errors import Invalid

    ok("order", "convert", "invoice", "SO-00001", "--percent", "30", "--date", "2026-10-01")
    ok("order", "convert", "invoice", "SO-00002", "--date", "2026-11-20")
    folder = tmp_path / "out"
    capsys.readouterr()
    cmd.invoice_pdf(all_=True, since="2026-11-01", output=folder)
    written = sorted(p.name for p in folder.iterdir())
    assert written == ["INV-00002.pdf"]
    err = capsys.readouterr().err.splitlines()
    assert err[0] == str(folder / "INV-00002.pdf")
    assert err[1:] == [line for line in err[1:] if line.startswith("warning: the invoice misses the seller's")]
    cmd.invoice_pdf(all_=True, output=folder)
    assert sorted(p.name for p in folder.iterdir()) == ["INV-00001.pdf", "INV-00002.pdf"]
    assert "INV-00001" in pdf_text(folder / "INV-00001.pdf")[0]
    with pytest.raises(Invalid):
        cmd.invoice_pdf()
    with pytest.raises(Invalid):
        cmd.invoice_pdf("INV-00001", all_=True)


def test_recurring_invoice_shows_its_period(demo, tmp_path):
    from orders_cli.adapters import pdf
    from orders_cli.adapters import settings as config

    doc = show("invoice", _any_invoice())
    doc = {**doc, "recurring": True, "period_start": "2026-11-01", "period_end": "2026-11-30"}
    out = tmp_path / "rec.pdf"
    out.write_bytes(pdf.render("invoice", doc, config.current()))
    assert "Period: 2026-11-01 to 2026-11-30" in pdf_text(out)[0]


def _any_invoice() -> str:
    return ok("order", "convert", "invoice", "SO-00002", "--json").json()["number"]


def test_font_is_parsed_once_per_process(demo):
    from orders_cli.adapters import pdf
    from orders_cli.adapters import settings as config

    doc = show("order", "SO-00002")
    pdf.render("order", doc, config.current())
    cached = dict(pdf._FONT_CACHE)
    assert set(cached) == {"", "B"}
    second = pdf.render("order", doc, config.current())
    assert pdf._FONT_CACHE == cached and second.startswith(b"%PDF-")


def test_fonts_ship_with_their_licence():
    from orders_cli.adapters import pdf

    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LICENSE"):
        assert (pdf.FONT_DIR / name).is_file()
    assert "Bitstream" in (pdf.FONT_DIR / "LICENSE").read_text()


def test_commands_have_examples_and_do_not_import_fpdf_at_start_up():
    from orders_cli.cli import pdf as cmd

    for fn in (cmd.order_pdf, cmd.quote_pdf, cmd.invoice_pdf, cmd.purchase_pdf, cmd.delivery_pdf):
        assert "Example:" in (fn.__doc__ or ""), fn.__name__
    r = subprocess.run([sys.executable, "-c", "import sys, orders_cli.adapters.pdf, orders_cli.cli.pdf; "
                        "assert 'fpdf' not in sys.modules and 'fontTools' not in sys.modules"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_unknown_kind_refused():
    from orders_cli.adapters import pdf
    from orders_cli.core.errors import Invalid

    with pytest.raises(Invalid):
        pdf.render("receipt", {}, None)


def test_invoice_pdf_all_shows_progress_on_a_terminal_and_not_in_a_pipe(demo, tmp_path):
    """On a TTY the batch draws a progress bar and ends with a count; in a pipe it prints one path per file."""
    import os
    import pty
    import select

    ok("order", "convert", "invoice", "SO-00001", "--percent", "30")
    ok("order", "convert", "invoice", "SO-00002")
    numbers = [row["number"] for row in ok("invoice", "list", "--json").json()]
    assert len(numbers) == 2
    from orders_cli import store

    store.dispose_all()
    master, slave = pty.openpty()
    folder = tmp_path / "tty"
    proc = subprocess.Popen([sys.executable, "-m", "orders_cli", "invoice", "pdf", "--all", "-o", str(folder)],
                            stdout=subprocess.PIPE, stderr=slave, env={**os.environ, "TERM": "xterm"})
    os.close(slave)
    seen = b""
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed its end
            break
        if not chunk:
            break
        seen += chunk
    proc.wait(timeout=60)
    os.close(master)
    assert proc.returncode == 0, seen
    text = seen.decode("utf-8", "replace")
    assert f"{len(numbers)} PDF" in text and "written to" in text
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{n}.pdf" for n in numbers)

    piped = tmp_path / "pipe"
    r = subprocess.run([sys.executable, "-m", "orders_cli", "invoice", "pdf", "--all", "-o", str(piped)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    lines = [line for line in r.stderr.splitlines() if not line.startswith("warning: the invoice misses")]
    assert sorted(Path(line).name for line in lines) == sorted(f"{n}.pdf" for n in numbers)


def test_allowances_exemptions_and_a_footer_of_several_lines(demo, tmp_path, recwarn):
    """Issue 15: each allowance and charge with its reason on the PDF, and a footer of several
    lines (a written \\n in the label breaks it) that warns of no missing glyph."""
    from orders_cli.cli import pdf as cmd

    ok("config", "set", "charges.tax", "VAT20")
    so = ok("order", "add", "--subject", "Mentions", "--account", "Boulangerie Dupré", "--line", "BOOK:3",
            "--allowance", "Remise fidélité:5%", "--charge", "Emballage:4.50", "--json").json()["number"]
    inv = ok("order", "convert", "invoice", so, "--json").json()["number"]
    templates = tmp_path / "tpl"
    templates.mkdir()
    (templates / "labels.toml").write_text(
        '[en]\nfooter = "SAS Demo au capital de 10 000 EUR\\\\nRCS Lyon 123 456 789\\\\nIBAN FR76 3000 6000 0112 3456 7890 189"\n',
        encoding="utf-8")
    ok("config", "set", "templates.dir", str(templates))
    out = tmp_path / "inv.pdf"
    cmd.invoice_pdf(inv, output=out)
    text = "\n".join(pdf_text(out))
    assert "Remise fidélité 5 %" in text and "Emballage (VAT20 20 %)" in text
    for line in ("SAS Demo au capital de 10 000 EUR", "RCS Lyon 123 456 789", "IBAN FR76 3000 6000 0112 3456 7890 189"):
        assert line in text.splitlines() or any(line in t for t in text.splitlines()), line
    assert "\\n" not in text
    assert not [w for w in recwarn if "glyph" in str(w.message).lower()]
    qpdf_check(out)


def test_a_cancelled_invoice_and_order_say_so_on_their_pdf(demo, tmp_path):
    from orders_cli.cli import pdf as cmd

    ok("order", "convert", "invoice", "SO-00002")
    out = tmp_path / "before.pdf"
    cmd.invoice_pdf("INV-00001", output=out)
    assert "CANCELLED" not in "\n".join(pdf_text(out))
    ok("invoice", "status", "INV-00001", "cancelled", "--yes")
    cmd.invoice_pdf("INV-00001", output=out)
    assert "CANCELLED BY CREDIT NOTE (CN-00001)" in " ".join(" ".join(pdf_text(out)).split())
    so = ok("order", "add", "--subject", "Gone", "--account", "Boulangerie Dupré", "--line", "BOOK:1", "--json").json()["number"]
    ok("order", "status", so, "cancelled")
    cmd.order_pdf(so, output=out)
    assert "CANCELLED" in "\n".join(pdf_text(out))


def test_french_numbers_and_dates_by_babel(demo, tmp_path):
    """Issue 15 item 6: a French document writes 1 234,50 and 28/11/2026; an English one 1,234.50
    and 2026-11-28."""
    from orders_cli.cli import pdf as cmd

    so = ok("order", "add", "--subject", "Big", "--account", "Boulangerie Dupré", "--line", "BOOK:100:24.50", "--json").json()["number"]
    inv = ok("order", "convert", "invoice", so, "--date", "2026-11-28", "--json").json()
    out = tmp_path / "en.pdf"
    cmd.invoice_pdf(inv["number"], output=out)
    en = " ".join(" ".join(pdf_text(out)).split())
    assert "2,450.00" in en and "2026-11-28" in en
    ok("config", "set", "language", "fr")
    cmd.invoice_pdf(inv["number"], output=out)
    fr = " ".join(" ".join(pdf_text(out)).split())
    assert "450,00" in fr and "28/11/2026" in fr and "2,450.00" not in fr and "Total TTC" in fr
    assert inv["totals"]["subtotal"] == "2450.00"  # the JSON keeps its plain numbers


def test_invoice_pdf_and_send_warn_once_when_seller_data_is_missing(demo, tmp_path):
    """issue 15: one stderr line naming what is missing; the PDF and the message are still made."""
    ok("order", "convert", "invoice", "SO-00001", "--date", "2026-10-01")
    r = ok("invoice", "pdf", "INV-00001", "-o", str(tmp_path / "a.pdf"))
    assert (tmp_path / "a.pdf").read_bytes().startswith(b"%PDF-")
    warnings = [line for line in r.err.splitlines() if line.startswith("warning:")]
    assert warnings == ["warning: the invoice misses the seller's name, address, SIREN, VAT number, legal form, "
                        "share capital, RCS city, IBAN, country (orders config check)"]
    r = ok("invoice", "send", "INV-00001", "--to", "a@example.com", "--eml", str(tmp_path / "m.eml"))
    assert (tmp_path / "m.eml").exists()
    assert [line for line in r.err.splitlines() if line.startswith("warning:")][0].startswith("warning: the invoice misses the seller's")
    for key, value in [("company.name", "Atelier"), ("company.address", "1 rue X\n69002 Lyon"), ("company.siren", "732829320"),
                       ("company.vat_id", "FR44732829320"), ("company.legal_form", "EI"), ("company.rcs", "Lyon"),
                       ("company.iban", "FR1420041010050500013M02606"), ("company.country", "FR")]:
        ok("config", "set", key, value)
    r = ok("invoice", "pdf", "INV-00001", "-o", str(tmp_path / "b.pdf"))
    assert "warning" not in r.err
    r = ok("invoice", "send", "INV-00001", "--to", "a@example.com", "--eml", str(tmp_path / "n.eml"))
    assert "warning" not in r.err
    ok("config", "set", "company.siren", "")
    r = ok("invoice", "pdf", "INV-00001", "-o", str(tmp_path / "c.pdf"))
    assert "warning: the invoice misses the seller's SIREN (orders config check)" in r.err.splitlines()


def test_invoice_pdf_prints_the_legal_identities_from_the_snapshot(demo, tmp_path):
    """issue 15: legal form, capital, SIRET, RCS, VAT number under the seller; the customer's
    VAT number under its address; as at issue, whatever the settings say later."""
    for key, value in [("company.name", "Atelier Dupré"), ("company.legal_form", "SAS"), ("company.capital", "10 000 EUR"),
                       ("company.siren", "732829320"), ("company.siret", "73282932000074"), ("company.rcs", "Lyon"),
                       ("company.vat_id", "FR44732829320")]:
        ok("config", "set", key, value)
    ok("account", "edit", "Łódź Trading Sp. z o.o.", "--vat-id", "PL5261040828", "--country", "PL")
    number = ok("order", "convert", "invoice", "SO-00003", "--json").json()["number"]
    ok("config", "set", "company.legal_form", "SA")  # after issue: the invoice keeps SAS
    ok("config", "set", "company.name", "Renamed Later")  # and its seller's name
    ok("invoice", "pdf", number, "-o", str(tmp_path / "inv.pdf"))
    text = "\n".join(pdf_text(tmp_path / "inv.pdf"))
    assert "SAS with a share capital of 10 000 EUR" in text
    assert "Atelier Dupré" in text and "Renamed Later" not in text
    assert "SIRET 73282932000074" in text and "RCS Lyon 732829320" in text
    assert "VAT ID: FR44732829320" in text
    assert "VAT ID: PL5261040828" in text  # the customer's
    ok("order", "pdf", "SO-00003", "-o", str(tmp_path / "order.pdf"))  # not an invoice: from the settings
    text = "\n".join(pdf_text(tmp_path / "order.pdf"))
    assert "SA with a share capital of 10 000 EUR" in text and "PL5261040828" not in text


def test_the_invoice_pdf_states_its_payment_terms(demo, tmp_path):
    """Issue 15 item 6: the means (with IBAN and BIC for a transfer) and the early payment
    discount, as at issue; in French as a French accountant reads them."""
    from orders_cli.cli import pdf as cmd

    ok("config", "set", "company.iban", "FR1420041010050500013M02606")
    ok("config", "set", "company.bic", "PSSTFRPPLYO")
    number = ok("order", "convert", "invoice", "SO-00002", "--json").json()["number"]
    ok("config", "set", "company.iban", "")  # after issue: the invoice keeps its IBAN
    out = tmp_path / "inv.pdf"
    cmd.invoice_pdf(number, output=out)
    text = " ".join(" ".join(pdf_text(out)).split())
    assert "Payment: bank transfer, IBAN FR1420041010050500013M02606, BIC PSSTFRPPLYO" in text
    assert "Early payment discount: none" in text
    ok("config", "set", "language", "fr")
    cmd.invoice_pdf(number, output=out)
    text = " ".join(" ".join(pdf_text(out)).split())
    assert "Règlement : virement bancaire" in text or "Règlement: virement bancaire" in text
    assert "Escompte pour paiement anticipé: néant" in text


def test_each_line_shows_its_unit_and_vat_rate(demo, tmp_path):
    """Issue 15 item 6: per line the VAT rate, and the unit (its Rec 20 code, with the price's
    base quantity when it is not 1)."""
    from orders_cli.cli import pdf as cmd

    ok("product", "add", "SCREWS", "--name", "Vis inox", "--price", "12.00", "--unit", "pieces", "--base-quantity", "100", "--tax", "VAT20")
    so = ok("order", "add", "--subject", "Units", "--account", "Boulangerie Dupré", "--line", "SCREWS:250", "--line", "BOOK:1",
            "--json").json()["number"]
    inv = ok("order", "convert", "invoice", so, "--json").json()
    assert inv["lines"][0]["net"] == "30.00"
    out = tmp_path / "inv.pdf"
    cmd.invoice_pdf(inv["number"], output=out)
    text = " ".join(" ".join(pdf_text(out)).split())
    assert "100 C62" in text and "20 %" in text and "5.5 %" in text
