"""PDF documents: orders, quotes, invoices, purchase orders and delivery notes, drawn with fpdf2.

``render(kind, doc, settings) -> bytes`` takes the plain dict a use case returns
(``sales.show``, ``billing.show_invoice``, ``fulfilment.show_purchase`` /
``show_delivery``) and the run's :class:`orders_cli.config.Settings`.

Start-up rule: fpdf2 (and fontTools) are imported only inside the functions that
draw, never at module top. The shipped DejaVu fonts are parsed once per process and
reused by every document of a batch, and subset once per glyph set (pdf_fonts.py).
Labels, colours, logo placement, column sets and the footer text come from
``templates/labels.toml`` and ``templates/layout.toml`` (see templating.py); the
``templates.dir`` setting names a folder whose copies override them key by key.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from orders_cli.adapters.pdf_fonts import _FONT_CACHE, FONT_DIR, FONT_FAMILY, FONT_FILES, PACKAGE_DIR  # noqa: F401  (re-exported)
from orders_cli.adapters.pdf_fonts import add_fonts as _add_fonts  # noqa: F401  (statement_pdf.py)
from orders_cli.core.text import expand_user

KINDS = ("order", "quote", "invoice", "purchase", "delivery", "credit")

MARGIN = 15.0
WIDTH = 180.0  # A4 (210 mm) minus both margins


# ---------------------------------------------------------------- labels and layout (templating.py)


def labels_for(language: str | None, settings) -> dict[str, str]:
    from orders_cli.adapters import templating

    return templating.labels(language, settings)


def _setting(settings, key: str) -> Any:
    from orders_cli.adapters import templating

    return templating._setting(settings, key)


# ---------------------------------------------------------------- the page


_PDF_CLASS = None


from orders_cli.adapters.pdf_text import Fmt, footer_lines, late_terms_of, late_terms_text, payment_lines, status_mark  # noqa: E402  (after the constants it needs none of)


def _pdf_class():
    global _PDF_CLASS
    if _PDF_CLASS is None:
        from fpdf import FPDF

        class DocumentPDF(FPDF):
            footer_left = ""
            footer_text = ""
            page_label = "Page"
            rule_colour = (90, 90, 90)
            text_colour = (0, 0, 0)

            def footer(self) -> None:
                # the footer text wraps over as many lines as it takes (legal mentions, bank
                # details); the page's bottom margin was set for them (footer_lines)
                self.set_y(-12 - 4 * footer_lines(self.footer_text))
                self.set_font(FONT_FAMILY, "", 8)
                self.set_text_color(*self.rule_colour)
                if self.footer_text:
                    self.multi_cell(WIDTH, 4, self.footer_text, align="C", new_x="LMARGIN", new_y="NEXT")
                self.cell(WIDTH / 2, 5, self.footer_left, align="L")
                self.cell(WIDTH / 2, 5, f"{self.page_label} {self.page_no()}/{{nb}}", align="R")
                self.set_text_color(*self.text_colour)

        _PDF_CLASS = DocumentPDF
    return _PDF_CLASS


def _address_lines(address: dict | None) -> list[str]:
    if not address:
        return []
    lines = [line for line in str(address.get("street") or "").splitlines() if line.strip()]
    city = " ".join(p for p in (address.get("postal_code"), address.get("city")) if p)
    for part in (city, address.get("state"), address.get("country")):
        if part:
            lines.append(str(part))
    return lines


def _has_address(address: dict | None) -> bool:
    return bool(address) and any(str(v or "").strip() for v in address.values())


def _company_lines(settings, snap: dict | None = None) -> tuple[str, list[str]]:
    """The seller's name and address lines: an issued invoice's or credit note's as at issue
    (``snap``), else today's settings."""
    def get(name: str) -> str:
        return str((snap.get(name) if snap is not None else _setting(settings, f"company.{name}")) or "")

    name = get("name")
    address = get("address").replace("\\n", "\n")
    lines = [line.strip() for line in address.splitlines() if line.strip()]
    email = get("email")
    if email:
        lines.append(email)
    return name, lines


def _logo(settings) -> str | None:
    path = str(_setting(settings, "company.logo") or "").strip()
    if not path:
        return None
    p = expand_user(Path(path))
    return str(p) if p.is_file() and os.access(p, os.R_OK) else None


def _meta_rows(kind: str, doc: dict, L: dict[str, str], fmt: "Fmt | None" = None) -> list[tuple[str, str]]:
    fmt = fmt or Fmt(None)
    rows: list[tuple[str, str]] = []
    if kind == "order":
        rows.append((L["order_date"], fmt.day(doc.get("order_date")) or ""))
        if doc.get("customer_ref"):
            rows.append((L["customer_ref"], doc["customer_ref"]))
        if doc.get("quote"):
            rows.append((L["quote"], doc["quote"]))
    elif kind == "quote":
        rows.append((L["quote_date"], fmt.day(doc.get("quote_date")) or ""))
        if doc.get("valid_until"):
            rows.append((L.get("valid_until", "Valid until"), fmt.day(doc["valid_until"])))
    elif kind == "invoice":
        rows.append((L["invoice_date"], fmt.day(doc.get("invoice_date")) or ""))
        if doc.get("due_date"):
            rows.append((L["due_date"], fmt.day(doc["due_date"])))
        if doc.get("due_days") is not None:
            rows.append((L["payment_term"], f"{doc['due_days']} {L['days']}"))
        if doc.get("period_start"):
            end = (L["period_to"], fmt.day(doc["period_end"])) if doc.get("period_end") else ()
            span = (L.get("period_from", ""), fmt.day(doc["period_start"]), *end)  # "2026-09-01 to 2026-09-30", "du 2026-09-01 au 2026-09-30"
            rows.append((L["period"], " ".join(str(x) for x in span if x)))
        if doc.get("delivery_date"):
            rows.append((L.get("delivery_date", "Delivery date"), fmt.day(doc["delivery_date"])))
        if doc.get("order"):
            rows.append((L["order_ref"], doc["order"]))
        if doc.get("customer_ref"):
            rows.append((L["customer_ref"], doc["customer_ref"]))
    elif kind == "credit":
        rows.append((L["credit_date"], fmt.day(doc.get("credit_date")) or ""))
        rows.append((L["credit_for"], f"{doc.get('invoice') or ''} {L['credit_of']} {fmt.day(doc.get('invoice_date')) or ''}".strip()))
        if doc.get("order"):
            rows.append((L["order_ref"], doc["order"]))
        if doc.get("reason"):
            rows.append((L["reason"], doc["reason"]))
    else:  # purchase, delivery
        rows.append((L["date"], fmt.day(doc.get("date")) or ""))
        if doc.get("order"):
            rows.append((L["order_ref"], doc["order"]))
    return [(k, str(v)) for k, v in rows if v]


def _seller_identity(kind: str, doc: dict, settings, L: dict[str, str]) -> list[str]:
    """Under the seller block (issue 15): legal form and capital, SIREN/SIRET, RCS, VAT number;
    an invoice or credit note from its snapshot at issue, other documents (and those issued
    before snapshots) from the settings."""
    snap = doc.get("seller") if kind in ("invoice", "credit") and isinstance(doc.get("seller"), dict) else None

    def get(name: str) -> str:
        value = snap.get(name) if snap is not None else _setting(settings, f"company.{name}")
        return str(value or "").strip()

    lines = []
    form, capital = get("legal_form"), get("capital")
    if form or capital:
        lines.append(" ".join(x for x in (form, f"{L['capital']} {capital}" if capital else "") if x))
    siren, siret = get("siren"), get("siret")
    ids = [f"{L['siret']} {siret}" if siret else f"{L['siren']} {siren}" if siren else ""]
    if get("rcs") and siren:
        ids.append(f"{L['rcs']} {get('rcs')} {siren}")
    if any(ids):
        lines.append(" · ".join(x for x in ids if x))
    if get("vat_id"):
        lines.append(f"{L['vat_id']}: {get('vat_id')}")
    return lines


def _buyer_identity(kind: str, doc: dict, L: dict[str, str]) -> list[str]:
    """Under the customer's address: its VAT number and SIREN as issued (invoices, credit notes)."""
    buyer = doc.get("buyer") if kind in ("invoice", "credit") else None
    if not isinstance(buyer, dict):
        return []
    return [f"{L[k]}: {buyer[k]}" for k in ("vat_id", "siren") if buyer.get(k)]


def _parties(kind: str, doc: dict, L: dict[str, str]) -> list[tuple[str, list[str]]]:
    if kind == "purchase":
        # each block names its recipient: the vendor above its address, the customer the goods go to (drop-ship)
        vendor = doc.get("vendor") or {}
        lines = [vendor.get("name") or ""] + _address_lines(vendor.get("address")) + ([vendor["email"]] if vendor.get("email") else [])
        recipient = [(doc.get("account") or {}).get("name") or ""]
        return [(L["vendor"], lines), (L["ship_to"], [n for n in recipient if n] + _address_lines(doc.get("ship_to")))]
    account_name = (doc.get("account") or {}).get("name") or ""
    if kind == "delivery":
        return [(L["customer"], [account_name]), (L["ship_to"], [account_name] + _address_lines(doc.get("ship_to")))]
    billing = doc.get("billing_address")
    shipping = doc.get("shipping_address") if _has_address(doc.get("shipping_address")) else billing
    return [(L["bill_to"], [account_name] + _address_lines(billing) + _buyer_identity(kind, doc, L)),
            (L["ship_to"], [account_name] + _address_lines(shipping))]


def _columns(kind: str, L: dict[str, str], look: dict) -> list[tuple[str, str, float, str]]:  # float-ok: millimetres on the page, not money
    """(field, heading, width mm, alignment) of the lines table, from the layout's column set."""
    return [(field, L[_HEADING.get(field, field)], width, align) for field, width, align in look["columns"][kind]]


_HEADING = {"line_no": "line"}


NUMBER_FIELDS = ("quantity", "unit_price", "unit_cost", "net")
# the payment terms of an invoice issued before snapshots (settings key -> snapshot key)
PAYMENT_SETTINGS = {"company.iban": "iban", "company.bic": "bic", "invoice.payment_means": "payment_means",
                    "invoice.early_payment_discount": "early_payment_discount"}


def _cell_text(line: dict, field: str, fmt: "Fmt | None" = None) -> str:
    value = line.get(field)
    if field == "description" and line.get("comment"):
        return f"{value or ''}\n{line['comment']}"
    if field == "unit":
        code, base = line.get("unit_code") or "", str(line.get("base_quantity") or "1")
        return f"{(fmt or Fmt(None)).number(base)} {code}".strip() if base != "1" else code
    if field == "vat":
        rates = [(fmt or Fmt(None)).number(t.get("rate")) for t in line.get("taxes") or [] if isinstance(t, dict)]
        return " + ".join(f"{r} %" for r in rates)
    if fmt is not None and field in NUMBER_FIELDS and value is not None:
        return fmt.number(value)
    return "" if value is None else str(value)


def _total_rows(kind: str, doc: dict, L: dict[str, str], fmt: "Fmt | None" = None) -> list[tuple[str, str, bool]]:
    n = (fmt or Fmt(None)).number
    t = doc.get("totals") or {}
    currency = doc.get("currency") or ""
    rows: list[tuple[str, str, bool]] = [(L["subtotal"], n(t.get("subtotal", "")), False)]
    if t.get("discount") not in (None, "0.00"):
        rows.append((L["discount_total"], "-" + n(t["discount"]), False))
    if t.get("shipping") not in (None, "0.00"):
        rows.append((L["shipping"], n(t["shipping"]), False))
    for c in t.get("allowances_charges") or []:
        # each allowance and charge with its reason (and its rate, when it is at one)
        tax = c.get("tax") or {}
        at = f" ({tax.get('name')} {tax.get('rate')} %)" if tax.get("name") else ""
        pct = f" {c.get('percent')} %" if c.get("percent") else ""
        sign = "-" if c.get("kind") == "allowance" else ""
        rows.append((f"{c.get('reason', '')}{pct}{at}", sign + n(c.get("amount", "")), False))
    breakdown = t.get("tax_breakdown") or []
    for b in breakdown:
        rows.append((f"{b.get('name', L['tax'])} {n(b.get('rate', ''))} % {L['tax_on']} {n(b.get('base', ''))}", n(b.get("amount", "")), False))
        if b.get("exemption_reason") or b.get("exemption_code"):
            reason = " ".join(str(x) for x in (b.get("exemption_reason"), f"({b['exemption_code']})" if b.get("exemption_code") else None) if x)
            rows.append((f"  {reason}", "", False))
    if not breakdown and t.get("tax") not in (None, "0.00"):
        rows.append((L["tax"], n(t["tax"]), False))
    if t.get("adjustment") not in (None, "0.00"):
        rows.append((L["adjustment"], n(t["adjustment"]), False))
    rows.append((L["total"], f"{n(t.get('total', ''))} {currency}".strip(), True))
    return rows


def render(kind: str, doc: dict, settings, facturx_xml: bytes | None = None) -> bytes:
    """Draw one document (``order``, ``quote``, ``invoice``, ``purchase``, ``delivery``, ``credit``) as
    PDF bytes; an invoice or credit note with ``facturx_xml`` as a Factur-X PDF/A-3B (facturx_pdf.py)."""
    from orders_cli.core.errors import Invalid

    if kind not in KINDS:
        raise Invalid(f"no PDF layout for {kind!r} (kinds: {', '.join(KINDS)})")
    from fpdf.fonts import FontFace

    from orders_cli.adapters import templating

    L = labels_for(doc.get("language"), settings)
    look = templating.layout(settings, WIDTH)
    from orders_cli.adapters import facturx_pdf, pdf_fonts

    pdf = _pdf_class()(orientation="P", unit="mm", format="A4", **facturx_pdf.compliance(kind, facturx_xml))
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    footer = str(L.get("footer", "") or "").replace("\\n", "\n")
    pdf.set_auto_page_break(True, margin=18 + 4 * footer_lines(footer))
    _add_fonts(pdf)
    title = L["deposit_invoice"] if kind == "invoice" and doc.get("kind") == "deposit" else L[kind]
    number = str(doc.get("number") or "")
    pdf.footer_left = f"{title} {number}"
    pdf.footer_text = footer
    pdf.page_label = L["page"]
    pdf.rule_colour = look["rule"]
    pdf.text_colour = look["text"]
    seller = doc.get("seller") if kind in ("invoice", "credit") and isinstance(doc.get("seller"), dict) else None
    company, company_lines = _company_lines(settings, seller)
    pdf.set_title(f"{title} {number}")
    pdf.set_creator("orders")
    if company:
        pdf.set_author(company)
    pdf.add_page()
    pdf.set_text_color(*look["text"])

    # -- company identity and logo on one side, document title, number and dates on the other
    top = pdf.get_y()
    logo = _logo(settings) if look["logo_position"] != "none" else None
    if logo:
        height = look["logo_height"]
        try:
            logo_src = facturx_pdf.pdfa_image(logo) if facturx_xml is not None else logo
            if look["logo_position"] == "right":
                pdf.image(logo_src, x=MARGIN + WIDTH - 60, y=top, h=height, keep_aspect_ratio=True, w=60)
            else:
                pdf.image(logo_src, x=MARGIN, y=top, h=height)
                pdf.set_y(top + height + 2)
        except Exception:  # an unreadable or unsupported image: the document goes out without it
            logo = None
            pdf.set_y(top)
    right_top = top + look["logo_height"] + 2 if logo and look["logo_position"] == "right" else top
    pdf.set_font(FONT_FAMILY, "B", 13)
    if company:
        pdf.multi_cell(95, 6, company, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, "", 9)
    for line in company_lines:
        pdf.multi_cell(95, 4.5, line, new_x="LMARGIN", new_y="NEXT")
    for line in _seller_identity(kind, doc, settings, L):
        pdf.multi_cell(95, 4.5, line, new_x="LMARGIN", new_y="NEXT")
    left_bottom = pdf.get_y()

    right_x = MARGIN + 100
    pdf.set_xy(right_x, right_top)
    pdf.set_font(FONT_FAMILY, "B", 16)
    pdf.set_text_color(*look["title"])
    pdf.multi_cell(80, 8, title, align="R", new_x="LEFT", new_y="NEXT")
    pdf.set_text_color(*look["text"])
    pdf.set_font(FONT_FAMILY, "B", 11)
    pdf.multi_cell(80, 6, f"{L['number']}: {number}", align="R", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, "", 9)
    fmt = Fmt(doc.get("language") or _setting(settings, "language"))
    for label, value in _meta_rows(kind, doc, L, fmt):
        pdf.multi_cell(80, 4.5, f"{label}: {value}", align="R", new_x="LEFT", new_y="NEXT")
    mark = status_mark(kind, doc, L)
    if mark:
        pdf.set_font(FONT_FAMILY, "B", 11)
        pdf.set_text_color(170, 0, 0)
        pdf.multi_cell(80, 6, mark, align="R", new_x="LEFT", new_y="NEXT")
        pdf.set_text_color(*look["text"])
        pdf.set_font(FONT_FAMILY, "", 9)
    pdf.set_xy(MARGIN, max(left_bottom, pdf.get_y()) + 8)

    # -- the two addresses
    top = pdf.get_y()
    bottoms = []
    for i, (label, lines) in enumerate(_parties(kind, doc, L)):
        pdf.set_xy(MARGIN + i * 95, top)
        pdf.set_font(FONT_FAMILY, "B", 9)
        pdf.multi_cell(85, 5, label, new_x="LEFT", new_y="NEXT")
        pdf.set_font(FONT_FAMILY, "", 9)
        for line in lines:
            if line:
                pdf.multi_cell(85, 4.5, line, new_x="LEFT", new_y="NEXT")
        bottoms.append(pdf.get_y())
    pdf.set_xy(MARGIN, max(bottoms) + 6)
    if doc.get("subject"):
        pdf.set_font(FONT_FAMILY, "B", 9)
        pdf.multi_cell(WIDTH, 5, f"{L['subject']}: {doc['subject']}", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)

    # -- the lines (cells wrap; a page break repeats the heading row)
    columns = _columns(kind, L, look)
    pdf.set_font(FONT_FAMILY, "", 8.5)
    with pdf.table(
        width=WIDTH,
        col_widths=tuple(c[2] for c in columns),
        text_align=tuple(c[3] for c in columns),
        headings_style=FontFace(emphasis="BOLD", fill_color=look["heading_fill"], color=look["heading_text"]),
        line_height=4.6,
        repeat_headings=1,
        first_row_as_headings=True,
    ) as table:
        heading = table.row()
        for _, label, _, _ in columns:
            heading.cell(label)
        for line in doc.get("lines") or []:
            row = table.row()
            for field, _, _, _ in columns:
                row.cell(_cell_text(line, field, fmt))

    # -- tax breakdown and totals
    if kind != "delivery":
        pdf.ln(4)
        rows = _total_rows(kind, doc, L, fmt)
        if pdf.get_y() + 5 * len(rows) > pdf.page_break_trigger:
            pdf.add_page()
        for label, value, bold in rows:
            pdf.set_font(FONT_FAMILY, "B" if bold else "", 10 if bold else 9)
            pdf.set_x(MARGIN + 60)
            pdf.cell(85, 5.5 if bold else 5, label, align="R")
            pdf.cell(35, 5.5 if bold else 5, value, align="R", new_x="LMARGIN", new_y="NEXT")
    if kind == "invoice":  # the payment terms: as at issue (the snapshot), else today's settings
        snap = doc.get("seller") if isinstance(doc.get("seller"), dict) else None
        seller = snap if snap is not None else {name: _setting(settings, key) for key, name in PAYMENT_SETTINGS.items()}
        pdf.ln(3)
        pdf.set_font(FONT_FAMILY, "", 8.5)
        for line in payment_lines(doc, seller, L, fmt):
            pdf.multi_cell(WIDTH, 4.2, line, new_x="LMARGIN", new_y="NEXT")
    if kind == "invoice" and L.get("late_payment"):  # Code de commerce L441-10: the penalty rate and the recovery indemnity
        mention = late_terms_text(late_terms_of(doc, settings), L, fmt, L["late_payment"])
        pdf.ln(3)
        pdf.set_font(FONT_FAMILY, "", 7.5)
        pdf.multi_cell(WIDTH, 3.8, templating.fill(L["late_payment"], mention), new_x="LMARGIN", new_y="NEXT")
    if facturx_xml is not None:
        facturx_pdf.finish(pdf, kind, doc, facturx_xml)
    return pdf_fonts.output(pdf)


def default_filename(doc: dict) -> str:
    """``<NUMBER>.pdf``, with anything unsafe in a file name replaced."""
    number = str(doc.get("number") or doc.get("id") or "document")
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in number).strip(".") or "document"
    return f"{safe}.pdf"
