"""Readable explanations of a score, in English or Bahasa Indonesia, citing the regulation.

The point is the *why*: the formula, each group's weight and index, the band the unrounded index
falls in, and the rounding trap (an index shown as 3.50 that is still Baik).
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

from ..exact import display, to_decimal
from ..i18n import current_language, language, number, tr, translate
from ..rules.finding import WORDS  # finding severities and bases as words

if TYPE_CHECKING:
    from .result import ScoreResult



def explain(r: ScoreResult, lang: str | None = None) -> str:
    """The explanation in `lang` (default: the current language), numbers written its way ("3,90")."""
    if lang is None:
        return _explain(r)
    with language(lang):  # refuses an unknown language
        return _explain(r)


def _explain(r: ScoreResult) -> str:
    cc = r.compiled
    cat = cc.catalogue
    reg = cat.regulation.short
    total_w = cc.exact_weight(cc.total)  # 100 officially; the weights' own total under another weighting
    lang = current_language()

    def n(s: object) -> str:
        return number(str(s), places=None)

    lines = [
        tr(
            "{subject} — period {period} — {index_name} under {reg} (catalogue {cat}{status})",
            subject=r.subject,
            period=r.period,
            index_name=cat.index_name,
            reg=reg,
            cat=cat.id,
            status=tr(", provisional") if cat.status == "provisional" else "",
        ),
        tr("Index {disp} (unrounded {exact}) → predikat {pred}.", disp=n(r.display), exact=n(r.index), pred=r.predikat),
        tr(
            "How it is computed ({reg}): each group index is the weighted mean of its indicators' levels,"
            " Σ(level × weight) / Σweight; the index is Σ(level × weight) / {total} over all indicators.",
            reg=reg,
            total=n(total_w),
        ),
    ]
    if cc.weighting != "official":
        lines.append(
            tr(
                "Weighting: {w} (not the official weights: this is a what-if, not an official result).",
                w=cc.weighting,
            )
        )
    if r.partial:
        how = (
            tr("the scale minimum")
            if r.missing and _filled_with_minimum(r)
            else tr("level {v}", v=r.levels[cc.position[r.missing[0]]])
        )
        lines.append(
            tr(
                "Partial: {n} indicator(s) not assessed ({ids}) were set to {how}; this is not an official result.",
                n=len(r.missing),
                ids=", ".join(r.missing),
                how=how,
            )
        )
    warning = cc.catalogue.period_warning(r.period, lang)
    if warning:
        lines.append(tr("Warning: {text}.", text=warning))
    lines.append(tr("Domains and aspects (weight, index, predikat):"))
    for gid, g in r.groups.items():
        depth = _depth(r, gid)
        name = g.name if lang == "id" or not g.name_en else f"{g.name} ({g.name_en})"
        lines.append(f"{'  ' * (depth + 1)}{gid} {name}: {n(g.weight)}, {n(g.display)}, {g.predikat}")
    bands = "; ".join(f"{b.predikat} ≥ {n(b.lower)}" for b in cat.bands)
    lines.append(
        tr(
            "Predikat bands ({reg}), lower bound inclusive, on the unrounded index: {bands}.",
            reg=reg,
            bands=bands,
        )
    )
    band = cc.band(r.numerator, cc.total)
    pos = list(cat.bands).index(band)
    upper = tr(" and below {upper}", upper=n(cat.bands[pos - 1].lower)) if pos > 0 else ""
    lines.append(
        tr(
            "Why {pred}: {exact} is at least {lower}{upper}.",
            pred=band.predikat,
            exact=n(r.index),
            lower=n(band.lower),
            upper=upper,
        )
    )
    if pos > 0:
        above = cat.bands[pos - 1]
        shown = Fraction(r.display)
        if shown >= Fraction(above.lower):
            lines.append(
                tr(
                    "Note: the index is displayed as {disp} because values are rounded half-up to 2 decimals for"
                    " display only; the predikat is decided on the unrounded value {exact}, which is below {lower},"
                    " so it is {pred}, not {other}.",
                    disp=n(r.display),
                    exact=n(r.index),
                    lower=n(above.lower),
                    pred=band.predikat,
                    other=above.predikat,
                )
            )
    # Every contribution shares the denominator cc.total, so rank on integer numerators.
    names = [ind.name for ind in cat.indicators()]
    top = sorted(range(len(cc.ids)), key=lambda k: (-r.levels[k] * cc.weights[k], k))[:5]
    lines.append(tr("Largest contributions to the index (level × weight / {total}):", total=n(total_w)))
    for k in top:
        contribution = display(r.levels[k] * cc.weights[k], cc.total, 4)
        lines.append(f"  {cc.ids[k]} {names[k]}: {r.levels[k]} × {n(cc.exact_weights[k])} → {n(contribution)}")
    gains = sorted((k for k in range(len(cc.ids)) if r.levels[k] < cc.hi[k]), key=lambda k: (-cc.weights[k], k))
    if gains:
        lines.append(tr("Largest gains from one more level:"))
        for k in gains[:3]:
            gain = to_decimal(cc.weights[k], cc.total)
            lines.append(
                tr(
                    "  indicator {id} (level {lv} → {nxt}): +{gain}",
                    id=cc.ids[k],
                    lv=r.levels[k],
                    nxt=r.levels[k] + 1,
                    gain=n(gain),
                )
            )
    if r.findings:
        lines.append(tr("Rules that fired:"))
        for fd in r.findings:
            basis = translate(WORDS.get(fd.basis, fd.basis)) + (f", {fd.citation}" if fd.citation else "")
            severity = translate(WORDS.get(fd.severity, fd.severity))
            lines.append(f"  [{severity}] {fd.rule_id} ({basis}): {fd.message(lang)}")
            if fd.change is not None:
                ch = fd.change
                lines.append(
                    "    "
                    + tr(
                        "level of indicator {ind} lowered {before} → {after} by rule {rule}",
                        ind=ch.indicator,
                        before=ch.before,
                        after=ch.after,
                        rule=ch.rule_id,
                    )
                )
    return "\n".join(lines)


def _filled_with_minimum(r: ScoreResult) -> bool:
    cc = r.compiled
    return all(r.levels[cc.position[i]] == cc.lo[cc.position[i]] for i in r.missing)


def _depth(r: ScoreResult, gid: str) -> int:
    cc = r.compiled
    depth = 0
    parent = cc.groups[cc.group_index[gid]].parent
    while parent is not None:
        depth += 1
        parent = cc.groups[cc.group_index[parent]].parent
    return depth
