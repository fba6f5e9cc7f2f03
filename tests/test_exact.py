"""`spbe_engine.exact`'s shared pieces: one rounding (`display`, `hundredths`), one text check for
`parse_decimal` and `exact_decimal` (each keeping its own messages), one count of decimal places
(`to_decimal`, `scoring.table.decimal_text`)."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spbe_engine.exact import decimal_places, display, exact_decimal, hundredths, parse_decimal, to_decimal
from spbe_engine.i18n import language
from spbe_engine.monev import meeting
from spbe_engine.scoring.table import decimal_text


@given(st.integers(-(10**12), 10**12), st.integers(1, 10**6), st.booleans())
def test_hundredths_are_the_digits_display_writes(num: int, den: int, negative_den: bool) -> None:
    """The meeting ranks peers on these, as `Engine.rank` ranks on the display: ties away from zero
    for negative values too (-0.005 is -0.01, as displayed; not 0.00)."""
    den = -den if negative_den else den
    assert hundredths(num, den) == int(display(num, den).replace(".", ""))
    assert meeting.hundredths is hundredths


def test_hundredths_of_ties() -> None:
    assert [hundredths(n, 1000) for n in (3645, 3644, 5, 0, -5, -4, -3645)] == [365, 364, 1, 0, -1, 0, -365]


def test_decimal_places_is_the_least_power_of_ten() -> None:
    for den in range(1, 5001):
        want = next((k for k in range(40) if 10**k % den == 0), None)
        assert decimal_places(den) == want, den
    assert decimal_places(2**30 * 5**3) == 30 and decimal_places(10**40) == 40 and decimal_places(3 * 2**5) is None


@given(st.integers(-(10**15), 10**15), st.integers(1, 10**9))
def test_to_decimal_and_decimal_text_agree_and_are_exact_when_they_terminate(num: int, den: int) -> None:
    d = to_decimal(num, den)
    assert decimal_text(num, den) == str(d)
    f = Fraction(num, den)
    assert (Fraction(d) == f) == (decimal_places(f.denominator) is not None)


# What each reader says of a text it refuses: the English of these messages is unchanged from before
# the two functions shared their check (and each keeps its own wording).
PARSE_DECIMAL = [
    ("1.30", Decimal("1.30")),
    ("+.5e+3", Decimal("5E+2")),
    ("inf", "'inf' is not a finite decimal"),
    ("-Infinity", "'-Infinity' is not a finite decimal"),
    ("nan", "'nan' is not a finite decimal"),
    ("+-inf", "'+-inf' is not a decimal number"),
    (".inf", "'.inf' is not a decimal number written with the digits 0-9 (such as '1.30')"),
    ("١.٥", "'١.٥' is not a decimal number written with the digits 0-9 (such as '1.30')"),
    ("1_0", "'1_0' is not a decimal number written with the digits 0-9 (such as '1.30')"),
    (" 1", "' 1' is not a decimal number written with the digits 0-9 (such as '1.30')"),
    ("1e999999999999999999999999", "'1e999999999999999999999999' is not a decimal number"),
    ("1e31", "'1e31' is out of range (at most 30 decimal places and magnitude 1E+30)"),
    (1.5, "expected an exact decimal (a string such as '1.30'), got the float 1.5"),
    (True, "expected an exact decimal, got a boolean"),
    (Decimal("NaN"), "Decimal('NaN') is not a finite decimal"),
    (None, "expected an exact decimal, got NoneType"),
]
EXACT_DECIMAL = [
    ("1.30", Decimal("1.30")),
    ("1e4299", Decimal("1E+4299")),
    ("inf", "'inf' is not a finite number"),
    ("+-inf", "'+-inf' is not a finite number"),
    (".nan", "'.nan' is not a finite number"),
    ("snan", "'snan' is not a finite number"),
    ("١.٥", "'١.٥' is not a decimal number written with the digits 0-9"),
    ("1_000000000000000000000000", "'1_000000000000000000...' is not a decimal number written with the digits 0-9"),
    ("1e999999999999999999999999", "'1e999999999999999999999999' is not a decimal number"),
    ("1e4300", "the number 1e4300 has more than 4300 digits written out"),
]


@pytest.mark.parametrize(("parse", "value", "want"), [(parse_decimal, *c) for c in PARSE_DECIMAL]
                         + [(exact_decimal, *c) for c in EXACT_DECIMAL])  # fmt: skip
def test_what_each_reader_accepts_and_says(parse: object, value: object, want: object) -> None:
    assert callable(parse)
    with language("en"):
        if isinstance(want, Decimal):
            got = parse(value)
            assert got == want and str(got) == str(want)
        else:
            with pytest.raises(ValueError, match=f"^{re.escape(str(want))}$"):
                parse(value)
