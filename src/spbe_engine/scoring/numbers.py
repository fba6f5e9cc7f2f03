"""Exact number helpers: every value is a ratio of integers until it is displayed."""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction

__all__ = ["Rational", "display", "to_decimal"]


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
