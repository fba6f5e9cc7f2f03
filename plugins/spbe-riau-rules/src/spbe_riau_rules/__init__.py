"""Example plugin: a province's own cap rule for the spbe-2020 catalogue."""

from __future__ import annotations

from spbe_engine import Catalogue, Rule, RuleMessage, hookimpl

__all__ = ["spbe_rules"]

SECURITY_AUDIT_CAP = Rule(
    id="riau-security-audit-cap",
    type="cap",
    severity="warning",
    basis="heuristic",
    indicator="31",
    requires=("8",),
    max_gap=1,
    message=RuleMessage(
        en="Riau internal verification: indicator {indicator} (security audit) at level {level} is capped at "
        "{cap}, one level above security policy indicator {requires} (level {actual}).",
        id="Verifikasi internal Riau: indikator {indicator} (audit keamanan) tingkat {level} dibatasi menjadi "
        "{cap}, satu tingkat di atas indikator kebijakan keamanan {requires} (tingkat {actual}).",
    ),
)


@hookimpl
def spbe_rules(catalogue: Catalogue) -> list[Rule] | None:
    return [SECURITY_AUDIT_CAP] if catalogue.id == "spbe-2020" else None
