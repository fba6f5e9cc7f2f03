"""Findings: what a rule or an evidence check found, with the trace of what produced it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..results import Cell, Result

__all__ = ["Finding", "Findings", "LevelChange"]


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

    headers = ("severity", "rule", "indicators", "basis", "message")

    def rows(self, lang: str = "en") -> list[list[Cell]]:
        """One row per finding: severity, rule, indicators, basis and the message in `lang`."""
        return [[f.severity, f.rule_id, ",".join(f.indicators), f.basis, f.message(lang)] for f in self]

    @property
    def counts(self) -> dict[str, int]:
        """The number of findings per severity: error, warning, info."""
        return {s: sum(f.severity == s for f in self) for s in ("error", "warning", "info")}

    def summary(self) -> str:
        plural = {"error": "errors", "warning": "warnings", "info": "info"}
        text = f"{self.subject} ({self.period}, {self.catalogue}): " + ", ".join(
            f"{n} {s if n == 1 else plural[s]}" for s, n in self.counts.items()
        )
        if not self.evidence_checked:
            text += " (no evidence given, so the evidence rules were not checked)"
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
