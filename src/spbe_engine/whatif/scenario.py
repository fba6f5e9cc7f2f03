"""What-if scenarios: immutable changes of levels, weighting or catalogue, compared before/after.

Nothing is mutated: a scenario scores a copy. With peers (e.g. every agency of a province), the
comparison also says how the subject's rank moves; peers are rescored under the scenario's
weighting and catalogue, so ranks always compare like with like.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ..exact import display
from ..tabular import html_table, require, to_frame

if TYPE_CHECKING:
    from ..scoring.result import ScoreResult

__all__ = ["Comparison", "ScenarioTable"]


def _signed(f: Fraction) -> str:
    text = display(f.numerator, f.denominator)
    return text if text.startswith("-") else f"+{text}"


@dataclass(frozen=True)
class Comparison:
    """Before/after of one scenario: every group and the index, deltas, predikat and rank."""

    name: str
    before: ScoreResult
    after: ScoreResult
    rank_before: int | None = None
    rank_after: int | None = None
    peer_count: int = 0

    @property
    def delta(self) -> Fraction:
        """Exact change of the index."""
        return self.after.fraction - self.before.fraction

    @property
    def group_deltas(self) -> dict[str, Fraction]:
        after = self.after.groups
        return {gid: after[gid].fraction - g.fraction for gid, g in self.before.groups.items() if gid in after}

    @property
    def predikat_change(self) -> tuple[str, str] | None:
        """(before, after) when the predikat changes, else None."""
        b, a = self.before.predikat, self.after.predikat
        return None if b == a else (b, a)

    @property
    def rank_change(self) -> int | None:
        """Places gained among the peers (positive = moved up), or None without peers."""
        if self.rank_before is None or self.rank_after is None:
            return None
        return self.rank_before - self.rank_after

    def rows(self) -> list[list[str]]:
        out = [
            [
                "index",
                self.before.display,
                self.after.display,
                _signed(self.delta),
                self.before.predikat,
                self.after.predikat,
            ]
        ]
        after = self.after.groups
        for gid, g in self.before.groups.items():
            if gid in after:
                a = after[gid]
                out.append([gid, g.display, a.display, _signed(a.fraction - g.fraction), g.predikat, a.predikat])
        return out

    _headers = ("", "before", "after", "delta", "predikat before", "predikat after")

    def summary(self) -> str:
        text = f"{self.name}: index {self.before.display} → {self.after.display} ({_signed(self.delta)})"
        if self.predikat_change:
            text += f", predikat {self.predikat_change[0]} → {self.predikat_change[1]}"
        if self.rank_before is not None:
            text += f", rank {self.rank_before} → {self.rank_after} of {self.peer_count}"
        return text

    def _repr_html_(self) -> str:
        return html_table(self._headers, self.rows(), caption=self.summary())

    def to_frame(self) -> Any:
        return to_frame(self._headers, self.rows())

    def plot(self, ax: Any = None) -> Any:
        """Before/after bars per top-level group and the index (matplotlib, the `plot` extra)."""
        plt = require("matplotlib.pyplot", "plot")
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 3.5))
        top = [gid for gid, g in self.before.groups.items() if g.parent is None] + ["index"]
        b = [float(self.before.groups[g].fraction) if g != "index" else float(self.before.fraction) for g in top]
        a = [float(self.after.groups[g].fraction) if g != "index" else float(self.after.fraction) for g in top]
        xs = range(len(top))
        ax.bar([x - 0.2 for x in xs], b, width=0.4, label="before")
        ax.bar([x + 0.2 for x in xs], a, width=0.4, label="after")
        ax.set_xticks(list(xs), top)
        ax.set_ylim(0, max(5.0, *a, *b))
        ax.set_title(self.summary(), fontsize=9)
        ax.legend()
        return ax


@dataclass(frozen=True)
class ScenarioTable:
    """Several scenarios side by side: one row per group (and the index), one column per scenario."""

    comparisons: tuple[Comparison, ...]

    def __getitem__(self, name: str) -> Comparison:
        for c in self.comparisons:
            if c.name == name:
                return c
        raise KeyError(name)

    def rows(self) -> list[list[str]]:
        if not self.comparisons:
            return []
        base = self.comparisons[0].before
        out = [
            ["index", base.display, *(c.after.display for c in self.comparisons)],
            ["predikat", base.predikat, *(c.after.predikat for c in self.comparisons)],
        ]
        for gid, g in base.groups.items():
            out.append(
                [
                    gid,
                    g.display,
                    *(c.after.groups[gid].display if gid in c.after.groups else "" for c in self.comparisons),
                ]
            )
        if any(c.rank_before is not None for c in self.comparisons):
            out.append(["rank", str(self.comparisons[0].rank_before), *(str(c.rank_after) for c in self.comparisons)])
        return out

    @property
    def headers(self) -> list[str]:
        return ["", "current", *(c.name for c in self.comparisons)]

    def _repr_html_(self) -> str:
        return html_table(self.headers, self.rows())

    def to_frame(self) -> Any:
        return to_frame(self.headers, self.rows())


def rank_of(subject_key: tuple[str, str], results: Sequence[ScoreResult]) -> int:
    from ..ranking import competition_ranks

    ranks = competition_ranks([r.fraction for r in results])
    for r, rank in zip(results, ranks, strict=True):
        if (r.subject, r.period) == subject_key:
            return rank
    raise AssertionError("subject not among the ranked results")


def merge_peers(subject: Any, peers: Sequence[Any]) -> list[Any]:
    """The peer set with `subject` in it (replacing the peer with the same subject and period)."""
    key = (subject.subject, subject.period)
    return [subject, *(p for p in peers if (p.subject, p.period) != key)]


def levels_update(levels: Mapping[str, int], changes: Mapping[str | int, int]) -> dict[str, int]:
    out = dict(levels)
    out.update({str(k): v for k, v in changes.items()})
    return out
