"""What the partial-conversion tests share: random quantities and prices, the random partial
steps (which lines, how much of each), and the sum of several documents' totals.
Used by tests/core/test_planner.py (the properties on the planner) and by the CLI tests
tests/test_conversions.py and tests/test_conversions_property.py.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Iterable

from hypothesis import strategies as st

D = Decimal
SCALARS = ("subtotal", "discount", "shipping", "tax", "adjustment", "total")

quantities = st.builds(lambda n, places: D(n).scaleb(-places), st.integers(1, 4000), st.integers(0, 3)).filter(lambda q: q <= 200)
prices = st.one_of(
    st.none(),
    st.builds(lambda n: D(n).scaleb(-4), st.integers(0, 2_000_000)),
    st.sampled_from([D("0.33"), D("0.07"), D("1.005"), D("2.4999"), D("0.0125"), D("3.3333")]),  # awkward to split
)


def fits_grid(remaining: Decimal, draw) -> Decimal:
    """A quantity in (0, remaining]: all of it, a third or a half of it (cut to 0.001), or a multiple of 0.001 below it."""
    steps = int(remaining * 1000)
    how = draw(st.sampled_from(["all", "third", "half", "grid"]))
    if steps <= 1 or how == "all":
        return remaining
    if how == "third":
        return D(max(steps // 3, 1)).scaleb(-3)
    if how == "half":
        return D(max(steps // 2, 1)).scaleb(-3)
    return D(draw(st.integers(1, steps - 1))).scaleb(-3)


def some_lines(open_lines: list[int], draw) -> list[int]:
    """Mostly one line at a time (so lines get split in several parts), sometimes several."""
    if len(open_lines) == 1 or draw(st.integers(0, 3)) > 0:
        return [draw(st.sampled_from(open_lines))]
    return draw(st.lists(st.sampled_from(open_lines), min_size=1, max_size=len(open_lines), unique=True))


def add_up(totals: Iterable[dict]) -> dict:
    """The sum of totals given as ``{scalar: Decimal, "breakdown": {(name, rate): (base, amount)}}``;
    breakdown entries that add up to zero are left out."""
    out = {k: D("0.00") for k in SCALARS}
    bd: dict = defaultdict(lambda: (D("0.00"), D("0.00")))
    for t in totals:
        for k in SCALARS:
            out[k] += t[k]
        for key, (base, amount) in t["breakdown"].items():
            bd[key] = (bd[key][0] + base, bd[key][1] + amount)
    out["breakdown"] = {k: v for k, v in bd.items() if v != (0, 0)}
    return out
