"""Exact numbers, in one place: parsing with limits, display, the JSON encoding, exact ratios.

Why one module: levels and weights are exact decimals (or exact ratios such as 5/2018's 20/6 %),
computed as integers and fractions and never as floats. Everything that turns text into a number,
or a number into text, goes through here, so every reader refuses the same things (floats,
`١.٥`, `1_0`, `1e999999`) and every writer encodes an exact value the same way.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation, localcontext
from fractions import Fraction
from typing import Any

from .i18n import N_, tr, translate

__all__ = [
    "ASCII_DECIMAL",
    "ASCII_INT",
    "DIGITS",
    "MAX_DIGITS",
    "MAX_MAGNITUDE",
    "MAX_PLACES",
    "Rational",
    "decimal_places",
    "display",
    "exact_decimal",
    "exact_text",
    "hundredths",
    "parse_decimal",
    "parse_exact",
    "to_decimal",
    "whole_number",
]

MAX_DIGITS = 4300  # digits of a number written out in full: Python's own limit on integer literals
# Explicit (`!!int`, `!!float`, JSON numbers, decimals given as text): what a number may look like at all.
ASCII_INT = re.compile(r"[-+]?[0-9]+\Z", re.ASCII)
ASCII_DECIMAL = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\Z", re.ASCII)
_RATIO = re.compile(r"\s*([0-9]+)\s*/\s*([0-9]+)\s*\Z", re.ASCII)


# -- parsing ---------------------------------------------------------------------------------


_DECIMAL_TEXT = ASCII_DECIMAL
_WHOLE_TEXT = ASCII_INT
DIGITS = N_("the digits 0-9")


def parse_decimal(value: Any) -> Decimal:
    """An exact decimal from a value a person or a file gave: a Decimal, an int, or text in ASCII
    digits; floats, booleans, non-finite and implausibly long values are refused (ValueError)."""
    if isinstance(value, bool):
        raise ValueError(tr("expected an exact decimal, got a boolean"))
    if isinstance(value, float):
        # Floats are binary approximations; YAML files loaded by spbe_engine already give Decimals.
        raise ValueError(
            tr("expected an exact decimal (a string such as '1.30'), got the float {value!r}", value=value)
        )
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, str):
        parsed = _ascii_decimal(value, ("inf", "infinity", "nan"))  # those three: refused as not finite below
        if parsed is None:
            raise ValueError(
                tr(
                    "{value} is not a decimal number written with {DIGITS} (such as '1.30')",
                    value=_shown(value),
                    DIGITS=translate(DIGITS),
                )
            )
        d = parsed
    else:
        raise ValueError(tr("expected an exact decimal, got {type_name}", type_name=type(value).__name__))
    if not d.is_finite():
        raise ValueError(tr("{value!r} is not a finite decimal", value=value))
    exponent = d.as_tuple().exponent
    if d and (d.adjusted() > MAX_MAGNITUDE or (isinstance(exponent, int) and exponent < -MAX_PLACES)):
        # Exact arithmetic turns 1E+999999 into a million-digit integer: refuse the implausible early.
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
        raise ValueError(
            tr(
                "{shown} is out of range (at most {MAX_PLACES} decimal places and magnitude 1E+{MAX_MAGNITUDE})",
                shown=shown,
                MAX_PLACES=MAX_PLACES,
                MAX_MAGNITUDE=MAX_MAGNITUDE,
            )
        )
    return d


MAX_PLACES = 30
MAX_MAGNITUDE = 30


def _shown(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:37] + "...")


def _ascii_decimal(text: str, names: tuple[str, ...] = ()) -> Decimal | None:
    """`Decimal(text)` when `text` is a decimal in ASCII digits (`ASCII_DECIMAL`) or, signed or not, one
    of the non-finite `names`; None otherwise (`Decimal()` alone also reads `١.٥`, `３`, `1_0` and
    surrounding spaces). The one text check of `parse_decimal` and `exact_decimal`."""
    if not _DECIMAL_TEXT.match(text) and text.lower().lstrip("+-") not in names:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # an exponent beyond Decimal's own limits (1e999999999999999999999999), or "+-inf"
        raise ValueError(tr("{text!r} is not a decimal number", text=text)) from None


def whole_number(value: Any) -> int:
    """A whole number (a level, a level key): an int, or text of the ASCII digits 0-9 ("4").

    pydantic's own int parsing also reads "0_4", " 4 " and "4.0"; `int()` reads "٤" and "４".
    """
    if isinstance(value, bool):
        raise ValueError(tr("expected a whole number, got a boolean"))
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _WHOLE_TEXT.match(value):
        return int(value)
    shown = _shown(value) if isinstance(value, str) else f"{type(value).__name__} {value!r}"
    raise ValueError(tr("{shown} is not a whole number written with {DIGITS}", shown=shown, DIGITS=translate(DIGITS)))


def exact_decimal(text: str) -> Decimal:
    """A finite decimal from its literal text, at most `MAX_DIGITS` digits written out in full
    (1e999999999 would otherwise become a number of a billion digits when made a fraction).
    ASCII digits only: `Decimal()` itself also reads `١.٥`, `３`, `1_0` and surrounding spaces."""
    low = text.lower().lstrip("+-")
    if low in ("inf", "infinity", "nan", "snan", ".inf", ".nan"):
        raise ValueError(tr("{text!r} is not a finite number", text=text))
    d = _ascii_decimal(text)  # finite: infinity and NaN are refused above, and match no ASCII decimal
    if d is None:
        shown = text if len(text) <= 24 else text[:20] + "..."
        raise ValueError(tr("{shown!r} is not a decimal number written with the digits 0-9", shown=shown))
    exponent = int(d.as_tuple().exponent)
    digits = max(len(d.as_tuple().digits) + exponent, 1) + max(-exponent, 0)
    if digits > MAX_DIGITS:
        shown = text if len(text) <= 24 else text[:20] + "..."
        raise ValueError(
            tr("the number {shown} has more than {MAX_DIGITS} digits written out", shown=shown, MAX_DIGITS=MAX_DIGITS)
        )
    return d


def parse_exact(value: Any) -> Decimal | Fraction:
    """An exact weight: a decimal ("1.30"), or a ratio of whole numbers ("20/6") where no decimal is
    exact (kept as a `Rational` that prints as written). Floats are refused like everywhere else."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, str) and "/" in value:
        m = _RATIO.match(value)
        if m is None or int(m.group(2)) == 0:
            raise ValueError(
                tr("{value!r} is not an exact weight (a decimal such as 1.30 or a ratio such as 20/6)", value=value)
            )
        if len(m.group(1)) + len(m.group(2)) > 40:
            raise ValueError(tr("{value!r}... is out of range", value=value[:40]))
        return Rational(f"{int(m.group(1))}/{int(m.group(2))}")
    return parse_decimal(value)


# -- display and encoding ----------------------------------------------------------------------


def display(num: int, den: int, places: int = 2) -> str:
    """Round num/den half-up (away from zero on ties) to `places` decimals, as the official reports do."""
    scale = 10**places
    sign = "-" if num * den < 0 else ""
    whole, frac = divmod(_half_up(num, den, scale), scale)
    return f"{sign}{whole}.{frac:0{places}d}" if places else f"{sign}{whole}"


def _half_up(num: int, den: int, scale: int) -> int:
    """|num/den| × scale rounded half-up (ties away from zero): the one rounding of every shown number."""
    num, den = abs(num), abs(den)
    return (2 * num * scale + den) // (2 * den)


def decimal_places(den: int) -> int | None:
    """How many decimals write n/den exactly, for a fraction in lowest terms with den > 0 (the least
    k with den dividing 10**k: 8 → 3, 1250 → 4, 1 → 0); None when no decimal terminates (3, 455)."""
    d = den
    k = 0
    while d % 10 == 0:
        d //= 10
        k += 1
    twos = fives = 0
    while d % 2 == 0:
        d //= 2
        twos += 1
    while d % 5 == 0:
        d //= 5
        fives += 1
    return k + max(twos, fives) if d == 1 else None


def hundredths(num: int, den: int) -> int:
    """num/den as a whole number of hundredths, rounded as `display` rounds (3.645 → 365, -0.005 → -1):
    the published 2-decimal index as an int, to compare and rank (meeting peers, as `Engine.rank`
    compares the display) or to code (score tables)."""
    q = _half_up(num, den, 100)
    return -q if num * den < 0 else q


def to_decimal(num: int, den: int) -> Decimal:
    """num/den as a Decimal: exact whenever the ratio terminates in base 10 (always the case for an
    index whose weights total a power of ten); otherwise 28 significant digits. `Fraction` stays exact."""
    f = Fraction(num, den)
    k = decimal_places(f.denominator)
    if k is not None:
        return Decimal(f.numerator * 10**k // f.denominator).scaleb(-k)
    with localcontext() as ctx:
        ctx.prec = 28
        return Decimal(f.numerator) / Decimal(f.denominator)


class Rational(Fraction):
    """An exact weight that no finite decimal can write, such as 5/2018's 20/6 % per public-service
    item. It is a `Fraction` in every computation and prints as written ("20/6"), so catalogues,
    explanations and manifests show the regulation's own arithmetic rather than 3.333…"""

    _text: str

    def __new__(cls, numerator: int | str, denominator: int | None = None) -> Rational:
        if isinstance(numerator, str):
            num_text, _, den_text = numerator.partition("/")
            num, den = int(num_text), int(den_text)
        else:
            num, den = numerator, 1 if denominator is None else denominator
        self = super().__new__(cls, num, den)
        self._text = f"{num}/{den}"
        return self

    def __str__(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return f"Rational({self._text!r})"

    def __reduce__(self) -> tuple[type[Rational], tuple[str]]:  # pickles (process pools) keep the text
        return (type(self), (self._text,))

    def __copy__(self) -> Rational:  # immutable, like Fraction
        return self

    def __deepcopy__(self, memo: object) -> Rational:
        return self


def exact_text(value: Decimal | Fraction | int) -> str:
    """The library's one text encoding of an exact value (JSON, CSV, manifests): the decimal when it
    terminates ("3.9", "13.00"), else "numerator/denominator" ("10/3"). Both read back exactly with
    `Fraction(text)`."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Rational):
        return str(value)
    f = Fraction(value)
    d = to_decimal(f.numerator, f.denominator)
    return str(d) if Fraction(d) == f else f"{f.numerator}/{f.denominator}"
