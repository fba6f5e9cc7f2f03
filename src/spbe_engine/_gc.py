"""The cyclic garbage collector paused while a bulk operation builds objects that all survive.

CPython runs a full collection each time the long-lived objects grow by a quarter. Building 10^5
assessments or results that a list keeps triggers a dozen of them, each traversing everything
built so far and freeing nothing: on a table of 10^5 rows that cost as much as the work itself.
Paused, the objects are examined once, at the next collection after the operation.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused_gc"]


@contextmanager
def paused_gc() -> Iterator[None]:
    """Disable the cyclic GC for the block and restore it as it was found, also on an error
    (a caller that had disabled it keeps it disabled)."""
    enabled = gc.isenabled()
    if enabled:
        gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
