"""One result protocol: every public result type offers `headers`, `rows()`, `summary()`,
`to_dict()`, `to_frame()` and `_repr_html_()` from one base, `spbe_engine.Result`.

For each type one real instance is built from the bundled catalogues and examples, and checked the
same way: plain table values, a one-line summary, JSON that round-trips with exact values that read
back exactly with `Fraction(text)`, an HTML table captioned with the escaped summary, and a frame
with the headers as columns. A meta-test keeps the list of result types honest.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import sys
import types
import warnings
from collections.abc import Callable, Iterator
from fractions import Fraction
from functools import cache
from typing import Any

import pytest

import spbe_engine
from spbe_engine import Assessment, Engine, load_assessments
from spbe_engine.results import Result

from .conftest import ROOT

# Every public result type. A new result type goes here (the meta-tests below fail until it does).
RESULT_TYPES = [
    "Accountability",
    "CatalogueDiff",
    "Comparison",
    "Findings",
    "MarginalImpact",
    "Migration",
    "Plan",
    "Ranking",
    "ScenarioTable",
    "ScoreResult",
    "Series",
    "Simulation",
    "Transition",
    "UnitReport",
    "WeightSensitivity",
]

EXAMPLES = ROOT / "examples"
CITY = EXAMPLES / "kota-contoh"


@cache
def _engine() -> Engine:
    return Engine(load_entry_points=False)


def _one(path: Any) -> Assessment:
    (a,) = load_assessments(path, engine=_engine())
    return a


def _dumai() -> Assessment:
    return _one(EXAMPLES / "dumai-2024.yaml")


def _city(year: int) -> Assessment:
    return _one(CITY / f"{year}.yaml")


def _agencies_2018() -> list[Assessment]:
    ids = _engine().compiled("spbe-2018").ids
    return [
        Assessment(catalogue="spbe-2018", subject=f"Kota {k}", period="2019", levels={i: k for i in ids})
        for k in (2, 3, 4)
    ]


# name → (build an instance, the exact values its to_dict() must hold: (text in the dict, value))
Exact = list[tuple[Any, Fraction]]


def _score() -> tuple[Any, Callable[[Any, dict[str, Any]], Exact]]:
    return _engine().score(_dumai()), lambda r, d: [
        (d["exact"], r.fraction),
        (d["groups"]["D3"]["exact"], r.groups["D3"].fraction),
        *((d["indicators"][i]["contribution_exact"], s.contribution) for i, s in r.indicators.items()),
        *((d["indicators"][i]["weight"], Fraction(s.weight)) for i, s in r.indicators.items()),
    ]


BUILDERS: dict[str, Callable[[], tuple[Any, Callable[[Any, dict[str, Any]], Exact]]]] = {
    "ScoreResult": _score,
    "Comparison": lambda: (
        _engine().what_if(_dumai(), levels={"23": 4, "24": 4}),
        lambda c, d: [
            (d["delta"], c.delta),
            (d["after"]["exact"], c.after.fraction),
            *((d["group_deltas"][g], v) for g, v in c.group_deltas.items()),
        ],
    ),
    "ScenarioTable": lambda: (
        _engine().compare(_dumai(), {"policies": {"levels": {"1": 5}}, "equal": {"weighting": "equal"}}),
        lambda t, d: (
            [(s["delta"], c.delta) for s, c in zip(d["scenarios"], t.comparisons, strict=True)]
            + [(s["after"]["exact"], c.after.fraction) for s, c in zip(d["scenarios"], t.comparisons, strict=True)]
        ),
    ),
    "Plan": lambda: (
        _engine().plan(_dumai(), "Memuaskan", costs={"default": "1.5", "18": Fraction(1, 3)}),
        lambda p, d: [
            (d["total_cost"], p.total_cost),
            (d["target_index"], p.target),
            (d["max_reachable"], p.max_reachable),
            (d["result"]["exact"], p.result.fraction),
            *((s["cost"], st.cost) for s, st in zip(d["steps"], p.steps, strict=True)),
            *((s["gain"], st.gain) for s, st in zip(d["steps"], p.steps, strict=True)),
        ],
    ),
    "MarginalImpact": lambda: (
        _engine().marginal_impact(_dumai()),
        lambda m, d: [
            (d["index"], m.result.fraction),
            (d["distance"], m.distance),
            *((x["gain"], r.gain) for x, r in zip(d["indicators"], m.indicators, strict=True)),
        ],
    ),
    "Simulation": lambda: (
        _engine().simulate(_one(EXAMPLES / "stages-kota-contoh.yaml"), n=500, seed=3, backend="python"),
        lambda s, d: [
            (d["mean"], s.mean),
            *((d["predikat_probabilities"][k], v) for k, v in s.predikat_probabilities.items()),
        ],
    ),
    "WeightSensitivity": lambda: (
        _engine().weight_sensitivity([_dumai(), _city(2024), _city(2025)], n=60, seed=2, backend="python"),
        lambda w, d: [
            (d["spread"], w.spread),
            *((x["p_first"], r.p_first) for x, r in zip(d["intervals"], w.intervals, strict=True)),
        ],
    ),
    "Migration": lambda: (
        _engine().migrate(_agencies_2018()[1], to="spbe-2020"),
        lambda m, d: [(d["index_low"], m.index_range.low), (d["index_high"], m.index_range.high)],
    ),
    "CatalogueDiff": lambda: (
        _engine().diff("spbe-2018", "spbe-2020"),
        lambda c, d: [],  # no exact values: what changed, as written in the catalogues
    ),
    "Transition": lambda: (
        _engine().transition(_agencies_2018(), to="spbe-2020"),
        lambda t, d: (
            [(x["new_low"], r.new_range.low) for x, r in zip(d["agencies"], t.agencies, strict=True)]
            + [(x["new_high"], r.new_range.high) for x, r in zip(d["agencies"], t.agencies, strict=True)]
        ),
    ),
    "Accountability": lambda: (
        _accountability(),
        lambda a, d: [
            (d["index"], a.result.fraction),
            *((u["at_stake_target"], r.at_stake_target) for u, r in zip(d["units"], a.units, strict=True)),
            *((u["plan_share"], r.plan_share) for u, r in zip(d["units"], a.units, strict=True)),
        ],
    ),
    "UnitReport": lambda: (
        _accountability().units[0],
        lambda u, d: [
            (d["at_stake_target"], u.at_stake_target),
            (d["at_stake_max"], u.at_stake_max),
            *((x["at_stake_max"], line.at_stake_max) for x, line in zip(d["indicators"], u.lines, strict=True)),
        ],
    ),
    "Series": lambda: (
        _engine().series([_city(2024), _city(2025)], targets=CITY / "targets.yaml"),
        lambda s, d: (
            [(x["index"], p.result.fraction) for x, p in zip(d["points"], s.points, strict=True)]
            + [(x["target"], p.target) for x, p in zip(d["points"], s.points, strict=True) if p.target is not None]
        ),
    ),
    "Ranking": lambda: (
        _engine().rank([_dumai(), _city(2024), _city(2025), _dumai().replace(subject="Kota Kembar")]),
        lambda r, d: [(x["index"], row.fraction) for x, row in zip(d["ranking"], r, strict=True)],
    ),
    "Findings": lambda: (
        _engine().check(_one(EXAMPLES / "evidence-kota-contoh.yaml"), as_of=dt.date(2024, 6, 30)),
        lambda f, d: [],  # findings carry no numbers
    ),
}


@cache
def _accountability() -> Any:
    return _engine().accountability(_city(2025), owners=CITY / "owners.yaml", targets=CITY / "targets.yaml")


@cache
def _built(name: str) -> tuple[Any, Callable[[Any, dict[str, Any]], Exact]]:
    return BUILDERS[name]()


@pytest.fixture
def fake_pandas(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """pandas when installed, else a stand-in that records the columns `to_frame()` asks for."""
    try:
        import pandas

        yield pandas
        return
    except ImportError:
        pass

    class DataFrame:
        def __init__(self, data: list[list[Any]], columns: list[str]) -> None:
            self.data, self.columns = data, columns

        def __len__(self) -> int:
            return len(self.data)

    module = types.ModuleType("pandas")
    module.DataFrame = DataFrame  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pandas", module)
    yield module


# -- the list of result types --------------------------------------------------------------------


def test_every_listed_result_type_is_public_and_speaks_the_protocol() -> None:
    for name in RESULT_TYPES:
        assert name in spbe_engine.__all__, f"{name} is not in spbe_engine.__all__"
        cls = getattr(spbe_engine, name)
        assert isinstance(cls, type) and issubclass(cls, Result), f"{name} does not subclass spbe_engine.Result"
    assert spbe_engine.Result is Result


def test_every_public_table_is_a_listed_result_type() -> None:
    """A public class that renders itself as a table (`_repr_html_`, `to_frame`) is a result type."""
    tables = sorted(
        name
        for name in spbe_engine.__all__
        if isinstance(getattr(spbe_engine, name), type)
        and any(hasattr(getattr(spbe_engine, name), a) for a in ("_repr_html_", "to_frame", "rows"))
        and name not in ("Result", "Assessment")
    )
    assert tables == sorted(RESULT_TYPES)


def test_every_listed_result_type_has_a_builder_here() -> None:
    assert sorted(BUILDERS) == sorted(RESULT_TYPES)


# -- one instance of each ------------------------------------------------------------------------


@pytest.mark.parametrize("name", RESULT_TYPES)
def test_result_protocol(name: str, fake_pandas: Any) -> None:
    obj, exact_values = _built(name)
    assert type(obj).__name__ == name and isinstance(obj, Result)

    headers = obj.headers
    assert isinstance(headers, tuple) and headers and all(isinstance(h, str) for h in headers)
    rows = obj.rows()
    assert rows, f"{name}: build an instance with at least one row"
    for row in rows:
        assert len(row) == len(headers), row
        for cell in row:
            assert cell is None or type(cell) in (str, int, bool), f"{name}: {cell!r} is not a plain value"

    summary = obj.summary()
    assert isinstance(summary, str) and summary.strip() and "\n" not in summary

    data = obj.to_dict()
    text = json.dumps(data, ensure_ascii=False)
    assert json.loads(text) == data  # nothing a JSON round trip changes: no tuples, no numbers as objects
    checks = exact_values(obj, json.loads(text))
    for written, value in checks:
        assert isinstance(written, str), f"{name}: exact value {value} written as {written!r}"
        assert Fraction(written) == value, f"{name}: {written!r} is not {value}"
    if name not in ("CatalogueDiff", "Findings"):
        assert checks, f"{name}: check its exact values"

    page = obj._repr_html_()
    assert page.startswith('<table class="spbe-table">') and f"<caption>{html.escape(summary)}</caption>" in page
    assert page.count("<tr>") == 1 + len(rows)

    frame = obj.to_frame()
    assert list(frame.columns) == list(headers) and len(frame) == len(rows)


def test_exact_values_are_written_in_the_one_encoding() -> None:
    """A value no decimal writes exactly is "n/d"; one that terminates is its decimal."""
    plan, _ = _built("Plan")
    data = plan.to_dict()
    third = next(s for s in data["steps"] if s["indicator"] == "18")
    assert third["cost"] == "1/3" and {s["cost"] for s in data["steps"] if s["indicator"] != "18"} == {"1.5"}
    migration, _ = _built("Migration")
    assert "/" not in migration.to_dict()["index_low"]  # was always "n/d" before the protocol


def test_the_summary_is_escaped_in_html() -> None:
    r = _engine().score(_dumai().replace(subject="<b>Kota</b> & Co"))
    assert "<caption>&lt;b&gt;Kota&lt;/b&gt; &amp; Co (2024), spbe-2020: 3.90 Sangat Baik</caption>" in r._repr_html_()


def test_ranking_and_findings_are_still_lists() -> None:
    ranking, _ = _built("Ranking")
    assert isinstance(ranking, list) and ranking == list(ranking)
    assert [(r.period, r.rank, r.subject) for r in ranking] == [
        ("2024", 1, "Kota Kembar"),
        ("2024", 1, "Pemerintah Kota Dumai"),  # a tie shares the rank, and the next rank skips
        ("2024", 3, "Pemerintah Kota Contoh"),
        ("2025", 1, "Pemerintah Kota Contoh"),
    ]
    assert ranking.rows()[2] == [3, "Pemerintah Kota Contoh", "2024", "", ranking[2].display, ranking[2].predikat]
    findings, _ = _built("Findings")
    assert isinstance(findings, list) and findings == list(findings) and len(findings) == len(findings.rows())
    assert findings.summary().startswith("Pemerintah Kota Contoh (2024, spbe-2020): 4 errors, 2 warnings, 0 info")
    import pickle

    assert pickle.loads(pickle.dumps(ranking)).to_dict() == ranking.to_dict()
    assert pickle.loads(pickle.dumps(findings)).summary() == findings.summary()


def test_findings_speak_both_languages() -> None:
    findings, _ = _built("Findings")
    en, id_ = findings.to_dict("en"), findings.to_dict("id")
    assert en["findings"] != id_["findings"] and [f["rule_id"] for f in en["findings"]] == [
        f["rule_id"] for f in id_["findings"]
    ]
    assert findings.rows(lang="id")[0][4] == id_["findings"][0]["message"]


# -- the command line uses the protocol ----------------------------------------------------------


def test_cli_json_is_what_the_results_give(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    from spbe_engine.cli.main import main

    path = EXAMPLES / "evidence-kota-contoh.yaml"
    assert main(["check", str(path), "--as-of", "2024-06-30", "--format", "json", "--lang", "id"]) == 1
    findings = Engine().check(_one(path), as_of=dt.date(2024, 6, 30))
    assert json.loads(capsys.readouterr().out) == [findings.to_dict("id")]
    old = _agencies_2018()[1]
    file = tmp_path / "kota-2019.json"
    file.write_text(json.dumps(old.model_dump(mode="json")), encoding="utf-8")
    assert main(["migrate", str(file), "--to", "spbe-2020", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == [Engine().migrate(old, to="spbe-2020").to_dict()]


def test_cli_reads_no_private_names_of_results() -> None:
    import ast

    source = (ROOT / "src" / "spbe_engine" / "cli" / "main.py").read_text(encoding="utf-8")
    private = sorted(
        {
            node.attr
            for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
        }
    )
    assert private == [], private


# -- renamed members keep working for a while, with a warning --------------------------------------


def test_old_names_warn_and_still_work() -> None:
    marginal, _ = _built("MarginalImpact")
    with pytest.warns(DeprecationWarning, match=r"MarginalImpact\.table is deprecated.*use MarginalImpact\.rows\(\)"):
        assert marginal.table() == marginal.rows()
    with pytest.warns(DeprecationWarning, match=r"MarginalImpact\.rows as the tuple of records.*\.indicators"):
        assert marginal.rows[0] is marginal.indicators[0]
    with pytest.warns(DeprecationWarning):
        assert len(marginal.rows) == len(marginal.indicators)
    transition, _ = _built("Transition")
    with pytest.warns(DeprecationWarning, match=r"Transition\.rows as the tuple"):
        assert list(transition.rows) == list(transition.agencies)
    with pytest.warns(DeprecationWarning, match=r"Transition\.table is deprecated"):
        assert transition.table() == transition.rows()
    sensitivity, _ = _built("WeightSensitivity")
    with pytest.warns(DeprecationWarning, match=r"WeightSensitivity\.rows as the tuple"):
        assert sensitivity.rows == sensitivity.intervals
    with pytest.warns(DeprecationWarning, match=r"WeightSensitivity\.table is deprecated"):
        assert sensitivity.table() == sensitivity.rows()
    acc = _accountability()
    with pytest.warns(DeprecationWarning, match=r"Accountability\.summary_headers is deprecated"):
        assert acc.summary_headers == acc.headers
    with pytest.warns(DeprecationWarning, match=r"Accountability\.summary_rows is deprecated"):
        assert acc.summary_rows() == acc.rows()
    with pytest.warns(DeprecationWarning, match=r"Accountability\.headline is deprecated"):
        assert acc.headline() == acc.summary()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert marginal.rows() and transition.rows() and sensitivity.rows() and acc.rows()  # the new names are quiet
        assert type(acc).summary_headers == acc.headers  # reading the class (docs tools) is quiet too


def test_ranking_columns_read_as_a_person_expects() -> None:
    """A rename once slipped into the header ("rank_results"): the columns are plain words."""
    from spbe_engine import Ranking

    assert Ranking.headers == ("rank", "subject", "period", "group", "index", "predikat")
