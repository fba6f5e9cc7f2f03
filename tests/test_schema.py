"""`spbe schema catalogue|assessment|owners|rules`: the JSON Schema of each kind of file, from the
pydantic models, valid as JSON Schema, and satisfied by the bundled files (what an editor checks as
people type, with `# yaml-language-server: $schema=...`)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from spbe_engine._yaml import load_yaml
from spbe_engine.accountability.ownership import Ownership
from spbe_engine.cli.main import main
from spbe_engine.model.assessment import Assessment
from spbe_engine.model.catalogue import Catalogue
from spbe_engine.model.rules import Rule

from .conftest import ROOT

MODELS = {"catalogue": Catalogue, "assessment": Assessment, "owners": Ownership, "rules": Rule}
BUNDLED = [
    ("catalogue", "catalogues/spbe-2020.yaml"),
    ("catalogue", "catalogues/spbe-2018.yaml"),
    ("catalogue", "plugins/spbe-pemdi/src/spbe_pemdi/pemdi-2026.yaml"),  # its scales come from a plugin hook
    ("assessment", "examples/dumai-2024.yaml"),
    ("assessment", "examples/evidence-kota-contoh.yaml"),
    ("assessment", "examples/stages-kota-contoh.yaml"),
    ("assessment", "examples/kota-contoh/2025.yaml"),
    ("owners", "examples/kota-contoh/owners.yaml"),
]


def schema(kind: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert main(["schema", kind]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    data = json.loads(out)
    assert isinstance(data, dict)
    return data


def as_an_editor_sees_it(value: Any) -> Any:
    """The YAML as JSON: keys as text, dates as ISO text (YAML 1.2 editors read both as strings)."""
    if isinstance(value, dict):
        return {str(k): as_an_editor_sees_it(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_an_editor_sees_it(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                yield v
            else:
                yield from refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from refs(v)


@pytest.mark.parametrize("kind", sorted(MODELS))
def test_schema_is_the_models_json_schema(kind: str, capsys: pytest.CaptureFixture[str]) -> None:
    data = schema(kind, capsys)
    assert data.pop("$schema") == "https://json-schema.org/draft/2020-12/schema"
    assert data == MODELS[kind].model_json_schema()
    assert data["type"] == "object" and data["properties"] and data["additionalProperties"] is False
    for ref in refs(data):  # every reference resolves inside the document
        assert ref.startswith("#/$defs/") and ref.removeprefix("#/$defs/") in data["$defs"], ref


def _weight_schema(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    return dict(schema("catalogue", capsys)["$defs"]["Indicator"]["properties"]["weight"])


@pytest.mark.parametrize(
    ("value", "valid"),
    [("1.30", True), ("20/6", True), (" 20 / 6 ", True), ("17", True), ("1,30", False), ("١.٥", False), ("x", False)],
)
def test_exact_weights_are_numbers_decimals_or_ratios(
    value: str, valid: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    weight = _weight_schema(capsys)
    assert {"type": "number"} in weight["anyOf"] and weight["examples"] == ["1.30", 17, "20/6"]
    patterns = [s["pattern"] for s in weight["anyOf"] if s.get("type") == "string"]
    assert any(re.search(p, value, re.ASCII) for p in patterns) is valid


def test_exact_decimals_in_schemas(capsys: pytest.CaptureFixture[str]) -> None:
    catalogue = schema("catalogue", capsys)
    lower = catalogue["$defs"]["Band"]["properties"]["lower"]
    assert {"type": "number"} in lower["anyOf"] and "format" not in json.dumps(lower)
    assert "scales" not in catalogue["required"]  # may come from a plugin's spbe_level_scales
    assessment = schema("assessment", capsys)
    probability = assessment["properties"]["distributions"]["additionalProperties"]["additionalProperties"]
    assert probability == {k: v for k, v in lower.items() if k != "title"}
    owners = schema("owners", capsys)
    assert owners["properties"]["indicators"]["type"] == "object" and "catalogue" not in owners["required"]


# -- with a JSON Schema validator ------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(MODELS))
def test_schema_is_valid_json_schema(kind: str, capsys: pytest.CaptureFixture[str]) -> None:
    jsonschema = pytest.importorskip("jsonschema", reason="checking the schema itself needs jsonschema")
    jsonschema.Draft202012Validator.check_schema(schema(kind, capsys))


@pytest.mark.parametrize(("kind", "path"), BUNDLED, ids=[p for _, p in BUNDLED])
def test_bundled_files_validate(kind: str, path: str, capsys: pytest.CaptureFixture[str]) -> None:
    jsonschema = pytest.importorskip("jsonschema", reason="validating files needs jsonschema")
    validator = jsonschema.Draft202012Validator(schema(kind, capsys), format_checker=jsonschema.FormatChecker())
    errors = [
        f"{list(e.absolute_path)}: {e.message}"
        for e in validator.iter_errors(as_an_editor_sees_it(load_yaml(ROOT / path)))
    ]
    assert errors == []


def test_rules_validate_and_mistakes_do_not(capsys: pytest.CaptureFixture[str]) -> None:
    jsonschema = pytest.importorskip("jsonschema", reason="validating files needs jsonschema")
    rule = jsonschema.Draft202012Validator(schema("rules", capsys))
    rules = load_yaml(ROOT / "catalogues" / "spbe-2020.yaml")["rules"]
    assert rules and all(rule.is_valid(as_an_editor_sees_it(r)) for r in rules)
    assert not rule.is_valid(as_an_editor_sees_it(rules[0]) | {"severty": "error"})  # a typo is caught
    catalogue = jsonschema.Draft202012Validator(schema("catalogue", capsys))
    data = as_an_editor_sees_it(load_yaml(ROOT / "catalogues" / "spbe-2020.yaml"))
    data["groups"][0]["weight"] = "13,00"  # a decimal comma
    assert [e.message for e in catalogue.iter_errors(data)] != []
    data["groups"][0]["weight"] = "39/3"
    assert catalogue.is_valid(data)
