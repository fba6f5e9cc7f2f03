"""Findings: what a rule or an evidence check found, with the trace of what produced it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..i18n import N_, tr, translate
from ..results import Cell, Result, in_language

__all__ = ["Finding", "Findings", "LevelChange"]

#: Severities and bases as words (translated where shown).
WORDS = {
    "error": N_("error"),
    "warning": N_("warning"),
    "info": N_("info"),
    "regulation": N_("regulation"),
    "heuristic": N_("heuristic"),
}


@dataclass(frozen=True)
class LevelChange:
    """A level lowered by a cap rule: which indicator, from what, to what, by which rule."""

    indicator: str
    before: int
    after: int
    rule_id: str


@dataclass(frozen=True)
class Finding:
    """One finding. `trace` names the evidence items or rule inputs that produced it."""

    rule_id: str
    severity: str  # error | warning | info
    basis: str  # regulation | heuristic
    indicators: tuple[str, ...]
    messages: dict[str, str] = field(compare=False)
    citation: str | None = None
    trace: tuple[str, ...] = ()
    change: LevelChange | None = None

    def message(self, lang: str = "en") -> str:
        """The message in `en` or `id` (Bahasa Indonesia)."""
        return self.messages.get(lang) or self.messages["en"]

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "severity": self.severity,
            "basis": self.basis,
            "indicators": list(self.indicators),
            "message": self.message(lang),
            "citation": self.citation,
            "trace": list(self.trace),
            "change": None
            if self.change is None
            else {"indicator": self.change.indicator, "before": self.change.before, "after": self.change.after},
        }


class Findings(Result, list[Finding]):
    """The findings of `Engine.check` for one assessment: a list of `Finding` (index it, iterate it,
    compare it with a list as before) that also speaks the result protocol. `rows()`, `to_dict()`
    and `summary()` take the language of the messages (`en` or `id`)."""

    __slots__ = ("catalogue", "evidence_checked", "period", "subject")

    def __init__(
        self,
        findings: Iterable[Finding] = (),
        *,
        subject: str = "",
        period: str = "",
        catalogue: str = "",
        evidence_checked: bool = True,
    ) -> None:
        super().__init__(findings)
        self.subject = subject
        self.period = period
        self.catalogue = catalogue
        self.evidence_checked = evidence_checked  # False when the assessment gave no evidence

    headers = (N_("severity"), N_("rule"), N_("indicators"), N_("basis"), N_("message"))

    def rows(self, lang: str = "en") -> list[list[Cell]]:
        """One row per finding: severity, rule, indicators, basis and the message in `lang` (the
        severity and basis as words of that language: "peringatan", "regulasi")."""
        return [
            [
                translate(WORDS.get(f.severity, f.severity), lang),
                f.rule_id,
                ",".join(f.indicators),
                translate(WORDS.get(f.basis, f.basis), lang),
                f.message(lang),
            ]
            for f in self
        ]

    @property
    def counts(self) -> dict[str, int]:
        """The number of findings per severity: error, warning, info."""
        return {s: sum(f.severity == s for f in self) for s in ("error", "warning", "info")}

    def summary(self, lang: str | None = None) -> str:
        """ "Kota X (2024, spbe-2020): 0 errors, 2 warnings, 0 info" in `lang` (default: the current language)."""
        with in_language(lang):
            c = self.counts
            text = tr(
                "{subject} ({period}, {catalogue}): {errors}, {warnings}, {info}",
                subject=self.subject,
                period=self.period,
                catalogue=self.catalogue,
                errors=tr("1 error") if c["error"] == 1 else tr("{n} errors", n=c["error"]),
                warnings=tr("1 warning") if c["warning"] == 1 else tr("{n} warnings", n=c["warning"]),
                info=tr("{n} info", n=c["info"]),
            )
            if not self.evidence_checked:
                text += tr(" (no evidence given, so the evidence rules were not checked)")
            return text

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """The assessment checked and every finding (`Finding.to_dict`), messages in `lang`."""
        return {
            "subject": self.subject,
            "period": self.period,
            "catalogue": self.catalogue,
            "findings": [f.to_dict(lang) for f in self],
        }

    def __reduce__(self) -> tuple[Any, ...]:
        return (_findings, (list(self), self.subject, self.period, self.catalogue, self.evidence_checked))


def _findings(items: list[Finding], subject: str, period: str, catalogue: str, evidence_checked: bool) -> Findings:
    return Findings(items, subject=subject, period=period, catalogue=catalogue, evidence_checked=evidence_checked)
