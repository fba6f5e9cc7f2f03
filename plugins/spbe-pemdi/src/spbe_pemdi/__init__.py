"""The Indeks Pemerintah Digital (Pemdi) 2026 as a spbe_engine plugin.

Everything here goes through spbe_engine's public API and hooks: the catalogue (YAML), its level
scale (shared through `spbe_level_scales`), the computed user-satisfaction indicator 33, and the
crosswalk from spbe-2020. The catalogue is **provisional**: it rests on one secondary analysis of
KemenPANRB letter B/66/PD.02/2025 (see the notes inside pemdi-2026.yaml).
"""

from __future__ import annotations

from pathlib import Path

from spbe_engine import Catalogue, ComputedIndicator, LevelScale, hookimpl, load_yaml

from .satisfaction import satisfaction_level

__all__ = ["satisfaction_level", "spbe_catalogues", "spbe_computed_indicators", "spbe_crosswalks",
           "spbe_level_scales"]

HERE = Path(__file__).resolve().parent


@hookimpl
def spbe_level_scales() -> list[LevelScale]:
    return [LevelScale(**load_yaml(HERE / "pemdi-scale.yaml"))]


@hookimpl
def spbe_catalogues() -> list[Path]:
    return [HERE / "pemdi-2026.yaml"]


@hookimpl
def spbe_crosswalks() -> list[Path]:
    return [HERE / "crosswalk-spbe-2020-pemdi-2026.yaml"]


@hookimpl
def spbe_computed_indicators(catalogue: Catalogue) -> list[ComputedIndicator] | None:
    if catalogue.id != "pemdi-2026":
        return None
    return [
        ComputedIndicator(
            indicator="33",
            inputs=("benefit", "cost"),
            compute=lambda values: satisfaction_level(values["benefit"], values["cost"]),
            description="x = mean perceived benefit − mean perceived cost (−4…+4), banded at −2.4 / −0.8 / 1 / 2.4",
        )
    ]
