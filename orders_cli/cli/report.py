"""orders report: sales, VAT, aging, recurring revenue and the forecast, as tables (with a total
row), ``--json`` (an array of rows, ``[]`` for an empty span), ``--csv``, and charts."""

from typing import Annotated, Optional

import typer

from orders_cli.cli.common import Csv, CsvRaw, Json, group

app = group("report", "Reports: sales, VAT, aging, recurring revenue (MRR), forecast; tables, --json, --csv, --chart.")

Period = Annotated[Optional[str], typer.Option("--period", metavar="YYYY-MM|YYYY-QN|YYYY", help="A month (2026-11), a quarter (2026-Q4) or a year (2026)")]
Since = Annotated[Optional[str], typer.Option("--since", metavar="YYYY-MM-DD", help="From this day (inclusive)")]
Until = Annotated[Optional[str], typer.Option("--until", metavar="YYYY-MM-DD", help="To this day (inclusive)")]
Account = Annotated[Optional[str], typer.Option("--account", metavar="NAME", help="Only this account (name or id)")]
Chart = Annotated[Optional[str], typer.Option("--chart", metavar="[FILE.svg|FILE.png]",
                                              help="Draw the series: alone, as bars in the terminal; with a FILE.svg or FILE.png, as an image")]

COUNTS = ("invoices", "credit_notes", "open_invoices", "active")
BUCKETS = [("current", "Current"), ("days_1_30", "1-30"), ("days_31_60", "31-60"), ("days_61_90", "61-90"), ("days_over_90", "> 90"),
           ("credit", "Credit"), ("total", "Total")]


def _fmt(json_: bool, csv_: bool, csv_raw: bool = False) -> str:
    from orders_cli.cli import output

    return output.pick(json_, False, csv_, csv_raw)


def _compute(use_case, *args):
    """Run a read-only report; a spinner on a terminal (stderr) while the database works."""
    from orders_cli import store
    from orders_cli.adapters.env import stderr_is_tty

    def go():
        with store.transaction(write=False) as s:
            return use_case(s, *args)

    if not stderr_is_tty():
        return go()
    from orders_cli.cli import output

    with output.console(stderr=True).status("computing the report...", spinner="dots"):
        return go()


def _check_chart(chart: str | None, rows: list) -> None:
    """A chart file that could not be written is refused before the report is printed."""
    if chart is not None and chart not in ("-", ""):
        from pathlib import Path

        from orders_cli.adapters import chart_file

        chart_file.check(Path(chart), len(rows))


def _show(rows: list, fmt: str, columns: list, title: str, empty: str, total_keys: tuple = (), label_key: str | None = None) -> None:
    """JSON / CSV of the rows, or a table with a total row (per currency) of ``total_keys``."""
    from decimal import Decimal

    from orders_cli.cli import output

    data = [output.as_data(r) for r in rows]
    if fmt != output.TABLE:
        output.rows(data, fmt, columns)
        return
    for item in data:  # words for what JSON leaves null
        if "vendor" in item and item["vendor"] is None:
            item["vendor"] = {"id": None, "name": "(no vendor)"}
        if "tax" in item and item["tax"] is None and "category" in item:
            item["tax"] = "(outside VAT)"
    totals = []
    if total_keys and len(data) > 1:
        currencies = sorted({item.get("currency", "") for item in data})
        for cur in currencies:
            sums = {k: sum((Decimal(str(output.dig(i, k) or 0)) for i in data if i.get("currency", "") == cur), Decimal(0)) for k in total_keys}
            cells = []
            for n, (key, _) in enumerate(columns):
                if key in sums:
                    value = sums[key]
                    cells.append(str(int(value)) if key in COUNTS else f"{value:.2f}")
                elif key == "currency":
                    cells.append(cur)
                else:
                    cells.append("total" if n == 0 else "")
            totals.append(cells)
    output.table(columns, data, title=title, is_numeric=_numeric, totals=totals)
    if not data:
        output.note(empty)


def _numeric(key: str) -> bool:
    return key.split(".")[-1] in {"invoices", "credit_notes", "quantity", "net", "vat", "gross", "cost", "margin", "uncosted_net", "rate",
                                  "invoices_base", "invoices_vat", "credit_notes_base", "credit_notes_vat", "base", "open_invoices",
                                  "current", "days_1_30", "days_31_60", "days_61_90", "days_over_90", "credit", "total", "mrr", "arr",
                                  "new", "expansion", "contraction", "churned", "active"}


def _chart(chart: str | None, rows: list, label: str, value: str, title: str) -> None:
    """``--chart``: the series as terminal bars, or written as an SVG/PNG image."""
    if chart is None:
        return
    from orders_cli.cli import output

    data = [output.as_data(r) for r in rows]
    currencies = {d.get("currency") for d in data}
    series = [((_label(d, label) + (f" {d['currency']}" if len(currencies) > 1 else "")), d[value]) for d in data]
    if chart in ("-", ""):
        from orders_cli.cli.charts import terminal_bars

        terminal_bars(series, title)
        return
    from pathlib import Path

    from orders_cli.adapters import chart_file

    written = chart_file.write(Path(chart), series, title)
    output.note(f"wrote {written}")


def _label(item: dict, key: str) -> str:
    from orders_cli.cli import output

    value = output.dig(item, key)
    if value is None and key == "sku":
        return item.get("product") or ""
    if value is None and key == "vendor.name":
        return "(no vendor)"
    return str(value if value is not None else "")


SALES_COLUMNS = {
    "month": [("month", "Month")], "quarter": [("quarter", "Quarter")], "account": [("account.name", "Account")],
    "product": [("sku", "SKU"), ("product", "Product")], "vendor": [("vendor.name", "Vendor")],
}


@app.command("sales")
def sales(
    by: Annotated[str, typer.Option("--by", metavar="month|quarter|account|product|vendor", help="Group by (default month)")] = "month",
    margin: Annotated[bool, typer.Option("--margin", help="Add the catalog cost (product --cost) and the margin of the lines that have one")] = False,
    period: Period = None, since: Since = None, until: Until = None, account: Account = None,
    chart: Chart = None, json_: Json = False, csv_: Csv = False, csv_raw: CsvRaw = False,
) -> None:
    """Sales: net (HT), VAT and gross of the invoices minus the credit notes, by month, quarter,
    account, product or vendor.

    By product or vendor only the line nets are shown (VAT belongs to the document's rates);
    the document-level part of the net (overall discounts, shipping, charges, adjustments) is
    its own row, so the rows add up to the net of the documents.

    Example: orders report sales --by quarter --period 2026 --margin
    """
    from orders_cli.core.spans import span_of
    from orders_cli.reporting import sales as use_case

    span = span_of(period, since, until)
    by = (by or "month").strip().lower()  # as the use case reads it ('' is the default)
    rows = _compute(use_case.sales, by, span, account, margin)
    _check_chart(chart, rows)
    lines = by in ("product", "vendor")
    columns = list(SALES_COLUMNS[by]) + ([] if lines else [("invoices", "Invoices"), ("credit_notes", "Credit notes")])
    columns += [("quantity", "Quantity"), ("net", "Net")] if lines else [("net", "Net"), ("vat", "VAT"), ("gross", "Gross")]
    if margin:
        columns += [("cost", "Cost"), ("margin", "Margin"), ("uncosted_net", "Net without cost")]
    columns.append(("currency", "Currency"))
    totals = tuple(k for k, _ in columns if k in ("invoices", "credit_notes", "net", "vat", "gross", "cost", "margin", "uncosted_net"))
    _show(rows, _fmt(json_, csv_, csv_raw), columns, f"Sales by {by}, {span.label()}", "no sales in this span", totals)
    _chart(chart, rows, SALES_COLUMNS[by][0][0], "net", f"Net sales by {by}, {span.label()}")


VAT_COLUMNS = [("category", "Cat."), ("tax", "Tax"), ("rate", "Rate %"), ("invoices_base", "Invoiced base"), ("invoices_vat", "Invoiced VAT"),
               ("credit_notes_base", "Credited base"), ("credit_notes_vat", "Credited VAT"), ("base", "Base"), ("vat", "VAT"),
               ("currency", "Currency"), ("exemption_reason", "Exemption")]


@app.command("vat")
def vat(
    period: Period = None, since: Since = None, until: Until = None,
    basis: Annotated[str, typer.Option("--basis", metavar="invoice|payment",
                                       help="invoice: VAT on debits, at the documents' dates (default); payment: VAT on receipts, at the payments' dates")] = "invoice",
    json_: Json = False, csv_: Csv = False, csv_raw: CsvRaw = False,
) -> None:
    """VAT per category and rate: base and tax of the invoices and of the credit notes, and the
    net of both, for the return (CA3 in France).

    Exempt (E), zero-rated (Z), reverse-charge (AE), intra-community (K) and export (G) bases
    are rows of their category, after the standard rates; the net outside every rate (an
    untaxed shipping charge, an adjustment) is a row with no category. With --basis payment
    the VAT is counted when paid: each payment carries its share of its invoice's VAT (a refund
    paid takes its credit note's share back).

    Example: orders report vat --period 2026-Q4 --basis payment
    """
    from orders_cli.core.spans import span_of
    from orders_cli.reporting import vat as use_case

    span = span_of(period, since, until)
    rows = _compute(use_case.vat, span, basis)
    _show(rows, _fmt(json_, csv_, csv_raw), VAT_COLUMNS, f"VAT ({(basis or 'invoice').strip().lower()} basis), {span.label()}", "no VAT in this span",
          ("invoices_base", "invoices_vat", "credit_notes_base", "credit_notes_vat", "base", "vat"))


@app.command("aging")
def aging(
    as_of: Annotated[Optional[str], typer.Option("--as-of", metavar="YYYY-MM-DD", help="The day the balances are taken (default today)")] = None,
    account: Account = None, json_: Json = False, csv_: Csv = False, csv_raw: CsvRaw = False,
) -> None:
    """Open balances per account by days past due: current, 1-30, 31-60, 61-90, over 90.

    A balance is the invoice's total minus its credit notes and the payments received by the
    day; what is owed to a customer (overpaid, over-credited) is the Credit column.

    Example: orders report aging --as-of 2026-12-31 --csv
    """
    from orders_cli.adapters.env import today
    from orders_cli.core.text import parse_date
    from orders_cli.reporting import aging as use_case

    day = parse_date(as_of, "--as-of") if as_of is not None else today()
    rows = _compute(use_case.aging, day, account)
    columns = [("account.name", "Account"), ("open_invoices", "Open"), *BUCKETS, ("currency", "Currency")]
    _show(rows, _fmt(json_, csv_, csv_raw), columns, f"Aging on {day.isoformat()}", "nothing open",
          ("open_invoices", *(k for k, _ in BUCKETS)))


@app.command("recurring")
def recurring(
    period: Period = None, since: Since = None, until: Until = None,
    chart: Chart = None, json_: Json = False, csv_: Csv = False, csv_raw: CsvRaw = False,
) -> None:
    """Monthly recurring revenue (MRR) and ARR by month, with new, expansion, contraction and
    churned MRR and the number of active subscriptions (default: the last 12 months).

    Measured on what was billed, net of VAT: each recurring invoice minus its usage lines and
    its credit notes, as a monthly amount (a quarterly invoice counts a third in each of its
    months). MRR = last month's + new + expansion - contraction - churned.

    Example: orders report recurring --period 2026 --chart
    """
    from orders_cli.adapters.env import today
    from orders_cli.core.spans import span_of
    from orders_cli.reporting import recurring as use_case

    span = span_of(period, since, until)
    rows = _compute(use_case.recurring, span, today())
    _check_chart(chart, rows)
    columns = [("month", "Month"), ("mrr", "MRR"), ("arr", "ARR"), ("new", "New"), ("expansion", "Expansion"), ("contraction", "Contraction"),
               ("churned", "Churned"), ("active", "Active"), ("currency", "Currency")]
    _show(rows, _fmt(json_, csv_, csv_raw), columns, "Recurring revenue", "no recurring revenue in this span", ("new", "expansion", "contraction", "churned"))
    _chart(chart, rows, "month", "mrr", "Monthly recurring revenue")


@app.command("forecast")
def forecast(
    months: Annotated[int, typer.Option("--months", metavar="N", help="How many months, this one first (default 12, at most 120)")] = 12,
    chart: Chart = None, json_: Json = False, csv_: Csv = False, csv_raw: CsvRaw = False,
) -> None:
    """What the recurring schedules will bill each coming month: invoices, net, VAT, gross.

    The rules of recur run: enabled schedules of orders not cancelled, end dates honoured,
    periods already billed or skipped left out, catch-up latest billing only the last overdue
    period; a period already due counts in this month (the next run bills it). Usage is not
    known ahead and is left out.

    Example: orders report forecast --months 6 --chart
    """
    from orders_cli.adapters.env import today
    from orders_cli.reporting import forecast as use_case

    rows = _compute(use_case.forecast, today(), months)
    _check_chart(chart, rows)
    columns = [("month", "Month"), ("invoices", "Invoices"), ("net", "Net"), ("vat", "VAT"), ("gross", "Gross"), ("currency", "Currency")]
    _show(rows, _fmt(json_, csv_, csv_raw), columns, f"Forecast, {months} months", "no recurring invoices to come", ("invoices", "net", "vat", "gross"))
    _chart(chart, rows, "month", "gross", "Recurring invoices to come (gross)")
