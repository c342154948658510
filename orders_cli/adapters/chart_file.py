"""``--chart FILE.svg|png``: a bar chart written as an image with matplotlib (its wheels install
from PyPI with no system package; SVG and PNG from one renderer, the Agg backend, no display).
Deterministic: no date in the file, a fixed SVG id salt, so the same book draws the same file."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from orders_cli.core.errors import Invalid

SUFFIXES = (".svg", ".png")


def check(path: Path, count: int) -> None:
    """Refuse, before anything is printed, an image that could not be written."""
    if path.suffix.lower() not in SUFFIXES:
        raise Invalid(f"--chart {str(path)!r}: the image is a .svg or a .png file (or give --chart alone for the terminal)")
    if not count:
        raise Invalid("nothing to draw: the report has no rows")
    try:
        folder_ok = path.parent.is_dir()
    except (OSError, ValueError):
        folder_ok = False
    if not folder_ok:
        raise Invalid(f"--chart {str(path)!r}: no folder {str(path.parent)!r}")


def write(path: Path, series: list[tuple[str, str]], title: str) -> Path:
    """Draw ``series`` ((label, amount text), ...) as bars into ``path`` (.svg or .png)."""
    check(path, len(series))
    suffix = path.suffix.lower()
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    matplotlib.rcParams["svg.hashsalt"] = "orders"
    labels = [label for label, _ in series]
    values = [int(Decimal(v) * 100) for _, v in series]  # bars in whole cents (exact); the axis reads them in units
    from matplotlib.ticker import FuncFormatter
    fig, ax = plt.subplots(figsize=(max(6.0, 0.5 * len(series) + 2), 4.0), dpi=100)
    try:
        ax.bar(range(len(values)), values, color=["#c0392b" if v < 0 else "#2e86c1" for v in values])
        ax.set_xticks(range(len(values)))
        ax.set_xticklabels(labels, rotation=45 if len(labels) > 6 else 0, ha="right" if len(labels) > 6 else "center", fontsize=8)
        ax.set_title(title)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _pos: _units(y)))
        ax.axhline(0, color="#555555", linewidth=0.8)
        ax.grid(axis="y", alpha=0.3)
        fig.tight_layout()
        try:
            fig.savefig(path, format=suffix[1:], metadata={"Date": None} if suffix == ".svg" else {"Software": None})
        except (OSError, ValueError) as exc:
            raise Invalid(f"cannot write {str(path)!r}: {getattr(exc, 'strerror', None) or exc}") from None
    finally:
        plt.close(fig)
    return path


def _units(cents) -> str:
    """A tick of the cents axis in units, e.g. 150000 -> "1500" (ticks fall on whole cents)."""
    amount = Decimal(round(cents)) / 100
    return format(amount.normalize(), "f") if amount == amount.to_integral_value() else format(amount, "f")
