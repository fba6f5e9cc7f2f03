"""Built-in weighting schemes: `official` (the regulation's weights), `equal`, and `custom`."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ..errors import SpbeError
from ..exact import parse_exact
from ..hookspecs import hookimpl
from ..i18n import tr
from ..model.catalogue import Catalogue
from ..weighting import WeightingScheme


def _official(catalogue: Catalogue, options: Any = None) -> dict[str, Decimal | Fraction]:
    return {i.id: i.weight for i in catalogue.indicators()}


def _equal(catalogue: Catalogue, options: Any = None) -> dict[str, Decimal | Fraction]:
    return {i.id: Decimal(1) for i in catalogue.indicators()}


def _custom(catalogue: Catalogue, options: Any = None) -> dict[str, Decimal | Fraction]:
    """Official weights, overridden by `options` (indicator id → weight)."""
    if not isinstance(options, Mapping):
        raise SpbeError(tr("custom weighting needs a mapping of indicator id to weight"), field="weights")
    weights = _official(catalogue)
    for key, value in options.items():
        iid = str(key)
        if iid not in weights:
            raise SpbeError(
                tr("custom weights name unknown indicator {iid!r} of {id}", iid=iid, id=catalogue.id),
                field=f"weights.{iid}",
            )
        try:
            weights[iid] = parse_exact(value)
        except ValueError as exc:
            raise SpbeError(
                str(exc), field=f"weights.{iid}", allowed=tr("a positive exact decimal (1.30) or ratio (20/6)")
            ) from None
    return weights


@hookimpl
def spbe_weighting_schemes() -> list[WeightingScheme]:
    return [
        WeightingScheme("official", "The weights the regulation sets.", _official),
        WeightingScheme("equal", "Every indicator weighs the same (a sensitivity baseline).", _equal),
        WeightingScheme("custom", "Official weights, overridden per indicator by the caller.", _custom),
    ]
