"""The action log: entries validated, merged by id (updated, never duplicated), plan links, files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spbe_engine.cli.main import main
from spbe_engine.errors import SpbeError
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


# -- the log in Excel, and every format read back identical -----------------------------------------

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "kota-contoh" / "actions.yaml"

# texts a cell and a CSV field both hold: no surrogates or control characters, not U+FFFE/U+FFFF
cell_texts = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"), exclude_characters="\ufffe\uffff"), max_size=40
).filter(lambda t: t.strip() != "")
ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,15}", fullmatch=True)
meetings = st.one_of(st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)).map(dt.date.isoformat), cell_texts)


@st.composite
def actions(draw: st.DrawFn) -> ActionLog:
    entries = []
    for action_id in draw(st.lists(ids, unique=True, max_size=5)):
        indicator = draw(st.sampled_from(["1", "11", "47", "D1.A2.3", "=SUM(1)"]))
        plan = draw(st.one_of(st.none(), st.builds(dict, level=st.integers(0, 9), step=st.none() | st.integers(1, 99))))
        entries.append(
            Action(
                id=action_id,
                indicator=indicator,
                unit=draw(st.sampled_from(["bappeda", "dinkes", "-bpkad", "unit 7"])),
                kendala=draw(st.none() | cell_texts),
                rencana_aksi=draw(st.none() | cell_texts),
                pic=draw(st.none() | cell_texts),
                due=draw(st.none() | st.dates(dt.date(1900, 3, 1), dt.date(2099, 12, 31))),
                status=draw(st.sampled_from(STATUSES)),
                target_level=draw(st.none() | st.integers(0, 9)),
                created=draw(meetings),
                updated=draw(meetings),
                plan_step=None if plan is None else PlanLink(indicator=indicator, **plan),
            )
        )
    return ActionLog(entries=tuple(entries))


@settings(max_examples=40, deadline=None)
@given(log=actions())
def test_every_format_reads_back_the_same_log(tmp_path_factory: pytest.TempPathFactory, log: ActionLog) -> None:
    pytest.importorskip("openpyxl", reason="the Excel log needs the `excel` extra")
    folder = tmp_path_factory.mktemp("formats")
    for name in ("log.yaml", "log.csv", "log.xlsx"):
        log.save(folder / name)
        assert load_actions(folder / name) == log, name


def example() -> ActionLog:
    return load_actions(EXAMPLE)


def test_the_excel_log_is_for_people(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl", reason="the Excel log needs the `excel` extra")
    log = example().merge([entry(id="x", pic="=HYPERLINK(1)")])
    log.save(tmp_path / "aksi.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "aksi.xlsx").worksheets[0]
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["ID", "Indikator", "Perangkat daerah"] and "Tenggat" in headers  # Indonesian headers
    col = {h: n for n, h in enumerate(headers, 1)}
    due = ws.cell(2, col["Tenggat"])
    assert isinstance(due.value, dt.datetime) and due.value.date() == dt.date(2025, 3, 31)  # a date, not text
    assert ws.cell(2, col["Status"]).value == "terbuka"
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) == 1 and "terbuka" in lists[0].formula1 and "dibatalkan" in lists[0].formula1
    last = len(log) + 1  # the new entry's row (rows below carry only the validations)
    assert ws.cell(last, col["PIC"]).data_type == "s" and ws.cell(last, col["PIC"]).value == "=HYPERLINK(1)"


def test_the_excel_log_reads_what_people_type(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl", reason="the Excel log needs the `excel` extra")
    example().save(tmp_path / "aksi.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "aksi.xlsx")
    ws = wb.worksheets[0]
    col = {c.value: c.column for c in ws[1]}
    ws.cell(3, col["Status"]).value = "selesai"  # the list's Indonesian label
    ws.cell(4, col["Status"]).value = "in_progress"  # or the key
    ws.cell(3, col["Tenggat"]).value = "2025-07-15"  # a date typed as text
    ws.cell(3, col["Target tingkat"]).value = 4.0
    wb.save(tmp_path / "typed.xlsx")
    typed = load_actions(tmp_path / "typed.xlsx")
    second, third = typed.entries[1], typed.entries[2]
    assert (second.status, second.due, second.target_level) == ("done", dt.date(2025, 7, 15), 4)
    assert third.status == "in_progress"
    ws.cell(5, col["Kendala"]).value = "=1+1"
    wb.save(tmp_path / "formula.xlsx")
    with pytest.raises(SpbeError, match=r"formula\.xlsx: row 5: .*cell [A-Z]+5 is a formula"):
        load_actions(tmp_path / "formula.xlsx")
    ws.cell(5, col["Kendala"]).value = None
    ws.cell(5, col["Status"]).value = "nanti"
    wb.save(tmp_path / "status.xlsx")
    with pytest.raises(SpbeError, match=r"status\.xlsx: row 5: field 'status'"):
        load_actions(tmp_path / "status.xlsx")


def test_cli_writes_and_reads_an_excel_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("openpyxl", reason="the Excel log needs the `excel` extra")
    out = tmp_path / "aksi.xlsx"
    assert main(["actions", str(EXAMPLE), "-o", str(out), "-l", "en"]) == 0
    assert load_actions(out) == example()
    capsys.readouterr()
    assert main(["actions", str(out), "--overdue", "--as-of", "2025-07-01", "-f", "json", "-l", "en"]) == 0
    assert '"id": "24.bpkad.1"' in capsys.readouterr().out
    assert main(["actions", str(EXAMPLE), "-o", str(out), "-l", "en"]) == 2  # never over a file without --force


def test_the_example_log(capsys: pytest.CaptureFixture[str]) -> None:
    from spbe_engine import Engine, load_assessments
    from spbe_engine.accountability.ownership import load_ownership

    engine = Engine(load_entry_points=False)
    base = load_assessments(EXAMPLE.with_name("2025.yaml"), engine=engine)[0]
    own = load_ownership(EXAMPLE.with_name("owners.yaml"), catalogue=base.catalogue, indicator_ids=list(base.levels))
    log = example()
    for a in log:  # every action is of a unit that answers for its indicator
        row = next(r for r in own.indicators if r.indicator == a.indicator)
        assert a.unit == row.lead or a.unit in row.support, a.id
    overdue = [a.id for a in log.select(overdue=True, as_of=dt.date(2025, 7, 1))]
    assert overdue == ["2.diskominfo.1", "11.bappeda.1", "24.bpkad.1"]


def test_actions_speak_indonesian(capsys: pytest.CaptureFixture[str]) -> None:
    from tests.test_lang_id import data_phrases, english_words_in

    assert main(["actions", str(EXAMPLE), "--as-of", "2025-07-01", "-l", "id"]) == 0
    out = capsys.readouterr().out
    assert "tenggat" in out and "target tingkat" in out and "PIC" in out
    assert english_words_in(out, data_phrases()) == []
