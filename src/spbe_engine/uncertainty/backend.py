"""Choosing the numpy path or the pure-Python fallback (same numbers either way)."""

from __future__ import annotations

from typing import Any

from ..errors import SpbeError
from ..i18n import tr


def numpy_or_none(backend: str) -> Any:
    if backend not in ("auto", "numpy", "python"):
        raise SpbeError(
            tr("unknown backend {backend!r}", backend=backend), field="backend", allowed="auto, numpy, python"
        )
    if backend == "python":
        return None
    try:
        import numpy  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        if backend == "numpy":
            raise SpbeError(tr("backend 'numpy' needs numpy: pip install 'spbe_engine[fast]'")) from None
        return None
    return numpy
