"""Report wording: machine values shown as words (roles, stages, severities, yes/no) through the one
message catalogue (`spbe_engine.i18n`); the official names in the data stay as they are."""

from __future__ import annotations

from ..i18n import N_, translate

__all__ = ["LABELS", "label"]

#: Values the data holds as ids, and the words a person reads for them (translated when shown).
LABELS: dict[str, str] = {
    "lead": N_("lead"),
    "support": N_("support"),
    "yes": N_("yes"),
    "no": N_("no"),
    "target": N_("Target"),
    "self_assessment": N_("Self-assessment"),
    "internal_verifier": N_("Internal verifier"),
    "external_assessor": N_("External assessor"),
    "final": N_("Final score"),
    "error": N_("error"),
    "warning": N_("warning"),
    "info": N_("info"),
    "pending": N_("pending"),
    "accepted": N_("accepted"),
    "rejected": N_("rejected"),
    "needs_revision": N_("needs revision"),
    "regulation": N_("regulation"),
    "heuristic": N_("heuristic"),
}


def label(value: str, lang: str | None = None) -> str:
    """The word for a machine value (`self_assessment` → "Penilaian Mandiri"); other text translated
    when the catalogue has it, else kept as it is."""
    return translate(LABELS.get(value, value), lang)
