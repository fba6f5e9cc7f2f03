"""Deprecating a public name without breaking its users: a warning now, removal later.

@deprecated(since="0.2", removed_in="1.0", use="Engine.score_many")
def score_all(...): ...

__getattr__ = moved({"OldName": ("NewName", "0.2", "1.0")}, globals())   # in a module
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

__all__ = ["deprecated", "moved"]

F = TypeVar("F", bound=Callable[..., Any])


def deprecated(*, since: str, removed_in: str, use: str | None = None) -> Callable[[F], F]:
    """Mark a function or method deprecated: calling it warns (DeprecationWarning) and still works."""

    def wrap(fn: F) -> F:
        hint = f"; use {use} instead" if use else ""
        message = f"{fn.__qualname__} is deprecated since spbe_engine {since} and will be removed in {removed_in}{hint}"

        @functools.wraps(fn)
        def inner(*args: Any, **kwargs: Any) -> Any:
            warnings.warn(message, DeprecationWarning, stacklevel=2)
            return fn(*args, **kwargs)

        inner.__doc__ = f"Deprecated: {message}.\n\n{fn.__doc__ or ''}"
        return inner  # type: ignore[return-value]

    return wrap


def moved(renames: Mapping[str, tuple[str, str, str]], namespace: Mapping[str, Any]) -> Callable[[str], Any]:
    """A module `__getattr__` that serves old names (old → (new, since, removed_in)) with a warning."""

    def __getattr__(name: str) -> Any:
        if name in renames:
            new, since, removed_in = renames[name]
            warnings.warn(
                f"{name} is deprecated since spbe_engine {since} and will be removed in {removed_in}; use {new}",
                DeprecationWarning,
                stacklevel=2,
            )
            return namespace[new]
        raise AttributeError(name)

    return __getattr__
