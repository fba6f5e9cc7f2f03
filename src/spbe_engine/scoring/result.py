"""Score results: exact values computed lazily from integer sums.

`score_many` over 100,000 assessments must not build 13 Fractions and 13 band look-ups per
assessment up front, so a result keeps the integer numerators and derives everything on access.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from decimal import Decimal
from fractions import Fraction
from operator import mul
from types import MappingProxyType
from typing import Any

from ..exact import display, exact_text, to_decimal
from ..i18n import tr
from ..model.assessment import Assessment
from ..results import Cell, Result, in_language, shown
from ..rules.finding import Finding, LevelChange
from .compiled import CompiledCatalogue, CompiledGroup

__all__ = ["GroupScore", "IndicatorScore", "ScoreResult"]

NO_OPTIONS: Mapping[str, Any] = MappingProxyType({})  # shared and read-only: results never share a dict


class GroupScore:
    """Index of one group (domain, aspect, ...): exact value, display value and predikat."""

    __slots__ = ("_cc", "_g", "numerator")

    def __init__(self, cc: CompiledCatalogue, g: CompiledGroup, numerator: int) -> None:
        self._cc = cc
        self._g = g
        self.numerator = numerator

    id = property(lambda self: self._g.id)
    kind = property(lambda self: self._g.kind)
    name = property(lambda self: self._g.name)
    name_en = property(lambda self: self._g.name_en)
    parent = property(lambda self: self._g.parent)

    @property
    def fraction(self) -> Fraction:
        """The exact unrounded index."""
        return Fraction(self.numerator, self._g.weight)

    @property
    def index(self) -> Decimal:
        """The unrounded index (exact when it terminates; see `fraction` for the exact ratio)."""
        return to_decimal(self.numerator, self._g.weight)

    @property
    def display(self) -> str:
        """Half-up to 2 decimals."""
        return display(self.numerator, self._g.weight)

    @property
    def predikat(self) -> str:
        """Band of the unrounded group index (the reports apply the index bands to groups too)."""
        return self._cc.band(self.numerator, self._g.weight).predikat

    @property
    def predikat_en(self) -> str | None:
        return self._cc.band(self.numerator, self._g.weight).predikat_en

    @property
    def weight(self) -> Decimal | Fraction:
        """The group's exact weight under the weighting used (a Fraction where no decimal is exact)."""
        return self._cc.exact_weight(self._g.weight)

    def __repr__(self) -> str:
        return f"GroupScore({self.id!r}, index={self.display}, predikat={self.predikat!r})"


class IndicatorScore:
    """One indicator's level, weight and exact contribution to the overall index."""

    __slots__ = ("contribution", "id", "level", "missing", "name", "weight")

    def __init__(
        self, id: str, name: str, level: int, weight: Decimal | Fraction, contribution: Fraction, missing: bool
    ) -> None:
        self.id = id
        self.name = name
        self.level = level
        self.weight = weight
        self.contribution = contribution
        self.missing = missing

    def __repr__(self) -> str:
        return f"IndicatorScore({self.id!r}, level={self.level}, contribution={float(self.contribution):.4f})"


class _Groups(Mapping[str, GroupScore]):
    __slots__ = ("_r",)

    def __init__(self, r: ScoreResult) -> None:
        self._r = r

    def __getitem__(self, key: str) -> GroupScore:
        cc = self._r.compiled
        n = cc.group_index[key]
        return GroupScore(cc, cc.groups[n], self._r.group_numerators[n])

    def __iter__(self) -> Iterator[str]:
        return iter(g.id for g in self._r.compiled.groups)

    def __len__(self) -> int:
        return len(self._r.compiled.groups)


class ScoreResult(Result):
    """The score of one assessment. Values are exact; `display` is half-up to 2 decimals;
    `predikat` is banded on the unrounded index (so 3.4986 shows 3.50 and is Baik).

    As a table (`headers`, `rows()`, `to_frame()`, Jupyter): one row per indicator with its level,
    exact weight and exact contribution to the index (the contributions add up to `fraction`)."""

    __slots__ = (
        "_group_numerators",
        "assessment",
        "changes",
        "compiled",
        "findings",
        "levels",
        "missing",
        "numerator",
        "options",
    )

    def __init__(
        self,
        compiled: CompiledCatalogue,
        assessment: Assessment,
        levels: tuple[int, ...],
        numerator: int,
        group_numerators: tuple[int, ...] | None,
        missing: tuple[str, ...] = (),
        findings: tuple[Finding, ...] = (),
        changes: tuple[LevelChange, ...] = (),
        options: Mapping[str, Any] | None = None,
    ) -> None:
        # Built complete, then frozen: assignment raises (see __setattr__).
        _set_compiled(self, compiled)
        _set_assessment(self, assessment)
        _set_levels(self, levels)
        _set_numerator(self, numerator)
        _set_group_numerators(self, group_numerators)  # None: summed on first use
        _set_missing(self, missing)
        _set_findings(self, findings)  # rule and evidence findings, when scored with apply_rules=True
        _set_changes(self, changes)  # levels lowered by cap rules, when scored with apply_rules=True
        # how it was scored, beyond the weighting (for the manifest); read-only
        _set_options(self, MappingProxyType(dict(options)) if options else NO_OPTIONS)

    compiled: CompiledCatalogue
    assessment: Assessment
    levels: tuple[int, ...]
    numerator: int
    _group_numerators: tuple[int, ...] | None
    missing: tuple[str, ...]
    findings: tuple[Finding, ...]
    changes: tuple[LevelChange, ...]
    options: Mapping[str, Any]

    @property
    def group_numerators(self) -> tuple[int, ...]:
        """Each group's weighted sum, in `compiled.groups` order (its index is this over the group's weight)."""
        found: tuple[int, ...] | None = self._group_numerators
        if found is None:
            weighted = list(map(mul, self.levels, self.compiled.weights))
            found = tuple(sum(g.take(weighted)) for g in self.compiled.groups)
            object.__setattr__(self, "_group_numerators", found)  # the same value in any thread
        return found

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(
            f"ScoreResult is immutable: score a changed assessment instead (assessment.replace({name}=...))"
        )

    def __delattr__(self, name: str) -> None:
        raise AttributeError("ScoreResult is immutable")

    def __reduce__(self) -> tuple[Any, ...]:  # process pools pickle results: rebuild through __init__
        return (
            ScoreResult,
            (
                self.compiled,
                self.assessment,
                self.levels,
                self.numerator,
                self.group_numerators,
                self.missing,
                self.findings,
                self.changes,
                dict(self.options),
            ),
        )

    # -- headline values ---------------------------------------------------------------

    @property
    def catalogue(self) -> str:
        return self.compiled.catalogue.id

    @property
    def subject(self) -> str:
        return self.assessment.subject

    @property
    def period(self) -> str:
        return self.assessment.period

    @property
    def weighting(self) -> str:
        return self.compiled.weighting

    @property
    def warnings(self) -> tuple[str, ...]:
        """What a reader should know that does not stop scoring: a period outside the rounds the
        catalogue governs (scoring old data on new rules is legitimate in what-if, but never silent)."""
        w = self.compiled.catalogue.period_warning(self.assessment.period)
        return (w,) if w else ()

    @property
    def partial(self) -> bool:
        """True when some indicators were not assessed and a missing-policy filled them in."""
        return bool(self.missing)

    @property
    def fraction(self) -> Fraction:
        return Fraction(self.numerator, self.compiled.total)

    @property
    def index(self) -> Decimal:
        return to_decimal(self.numerator, self.compiled.total)

    @property
    def display(self) -> str:
        return display(self.numerator, self.compiled.total)

    @property
    def predikat(self) -> str:
        return self.compiled.band(self.numerator, self.compiled.total).predikat

    @property
    def predikat_en(self) -> str | None:
        return self.compiled.band(self.numerator, self.compiled.total).predikat_en

    @property
    def groups(self) -> Mapping[str, GroupScore]:
        """Every group by id, e.g. `groups["D1"]`, `groups["A2"]`."""
        return _Groups(self)

    @property
    def indicators(self) -> dict[str, IndicatorScore]:
        """Each indicator's level, weight and exact contribution to the index (they sum to `fraction`)."""
        cc = self.compiled
        missing = set(self.missing)
        out: dict[str, IndicatorScore] = {}
        for n, (iid, ind) in enumerate(zip(cc.ids, cc.catalogue.indicators(), strict=True)):
            out[iid] = IndicatorScore(
                iid,
                ind.name,
                self.levels[n],
                cc.exact_weights[n],
                Fraction(self.levels[n] * cc.weights[n], cc.total),
                iid in missing,
            )
        return out

    # -- the result protocol ----------------------------------------------------------

    headers = ("indicator", "name", "level", "weight", "contribution", "missing")

    def rows(self) -> list[list[Cell]]:
        """Per indicator: id, name, level, exact weight, exact contribution to the index, and whether
        a missing-policy filled the level in."""
        return [
            [s.id, s.name, s.level, exact_text(s.weight), exact_text(s.contribution), s.missing]
            for s in self.indicators.values()
        ]

    def summary(self, lang: str | None = None) -> str:
        """One line in the current language (or `lang`), the index as the language writes it."""
        with in_language(lang):
            line = tr(
                "{subject} ({period}), {catalogue}: {index} {predikat}",
                subject=self.subject,
                period=self.period,
                catalogue=self.catalogue,
                index=shown(self.fraction),
                predikat=self.predikat,
            )
            return line + (" " + tr("(partial)") if self.partial else "")

    def plot_waterfall(self, ax: Any = None) -> Any:
        """Contribution waterfall: how each top-level group adds up to the index (matplotlib), labelled
        in the current language, the numbers rounded half-up from the exact values ("0,98" in Indonesian)."""
        from ..tabular import require

        plt = require("matplotlib.pyplot", "plot")
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 3.5))
        cc = self.compiled
        start = 0.0
        for gid, g in self.groups.items():
            if g.parent is not None:
                continue
            exact = Fraction(g.numerator, cc.total)
            part = float(exact)  # the bar's height only: drawing needs no exactness
            ax.bar(gid, part, bottom=start)
            ax.text(gid, start + part / 2, shown(exact), ha="center", va="center", fontsize=8)
            start += part
        ax.bar(tr("index"), float(self.fraction), color="black")
        ax.set_title(f"{self.subject}: {shown(self.fraction)} ({self.predikat})", fontsize=9)
        ax.set_ylabel(tr("contribution to the index"))
        return ax

    def explain(self, lang: str = "en") -> str:
        """A readable explanation citing the regulation, in English (`en`) or Bahasa Indonesia (`id`)."""
        from .explain import explain

        return explain(self, lang)

    def manifest(self) -> dict[str, Any]:
        """How this result was produced, to check it later (`spbe verify`): engine version, catalogue
        id and content hash, the hash of the input, the plugins loaded, the options, and the time."""
        import datetime as dt
        import hashlib
        import json

        cc = self.compiled
        options: dict[str, Any] = {"weighting": cc.weighting, **self.options}
        if cc.weighting != "official":
            options["weights"] = {i: str(w) for i, w in zip(cc.ids, cc.exact_weights, strict=True)}
        data = self.assessment.model_dump(mode="json")
        canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return {
            **copy.deepcopy(dict(cc.context)),
            "input_sha256": hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
            "options": options,
            "created": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        }

    def to_dict(self, *, manifest: bool = True, explain: str | None = None) -> dict[str, Any]:
        """Plain data with every exact value in the library's one encoding (`exact.exact_text`: the
        decimal when it terminates, else "n/d"), the input assessment and, by default, the manifest
        that lets `spbe verify` recompute it; with `explain="en"` or `"id"`, the explanation too."""
        cc = self.compiled
        exact = exact_text

        groups = {}
        for gid, g in self.groups.items():
            groups[gid] = {
                "kind": g.kind,
                "name": g.name,
                "parent": g.parent,
                "weight": exact(g.weight),
                "index": str(g.index),
                "exact": exact(g.fraction),
                "display": g.display,
                "predikat": g.predikat,
            }
        indicators = {
            iid: {
                "level": s.level,
                "weight": exact(s.weight),
                "contribution": str(to_decimal(s.contribution.numerator, s.contribution.denominator)),
                "contribution_exact": exact(s.contribution),
                "missing": s.missing,
            }
            for iid, s in self.indicators.items()
        }
        data: dict[str, Any] = {
            "subject": self.subject,
            "period": self.period,
            "catalogue": cc.catalogue.id,
            "regulation": cc.catalogue.regulation.short,
            "weighting": cc.weighting,
            "index": str(self.index),
            "exact": exact(self.fraction),
            "display": self.display,
            "predikat": self.predikat,
            "partial": self.partial,
            "warnings": list(self.warnings),
            "missing": list(self.missing),
            "groups": groups,
            "indicators": indicators,
            "findings": [f.to_dict() for f in self.findings],
            "changes": [
                {"indicator": c.indicator, "before": c.before, "after": c.after, "rule_id": c.rule_id}
                for c in self.changes
            ],
        }
        if manifest:
            data |= {"assessment": self.assessment.model_dump(mode="json"), "manifest": self.manifest()}
        if explain is not None:
            data["explanation"] = self.explain(lang=explain)
        return data

    def __repr__(self) -> str:
        part = ", partial" if self.partial else ""
        return (
            f"ScoreResult({self.subject!r}, {self.period!r}, {self.catalogue}: "
            f"index={self.display}, predikat={self.predikat!r}{part})"
        )


# The slots' own setters (the class refuses assignment): what `__init__` and `scored` fill in.
_set_compiled = ScoreResult.__dict__["compiled"].__set__
_set_assessment = ScoreResult.__dict__["assessment"].__set__
_set_levels = ScoreResult.__dict__["levels"].__set__
_set_numerator = ScoreResult.__dict__["numerator"].__set__
_set_group_numerators = ScoreResult.__dict__["_group_numerators"].__set__
_set_missing = ScoreResult.__dict__["missing"].__set__
_set_findings = ScoreResult.__dict__["findings"].__set__
_set_changes = ScoreResult.__dict__["changes"].__set__
_set_options = ScoreResult.__dict__["options"].__set__
_new = object.__new__


def scored(
    compiled: CompiledCatalogue,
    assessment: Assessment,
    levels: tuple[int, ...],
    numerator: int,
    options: Mapping[str, Any] = NO_OPTIONS,
) -> ScoreResult:
    """A complete assessment's result as the engine's bulk loop builds it: the same object as
    `ScoreResult(compiled, assessment, levels, numerator, None, options=options)`, without the
    argument handling (`options` must already be read-only)."""
    r: ScoreResult = _new(ScoreResult)
    _set_compiled(r, compiled)
    _set_assessment(r, assessment)
    _set_levels(r, levels)
    _set_numerator(r, numerator)
    _set_group_numerators(r, None)
    _set_missing(r, ())
    _set_findings(r, ())
    _set_changes(r, ())
    _set_options(r, options)
    return r
