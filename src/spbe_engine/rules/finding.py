"""Findings: what a rule or an evidence check found, with the trace of what produced it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Finding", "LevelChange"]


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
