"""Tables for people, one rule for every list (issue 18 item 5): they fit the width.

Every column has a kind, told by its key (the last part of a dotted key: ``account.name`` is a
``name``):

- **tokens**: document numbers, dates, amounts, quantities, statuses, SKUs, ids. Never wrapped,
  never cut: a token column is as wide as its widest cell.
- **text**: names, subjects, descriptions, e-mails, notes (``TEXT_KEYS``). Shortened with an
  ellipsis when the table is too wide, down to ``TEXT_MIN`` characters (or its header's width).

An empty column is left out before any text is cut. When the tokens and the shortened text
still do not fit, columns are left out by their drop rank (``DROP_RANK``, lowest first; right to left within a rank); the first column (the
number, the SKU, the id) always stays. The README says the order.

Statuses (``STATUS_KEYS``) get a colour (``STATUS_STYLES``) on a terminal; the console leaves
colour out under NO_COLOR and writes none into a pipe.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

TOKEN, NUMBER, TEXT = "token", "number", "text"
TEXT_MIN = 10

TEXT_KEYS = frozenset({
    "name", "account", "subject", "description", "reason", "note", "email", "city", "vendor", "filename", "reference", "regions",
    "value", "help", "exemption_reason", "product", "old", "new", "title", "label", "street", "contact", "message",
})

_NUMERIC_HINTS = ("total", "amount", "price", "rate", "quantity", "qty", "cost", "net", "subtotal", "tax", "count", "percent", "billed", "id",
                  "balance", "paid", "credited", "size", "debit", "credit")

# lowest goes first: details, references to other documents, e-mail / due date / country,
# free text, the status, the document's date; then the keys not listed (LAST), then the
# amounts and the payment state (KEPT), each from the right
DROP_RANK = {
    **dict.fromkeys(("finalized", "removed", "credited", "paid", "currency", "cost", "kind", "tax_region", "phone", "reference", "method",
                     "content_type", "size", "checksum", "enabled", "invoices_base", "invoices_vat", "credit_notes_base",
                     "credit_notes_vat", "invoices", "credit_notes", "delivered_quantity", "invoiced_quantity"), 1),
    **dict.fromkeys(("order", "invoice", "document", "vendor", "vendor.name", "taxes"), 2),
    **dict.fromkeys(("email", "due_date", "country"), 3),
    **dict.fromkeys(("subject", "description", "reason", "note", "city", "exemption_reason"), 4),
    "status": 5,
    **dict.fromkeys(("date", "order_date", "quote_date", "invoice_date", "credit_date", "reminder_date"), 6),
    **dict.fromkeys(("total", "balance", "amount", "net", "base", "vat", "payment_state"), 10),
}
LAST = 9

STATUS_KEYS = frozenset({"status", "payment_state", "state", "new_status", "old_status"})
STATUS_STYLES = {
    **dict.fromkeys(("paid", "delivered", "accepted"), "green"),
    **dict.fromkeys(("overdue", "failed", "rejected"), "red"),
    **dict.fromkeys(("partially_paid", "uncertain"), "yellow"),
    **dict.fromkeys(("cancelled", "credited", "expired"), "bright_black"),
}


def _last(key: str) -> str:
    return key.rsplit(".", 1)[-1]


def numeric(key: str) -> bool:
    last = _last(key)
    return any(last == h or last.endswith("_" + h) for h in _NUMERIC_HINTS)


def kind(key: str, is_numeric: Callable[[str], bool] = numeric) -> str:
    if is_numeric(key):
        return NUMBER
    return TEXT if _last(key) in TEXT_KEYS else TOKEN


def drop_rank(key: str) -> int:
    return DROP_RANK.get(key, DROP_RANK.get(_last(key), LAST))


def _width(text: str) -> int:
    from rich.cells import cell_len

    return max((cell_len(line) for line in text.split("\n")), default=0)


def fit(headers: Sequence[str], kinds: Sequence[str], ranks: Sequence[int], body: Sequence[Sequence[str]], width: int) -> dict[int, int]:
    """{column index: width} of the columns kept: empty columns left out, tokens whole, text
    shortened evenly (the widest first) down to its floor, then columns left out by rank until the table fits
    ``width`` (each column costs 3 more: padding and its rule; the table 1)."""
    n = len(headers)
    natural = [max([_width(headers[i])] + [_width(row[i]) for row in body]) for i in range(n)]
    floor = [min(natural[i], max(_width(headers[i]), TEXT_MIN)) if kinds[i] == TEXT else natural[i] for i in range(n)]
    keep = list(range(n))

    def need(cols: list[int]) -> int:
        return sum(floor[i] for i in cols) + 3 * len(cols) + 1

    empty = [not any(row[i] for row in body) for i in range(n)]
    for i in [i for i in range(n - 1, 0, -1) if empty[i]]:  # an empty column goes before any text is cut
        if sum(natural[i] for i in keep) + 3 * len(keep) + 1 <= width:
            break
        keep.remove(i)
    for i in sorted(set(keep) - {0}, key=lambda i: (ranks[i], -i)):
        if need(keep) <= width:
            break
        keep.remove(i)
    widths = {i: natural[i] for i in keep}
    excess = sum(widths.values()) + 3 * len(keep) + 1 - width
    while excess > 0:
        shrinkable = [i for i in keep if kinds[i] == TEXT and widths[i] > floor[i]]
        if not shrinkable:
            break
        widest = max(shrinkable, key=lambda i: (widths[i], -i))
        widths[widest] -= 1
        excess -= 1
    return widths


def style(key: str, raw: Any) -> str:
    """The colour of a status cell (its stored value: ``partially_paid``), else none."""
    return STATUS_STYLES.get(raw, "") if _last(key) in STATUS_KEYS and isinstance(raw, str) else ""


def draw(console: Any, columns: Sequence[tuple[str, str]], body: Sequence[Sequence[str]], styles: Sequence[Sequence[str]],
         title: str | None = None, is_numeric: Callable[[str], bool] = numeric, totals: Sequence[Sequence[str]] = ()) -> None:
    """Print the cells of ``body`` (shown text, one style each) under ``columns`` (key, header)
    as a table that fits ``console``; ``totals``: rows of cells under a rule, in bold. The
    title is a line of its own above it (no padding after it).

    Where nothing is styled (a pipe or a file: the console writes no colour) and every cell is
    plain one-line text of single-width characters, the table is drawn here (``plain``), as
    Rich draws it, character for character (tests/test_tables.py compares the two), at a
    fraction of the cost (10,000 rows: 4 s in Rich); else Rich draws it."""
    from orders_cli.core.text import terminal

    keys = [c[0] for c in columns]
    headers = [terminal(c[1]) for c in columns]
    kinds = [kind(k, is_numeric) for k in keys]
    extra = [[terminal(str(c)) for c in row] for row in totals]
    widths = fit(headers, kinds, [drop_rank(k) for k in keys], list(body) + extra, console.width)
    drawn = plain(headers, kinds, widths, body, extra, console.width) if console.color_system is None else None
    if drawn is None:
        rich(console, headers, kinds, widths, body, styles, extra, title)
        return
    if title is not None:
        from rich.text import Text

        console.print(Text(terminal(title), style="italic"))
    console.file.write(drawn)


def rich(console: Any, headers: Sequence[str], kinds: Sequence[str], widths: dict[int, int], body: Sequence[Sequence[str]],
         styles: Sequence[Sequence[str]], extra: Sequence[Sequence[str]], title: str | None) -> None:
    """The table through Rich (``draw``'s columns and widths)."""
    from rich.table import Table
    from rich.text import Text

    from orders_cli.core.text import terminal

    table = Table(header_style="bold")
    for i, width in widths.items():
        table.add_column(headers[i], justify="right" if kinds[i] == NUMBER else "left", width=width, no_wrap=True, overflow="ellipsis")
    for row, row_styles in zip(body, styles):
        table.add_row(*[Text(row[i], style=row_styles[i]) for i in widths])
    if extra:
        table.add_section()
        for row in extra:
            table.add_row(*[Text(row[i]) for i in widths], style="bold")
    if title is not None:
        console.print(Text(terminal(title), style="italic"))
    console.print(table)


def plain(headers: Sequence[str], kinds: Sequence[str], widths: dict[int, int], body: Sequence[Sequence[str]],
          extra: Sequence[Sequence[str]], width: int) -> str | None:
    """The text of Rich's table (box HEAVY_HEAD, a space either side of each cell, a cell cut
    with an ellipsis) when every cell is one line of single-width characters with no space at
    either end and the table fits ``width``; None otherwise (Rich draws it)."""
    from rich.cells import cell_len

    cols = list(widths)
    if not cols or not body or sum(widths.values()) + 3 * len(cols) + 1 > width or min(widths.values()) < 1:
        return None  # (Rich draws no rule above totals that follow no row)
    right = {i for i in cols if kinds[i] == NUMBER}

    def simple(text: str) -> bool:
        return text.isprintable() and text == text.strip() and (text.isascii() or cell_len(text) == len(text))

    rows = [headers, *body, *extra]
    if not all(simple(row[i]) for row in rows for i in cols):
        return None

    def line(row: Sequence[str], bar: str) -> str:
        cells = []
        for i in cols:
            text, w = row[i], widths[i]
            if len(text) > w:
                text = text[:w - 1] + "…"
            cells.append(text.rjust(w) if i in right else text.ljust(w))
        return bar + " " + f" {bar} ".join(cells) + " " + bar

    def rule(left: str, fill: str, mid: str, end: str) -> str:
        return left + mid.join(fill * (widths[i] + 2) for i in cols) + end

    out = [rule("┏", "━", "┳", "┓"), line(headers, "┃"), rule("┡", "━", "╇", "┩")]
    out += [line(row, "│") for row in body]
    if extra:
        out.append(rule("├", "─", "┼", "┤"))
        out += [line(row, "│") for row in extra]
    out.append(rule("└", "─", "┴", "┘"))
    return "\n".join(out) + "\n"
