"""The words a person reads for the library's machine values (roles, stages, statuses, severities,
directions, yes/no), through the one message catalogue (`spbe_engine.i18n`): the one map for the
reports and the command line's tables, so a value reads the same in both. The official names in the
data stay as they are."""

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
    # values that read as themselves in English (translated when shown)
    **{
        word: word
        for word in (
            N_("gain"),
            N_("loss"),
            N_("uncertain"),
            N_("current"),
            N_("index"),
            N_("official"),
            N_("provisional"),
            N_("indicator"),
            N_("group"),
            N_("band"),
            N_("added"),
            N_("removed"),
            N_("renamed"),
            N_("moved"),
            N_("reweighted"),
            N_("rescaled"),
            N_("split"),
            N_("merged"),
            N_("partial"),
            N_("equivalent"),
            N_("high"),
            N_("medium"),
            N_("low"),
            N_("domain"),
            N_("aspect"),
            N_("indicators"),
            N_("groups"),
            N_("top-level groups"),
            N_("id and name"),
            N_("changed"),
            N_("builtin"),
            N_("explicit"),
            N_("broken"),
        )
    },
}


def label(value: str, lang: str | None = None) -> str:
    """The word for a machine value (`self_assessment` → "Penilaian Mandiri"); other text translated
    when the catalogue has it, else kept as it is."""
    return translate(LABELS.get(value, value), lang)
