"""Shared fixtures. Entry points are not loaded by default so tests see only what they register."""

from __future__ import annotations

from pathlib import Path

import pytest

from spbe_engine import Assessment, Engine

ROOT = Path(__file__).resolve().parent.parent
# The official 2023 per-agency results, copied into the repository (tests/data/README.md says from where)
# so that every clone runs the golden tests.
OFFICIAL_2023 = ROOT / "tests" / "data" / "indeks_spbe_2023_per_instansi.csv"


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine(load_entry_points=False)


def spbe2020(levels: dict[str, int] | list[int], subject: str = "Instansi Uji", period: str = "2024") -> Assessment:
    if isinstance(levels, list):
        levels = {str(n): v for n, v in enumerate(levels, 1)}
    return Assessment(catalogue="spbe-2020", subject=subject, period=period, levels=levels)
