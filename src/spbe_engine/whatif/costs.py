"""Costs of raising indicators, exact: a cost per step, or per level reached, per indicator.

`costs` maps an indicator id to a number (every step of that indicator costs that much) or to a
mapping {level reached: cost} (e.g. {4: 10, 5: 25}: 3→4 costs 10, 4→5 costs 25). Indicators not
named cost `default` per step (1 unless said otherwise). Numbers are exact (int, Decimal, str).
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from ..errors import SpbeError
from ..exact import parse_decimal
from ..i18n import tr

__all__ = ["Costs", "StepCosts"]

Costs = Mapping[str | int, Any]


def _exact(value: Any, where: str) -> Fraction:
    if isinstance(value, Fraction):
        f = value
    else:
        try:
            f = Fraction(parse_decimal(value))
        except ValueError as exc:
            raise SpbeError(str(exc), field=where, allowed=tr("a non-negative exact number")) from None
    if f < 0:
        raise SpbeError(
            tr("cost {value} is negative", value=value), field=where, allowed=tr("a non-negative exact number")
        )
    return f


def _level_key(level: Any, iid: str) -> int:
    text = str(level).strip()
    if isinstance(level, bool) or not text.lstrip("+-").isdigit():
        raise SpbeError(
            tr("{level!r} is not a level", level=level),
            field=f"costs.{iid}",
            allowed=tr("the level a step reaches, e.g. 4"),
        )
    return int(text)


class StepCosts:
    """Exact cost of each single-level step, validated against a catalogue's indicators."""

    def __init__(self, costs: Costs | None, ids: tuple[str, ...], default: Any = 1) -> None:
        self._default = _exact(default, "costs.default")
        self._per: dict[str, Fraction | dict[int, Fraction]] = {}
        known = set(ids)
        for key, value in (costs or {}).items():
            iid = str(key)
            if iid == "default":
                self._default = _exact(value, "costs.default")
                continue
            if iid not in known:
                raise SpbeError(
                    tr("costs name unknown indicator {iid!r}", iid=iid),
                    field=f"costs.{iid}",
                    allowed=tr("indicator ids"),
                )
            if isinstance(value, Mapping):
                self._per[iid] = {
                    _level_key(level, iid): _exact(c, f"costs.{iid}.{level}") for level, c in value.items()
                }
            else:
                self._per[iid] = _exact(value, f"costs.{iid}")

    def step(self, indicator: str, to_level: int) -> Fraction:
        """The cost of raising `indicator` from `to_level - 1` to `to_level`."""
        spec = self._per.get(indicator)
        if spec is None:
            return self._default
        if isinstance(spec, dict):
            return spec.get(to_level, self._default)
        return spec

    @property
    def uniform(self) -> bool:
        """True when every step costs the same (then cost is proportional to steps)."""
        return not self._per
