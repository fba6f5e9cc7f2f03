"""The conformance kit: every shipped catalogue passes, and every check can fail."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from spbe_engine import Catalogue, Crosswalk, Engine
from spbe_engine.conformance import (
    ConformanceError,
    ConformanceKit,
    check_bands,
    check_crosswalks,
    check_index,
    check_scales,
    check_weights,
)

ENGINE = Engine()


@pytest.mark.parametrize("catalogue", ENGINE.catalogue_ids())
def test_shipped_catalogues_conform(spbe_conformance: ConformanceKit, catalogue: str) -> None:
    """Through the pytest11 fixture, as a plugin author would."""
    spbe_conformance.assert_conforms(catalogue, examples=60)


def broken(**changes: Any) -> Catalogue:
    """spbe-2020 with a change, built without validation (as a careless plugin might)."""
    good = ENGINE.catalogue("spbe-2020")
    return Catalogue.model_construct(**{**dict(good), **changes})


def test_weights_check_can_fail() -> None:
    d1 = ENGINE.catalogue("spbe-2020").groups[0]
    bad_group = d1.model_construct(**{**dict(d1), "weight": Decimal("14.00")})
    cat = broken(groups=(bad_group, *ENGINE.catalogue("spbe-2020").groups[1:]))
    messages = [f.message for f in check_weights(cat)]
    assert "group D1: children sum to 13.00, not 14.00" in messages
    assert "top-level groups sum to 101.00, not 100" in messages


def test_scales_check_can_fail() -> None:
    scale = ENGINE.catalogue("spbe-2020").scale("service")
    gap = scale.model_construct(**{**dict(scale), "levels": (scale.levels[0], scale.levels[2])})
    cat = broken(scales=(ENGINE.catalogue("spbe-2020").scale("process"), gap))
    assert [f.message for f in check_scales(cat)] == ["scale service: levels [1, 3] are not a contiguous ladder"]
    only_process = broken(scales=(ENGINE.catalogue("spbe-2020").scale("process"),))
    assert len(check_scales(only_process)) == 16  # indicators 32–47 lose their scale


def test_bands_check_can_fail() -> None:
    bands = ENGINE.catalogue("spbe-2020").bands
    assert [f.message for f in check_bands(broken(bands=bands[:-1]))] == ["nothing covers 1 up to 1.8"]
    assert "not strictly decreasing" in check_bands(broken(bands=tuple(reversed(bands))))[0].message


def test_index_check_can_fail() -> None:
    ind = ENGINE.catalogue("spbe-2020").indicator("5")
    negative = ind.model_construct(**{**dict(ind), "weight": Decimal("-1.30")})
    a1 = ENGINE.catalogue("spbe-2020").group("A1")
    a1_bad = a1.model_construct(
        **{**dict(a1), "indicators": tuple(negative if i.id == "5" else i for i in a1.indicators)}
    )
    d1 = ENGINE.catalogue("spbe-2020").groups[0]
    d1_bad = d1.model_construct(**{**dict(d1), "groups": (a1_bad,)})
    failures = check_index(broken(groups=(d1_bad, *ENGINE.catalogue("spbe-2020").groups[1:])), examples=50)
    assert failures and failures[0].check == "index"
    assert check_index(ENGINE.catalogue("spbe-2020"), examples=50) == []


def test_crosswalks_check_can_fail() -> None:
    real = next(c for c in ENGINE.crosswalks() if c.source == "spbe-2018")
    missing_edge = Crosswalk.model_construct(**{**dict(real), "edges": real.edges[1:]})
    cats = {c: ENGINE.catalogue(c) for c in ENGINE.catalogue_ids()}
    messages = [f.message for f in check_crosswalks(cats["spbe-2020"], [missing_edge], cats)]
    first = real.edges[0]
    assert messages == [  # the first edge maps 2018 indicator 1 onto 2020 indicator 10
        "spbe-2018-to-spbe-2020: spbe-2018 indicator 1 is neither mapped nor marked removed",
        "spbe-2018-to-spbe-2020: spbe-2020 indicator 10 is covered 0 times (map it once, or mark it new)",
    ]
    edge = first.model_construct(**{**dict(first), "targets": ("99",)})
    ghost = Crosswalk.model_construct(**{**dict(real), "edges": (edge, *real.edges[1:])})
    assert any(
        "target indicator '99' does not exist" in f.message for f in check_crosswalks(cats["spbe-2020"], [ghost], cats)
    )
    assert check_crosswalks(cats["spbe-2020"], [real], cats) == []


def test_kit_reports_every_failure_in_one_error() -> None:
    bands = ENGINE.catalogue("spbe-2020").bands
    with pytest.raises(ConformanceError, match=r"fails 1 check\(s\): \[bands\] spbe-2020: nothing covers 1 up to 1.8"):
        ConformanceKit(ENGINE).assert_conforms(broken(bands=bands[:-1]), examples=20)
