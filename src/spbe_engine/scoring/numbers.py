"""Exact number helpers: every value is a ratio of integers until it is displayed."""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction

__all__ = ["display", "to_decimal"]


def display(num: int, den: int, places: int = 2) -> str:
    """Round num/den half-up (away from zero on ties) to `places` decimals, as the official reports do."""
    scale = 10**places
    sign = "-" if num * den < 0 else ""
    num, den = abs(num), abs(den)
    q = (2 * num * scale + den) // (2 * den)
    whole, frac = divmod(q, scale)
    return f"{sign}{whole}.{frac:0{places}d}" if places else f"{sign}{whole}"


def to_decimal(num: int, den: int) -> Decimal:
    """num/den as a Decimal: exact whenever the ratio terminates in base 10 (always the case for an
    index whose weights total a power of ten); otherwise 28 significant digits. `Fraction` stays exact."""
    f = Fraction(num, den)
    d = f.denominator
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
    if d == 1:
        k += max(twos, fives)
        return Decimal(f.numerator * 10**k // f.denominator).scaleb(-k)
    with localcontext() as ctx:
        ctx.prec = 28
        return Decimal(f.numerator) / Decimal(f.denominator)
