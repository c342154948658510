"""An account statement as a PDF, drawn with fpdf2 and the helpers of ``pdf.py`` (fonts,
page footer, company block, labels and layout of ``templates/``).

``render(statement, today, settings) -> bytes`` takes the plain data of
``invoicing.statements.statement`` (the JSON of ``account statement --json``): labels in
the account's language (English and French ship; any other falls back as ``pdf.py``'s do).
fpdf2 is imported only inside the function that draws.
"""

from __future__ import annotations

from datetime import date

from orders_cli.adapters import pdf as base

# (field, width mm, alignment): 180 mm across
COLUMNS = (("date", 20, "LEFT"), ("type", 30, "LEFT"), ("number", 24, "LEFT"), ("description", 43, "LEFT"),
           ("debit", 21, "RIGHT"), ("credit", 21, "RIGHT"), ("balance", 21, "RIGHT"))


def _type_text(line: dict, L: dict[str, str]) -> str:
    return L.get(f"statement_{line.get('type')}", str(line.get("type") or ""))


def _description(line: dict, L: dict[str, str]) -> str:
    if line.get("type") == "opening":
        return L["statement_opening"]
    method = line.get("method")
    text = str(line.get("description") or "")
    if method:
        how = L.get(f"method_{method}", str(method))
        return f"{how} · {text}" if text else how
    return text


def _cell(line: dict, field: str, L: dict[str, str]) -> str:
    if field == "type":
        return "" if line.get("type") == "opening" else _type_text(line, L)
    if field == "description":
        return _description(line, L)
    value = line.get(field)
    return "" if value is None else str(value)


def render(statement: dict, today: date, settings) -> bytes:
    """Draw one account statement as PDF bytes."""
    from fpdf.fonts import FontFace

    from orders_cli.adapters import templating

    account = statement.get("account") or {}
    L = base.labels_for(account.get("language"), settings)
    look = templating.layout(settings, base.WIDTH)
    doc = base._pdf_class()(orientation="P", unit="mm", format="A4")
    doc.set_margins(base.MARGIN, base.MARGIN, base.MARGIN)
    doc.set_auto_page_break(True, margin=22 if L.get("footer") else 18)
    base._add_fonts(doc)
    title = L["statement"]
    name = str(account.get("name") or "")
    doc.footer_left = f"{title}: {name}"
    doc.footer_text = L.get("footer", "")
    doc.page_label = L["page"]
    doc.rule_colour = look["rule"]
    doc.text_colour = look["text"]
    company, company_lines = base._company_lines(settings)
    doc.set_title(f"{title} {name}")
    doc.set_creator("orders")
    if company:
        doc.set_author(company)
    doc.add_page()
    doc.set_text_color(*look["text"])
    F = base.FONT_FAMILY

    # -- company on the left; title, date and period on the right
    top = doc.get_y()
    doc.set_font(F, "B", 13)
    if company:
        doc.multi_cell(95, 6, company, new_x="LMARGIN", new_y="NEXT")
    doc.set_font(F, "", 9)
    for line in company_lines:
        doc.multi_cell(95, 4.5, line, new_x="LMARGIN", new_y="NEXT")
    left_bottom = doc.get_y()
    doc.set_xy(base.MARGIN + 100, top)
    doc.set_font(F, "B", 16)
    doc.set_text_color(*look["title"])
    doc.multi_cell(80, 8, title, align="R", new_x="LEFT", new_y="NEXT")
    doc.set_text_color(*look["text"])
    doc.set_font(F, "", 9)
    meta = [(L["statement_date"], today.isoformat())]
    if statement.get("since"):
        meta.append((L["statement_from"], str(statement["since"])))
    if statement.get("until"):
        meta.append((L["statement_to"], str(statement["until"])))
    for label, value in meta:
        doc.multi_cell(80, 4.5, f"{label}: {value}", align="R", new_x="LEFT", new_y="NEXT")
    doc.set_xy(base.MARGIN, max(left_bottom, doc.get_y()) + 8)

    # -- the customer
    doc.set_font(F, "B", 9)
    doc.multi_cell(85, 5, L["statement_account"], new_x="LMARGIN", new_y="NEXT")
    doc.set_font(F, "", 9)
    for line in [name, *base._address_lines(account.get("billing_address"))]:
        if line:
            doc.multi_cell(85, 4.5, line, new_x="LMARGIN", new_y="NEXT")
    doc.ln(6)

    # -- the lines (a page break repeats the heading row)
    headings = {"date": L["date"], "type": L["statement_type"], "number": L["number"], "description": L["description"],
                "debit": L["statement_debit"], "credit": L["statement_credit"], "balance": L["statement_balance"]}
    lines = statement.get("lines") or []
    doc.set_font(F, "", 8.5)
    with doc.table(
        width=base.WIDTH,
        col_widths=tuple(c[1] for c in COLUMNS),
        text_align=tuple(c[2] for c in COLUMNS),
        headings_style=FontFace(emphasis="BOLD", fill_color=look["heading_fill"], color=look["heading_text"]),
        line_height=4.6,
        repeat_headings=1,
        first_row_as_headings=True,
    ) as table:
        heading = table.row()
        for field, _, _ in COLUMNS:
            heading.cell(headings[field])
        for line in lines:
            row = table.row()
            for field, _, _ in COLUMNS:
                row.cell(_cell(line, field, L))
    if not lines:
        doc.ln(2)
        doc.set_font(F, "", 9)
        doc.multi_cell(base.WIDTH, 5, L["statement_no_lines"], new_x="LMARGIN", new_y="NEXT")

    # -- the closing balance
    doc.ln(4)
    if doc.get_y() + 8 > doc.page_break_trigger:
        doc.add_page()
    doc.set_font(F, "B", 10)
    doc.set_x(base.MARGIN + 60)
    doc.cell(85, 5.5, L["statement_closing"], align="R")
    doc.cell(35, 5.5, f"{statement.get('closing_balance', '')} {statement.get('currency') or ''}".strip(), align="R",
             new_x="LMARGIN", new_y="NEXT")
    from orders_cli.adapters import pdf_fonts

    return pdf_fonts.output(doc)


def default_filename(statement: dict, today: date) -> str:
    """``statement-<ACCOUNT>-<DATE>.pdf``, with anything unsafe in a file name replaced."""
    name = str((statement.get("account") or {}).get("name") or "account")
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name).strip("._") or "account"
    return f"statement-{safe[:60]}-{today.isoformat()}.pdf"
