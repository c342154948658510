"""core/money.py: D() counts a number's places as written (``_places``, read from its text), the
same as ``-as_tuple().exponent``, so it refuses exactly what it refused before."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orders_cli.core.errors import Invalid
from orders_cli.core.money import D, _places


@settings(max_examples=2000, deadline=None, database=None)
@given(digits=st.text("0123456789", min_size=1, max_size=24), exponent=st.integers(-30, 10), negative=st.booleans())
def test_places_are_the_exponent_as_written(digits, exponent, negative):
    d = Decimal(f"{'-' if negative else ''}{digits}E{exponent}")
    assert _places(d) == -d.as_tuple().exponent


@pytest.mark.parametrize("text", ["1.00000000000", "0.00000000001", "1E-11", "-2.5000000000000"])
def test_more_than_ten_places_as_written_are_refused(text):
    with pytest.raises(Invalid, match="at most 10 decimal places"):
        D(text)
    with pytest.raises(Invalid, match="at most 10 decimal places"):
        D(Decimal(text))


@pytest.mark.parametrize("text", ["1.0000000000", "120E-10", "1E+3", "5.", "-.5", "0E-20"])
def test_ten_places_or_fewer_pass(text):
    assert D(text) == Decimal(text)
