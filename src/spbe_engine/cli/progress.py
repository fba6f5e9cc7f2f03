"""Progress on stderr for work that takes a while: reading, scoring, checking, planning, simulating.

Nothing is drawn for work done within about a second (`SPBE_PROGRESS_DELAY` seconds, default 1), when
stderr is not a terminal (piped or redirected, e.g. in scripts and CI), or with `--quiet`; stdout only
ever carries the command's output. rich draws the bar and is imported only once one is shown, so
quick commands never pay for it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import threading

T = TypeVar("T")

_SETTINGS = {"quiet": False}


def set_quiet(quiet: bool) -> None:
    _SETTINGS["quiet"] = quiet


def enabled() -> bool:
    """Progress is drawn only for a person watching: stderr a terminal, and not --quiet."""
    isatty = getattr(sys.stderr, "isatty", None)
    return not _SETTINGS["quiet"] and bool(isatty and isatty())


def _delay() -> float:
    try:
        return max(0.0, float(os.environ.get("SPBE_PROGRESS_DELAY", "1")))
    except ValueError:
        return 1.0


class Activity:
    """`with Activity("Scoring", total=n) as act: ... act.advance()` — a bar (or a spinner, without a
    total) that appears on stderr only if the work is still going after the delay."""

    def __init__(self, label: str, total: int | None = None) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self._lock: threading.Lock | None = None
        self._timer: threading.Timer | None = None
        self._bar: Any = None
        self._task: Any = None
        self._closed = False

    def __enter__(self) -> Activity:
        if enabled():  # threads only when a bar may be drawn: quick commands never import them
            import threading

            self._lock = threading.Lock()
            self._timer = threading.Timer(_delay(), self._show)
            self._timer.daemon = True
            self._timer.start()
        return self

    def _show(self) -> None:
        assert self._lock is not None
        with self._lock:
            if self._closed:
                return
            from rich.console import Console
            from rich.markup import escape
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

            columns: list[Any] = [SpinnerColumn(), TextColumn("{task.description}")]
            if self.total is not None:
                columns += [BarColumn(), MofNCompleteColumn()]
            self._bar = Progress(*columns, console=Console(stderr=True), transient=True)
            # the label may hold user text (a subject): never rich markup
            self._task = self._bar.add_task(escape(self.label), total=self.total, completed=self.done)
            self._bar.start()

    def update(self, done: int, total: int | None = None) -> None:
        """Work done so far (and the total, when it becomes known)."""
        self.done = done
        if total is not None:
            self.total = total
        bar = self._bar
        if bar is not None:
            bar.update(self._task, completed=done, total=self.total)

    def advance(self, step: int = 1) -> None:
        self.update(self.done + step)

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        lock = self._lock
        if lock is None:  # nothing was started
            return
        with lock:
            self._closed = True
            if self._timer is not None:
                self._timer.cancel()
            if self._bar is not None:
                self._bar.stop()
                self._bar = None


def track(items: Iterable[T], label: str, total: int | None = None) -> Iterator[T]:
    """The items, one by one, with progress while they last (`Activity`)."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with Activity(label, total) as act:
        for item in items:
            yield item
            act.advance()
