"""Charts as inline SVG text (matplotlib's object API: no pyplot state, no backend switching).

Returns None when matplotlib is not installed, so reports still render, without charts. Titles and
labels hold user text (the subject, the period), so matplotlib's mathtext is off while a chart is
made: `Kota $x^$` is drawn as typed instead of failing to parse as a formula. Every word is in the
current language and every number written as the language writes it ("3,64"); the values drawn are
floats (a picture), the numbers printed come from the exact values.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ..exact import display
from ..i18n import N_, number, tr

if TYPE_CHECKING:
    from ..accountability.monitoring import Series
    from ..scoring.result import ScoreResult

__all__ = ["NO_CHARTS", "axis_numbers", "radar", "radar_labels", "trend", "waterfall"]

#: Said wherever a report is made without matplotlib (the HTML page itself, `spbe report`'s note):
#: the `plot` extra is the one that installs it.
NO_CHARTS = N_("the report has no charts: they need matplotlib (pip install 'spbe_engine[plot]')")


def _chart(width: float, height: float, draw: Callable[[Any], None], polar: bool = False) -> str | None:
    """Draw on a new figure and return it as SVG; text is never parsed as mathtext."""
    try:
        import matplotlib
        from matplotlib.figure import Figure
    except ImportError:
        return None
    with matplotlib.rc_context({"text.parse_math": False, "text.usetex": False, "font.size": 10}):
        fig = Figure(figsize=(width, height))
        draw(fig.add_subplot(projection="polar" if polar else None))
        return _svg(fig)


def _svg(fig: Any) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    text = buf.getvalue()
    return text[text.index("<svg") :]  # drop the XML prolog and doctype: the SVG is inlined in HTML


def axis_numbers(ax: Any, places: int = 1) -> None:
    """Tick labels of the value axis written the language's way (2,5 in Indonesian)."""
    from matplotlib.ticker import FuncFormatter

    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: number(Decimal(f"{v:.{places}f}"), places=places)))


def radar_labels(r: ScoreResult, width: int = 22) -> list[str]:
    """The radar's axis labels: each lowest group's id and name ("A1" over "Kebijakan Internal Tata
    Kelola SPBE", wrapped to lines of about `width` characters, three at most)."""
    out = []
    for g in _leaves(r):
        lines = textwrap.wrap(g.name, width) or [""]
        if len(lines) > 3:
            lines = [*lines[:2], textwrap.shorten(" ".join(lines[2:]), width, placeholder="…")]
        out.append("\n".join([g.id, *lines]))
    return out


def _leaves(r: ScoreResult) -> list[Any]:
    return [g for g in r.groups.values() if not any(h.parent == g.id for h in r.groups.values())]


def radar(r: ScoreResult) -> str | None:
    """Radar of the lowest groups (the aspects in spbe-2020), each axis named."""

    def draw(ax: Any) -> None:
        groups = _leaves(r)
        values = [float(g.fraction) for g in groups]
        angles = [2 * math.pi * k / len(groups) for k in range(len(groups))]
        ax.set_theta_offset(math.pi / 2)  # the first aspect on top, the others clockwise
        ax.set_theta_direction(-1)
        ax.plot([*angles, angles[0]], [*values, values[0]], marker="o", color="#1f5fa8")
        ax.fill([*angles, angles[0]], [*values, values[0]], alpha=0.25, color="#1f5fa8")
        ax.set_xticks(angles, radar_labels(r), fontsize=8)
        ax.tick_params(axis="x", pad=14)
        ax.set_ylim(0, max(r.compiled.hi))
        ax.set_yticks(range(1, max(r.compiled.hi) + 1))
        title = tr("Index per aspect — {subject} {period}", subject=r.subject, period=r.period)
        ax.set_title(title, fontsize=10, pad=28)

    return _chart(5.6, 5.6, draw, polar=True)


def waterfall(r: ScoreResult) -> str | None:
    """How each top-level group (domain) adds up to the index, each part labelled with its value."""

    def draw(ax: Any) -> None:
        cc = r.compiled
        start = 0.0
        names = []
        for gid, g in r.groups.items():
            if g.parent is not None:
                continue
            part = Fraction(g.numerator, cc.total)
            ax.bar(gid, float(part), bottom=start)
            shown = number(display(part.numerator, part.denominator))
            ax.text(gid, start + float(part) / 2, shown, ha="center", va="center", fontsize=9)
            start += float(part)
            names.append(gid)
        total = tr("index")
        ax.bar(total, float(r.fraction), color="#16191d")
        ax.text(total, float(r.fraction), number(r.display), ha="center", va="bottom", fontsize=9)
        ax.set_title(
            tr("{subject}: {index} ({predikat})", subject=r.subject, index=number(r.display), predikat=r.predikat),
            fontsize=10,
        )
        ax.set_ylabel(tr("contribution to the index"))
        axis_numbers(ax)

    return _chart(6, 3.6, draw)


def trend(series: Series) -> str | None:
    """The index over the periods against its target path."""

    def draw(ax: Any) -> None:
        series.plot(ax=ax)
        axis_numbers(ax)

    return _chart(6, 3.6, draw)
