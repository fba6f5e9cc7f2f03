"""The engine's ranking operation: score a table of agencies and rank them among their peers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..ranking import Ranking, check_ranking, rank_results
from ..scoring.score import MissingPolicy

if TYPE_CHECKING:
    from ..engine import Engine
    from ..model.assessment import Assessment

__all__ = ["rank"]


def rank(
    engine: Engine,
    assessments: Iterable[Assessment],
    *,
    within: str | None = None,
    by: str = "display",
    missing: MissingPolicy = None,
) -> Ranking:
    """Rank agencies within each period, and within groups given by a tag (e.g.
    `within="province"`). Ties share a rank and the next rank skips (1, 2, 2, 4). `by="display"`
    ranks on the published 2-decimal index, as the official tables show it; `by="index"` on the
    exact value; a domain or aspect id (`by="D1"`) on that group's exact index. The `Ranking` is a
    list of `RankRow`."""
    items = list(assessments)
    if by not in ("display", "index"):  # a group id: of every catalogue ranked
        catalogues = dict.fromkeys(a.catalogue for a in items)
        ids = [g.id for cid in catalogues for g in engine.compiled(cid).groups] if catalogues else None
        check_ranking(by, ids)  # before scoring: a bad option is the first thing to say
    check_ranking(by)
    return rank_results(engine.score_many(items, missing=missing), within=within, by=by)
