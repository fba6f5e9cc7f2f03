"""Every result carries a manifest; `spbe verify` recomputes it and detects tampering."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from spbe_engine import Engine, load_assessments
from spbe_engine.cli.main import main
from spbe_engine.verify import verify_result

from .conftest import ROOT

EXAMPLE = ROOT / "examples" / "dumai-2024.yaml"


@pytest.fixture
def saved(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    assert main(["score", str(EXAMPLE), "--format", "json"]) == 0
    path = tmp_path / "result.json"
    path.write_text(capsys.readouterr().out, encoding="utf-8")
    return path


def test_manifest_contents(engine: Engine) -> None:
    (a,) = load_assessments(EXAMPLE, engine=engine)
    m = engine.score(a, weighting={"1": "2.00"}, missing="minimum").manifest()
    assert m["engine"].startswith("spbe_engine ") and m["catalogue"] == "spbe-2020"
    assert len(m["catalogue_sha256"]) == 64 and len(m["input_sha256"]) == 64
    assert m["options"]["weighting"] == "custom" and m["options"]["weights"]["1"] == "2.00"
    assert m["options"]["missing"] == "minimum" and m["created"].endswith("+00:00")
    assert {p["name"] for p in m["plugins"]} >= {"spbe_engine._builtins.catalogues"}


def test_verify_holds_then_detects_tampering(saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(saved)]) == 0
    assert "Pemerintah Kota Dumai: holds" in capsys.readouterr().out
    data = json.loads(saved.read_text(encoding="utf-8"))
    tampered = [
        ("display", "3.95"),
        ("predikat", "Memuaskan"),
    ]
    for key, value in tampered:
        bad = [dict(data[0], **{key: value})]
        saved.write_text(json.dumps(bad), encoding="utf-8")
        assert main(["verify", str(saved)]) == 1
        out = capsys.readouterr().out
        assert "DOES NOT HOLD" in out and f"{key}: recorded {value!r}" in out
    levels = json.loads(json.dumps(data))
    levels[0]["assessment"]["levels"]["45"] = 1  # change an input level: the input hash no longer matches
    saved.write_text(json.dumps(levels), encoding="utf-8")
    assert main(["verify", str(saved)]) == 1
    out = capsys.readouterr().out
    assert "the input assessment differs from the one the result was computed from" in out


def test_verify_detects_a_changed_group_and_catalogue(engine: Engine) -> None:
    (a,) = load_assessments(EXAMPLE, engine=engine)
    data = engine.score(a).to_dict()
    data["groups"]["D3"]["display"] = "2.40"
    v = verify_result(engine, data)
    assert not v.holds and any(p.startswith("group D3: recorded") for p in v.problems)
    data = engine.score(a).to_dict()
    data["manifest"]["catalogue_sha256"] = "0" * 64
    assert "catalogue spbe-2020 has changed" in verify_result(engine, data).problems[0]
    assert not verify_result(engine, {"subject": "x"}).holds


def test_verify_bad_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "r.json"
    p.write_text("{not json", encoding="utf-8")
    assert main(["verify", str(p)]) == 2
    assert "not a result file: invalid JSON" in capsys.readouterr().err


def test_bad_json_is_not_a_result_in_indonesian_too(tmp_path: Path) -> None:
    """Whether the file is invalid JSON is known from where the error came, not from its English text."""
    from spbe_engine import SpbeError
    from spbe_engine.i18n import language
    from spbe_engine.verify import load_results

    p = tmp_path / "r.json"
    p.write_text('{"a": 1, "a": 2}', encoding="utf-8")
    with language("id"), pytest.raises(SpbeError) as info:
        load_results(p)
    assert info.value.message.startswith("bukan berkas hasil: JSON tidak valid: kunci 'a' ganda"), info.value.message
    assert info.value.file == str(p)
    with language("id"), pytest.raises(SpbeError, match="berkas tidak ditemukan") as missing:
        load_results(tmp_path / "absent.json")  # a file that cannot be read is not called invalid JSON
    assert "bukan berkas hasil" not in missing.value.message
