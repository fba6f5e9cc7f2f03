"""Charts as inline SVG text (matplotlib's object API: no pyplot state, no backend switching).

Returns None when matplotlib is not installed, so reports still render, without charts.
"""

from __future__ import annotations

import io
import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..accountability.monitoring import Series
    from ..scoring.result import ScoreResult


def _figure(width: float, height: float, polar: bool = False) -> tuple[Any, Any] | None:
    try:
        from matplotlib.figure import Figure
    except ImportError:
        return None
    fig = Figure(figsize=(width, height))
    ax = fig.add_subplot(projection="polar" if polar else None)
    return fig, ax


def _svg(fig: Any) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    text = buf.getvalue()
    return text[text.index("<svg") :]  # drop the XML prolog and doctype: the SVG is inlined in HTML


def radar(r: ScoreResult) -> str | None:
    """Radar of the lowest groups (the aspects in spbe-2020)."""
    made = _figure(4.6, 4.6, polar=True)
    if made is None:
        return None
    fig, ax = made
    groups = [g for g in r.groups.values() if not any(h.parent == g.id for h in r.groups.values())]
    labels = [g.id for g in groups]
    values = [float(g.fraction) for g in groups]
    angles = [2 * math.pi * k / len(groups) for k in range(len(groups))]
    ax.plot([*angles, angles[0]], [*values, values[0]], marker="o")
    ax.fill([*angles, angles[0]], [*values, values[0]], alpha=0.25)
    ax.set_xticks(angles, labels)
    ax.set_ylim(0, 5)
    ax.set_title(f"{r.subject} {r.period}: groups", fontsize=9)
    return _svg(fig)


def waterfall(r: ScoreResult) -> str | None:
    made = _figure(6, 3.2)
    if made is None:
        return None
    fig, ax = made
    r.plot_waterfall(ax=ax)
    return _svg(fig)


def trend(series: Series) -> str | None:
    made = _figure(6, 3)
    if made is None:
        return None
    fig, ax = made
    series.plot(ax=ax)
    return _svg(fig)
