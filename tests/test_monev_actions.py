"""The action log: entries validated, merged by id (updated, never duplicated), plan links, files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spbe_engine.cli.main import main
from spbe_engine.monev.actions import STATUSES, Action, ActionError, ActionLog, PlanLink, load_actions


def entry(**kw: object) -> Action:
    data: dict[str, object] = {"id": "11.bappeda.1", "indicator": "11", "unit": "bappeda", "created": "2025-01-10"}
    data.setdefault("updated", kw.get("created", "2025-01-10"))
    data.update(kw)
    return Action(**data)  # type: ignore[arg-type]


def test_an_entry_is_strict() -> None:
    with pytest.raises(ActionError, match="status"):
        entry(status="finished")
    with pytest.raises(ActionError, match="not a date"):
        entry(due="30/06/2025")
    with pytest.raises(ActionError, match="id"):
        entry(id="has space")
    with pytest.raises(ActionError, match="step of indicator 12"):
        entry(plan_step={"indicator": "12", "level": 4})
    assert entry(created=dt.date(2025, 1, 10)).created == "2025-01-10"  # a meeting's date as ISO text


def test_merge_updates_by_id_and_never_duplicates() -> None:
    log = ActionLog(entries=(entry(kendala="no SK", due="2025-06-30"),))
    update = entry(status="in_progress", created="2025-04-10", updated="2025-04-10")
    new = entry(id="13.bpkad.1", indicator="13", unit="bpkad", created="2025-04-10")
    merged, counts = log.merge_counted([update, new], meeting="2025-04-10")
    assert [a.id for a in merged] == ["11.bappeda.1", "13.bpkad.1"]
    kept = merged.get("11.bappeda.1")
    assert kept is not None
    assert (kept.status, kept.kendala, kept.created, kept.updated) == (
        "in_progress",
        "no SK",
        "2025-01-10",
        "2025-04-10",
    )
    assert (counts.added, counts.updated, counts.unchanged) == (1, 1, 0)
    again, counts = merged.merge_counted([update, new], meeting="2025-04-10")
    assert again == merged and (counts.added, counts.updated, counts.unchanged) == (0, 0, 2)


def test_a_report_without_status_keeps_the_logs_status() -> None:
    log = ActionLog(entries=(entry(status="in_progress"),))
    merged = log.merge([entry(pic="Kabid", created="2025-04-10")], meeting="2025-04-10")
    assert merged.entries[0].status == "in_progress" and merged.entries[0].pic == "Kabid"


def test_an_id_names_one_action_for_good() -> None:
    log = ActionLog(entries=(entry(),))
    with pytest.raises(ActionError, match="not indicator 12"):
        log.merge([entry(indicator="12")])
    with pytest.raises(ActionError, match="appears twice"):
        ActionLog(entries=(entry(), entry()))


def test_overdue_and_selection() -> None:
    log = ActionLog(
        entries=(
            entry(due="2025-03-01"),
            entry(id="b", due="2025-03-01", status="done"),
            entry(id="c", unit="bpkad", due="2025-09-01"),
        )
    )
    day = dt.date(2025, 4, 1)
    assert [a.id for a in log.select(overdue=True, as_of=day)] == ["11.bappeda.1"]
    assert [a.id for a in log.select(unit="bpkad")] == ["c"]
    assert not entry(due="2025-04-01").overdue(day)  # due today is not late


def test_link_plan_gives_open_actions_their_step_and_aim() -> None:
    log = ActionLog(entries=(entry(), entry(id="d", status="done"), entry(id="t", target_level=3)))
    linked = log.link_plan([PlanLink(indicator="11", level=4, step=1), PlanLink(indicator="11", level=5, step=2)])
    first, done, own = linked.entries
    assert first.plan_step == PlanLink(indicator="11", level=5, step=2) and first.aim == 5
    assert done.plan_step is None
    assert own.aim == 3  # its own target stays


texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30)


@settings(max_examples=40, deadline=None)
@given(
    kendala=st.one_of(st.none(), texts.filter(lambda t: t.strip() != "")),
    status=st.sampled_from(STATUSES),
    due=st.one_of(st.none(), st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31))),
    level=st.one_of(st.none(), st.integers(0, 5)),
)
def test_yaml_and_csv_read_back_equal(
    tmp_path_factory: pytest.TempPathFactory, kendala: str | None, status: str, due: dt.date | None, level: int | None
) -> None:
    log = ActionLog(
        entries=(
            entry(kendala=kendala, status=status, due=due, target_level=level, pic="=HYPERLINK(1)"),
            entry(id="x", plan_step={"indicator": "11", "level": 4, "step": 2}),
        )
    )
    folder = tmp_path_factory.mktemp("log")
    for name in ("log.yaml", "log.csv"):
        log.save(folder / name)
        assert load_actions(folder / name) == log
    assert "'=HYPERLINK" in (folder / "log.csv").read_text(encoding="utf-8")  # no spreadsheet runs it


def test_save_never_overwrites(tmp_path: Path) -> None:
    ActionLog().save(tmp_path / "a.yaml")
    with pytest.raises(Exception, match="overwrite"):
        ActionLog().save(tmp_path / "a.yaml")


def test_bad_files_name_file_and_row(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_text("id,indicator,unit,created,updated,status\nx,11,bappeda,m1,m1,later\n", encoding="utf-8")
    with pytest.raises(ActionError, match=r"a\.csv: row 2: field 'status'"):
        load_actions(p)
    p.write_text("id,indicator,unit,created,updated,colour\n", encoding="utf-8")
    with pytest.raises(ActionError, match="unknown column 'colour'"):
        load_actions(p)


def test_cli_lists_overdue_and_links_a_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = ActionLog(entries=(entry(due="2025-03-01"), entry(id="c", unit="bpkad", indicator="13")))
    log.save(tmp_path / "log.yaml")
    assert main(["actions", str(tmp_path / "log.yaml"), "--overdue", "--as-of", "2025-04-01", "-l", "en"]) == 0
    out = capsys.readouterr().out
    assert "11.bappeda.1" in out and "bpkad" not in out and "1 overdue" in out
    assert main(["actions", str(tmp_path / "log.yaml"), "--unit", "bpkad", "-f", "json", "-l", "en"]) == 0
    assert '"id": "c"' in capsys.readouterr().out
    plan = tmp_path / "plan.json"
    plan.write_text('[{"steps": [{"indicator": "13", "from": 2, "to": 3}]}]', encoding="utf-8")
    out_log = tmp_path / "linked.yaml"
    assert main(["actions", str(tmp_path / "log.yaml"), "--plan", str(plan), "-o", str(out_log), "-l", "en"]) == 0
    linked = load_actions(out_log)
    assert linked.entries[1].plan_step == PlanLink(indicator="13", level=3, step=1)
    assert main(["actions", str(tmp_path / "log.yaml"), "--plan", str(plan), "-l", "en"]) == 2  # needs --out
