"""One result protocol: the small interface every result of the library offers.

Every public result type — a score, a comparison, a plan, a simulation, a migration, a ranking, the
findings of a check, ... — subclasses `Result` and so answers the same six questions:

- `headers`: the column names of its table (a tuple of str);
- `rows()`: the table's rows, plain values only (str, int, bool or None): exact numbers appear as
  text in the library's one encoding (`exact.exact_text`: "3.899", "10/3") or as display strings
  ("3.90"), never as Fraction or Decimal objects;
- `summary()`: one line for a person, in the current language (`i18n.language`) with numbers as that
  language writes them ("3,90" in Bahasa Indonesia); most types also take `summary(lang=...)`, which
  speaks `lang` instead (None: the current language). The command line and the reports print this
  line as it is, so a sentence is worded once;
- `to_dict()`: JSON-ready data (`json.dumps(result.to_dict())` works), every exact value as text in
  the one encoding, which reads back exactly with `Fraction(text)`;
- `to_frame()`: a pandas DataFrame of `headers` and `rows()` (the `pandas` extra);
- `_repr_html_()`: the table as escaped HTML with the summary as its caption (Jupyter).

A type writes `headers`, `rows()`, `summary()` and `to_dict()`; the base builds the rest from them,
so a notebook, a spreadsheet and the command line show the same table.
"""

from __future__ import annotations

import contextlib
import re
import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, SupportsIndex, TypeAlias, TypeVar, overload

from .exact import display
from .i18n import language, number

__all__ = ["Cell", "Result"]

Cell: TypeAlias = str | int | bool | None
"""A plain table value: text (exact numbers in the one encoding, or display strings), a count, a flag."""

DEPRECATED_SINCE = "0.2"
REMOVED_IN = "1.0"


class Result(ABC):
    """The protocol base of every result type: `headers`, `rows()`, `summary()`, `to_dict()`, and
    from them `to_frame()` and `_repr_html_()`."""

    __slots__ = ()

    @property
    @abstractmethod
    def headers(self) -> tuple[str, ...]:
        """The column names of `rows()`."""

    @abstractmethod
    def rows(self) -> Sequence[Sequence[Cell]]:
        """The table: one list of plain values per row, as many as `headers`."""

    @abstractmethod
    def summary(self) -> str:
        """One line for a person, in the current language (a type may add `lang=None`: that language)."""

    @abstractmethod
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data, exact values as text in the library's one encoding (`exact.exact_text`)."""

    def to_frame(self) -> Any:
        """A pandas DataFrame with `headers` as columns and `rows()` as rows (the `pandas` extra)."""
        from .tabular import to_frame

        return to_frame(self.headers, self.rows())

    def _repr_html_(self) -> str:
        """The table as escaped HTML, the summary as its caption (Jupyter shows this)."""
        from .tabular import html_table

        return html_table(self.headers, self.rows(), caption=self.summary())


# -- the summary line in a language ----------------------------------------------------------------


def in_language(lang: str | None) -> contextlib.AbstractContextManager[None]:
    """What `summary(lang=...)` runs in: `lang` when given, else the current language unchanged."""
    return language(lang) if lang is not None else contextlib.nullcontext()


def shown(value: Fraction, places: int = 2) -> str:
    """An exact value as a person reads it: rounded half-up the official way, then written as the
    current language writes numbers ("3,90")."""
    return number(display(value.numerator, value.denominator, places), places=places)


def signed(value: Fraction) -> str:
    """`shown` with an explicit sign: "+0,06", "-0,13"."""
    text = shown(value)
    return text if text.startswith("-") else f"+{text}"


_DECIMAL_TEXT = re.compile(r"-?\d+(?:\.\d+)?")


def shown_text(text: str) -> str:
    """A text that may be a decimal number ("4.00", a cost "12.5") as the language writes it, its digits
    kept; any other text ("Sangat Baik", "10/3") as it is."""
    return number(Decimal(text), places=None) if _DECIMAL_TEXT.fullmatch(text) else text


# -- keeping renamed members working for a while ---------------------------------------------------


def _message(owner: str, old: str, new: str) -> str:
    return (
        f"{owner}.{old} is deprecated since spbe_engine {DEPRECATED_SINCE} and will be removed in "
        f"{REMOVED_IN}; use {owner}.{new}"
    )


class deprecated_alias:
    """A class attribute that serves another member under its old name, with a DeprecationWarning when
    read from an instance (`summary_rows = deprecated_alias("rows")`). Read from the class, it gives
    the new member without a warning, so introspection and documentation tools stay quiet."""

    def __init__(self, new: str, shown: str | None = None) -> None:
        self.new = new
        self.shown = shown or new
        self.name = ""
        self.owner = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name, self.owner = name, owner.__name__

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        if obj is None:
            return getattr(owner, self.new)
        warnings.warn(_message(self.owner, self.name, self.shown), DeprecationWarning, stacklevel=2)
        return getattr(obj, self.new)


T = TypeVar("T")


class RecordsOrRows(tuple[T, ...]):
    """What `x.rows` gives on a result whose typed records were called `rows` before the protocol
    (`MarginalImpact`, `Transition`, `WeightSensitivity`): calling it, `x.rows()`, gives the
    protocol's plain rows; using it as the old tuple of records still works, with a DeprecationWarning
    naming the records' new name."""

    _table: Callable[[], Sequence[Sequence[Cell]]]
    _message: str

    def __new__(
        cls, records: Sequence[T], table: Callable[[], Sequence[Sequence[Cell]]], message: str
    ) -> RecordsOrRows[T]:
        self = super().__new__(cls, records)
        self._table = table
        self._message = message
        return self

    def __call__(self) -> Sequence[Sequence[Cell]]:
        return self._table()

    def _warn(self) -> None:
        warnings.warn(self._message, DeprecationWarning, stacklevel=3)

    @overload
    def __getitem__(self, index: SupportsIndex, /) -> T: ...
    @overload
    def __getitem__(
        self, index: slice[SupportsIndex | None, SupportsIndex | None, SupportsIndex | None], /
    ) -> tuple[T, ...]: ...
    def __getitem__(self, index: SupportsIndex | slice[Any, Any, Any], /) -> T | tuple[T, ...]:
        self._warn()
        return super().__getitem__(index)

    def __iter__(self) -> Iterator[T]:
        self._warn()
        return super().__iter__()

    def __len__(self) -> int:
        self._warn()
        return super().__len__()

    def __bool__(self) -> bool:
        self._warn()
        return super().__len__() > 0

    def __contains__(self, value: object, /) -> bool:
        self._warn()
        return super().__contains__(value)

    def __eq__(self, other: object) -> bool:
        self._warn()
        return super().__eq__(other)

    def __ne__(self, other: object) -> bool:
        self._warn()
        return super().__ne__(other)

    __hash__ = tuple.__hash__


class records_were_rows:
    """Decorates a result's `rows()` method when `rows` used to be the attribute holding its typed
    records, now called `records`: `x.rows()` is the protocol's table, `x.rows[0]` still gives the
    first record, with a DeprecationWarning. On the class it is the function itself (for the docs)."""

    def __init__(self, records: str) -> None:
        self.records = records
        self.function: Callable[[Any], Sequence[Sequence[Cell]]] | None = None
        self.owner = ""

    def __call__(self, function: Callable[[Any], Sequence[Sequence[Cell]]]) -> records_were_rows:
        self.function = function
        self.__doc__ = function.__doc__
        return self

    def __set_name__(self, owner: type, name: str) -> None:
        self.owner = owner.__name__

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        function = self.function
        assert function is not None
        if obj is None:
            return function
        message = (
            f"{self.owner}.rows as the tuple of records is deprecated since spbe_engine {DEPRECATED_SINCE} "
            f"and will be removed in {REMOVED_IN}; use {self.owner}.{self.records} (rows() is the table)"
        )
        return RecordsOrRows(getattr(obj, self.records), lambda: function(obj), message)
