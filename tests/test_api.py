"""The public API is a contract: a snapshot of names and signatures, a deprecation path, py.typed."""

from __future__ import annotations

import difflib
import re
import warnings
from pathlib import Path

import pytest

import spbe_engine
from spbe_engine._deprecation import deprecated, moved

from .api_snapshot import SNAPSHOT, describe

ROOT = Path(__file__).resolve().parent.parent


def test_public_api_matches_the_snapshot() -> None:
    current = describe(spbe_engine)
    recorded = SNAPSHOT.read_text(encoding="utf-8").splitlines()
    if current != recorded:
        diff = "\n".join(difflib.unified_diff(recorded, current, "api_snapshot.txt", "current", lineterm=""))
        pytest.fail(
            "the public API changed. If this is planned, record it in CHANGELOG.md (with a deprecation path for "
            f"anything removed) and run `python -m tests.api_snapshot`.\n{diff}"
        )


def test_the_snapshot_catches_a_changed_signature(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test of the test: change a public signature and the snapshot must differ."""
    before = describe(spbe_engine)

    def score(self, assessment, *, weighting=None, strict=True):  # type: ignore[no-untyped-def]
        return None

    monkeypatch.setattr(spbe_engine.Engine, "score", score)
    after = describe(spbe_engine)
    changed = [line for line in after if line not in before]
    assert changed == ["  def score(self, assessment, *, weighting=None, strict=True)"]


def test_the_snapshot_catches_a_removed_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spbe_engine, "__all__", [n for n in spbe_engine.__all__ if n != "load_assessments"])
    assert not any(line.startswith("def load_assessments") for line in describe(spbe_engine))


def test_all_names_exist_and_the_package_is_typed() -> None:
    assert all(hasattr(spbe_engine, n) for n in spbe_engine.__all__)
    assert len(set(spbe_engine.__all__)) == len(spbe_engine.__all__)
    assert (ROOT / "src" / "spbe_engine" / "py.typed").exists()


def test_version_in_one_place() -> None:
    from spbe_engine._version import __version__

    assert spbe_engine.__version__ == __version__
    assert f"## [{__version__}]" in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    project = (ROOT / "pyproject.toml").read_text(encoding="utf-8").split("[project]")[1].split("\n[")[0]
    assert re.search(r"^version\s*=", project, re.M) is None and 'dynamic = ["version"]' in project


def test_deprecation_helpers() -> None:
    @deprecated(since="0.2", removed_in="1.0", use="new_score")
    def old_score(x: int) -> int:
        return x + 1

    with pytest.warns(DeprecationWarning, match=r"old_score is deprecated since spbe_engine 0.2 .*use new_score"):
        assert old_score(1) == 2
    getattr_ = moved({"OldEngine": ("Engine", "0.2", "1.0")}, vars(spbe_engine))
    with pytest.warns(DeprecationWarning, match="OldEngine is deprecated"):
        assert getattr_("OldEngine") is spbe_engine.Engine
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(AttributeError):
            getattr_("Nope")
