"""Factur-X PDFs (issue 16 items 1 and 6): the PDF/A-3B structure read back with pikepdf, lxml
and qpdf, and a second opinion from the ``factur-x`` package's own reader.

The embedded XML is a published Factur-X EN 16931 sample (ZUGFeRD ``EN16931_Einfach``), not
ours: this module checks the PDF container, whatever CII it carries. That the embedded XML says
what the visible PDF says is the e-invoice suite's test (item 5), with the real CII writer.
Every PDF is drawn once, in one module-scoped fixture, from a demo database.
"""

from __future__ import annotations

import io
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from conftest import build_template, clone_db, ok
from test_pdf import money_as_printed

pikepdf = pytest.importorskip("pikepdf")
pypdf = pytest.importorskip("pypdf", reason="pypdf is in the test extra: pip install -e '.[test]'")
etree = pytest.importorskip("lxml.etree")

SAMPLE = Path("/work/shared/einvoice-samples/ferd-EN16931_Einfach.xml")
QPDF = shutil.which("qpdf")
FX = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"
NS = {"x": "adobe:ns:meta/", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
      "fx": FX, "dc": "http://purl.org/dc/elements/1.1/", "xmp": "http://ns.adobe.com/xap/1.0/", "pdf": "http://ns.adobe.com/pdf/1.3/",
      "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/", "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
      "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#"}


def _alpha_png(path: Path) -> None:
    """An 8x8 RGBA PNG, half transparent: a logo with an alpha channel (a soft mask in the PDF)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\xcc\x22\x22\x80" * 8 for _ in range(8))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 6, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def made(tmp_path_factory, db_template) -> dict:
    """The demo's deposit and final invoices of SO-00002 and a credit note of the final one, each
    drawn as Factur-X (the deposit invoice with a transparent PNG logo, the credit note with a
    CMYK JPEG one), and the final one plain."""
    if not SAMPLE.is_file():
        pytest.skip(f"the published e-invoice samples are not here ({SAMPLE})")
    xml = SAMPLE.read_bytes()
    folder = tmp_path_factory.mktemp("facturx")
    out: dict = {"xml": xml}
    demo = db_template("demo", lambda: ok("demo"))  # the session's demo database (conftest's demo fixture)

    def build() -> None:
        from orders_cli import store
        from orders_cli.adapters import pdf
        from orders_cli.adapters import settings as config
        from orders_cli.core.results import to_data
        from orders_cli.invoicing import credit_views, invoices

        clone_db(demo)
        ok("order", "finalize", "SO-00002", "--yes")
        deposit = ok("order", "convert", "invoice", "SO-00002", "--deposit", "30%", "--json").json()["number"]
        final = ok("order", "convert", "invoice", "SO-00002", "--json").json()["number"]
        credit = ok("invoice", "credit", final, "--line", "1:1", "--reason", "damaged", "--json").json()["number"]
        config._CACHE.clear()
        with store.transaction(write=False) as s:
            docs = {"deposit": ("invoice", to_data(invoices.show_invoice(s, deposit))),
                    "final": ("invoice", to_data(invoices.show_invoice(s, final))),
                    "credit": ("credit", to_data(credit_views.show_credit(s, credit)))}
        settings = config.current()
        kind, doc = docs["final"]
        out["final"] = (kind, doc, pdf.render(kind, doc, settings, xml))
        out["plain"] = pdf.render("invoice", docs["final"][1], settings)
        out["plain_none"] = pdf.render("invoice", docs["final"][1], settings, None)
        out["final_again"] = pdf.render("invoice", docs["final"][1], settings, xml)
        logo = folder / "logo.png"
        _alpha_png(logo)
        ok("config", "set", "company.logo", str(logo))
        config._CACHE.clear()
        kind, doc = docs["deposit"]
        out["deposit"] = (kind, doc, pdf.render(kind, doc, config.current(), xml))
        from PIL import Image

        Image.new("CMYK", (40, 20), (0, 200, 200, 0)).save(folder / "cmyk.jpg")
        ok("config", "set", "company.logo", str(folder / "cmyk.jpg"))
        config._CACHE.clear()
        kind, doc = docs["credit"]
        out["credit"] = (kind, doc, pdf.render(kind, doc, config.current(), xml))
        out["settings"] = config.current()

    build_template(folder, build)
    return out


FACTURX = ("deposit", "final", "credit")


def _open(data: bytes):
    return pikepdf.open(io.BytesIO(data))


def _xmp(pdf) -> "etree._Element":
    return etree.fromstring(pdf.Root.Metadata.read_bytes())


def _one(root, path: str) -> str:
    found = root.xpath(path, namespaces=NS)
    assert len(found) == 1, (path, found)
    return found[0].text if hasattr(found[0], "text") else str(found[0])


@pytest.mark.parametrize("name", FACTURX)
def test_the_xml_is_embedded_as_factur_x_xml_with_relationship_data_in_the_catalog_af(made, name):
    with _open(made[name][2]) as pdf:
        names = list(pdf.Root.Names.EmbeddedFiles.Names)
        assert names[0::2] == ["factur-x.xml"]
        spec = names[1]
        assert spec.F == "factur-x.xml" and spec.UF == "factur-x.xml" and spec.Type == "/Filespec"
        assert spec.AFRelationship == "/Data"
        assert [a.objgen for a in pdf.Root.AF] == [spec.objgen]  # the catalog's /AF names that very file spec
        stream = spec.EF.F
        assert stream.read_bytes() == made["xml"]
        assert stream.Subtype == "/text/xml" and stream.Type == "/EmbeddedFile"
        assert int(stream.Params.Size) == len(made["xml"]) and "/ModDate" in stream.Params
        assert list(pdf.attachments) == ["factur-x.xml"]
    assert b"/Subtype /text#2Fxml" in made[name][2]  # the MIME type as PDF writes a name with a slash


@pytest.mark.parametrize("name", FACTURX)
def test_output_intent_is_gts_pdfa1_with_an_srgb_icc_profile(made, name):
    with _open(made[name][2]) as pdf:
        intents = list(pdf.Root.OutputIntents)
        assert len(intents) == 1
        intent = intents[0]
        assert intent.S == "/GTS_PDFA1" and intent.Type == "/OutputIntent"
        assert str(intent.OutputConditionIdentifier) == "sRGB"
        profile = intent.DestOutputProfile
        assert isinstance(profile, pikepdf.Stream) and int(profile.N) == 3
        icc = profile.read_bytes()
        assert icc[36:40] == b"acsp" and icc[16:20] == b"RGB "  # an ICC profile, RGB data colour space
        assert pdf.pdf_version >= "1.7"


@pytest.mark.parametrize("name", FACTURX)
def test_xmp_says_pdf_a_3b_and_factur_x_en_16931_with_its_extension_schema(made, name):
    kind, doc, data = made[name]
    with _open(data) as pdf:
        xmp = _xmp(pdf)
        assert pdf.open_metadata().pdfa_status == "3B"
        assert "/Info" not in pdf.trailer  # fpdf2 writes none under PDF/A: the XMP is the only metadata
    assert _one(xmp, "//pdfaid:part") == "3"
    assert _one(xmp, "//pdfaid:conformance") == "B"
    assert _one(xmp, "//fx:DocumentType") == "INVOICE"  # a credit note too: its XML's type code says credit note
    assert _one(xmp, "//fx:DocumentFileName") == "factur-x.xml"
    assert _one(xmp, "//fx:Version") == "1.0"
    assert _one(xmp, "//fx:ConformanceLevel") == "EN 16931"
    schema = xmp.xpath("//pdfaExtension:schemas/rdf:Bag/rdf:li[pdfaSchema:namespaceURI=$ns]", namespaces=NS, ns=FX)
    assert len(schema) == 1
    assert _one(schema[0], "pdfaSchema:prefix") == "fx"
    properties = schema[0].xpath("pdfaSchema:property/rdf:Seq/rdf:li", namespaces=NS)
    assert sorted(_one(p, "pdfaProperty:name") for p in properties) == ["ConformanceLevel", "DocumentFileName", "DocumentType", "Version"]
    assert {_one(p, "pdfaProperty:valueType") for p in properties} == {"Text"}
    assert {_one(p, "pdfaProperty:category") for p in properties} == {"external"}
    # the document's own metadata: its title and number, a creation date from its own date
    title = _one(xmp, "//dc:title/rdf:Alt/rdf:li")
    assert title.endswith(doc["number"])
    day = doc["credit_date"] if kind == "credit" else doc["invoice_date"]
    assert _one(xmp, "//xmp:CreateDate") == f"{day}T00:00:00+00:00" == _one(xmp, "//xmp:ModifyDate")
    assert _one(xmp, "//pdf:Producer").startswith("fpdf2 ")


@pytest.mark.parametrize("name", FACTURX)
def test_every_font_of_every_page_is_embedded(made, name):
    with _open(made[name][2]) as pdf:
        seen = 0
        for page in pdf.pages:
            for font in page.Resources.Font.values():
                seen += 1
                assert font.Subtype == "/Type0", font.BaseFont  # no base-14 font: those are not embedded
                descendant = font.DescendantFonts[0]
                assert descendant.Subtype == "/CIDFontType2"
                assert "/FontFile2" in descendant.FontDescriptor, font.BaseFont
                assert re.fullmatch(r"/[A-Z]{6}\+.+", str(font.BaseFont))  # a subset's tag
        assert seen >= 2  # regular and bold


def test_a_transparent_logo_keeps_its_soft_mask_under_the_output_intent(made):
    with _open(made["deposit"][2]) as pdf:
        images = [x for x in pdf.pages[0].Resources.XObject.values() if x.Subtype == "/Image"]
        assert len(images) == 1 and "/SMask" in images[0]


def test_a_cmyk_logo_is_drawn_in_rgb_since_the_output_intent_is_srgb(made):
    with _open(made["credit"][2]) as pdf:
        images = [x for x in pdf.pages[0].Resources.XObject.values() if x.Subtype == "/Image"]
        assert len(images) == 1 and images[0].ColorSpace == "/DeviceRGB"


@pytest.mark.parametrize("name", (*FACTURX, "plain"))
def test_qpdf_check_passes(made, name, tmp_path):
    if QPDF is None:
        pytest.skip("qpdf is not installed (apt-get install qpdf): structural check skipped")
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(made[name][2] if name != "plain" else made[name])
    r = subprocess.run([QPDF, "--check", str(path)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "No syntax or stream encoding errors" in r.stdout


@pytest.mark.parametrize("name", FACTURX)
def test_the_visible_document_is_the_same_invoice_number_and_total(made, name):
    kind, doc, data = made[name]
    text = "\n".join(page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    assert doc["number"] in text
    assert money_as_printed(doc["totals"]["total"]) in text


def test_without_the_xml_the_plain_pdf_is_unchanged(made):
    plain, none = made["plain"], made["plain_none"]
    def mask(data: bytes) -> bytes:  # the creation date (now) and the /ID computed from it
        data = re.sub(rb"/CreationDate \(D:[^)]*\)", b"/CreationDate ()", data)
        return re.sub(rb"/ID \[<[0-9A-F]+><[0-9A-F]+>\]", b"/ID []", data)
    assert mask(plain) == mask(none)
    with _open(plain) as pdf:
        for key in ("/AF", "/Names", "/OutputIntents", "/Metadata"):
            assert key not in pdf.Root, key
        assert "/Info" in pdf.trailer and not pdf.attachments
    # the same text as the Factur-X rendering of the same invoice
    def text(data: bytes) -> list[str]:
        return [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages]
    assert text(plain) == text(made["final"][2])


def test_the_same_document_gives_the_same_bytes(made):
    assert made["final"][2] == made["final_again"]


@pytest.mark.parametrize("name", FACTURX)
def test_the_factur_x_package_reader_finds_our_xml(made, name):
    facturx = pytest.importorskip("facturx")
    filename, xml = facturx.get_xml_from_pdf(made[name][2], check_xsd=True)
    assert filename == "factur-x.xml" and xml == made["xml"]
    assert facturx.get_level(etree.fromstring(xml)) == "en16931"


def test_the_embedded_xml_reads_back_as_the_sample_invoice(made):
    from tests.einvoice_reader import parse, read

    with _open(made["credit"][2]) as pdf:
        embedded = pdf.attachments["factur-x.xml"].get_file().read_bytes()
    assert parse(embedded) == read(SAMPLE)


def test_a_factur_x_pdf_is_refused_for_other_documents_and_for_an_empty_xml(made):
    from orders_cli.adapters import pdf
    from orders_cli.core.errors import Invalid

    kind, doc, _ = made["final"]
    with pytest.raises(Invalid, match="invoice or a credit note"):
        pdf.render("order", doc, made["settings"], made["xml"])
    with pytest.raises(Invalid, match="empty"):
        pdf.render(kind, doc, made["settings"], b"")
