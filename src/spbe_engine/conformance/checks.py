"""The individual conformance checks. Each returns a list of failures (empty when it passes)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import SpbeError
from ..model.assessment import Assessment
from ..model.catalogue import Catalogue, Group, exact_weight_sum
from ..model.crosswalk import Crosswalk
from ..scoring.compiled import compile_catalogue
from ..scoring.score import score

if TYPE_CHECKING:
    from ..engine import Engine


@dataclass(frozen=True)
class Failure:
    check: str
    catalogue: str
    message: str

    def __str__(self) -> str:
        return f"[{self.check}] {self.catalogue}: {self.message}"


class ConformanceError(SpbeError, AssertionError):
    """A catalogue failed the conformance kit; the message lists every failure."""


def check_weights(cat: Catalogue) -> list[Failure]:
    """Weights are positive and the children of every group sum to the group; groups sum to the total."""
    out = []

    def visit(g: Group) -> None:
        total = exact_weight_sum([*(c.weight for c in g.groups), *(i.weight for i in g.indicators)])
        if total != g.weight:
            out.append(Failure("weights", cat.id, f"group {g.id}: children sum to {total}, not {g.weight}"))
        for i in g.indicators:
            if not i.weight > 0:
                out.append(Failure("weights", cat.id, f"indicator {i.id}: weight {i.weight} is not positive"))
        for sub in g.groups:
            visit(sub)

    for g in cat.groups:
        visit(g)
    top = exact_weight_sum([g.weight for g in cat.groups])
    if top != cat.weight_total:
        out.append(Failure("weights", cat.id, f"top-level groups sum to {top}, not {cat.weight_total}"))
    return out


def check_scales(cat: Catalogue) -> list[Failure]:
    """Every indicator has a known scale; scales are contiguous ladders of named levels."""
    out = []
    scales = {s.id: s for s in cat.scales}
    for s in cat.scales:
        values = [lv.value for lv in s.levels]
        if len(values) < 2 or values != list(range(values[0], values[0] + len(values))):
            out.append(Failure("scales", cat.id, f"scale {s.id}: levels {values} are not a contiguous ladder"))
        if any(not lv.name.strip() for lv in s.levels):
            out.append(Failure("scales", cat.id, f"scale {s.id}: a level has no name"))
    for ind in cat.indicators():
        if ind.scale not in scales:
            out.append(Failure("scales", cat.id, f"indicator {ind.id}: unknown scale {ind.scale!r}"))
    return out


def check_bands(cat: Catalogue) -> list[Failure]:
    """Bands run from the highest lower bound down, without repeats, and cover the whole range."""
    out = []
    lowers = [b.lower for b in cat.bands]
    if not lowers:
        return [Failure("bands", cat.id, "no bands")]
    if lowers != sorted(lowers, reverse=True) or len(set(lowers)) != len(lowers):
        out.append(Failure("bands", cat.id, f"lower bounds {lowers} are not strictly decreasing"))
    if cat.scales:
        lo = min(s.min for s in cat.scales)
        hi = max(s.max for s in cat.scales)
        if min(lowers) > lo:
            out.append(Failure("bands", cat.id, f"nothing covers {lo} up to {min(lowers)}"))
        if max(lowers) > hi:
            out.append(Failure("bands", cat.id, f"a band starts at {max(lowers)}, above the maximum {hi}"))
    return out


def check_index(cat: Catalogue, examples: int = 200) -> list[Failure]:
    """Property-based (hypothesis): for any levels, the index and every group stay within the scale
    range, raising any level never lowers the index or any group, and indicator order is irrelevant."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    try:
        cc = compile_catalogue(cat, "official", {i.id: i.weight for i in cat.indicators()})
    except (SpbeError, KeyError, ZeroDivisionError, ValueError) as exc:
        return [Failure("index", cat.id, f"cannot be compiled for scoring: {exc}")]
    lo, hi = min(cc.lo), max(cc.hi)

    @settings(
        max_examples=examples, database=None, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck)
    )
    @given(st.data())
    def prop(data: st.DataObject) -> None:
        levels = {i: data.draw(st.integers(a, b), label=i) for i, a, b in zip(cc.ids, cc.lo, cc.hi, strict=True)}
        a = Assessment(catalogue=cat.id, subject="conformance", period="0", levels=levels)
        r = score(cc, a)
        values = [r.fraction, *(g.fraction for g in r.groups.values())]
        assert all(lo <= v <= hi for v in values), f"an index outside {lo}–{hi} for levels {levels}"
        order = data.draw(st.permutations(list(levels)), label="order")
        again = score(cc, a.replace(levels={k: levels[k] for k in order}))
        assert again.numerator == r.numerator and again.group_numerators == r.group_numerators, (
            "the result depends on the order of indicators"
        )
        up = [i for i in cc.ids if levels[i] < cc.hi[cc.position[i]]]
        if up:
            iid = data.draw(st.sampled_from(up), label="raised")
            raised = score(cc, a.replace(levels={**levels, iid: levels[iid] + 1}))
            lowered = [
                g.id for g, x, y in zip(cc.groups, r.group_numerators, raised.group_numerators, strict=True) if y < x
            ]
            assert raised.fraction >= r.fraction and not lowered, (
                f"raising indicator {iid} lowered {lowered or 'the index'}"
            )

    try:
        prop()
    except AssertionError as exc:
        return [Failure("index", cat.id, str(exc).splitlines()[0])]
    except (SpbeError, ZeroDivisionError) as exc:
        return [Failure("index", cat.id, f"scoring failed: {exc}")]
    return []


def check_crosswalks(
    cat: Catalogue, crosswalks: Sequence[Crosswalk], catalogues: dict[str, Catalogue]
) -> list[Failure]:
    """Every crosswalk from or to the catalogue names existing indicators, maps (or marks removed)
    every source indicator, and covers (or marks new) every target indicator exactly once."""
    out = []
    for cw in crosswalks:
        if cat.id not in (cw.source, cw.target):
            continue
        src_cat, tgt_cat = catalogues.get(cw.source), catalogues.get(cw.target)
        if src_cat is None or tgt_cat is None:
            out.append(Failure("crosswalks", cat.id, f"{cw.id}: unknown catalogue {cw.source} or {cw.target}"))
            continue
        src = [i.id for i in src_cat.indicators()]
        tgt = [i.id for i in tgt_cat.indicators()]
        named_src = [s for e in cw.edges for s in e.sources]
        named_tgt = [t for e in cw.edges for t in e.targets]
        for s in sorted(set(named_src) - set(src)):
            out.append(Failure("crosswalks", cat.id, f"{cw.id}: source indicator {s!r} does not exist in {cw.source}"))
        for t in sorted(set(named_tgt) - set(tgt)):
            out.append(Failure("crosswalks", cat.id, f"{cw.id}: target indicator {t!r} does not exist in {cw.target}"))
        for s in src:
            if s not in named_src:
                out.append(
                    Failure(
                        "crosswalks", cat.id, f"{cw.id}: {cw.source} indicator {s} is neither mapped nor marked removed"
                    )
                )
        for t in tgt:
            k = named_tgt.count(t)
            if k != 1:
                out.append(
                    Failure(
                        "crosswalks",
                        cat.id,
                        f"{cw.id}: {cw.target} indicator {t} is covered {k} times (map it once, or mark it new)",
                    )
                )
    return out


CHECKS: dict[str, Callable[..., list[Failure]]] = {
    "weights": check_weights,
    "scales": check_scales,
    "bands": check_bands,
    "index": check_index,
    "crosswalks": check_crosswalks,
}


class ConformanceKit:
    """Runs every check on a catalogue known to an engine (or on a catalogue object)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def run(self, catalogue: str | Catalogue, *, examples: int = 200) -> list[Failure]:
        cat = self.engine.catalogue(catalogue) if isinstance(catalogue, str) else catalogue
        catalogues = {c: self.engine.catalogue(c) for c in self.engine.catalogue_ids()} | {cat.id: cat}
        failures = check_weights(cat) + check_scales(cat) + check_bands(cat)
        if not check_scales(cat):
            failures += check_index(cat, examples)
        failures += check_crosswalks(cat, self.engine.crosswalks(), catalogues)
        return failures

    def assert_conforms(self, catalogue: str | Catalogue, *, examples: int = 200) -> None:
        failures = self.run(catalogue, examples=examples)
        if failures:
            name = catalogue if isinstance(catalogue, str) else catalogue.id
            raise ConformanceError(f"catalogue {name} fails {len(failures)} check(s): " + "; ".join(map(str, failures)))
