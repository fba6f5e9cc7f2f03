"""Deprecated: split into `spbe_engine.parallel` (executors) and `spbe_engine.frames` (Dask partitions);
a "scale" is a level scale elsewhere in the library.

`from spbe_engine.scale import score_frame` keeps working, with a DeprecationWarning, until 1.0.
"""

from __future__ import annotations

import warnings
from typing import Any

_MOVED = {"score_frame": "frames", "Executor": "parallel"}


def __getattr__(name: str) -> Any:
    import importlib

    if name not in _MOVED:
        raise AttributeError(name)
    module = _MOVED[name]
    warnings.warn(
        f"spbe_engine.scale.{name} is deprecated since spbe_engine 0.2 and will be removed in 1.0; "
        f"use spbe_engine.{module}.{name}",
        DeprecationWarning,
        stacklevel=2,
    )
    return getattr(importlib.import_module(f"spbe_engine.{module}"), name)
