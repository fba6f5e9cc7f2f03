"""The module map: every module sits in a layer, and no module imports a higher layer.

Imports inside functions count (a lazy import is still a dependency); imports under
`if TYPE_CHECKING:` do not (they are annotations only). docs/architecture.md shows the same map:
change both together.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "spbe_engine"

# Lowest first. A module may import its own layer or any lower one.
LAYERS: list[tuple[str, set[str]]] = [
    (
        "foundation",
        {"errors", "i18n", "i18n.catalog", "i18n.__main__", "exact", "_version", "_deprecation", "_gc", "hookspecs", "tabular", "io", "io.safe_text", "io.atomic"},
    ),
    ("data", {"_yaml", "model", "model._base", "model.assessment", "model.catalogue", "model.crosswalk", "model.rules",
              "weighting", "computed", "catalogue", "catalogue.loader"}),
    (
        "domain",
        {"scoring", "scoring.compiled", "scoring.score", "scoring.result", "scoring.explain", "scoring.numbers", "scoring.table",
         "rules", "rules.check", "rules.evidence", "rules.finding", "rules.graph",
         "versions", "versions.compose", "versions.diff", "versions.migrate", "versions.transition",
         "whatif", "whatif.costs", "whatif.marginal", "whatif.planner", "whatif.scenario",
         "uncertainty", "uncertainty.backend", "uncertainty.rng", "uncertainty.simulate", "uncertainty.sensitivity",
         "accountability", "accountability.ownership", "accountability.report", "accountability.monitoring",
         "ranking", "results"},
    ),
    ("plugins", {"_builtins", "_builtins.catalogues", "_builtins.weighting", "registry", "resolver"}),
    (
        "operations",
        {"operations", "operations.scoring", "operations.rules", "operations.versions", "operations.whatif",
         "operations.uncertainty", "operations.accountability", "operations.ranking", "operations.computed",
         "parallel", "io.readers", "io.writers", "io.excel", "verify", "operations.table", "io.stream",
         "io.xlsx_table"},
    ),
    ("facade", {"engine", "", "scale", "notebook", "frames"}),
    (
        "applications",
        {"reports", "reports.build", "reports.charts", "reports.html", "reports.i18n", "reports.markdown",
         "reports.write", "reports.xlsx", "reports.style", "reports.tables", "conformance", "conformance.checks", "conformance.pytest_plugin",
         "cli", "cli.main", "cli.common", "cli.monev", "cli.meeting", "cli.stream", "cli.output", "cli.words", "cli.help",
         "cli.inputs", "cli.progress", "__main__",
         "monev", "monev.actions", "monev.actions_xlsx", "monev.snapshot", "monev.workbooks", "monev.collect", "monev.brief",
         "monev.dashboard", "monev.brief_docx", "monev.brief_render", "monev.meeting"},
    ),
]  # fmt: skip


def _name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every spbe_engine module `path` imports at run time (resolving `from . import x` to `x`)."""
    name = _name(path)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(n)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
        for n in ast.walk(node)
    }
    known = {_name(p) for p in PACKAGE.rglob("*.py")}
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            elif node.module and node.module.startswith("spbe_engine"):
                module = node.module.removeprefix("spbe_engine").lstrip(".")
            else:
                continue
            for alias in node.names:
                sub = f"{module}.{alias.name}".lstrip(".")
                out.add(sub if sub in known else module)
        elif isinstance(node, ast.Import):
            out.update(a.name.removeprefix("spbe_engine").lstrip(".") for a in node.names if a.name.startswith("spbe_engine"))
    return out - {name}


def _layer_of() -> dict[str, int]:
    return {m: n for n, (_, modules) in enumerate(LAYERS) for m in modules}


def violations() -> list[str]:
    layer = _layer_of()
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = _name(path)
        for target in sorted(_imports(path)):
            if target in layer and name in layer and layer[target] > layer[name]:
                out.append(
                    f"{name or 'spbe_engine'} ({LAYERS[layer[name]][0]}) imports {target} ({LAYERS[layer[target]][0]})"
                )
    return out


def test_every_module_has_a_layer() -> None:
    layer = _layer_of()
    unplaced = sorted(_name(p) for p in PACKAGE.rglob("*.py") if _name(p) not in layer)
    assert unplaced == [], "add new modules to LAYERS here and to docs/architecture.md"


def test_no_lower_layer_imports_a_higher_one() -> None:
    assert violations() == []


def test_the_layer_check_can_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test of the test: move `exact` to the top and every module that uses it becomes a violation."""
    moved = [(name, set(mods) - {"exact"}) for name, mods in LAYERS]
    moved[-1][1].add("exact")
    monkeypatch.setattr(__import__(__name__, fromlist=["LAYERS"]), "LAYERS", moved)
    assert any("imports exact (applications)" in v for v in violations())


def test_no_import_cycles_between_packages() -> None:
    """The packages form a directed acyclic graph (operations live in their own package so that
    the domains need not import each other both ways)."""
    import networkx as nx

    graph: nx.DiGraph[str] = nx.DiGraph()
    for path in PACKAGE.rglob("*.py"):
        source = _name(path).split(".")[0] or "spbe_engine"
        for target in _imports(path):
            top = target.split(".")[0] or "spbe_engine"
            if top != source:
                graph.add_edge(source, top)
    assert list(nx.simple_cycles(graph)) == []
