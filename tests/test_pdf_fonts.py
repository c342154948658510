"""The fast paths of PDFs (issue 19): fonts subset once per glyph set (adapters/pdf_fonts.py) and
`invoice pdf --all` drawn by worker processes (adapters/pdf_pool.py) give the very bytes of the
plain path: fpdf2 subsetting the whole font, one document at a time, in this process."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from conftest import ok
from test_pdf import show

pypdf = pytest.importorskip("pypdf", reason="pypdf is in the test extra: pip install -e '.[test]'")

SAMPLE = Path("/work/shared/einvoice-samples/ferd-EN16931_Einfach.xml")
# names and addresses in every script the DejaVu fonts cover that a customer may write in
FAR = {"name": "Ελληνική Εταιρεία · ООО «Ромашка» · Łódź Ñandú Øresund Þórður ẞ",
       "street": "Οδός Ερμού 12\nул. Тверская, д. 7", "city": "Αθήνα / Москва", "postal_code": "105 57"}


@pytest.fixture(autouse=True)
def _plain_pdfs(isolated):
    ok("config", "set", "invoice.format", "plain")


def mask(data: bytes) -> bytes:
    """A plain PDF's creation date is now, and its /ID is computed from it: masked to compare."""
    data = re.sub(rb"/CreationDate \(D:[^)]*\)", b"/CreationDate ()", data)
    return re.sub(rb"/ID \[<[0-9A-F]+><[0-9A-F]+>\]", b"/ID []", data)


def text_of(data: bytes) -> str:
    return "\n".join(p.extract_text() or "" for p in pypdf.PdfReader(io.BytesIO(data)).pages)


def far_invoice() -> dict:
    number = ok("order", "convert", "invoice", "SO-00002", "--json").json()["number"]
    doc = show("invoice", number)
    address = {**(doc.get("billing_address") or {}), **{k: v for k, v in FAR.items() if k != "name"}}
    return {**doc, "account": {**(doc.get("account") or {}), "name": FAR["name"]}, "billing_address": address,
            "subject": "Συντήρηση / обслуживание — café crème"}


def sample_xml() -> bytes:
    if not SAMPLE.is_file():
        pytest.skip(f"the published e-invoice samples are not here ({SAMPLE})")
    return SAMPLE.read_bytes()


def test_subset_per_glyph_set_gives_the_bytes_of_subsetting_the_whole_font(demo, monkeypatch):
    from orders_cli.adapters import pdf, pdf_fonts
    from orders_cli.adapters import settings as config

    settings = config.current()
    quote = ok("quote", "list", "--json").json()[0]["number"]
    docs = [("invoice", far_invoice()), ("order", show("order", "SO-00001")), ("quote", show("quote", quote))]
    fast = [pdf.render(kind, doc, settings) for kind, doc in docs]
    assert len(pdf_fonts._SUBSETS) >= 2  # one subset per (style, glyph set) at least
    monkeypatch.setattr(pdf_fonts, "PRESUBSET", False)  # fpdf2 subsets the whole font, as before
    whole = [pdf.render(kind, doc, settings) for kind, doc in docs]
    assert [mask(x) for x in fast] == [mask(x) for x in whole]


def test_every_script_of_a_name_and_address_reads_back(demo):
    from orders_cli.adapters import pdf
    from orders_cli.adapters import settings as config

    text = text_of(pdf.render("invoice", far_invoice(), config.current()))
    words = text.split()  # a long name wraps in its column: compared word by word
    for part in [FAR["name"], FAR["street"], FAR["city"], "Συντήρηση / обслуживание — café crème"]:
        for word in part.split():
            assert word in words, (word, text)


def test_a_factur_x_pdf_has_the_same_bytes_alone_in_a_batch_and_by_the_old_path(demo, monkeypatch):
    from orders_cli.adapters import pdf, pdf_fonts
    from orders_cli.adapters import settings as config

    xml, settings, doc = sample_xml(), config.current(), far_invoice()
    pdf_fonts._SUBSETS.clear()
    alone = pdf.render("invoice", doc, settings, xml)
    for ref in ("SO-00001", "SO-00003"):  # other documents, other glyph sets, in between
        pdf.render("order", show("order", ref), settings)
    assert pdf.render("invoice", doc, settings, xml) == alone
    monkeypatch.setattr(pdf_fonts, "PRESUBSET", False)
    assert pdf.render("invoice", doc, settings, xml) == alone


def test_workers_draw_the_same_bytes_in_the_same_order(demo):
    from orders_cli.adapters import pdf_pool
    from orders_cli.adapters import settings as config

    base = far_invoice()
    docs = [{**base, "number": f"INV-{i:05d}", "subject": f"Contract {i} · Договор {i}"} for i in range(12)]
    xml = sample_xml()
    settings = config.current()
    serial = pdf_pool.render_many("invoice", docs, settings, xmls=[xml] * len(docs), jobs=0)
    parallel = pdf_pool.render_many("invoice", docs, settings, xmls=[xml] * len(docs), jobs=2)
    assert parallel == serial
    assert [f"INV-{i:05d}" in text_of(data) for i, data in enumerate(parallel)] == [True] * len(docs)
    assert pdf_pool.workers_for(1) == 0  # a small batch is drawn here


def test_invoice_pdf_all_by_workers_writes_what_one_by_one_writes(demo, tmp_path, monkeypatch, capsys):
    from orders_cli.adapters import pdf_pool
    from orders_cli.cli import pdf as cmd

    for ref in ("SO-00001", "SO-00002", "SO-00003"):
        ok("order", "convert", "invoice", ref)
    capsys.readouterr()
    monkeypatch.setattr(pdf_pool, "MIN_PER_WORKER", 1)  # a pool even for three invoices (one worker per CPU)
    cmd.invoice_pdf(all_=True, output=tmp_path / "pool")
    pooled_err = capsys.readouterr().err
    monkeypatch.setattr(pdf_pool, "MIN_PER_WORKER", 10_000)  # no pool
    cmd.invoice_pdf(all_=True, output=tmp_path / "one")
    serial_err = capsys.readouterr().err
    names = sorted(p.name for p in (tmp_path / "one").iterdir())
    assert len(names) == 3 and sorted(p.name for p in (tmp_path / "pool").iterdir()) == names
    for name in names:
        assert mask((tmp_path / "pool" / name).read_bytes()) == mask((tmp_path / "one" / name).read_bytes())
    assert pooled_err.replace("/pool/", "/one/") == serial_err  # the same lines, in the same order


def test_fonts_cut_for_a_batch_give_the_same_bytes_in_any_script(demo, monkeypatch):
    from orders_cli.adapters import pdf, pdf_fonts
    from orders_cli.adapters import settings as config

    settings, xml = config.current(), sample_xml()
    far = far_invoice()
    armenian = {**far, "account": {**far["account"], "name": "Երևանի Առևտրային Ընկերություն"}}  # outside SCRIPTS: the whole font
    # and characters whose glyphs are also parts of others' (ᵃ ꙍ Ⱶ: in the cut font as parts, kept with their code points)
    docs = [far, armenian, {**far, "subject": "Maintenance № 7 ™ ₹ € ‰ ½ Ω ŉ ǅ ȸ ʤ ˇ ̈ Ӝ ẞ ἄ ᵃ ꙍ Ⱶ"}]
    monkeypatch.setattr(pdf_fonts, "PRESUBSET", False)
    whole = [pdf.render("invoice", doc, settings, xml) for doc in docs]
    monkeypatch.setattr(pdf_fonts, "PRESUBSET", True)
    pdf_fonts._SUBSETS.clear()
    pdf_fonts.prepare_batch()
    assert sorted(pdf_fonts._SCRIPT_FONTS) == ["", "B"]
    assert all(1000 < len(names) < 3000 for _, names in pdf_fonts._SCRIPT_FONTS.values())  # 1,993 of 6,253
    assert [pdf.render("invoice", doc, settings, xml) for doc in docs] == whole
    assert "Երևանի" in text_of(whole[1]).split()
