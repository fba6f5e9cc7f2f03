"""Full garbage collections deferred while a bulk operation builds objects that all survive.

CPython runs a full collection each time the long-lived objects grow by a quarter. Building 10^5
assessments or results that a list keeps triggers a dozen of them, each traversing everything
built so far and freeing nothing: on a table of 10^5 rows that cost as much as the work itself.
Only the full collections are deferred: the young ones still run, so cyclic garbage made meanwhile
(by the caller's generator that `score_many` consumes, say) is freed as usual and memory stays
where it would be. The objects built are examined once, at the next full collection.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["NEVER", "deferred_full_collections"]

NEVER = 1 << 30
"""A third GC threshold no count of young collections reaches."""


@contextmanager
def deferred_full_collections() -> Iterator[None]:
    """No full collection in the block (young ones run); the thresholds are restored as found, also
    on an error. The GC's thresholds are process-wide: another thread's full collections wait too."""
    thresholds = gc.get_threshold()
    gc.set_threshold(thresholds[0], thresholds[1], NEVER)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
