"""The one-line headline above each table the command prints, in the reader's language and with
numbers as the language writes them. Composed here from the results' public attributes (their
`summary()` stays the library's English one-liner)."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from ..exact import display, to_decimal
from ..i18n import tr
from .output import cell, localise_number


def _n(value: Fraction) -> str:
    return localise_number(display(value.numerator, value.denominator))


def _signed(value: Fraction) -> str:
    text = _n(value)
    return text if text.startswith("-") else f"+{text}"


def _counted(n: int, one: Callable[[int], str], many: Callable[[int], str]) -> str:
    return one(n) if n == 1 else many(n)


def plan(p: Any) -> str:
    """`Target Sangat Baik: 6 step(s), total cost 6; index 3.90 (Sangat Baik) → 4.02 (Sangat Baik)`."""
    target = localise_number(str(p.target_label))
    if not p.feasible:
        return tr("Target {target} is not reachable: {reason}", target=target, reason=p.reason) + _bound(p)
    cost = localise_number(str(to_decimal(p.total_cost.numerator, p.total_cost.denominator)))
    return tr(
        "Target {target}: {n} step(s), total cost {cost}; index {before} ({before_predikat}) → {after} "
        "({after_predikat})",
        target=target,
        n=len(p.steps),
        cost=cost,
        before=localise_number(p.before.display),
        before_predikat=p.before.predikat,
        after=localise_number(p.result.display),
        after_predikat=p.result.predikat,
    ) + _bound(p)


def _bound(p: Any) -> str:
    """Which rules shaped the plan and what they cost beyond the formula's minimum."""
    if not p.binding_rules:
        return ""
    ids = ", ".join(r.id for r in p.binding_rules)
    kinds = {r.basis for r in p.binding_rules}
    if kinds == {"heuristic"}:
        text = tr("; bound by heuristic rule(s) {ids}", ids=ids)
    elif kinds == {"regulation"}:
        text = tr("; bound by regulation rule(s) {ids}", ids=ids)
    else:
        text = tr("; bound by rule(s) {ids}", ids=ids)
    extra = p.rules_cost
    if extra is None or p.cost_without_rules is None:
        return text
    return text + tr(
        ": +{cost} cost ({n} step(s) instead of the formula's {m})",
        cost=localise_number(str(to_decimal(extra.numerator, extra.denominator))),
        n=len(p.steps),
        m=p.steps_without_rules,
    )


def check(fs: Any) -> str:
    """`Pemerintah Kota Contoh (2024, spbe-2020): 4 errors, 3 warnings, 0 info`."""
    counts = fs.counts
    parts = [
        _counted(counts["error"], lambda n: tr("{n} error", n=n), lambda n: tr("{n} errors", n=n)),
        _counted(counts["warning"], lambda n: tr("{n} warning", n=n), lambda n: tr("{n} warnings", n=n)),
        tr("{n} info", n=counts["info"]),
    ]
    text = f"{fs.subject} ({fs.period}, {fs.catalogue}): " + ", ".join(parts)
    if not fs.evidence_checked:
        text += " " + tr("(no evidence given, so the evidence rules were not checked)")
    return text


def whatif(c: Any) -> str:
    """`21=4, 22=4: index 3.90 → 3.96 (+0.06), predikat Cukup → Baik, rank 2 → 1 of 3`."""
    text = tr(
        "{name}: index {before} → {after} ({delta})",
        name=c.name,
        before=localise_number(c.before.display),
        after=localise_number(c.after.display),
        delta=_signed(c.delta),
    )
    if c.predikat_change:
        text += tr(", predikat {before} → {after}", before=c.predikat_change[0], after=c.predikat_change[1])
    if c.rank_before is not None:
        text += tr(", rank {before} → {after} of {n}", before=c.rank_before, after=c.rank_after, n=c.peer_count)
    return text


def simulate(s: Any) -> str:
    """`Kota (2024): 100000 samples, seed 1, 3 uncertain indicator(s); mean 3.62, 5–50–95%: 3.50 / 3.62 / 3.74`."""
    from ..uncertainty.rng import histogram_quantile

    q = " / ".join(
        localise_number(display(histogram_quantile(s.histogram, Fraction(k, 100)), s.total)) for k in (5, 50, 95)
    )
    return tr(
        "{subject} ({period}): {n} samples, seed {seed}, {uncertain} uncertain indicator(s); mean {mean}, "
        "5–50–95%: {quantiles}",
        subject=s.result.subject,
        period=s.result.period,
        n=s.n,
        seed=s.seed,
        uncertain=len(s.uncertain),
        mean=_n(s.mean),
        quantiles=q,
    )


def migrate(m: Any) -> str:
    r = m.index_range
    pred = (
        r.predikat_low
        if r.predikat_low == r.predikat_high
        else tr("{low} to {high}", low=r.predikat_low, high=r.predikat_high)
    )
    return tr(
        "{subject} ({period}): {source} → {target}, index {index} ({predikat}); {new} new indicator(s) need "
        "assessment, {uncertain} uncertain",
        subject=m.source.subject,
        period=m.source.period,
        source=m.crosswalk.source,
        target=m.crosswalk.target,
        index=localise_number(r.display),
        predikat=pred,
        new=len(m.needs_assessment),
        uncertain=len(m.uncertain),
    )


def transition(t: Any) -> str:
    n = len(t.agencies)
    count = {d: sum(r.direction == d for r in t.agencies) for d in ("gain", "loss", "uncertain")}
    agencies = _counted(n, lambda k: tr("{n} agency", n=k), lambda k: tr("{n} agencies", n=k))
    return tr(
        "{old} → {new}: {agencies}; {gain} certainly gain, {loss} certainly lose, {uncertain} uncertain; "
        "predikat disagrees for {flags}",
        old=t.old,
        new=t.new,
        agencies=agencies,
        gain=count["gain"],
        loss=count["loss"],
        uncertain=count["uncertain"],
        flags=sum(r.predikat_disagrees for r in t.agencies),
    )


def diff(d: Any) -> str:
    parts = [f"{cell(k)}: {a} → {b}" for k, (a, b) in d.counts.items()]
    return tr(
        "{old} → {new} ({changes}; indicators matched by {matched_by})",
        old=d.old,
        new=d.new,
        changes="; ".join(parts),
        matched_by=cell(d.matched_by),
    )
