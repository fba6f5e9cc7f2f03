"""Deprecated: renamed `spbe_engine.tabular` (the helpers are used by every result type, not only in
notebooks). Old imports keep working, with a DeprecationWarning, until 1.0."""

from __future__ import annotations

import warnings
from typing import Any


def __getattr__(name: str) -> Any:
    from . import tabular

    if name.startswith("__") or not hasattr(tabular, name):
        raise AttributeError(name)
    warnings.warn(
        f"spbe_engine.notebook.{name} is deprecated since spbe_engine 0.2 and will be removed in 1.0; "
        f"use spbe_engine.tabular.{name}",
        DeprecationWarning,
        stacklevel=2,
    )
    return getattr(tabular, name)
