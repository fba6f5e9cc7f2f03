"""Deprecated: renamed `spbe_engine.parallel` (a "scale" is a level scale elsewhere in the library).

`from spbe_engine.scale import score_frame` keeps working, with a DeprecationWarning, until 1.0.
"""

from __future__ import annotations

import warnings
from typing import Any


def __getattr__(name: str) -> Any:
    from . import parallel

    if name.startswith("__") or not hasattr(parallel, name):
        raise AttributeError(name)
    warnings.warn(
        f"spbe_engine.scale.{name} is deprecated since spbe_engine 0.2 and will be removed in 1.0; "
        f"use spbe_engine.parallel.{name}",
        DeprecationWarning,
        stacklevel=2,
    )
    return getattr(parallel, name)
