"""Full garbage collections deferred while a bulk operation builds objects that all survive.

CPython runs a full collection each time the long-lived objects grow by a quarter. Building 10^5
assessments or results that a list keeps triggers a dozen of them, each traversing everything
built so far and freeing nothing: on a table of 10^5 rows that cost as much as the work itself.
Only the full collections are deferred: the young ones still run, so cyclic garbage made meanwhile
(by the caller's generator that `score_many` consumes, say) is freed as usual and memory stays
where it would be. The objects built are examined once, at the next full collection.

The GC's thresholds belong to the process: blocks that overlap in several threads (`score_many`
with a thread pool runs one per chunk) share one deferral, and the last to leave restores the
threshold, so no interleaving leaves full collections off.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["NEVER", "deferred_full_collections"]

NEVER = 1 << 30
"""A third GC threshold no count of young collections reaches."""

_lock = threading.Lock()
_depth = 0  # blocks open now, in every thread
_saved = 0  # the third threshold found when the first of them opened


@contextmanager
def deferred_full_collections() -> Iterator[None]:
    """No full collection in the block (young ones run). The third threshold is restored as found
    when the last overlapping block leaves, also on an error, unless someone else changed it meanwhile."""
    global _depth, _saved
    with _lock:
        if _depth == 0:
            young, middle, _saved = gc.get_threshold()
            gc.set_threshold(young, middle, NEVER)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                young, middle, full = gc.get_threshold()
                if full == NEVER:
                    gc.set_threshold(young, middle, _saved)
