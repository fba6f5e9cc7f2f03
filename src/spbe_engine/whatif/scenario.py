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

from ..exact import display, exact_text
from ..i18n import tr
from ..results import Cell, Result, in_language, shown, signed
from ..tabular import require

if TYPE_CHECKING:
    from ..scoring.result import ScoreResult

__all__ = ["Comparison", "ScenarioTable"]


def _signed(f: Fraction) -> str:
    text = display(f.numerator, f.denominator)
    return text if text.startswith("-") else f"+{text}"


@dataclass(frozen=True)
class Comparison(Result):
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

    headers = ("", "before", "after", "delta", "predikat before", "predikat after")

    def rows(self) -> list[list[Cell]]:
        """The index, then every group: before, after (display values), the delta and the predikat."""
        out: list[list[Cell]] = [
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

    def summary(self, lang: str | None = None) -> str:
        """`21=4, 22=4: index 3.90 → 3.96 (+0.06), predikat Cukup → Baik, rank 2 → 1 of 3` in `lang`
        (default: the current language)."""
        with in_language(lang):
            text = tr(
                "{name}: index {before} → {after} ({delta})",
                name=self.name,
                before=shown(self.before.fraction),
                after=shown(self.after.fraction),
                delta=signed(self.delta),
            )
            if self.predikat_change:
                was, becomes = self.predikat_change
                text += tr(", predikat {before} → {after}", before=was, after=becomes)
            if self.rank_before is not None:
                after, n = self.rank_after, self.peer_count
                text += tr(", rank {before} → {after} of {n}", before=self.rank_before, after=after, n=n)
            return text

    def to_dict(self, *, manifest: bool = True) -> dict[str, Any]:
        """The scenario, both scores in full (`ScoreResult.to_dict`), the exact deltas, the predikat
        change and the ranks among the peers."""
        change = self.predikat_change
        return {
            "subject": self.before.subject,
            "period": self.before.period,
            "scenario": self.name,
            "before": self.before.to_dict(manifest=manifest),
            "after": self.after.to_dict(manifest=manifest),
            "delta": exact_text(self.delta),
            "group_deltas": {gid: exact_text(d) for gid, d in self.group_deltas.items()},
            "predikat_change": list(change) if change else None,
            "rank_before": self.rank_before,
            "rank_after": self.rank_after,
            "peers": self.peer_count,
        }

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
class ScenarioTable(Result):
    """Several scenarios side by side: one row per group (and the index), one column per scenario."""

    comparisons: tuple[Comparison, ...]

    def __getitem__(self, name: str) -> Comparison:
        for c in self.comparisons:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def headers(self) -> tuple[str, ...]:
        return ("", "current", *(c.name for c in self.comparisons))

    def rows(self) -> list[list[Cell]]:
        """The index, the predikat and every group (display values), current and per scenario; the
        rank among the peers when there are peers."""
        if not self.comparisons:
            return []
        base = self.comparisons[0].before
        out: list[list[Cell]] = [
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

    def summary(self, lang: str | None = None) -> str:
        """The index now and under every scenario, in `lang` (default: the current language)."""
        with in_language(lang):
            if not self.comparisons:
                return tr("no scenarios")
            base = self.comparisons[0].before
            scenarios = "; ".join(f"{c.name} {shown(c.after.fraction)} ({c.after.predikat})" for c in self.comparisons)
            return tr(
                "{subject} ({period}): index {index} ({predikat}) now; {scenarios}",
                subject=base.subject,
                period=base.period,
                index=shown(base.fraction),
                predikat=base.predikat,
                scenarios=scenarios,
            )

    def to_dict(self, *, manifest: bool = False) -> dict[str, Any]:
        """Every scenario's comparison (`Comparison.to_dict`, without manifests unless asked)."""
        base = self.comparisons[0].before if self.comparisons else None
        return {
            "subject": base.subject if base else None,
            "period": base.period if base else None,
            "scenarios": [c.to_dict(manifest=manifest) for c in self.comparisons],
        }


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
