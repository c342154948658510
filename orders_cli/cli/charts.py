"""Bars in the terminal (Rich) for ``--chart``: one line per point, the bar scaled to the
largest absolute value, negative values drawn in another colour, the value printed after."""

from __future__ import annotations

from decimal import Decimal


def terminal_bars(series: list[tuple[str, str]], title: str) -> None:
    from rich.table import Table
    from rich.text import Text

    from orders_cli.cli import output
    from orders_cli.core.text import terminal

    console = output.console()
    if not series:
        output.note("nothing to draw")
        return
    values = [Decimal(v) for _, v in series]
    biggest = max((abs(v) for v in values), default=Decimal(0)) or Decimal(1)
    label_w = min(max(len(label) for label, _ in series), 30)
    value_w = max(len(v) for _, v in series)
    width = max(console.width - label_w - value_w - 6, 10)
    table = Table(title=terminal(title), title_justify="left", show_header=False, box=None, pad_edge=False)
    table.add_column(no_wrap=True, overflow="ellipsis", max_width=label_w)
    table.add_column(no_wrap=True)
    table.add_column(justify="right", no_wrap=True)
    for (label, text), v in zip(series, values):
        n = int((abs(v) / biggest * width).to_integral_value())
        bar = Text("█" * n if n else ("▏" if v else ""), style="red" if v < 0 else "cyan")
        table.add_row(terminal(label), bar, text)
    console.print(table)
