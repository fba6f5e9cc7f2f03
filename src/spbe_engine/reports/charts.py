"""Charts as inline SVG text (matplotlib's object API: no pyplot state, no backend switching).

Returns None when matplotlib is not installed, so reports still render, without charts. Titles and
labels hold user text (the subject, the period), so matplotlib's mathtext is off while a chart is
made: `Kota $x^$` is drawn as typed instead of failing to parse as a formula.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..accountability.monitoring import Series
    from ..scoring.result import ScoreResult


def _chart(width: float, height: float, draw: Callable[[Any], None], polar: bool = False) -> str | None:
    """Draw on a new figure and return it as SVG; text is never parsed as mathtext."""
    try:
        import matplotlib
        from matplotlib.figure import Figure
    except ImportError:
        return None
    with matplotlib.rc_context({"text.parse_math": False, "text.usetex": False}):
        fig = Figure(figsize=(width, height))
        draw(fig.add_subplot(projection="polar" if polar else None))
        return _svg(fig)


def _svg(fig: Any) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    text = buf.getvalue()
    return text[text.index("<svg") :]  # drop the XML prolog and doctype: the SVG is inlined in HTML


def radar(r: ScoreResult) -> str | None:
    """Radar of the lowest groups (the aspects in spbe-2020)."""

    def draw(ax: Any) -> None:
        groups = [g for g in r.groups.values() if not any(h.parent == g.id for h in r.groups.values())]
        labels = [g.id for g in groups]
        values = [float(g.fraction) for g in groups]
        angles = [2 * math.pi * k / len(groups) for k in range(len(groups))]
        ax.plot([*angles, angles[0]], [*values, values[0]], marker="o")
        ax.fill([*angles, angles[0]], [*values, values[0]], alpha=0.25)
        ax.set_xticks(angles, labels)
        ax.set_ylim(0, 5)
        ax.set_title(f"{r.subject} {r.period}: groups", fontsize=9)

    return _chart(4.6, 4.6, draw, polar=True)


def waterfall(r: ScoreResult) -> str | None:
    return _chart(6, 3.2, lambda ax: r.plot_waterfall(ax=ax))


def trend(series: Series) -> str | None:
    return _chart(6, 3, lambda ax: series.plot(ax=ax))
