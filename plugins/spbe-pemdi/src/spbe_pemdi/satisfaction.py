"""Pemdi indicator 33 (Tingkat Kepuasan Pengguna Layanan Digital Pemerintah), computed from a survey.

x = n_k − n_b: the mean perceived benefit minus the mean perceived cost/risk, on −4…+4 (so each
mean is on a 0…4 scale). It maps linearly onto y = 0.5x + 3 in [1, 5], and is banded:
x < −2.4 → 1 (Sangat Buruk); −2.4 ≤ x < −0.8 → 2 (Buruk); −0.8 ≤ x < 1 → 3 (Cukup);
1 ≤ x < 2.4 → 4 (Baik); 2.4 ≤ x ≤ 4 → 5 (Sangat Baik). Source: S10 (C1), spbe-domain.md §5.2.
The x cut-offs map exactly onto y = 1.8 / 2.6 / 3.5 / 4.2, the index band thresholds.
"""

from __future__ import annotations

from decimal import Decimal

from spbe_engine import SpbeError

CUTS = (Decimal("-2.4"), Decimal("-0.8"), Decimal("1"), Decimal("2.4"))
LABELS = ("Sangat Buruk", "Buruk", "Cukup", "Baik", "Sangat Baik")


def satisfaction_level(benefit: Decimal, cost: Decimal) -> int:
    """The level (1–5) of indicator 33 from the mean perceived benefit and cost (each 0–4)."""
    for name, value in (("benefit", benefit), ("cost", cost)):
        if not Decimal(0) <= value <= Decimal(4):
            raise SpbeError(f"mean perceived {name} {value} is outside 0–4", field=name, allowed="0–4")
    x = benefit - cost
    return 1 + sum(x >= cut for cut in CUTS)
