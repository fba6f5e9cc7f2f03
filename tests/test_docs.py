"""The documentation's Python examples run, and the output they quote is what they print.

The convention, for whoever writes a page:

- every ```python block of a page in docs/ (not docs/reference, which mkdocstrings generates) runs,
  in page order, in one namespace shared by the page's blocks, from the repository root, with
  matplotlib on the Agg backend;
- a block whose fence is directly preceded by `<!-- docs: skip (why) -->` is not run; the reason
  is required, and skips are for code that cannot run on its own (a plugin module with relative
  imports, a hook implementation shown out of context);
- output quoted in comments is checked: a statement that prints is compared with the comments at
  the end of its own lines, followed by the comment lines directly below it (no blank line in
  between), one comment per printed line. `…` in a quoted line stands for any text (a temporary
  path, say), and leading and trailing spaces are ignored. A statement that prints nothing, or has
  no such comments, is not compared; so a remark about a printing statement goes on the line above.

Examples must not write into the repository: use a temporary folder.
"""

from __future__ import annotations

import ast
import contextlib
import io
import re
import textwrap
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.md") if "reference" not in p.relative_to(DOCS).parts)

FENCE = re.compile(r"^(?P<indent>\s*)```(?P<lang>[\w+-]*)\s*$")
SKIP = re.compile(r"^\s*<!--\s*docs:\s*skip\b(?P<why>.*?)-->\s*$")


@dataclass(frozen=True)
class Block:
    line: int  # 1-based line of the first code line in the page
    code: str
    skip: str | None  # the reason given, when skipped


def blocks(page: Path) -> list[Block]:
    """The page's ```python blocks, dedented when the fence is indented (inside a list item)."""
    lines = page.read_text(encoding="utf-8").splitlines()
    out: list[Block] = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m or not m["lang"]:
            i += 1
            continue
        end = i + 1
        while end < len(lines) and not re.match(rf"^{m['indent']}```\s*$", lines[end]):
            end += 1
        assert end < len(lines), f"{page.name}:{i + 1}: unclosed code fence"
        if m["lang"] in ("python", "py"):
            skip = SKIP.match(lines[i - 1]) if i > 0 else None
            out.append(
                Block(
                    line=i + 2,
                    code=textwrap.dedent("\n".join(lines[i + 1 : end])),
                    skip=skip["why"].strip() if skip else None,
                )
            )
        i = end + 1
    return out


def comments(code: str) -> tuple[dict[int, str], set[int]]:
    """Comment text by line (1-based, within the block), and the lines that hold only a comment."""
    found: dict[int, str] = {}
    alone: set[int] = set()
    lines = code.splitlines()
    for tok in tokenize.generate_tokens(io.StringIO(code).readline):
        if tok.type == tokenize.COMMENT:
            row, col = tok.start
            found[row] = tok.string[1:].strip()
            if not lines[row - 1][:col].strip():
                alone.add(row)
    return found, alone


def expected_output(stmt: ast.stmt, nxt: int, found: dict[int, str], alone: set[int]) -> list[str]:
    """Trailing comments on the statement's lines, then the comment lines right below it."""
    end = stmt.end_lineno or stmt.lineno
    quoted = [found[n] for n in range(stmt.lineno, end + 1) if n in found and n not in alone]
    n = end + 1
    while n < nxt and n in alone:
        quoted.append(found[n])
        n += 1
    return quoted


def matches(pattern: str, line: str) -> bool:
    """A printed line against its quote: `…` stands for any text, and leading and trailing spaces
    do not count (a comment cannot show them)."""
    regex = ".*".join(re.escape(part) for part in pattern.split("…"))
    return re.fullmatch(regex, line.strip()) is not None


def run_block(block: Block, namespace: dict[str, Any], where: str) -> None:
    tree = ast.parse(block.code)
    found, alone = comments(block.code)
    n_lines = len(block.code.splitlines())
    for k, stmt in enumerate(tree.body):
        nxt = tree.body[k + 1].lineno if k + 1 < len(tree.body) else n_lines + 1
        quoted = expected_output(stmt, nxt, found, alone)
        line = block.line + stmt.lineno - 1
        module = ast.Module(body=[stmt], type_ignores=[])
        ast.increment_lineno(module, block.line - 1)  # tracebacks point at the page's own lines
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(module, where, "exec"), namespace)
        except Exception as exc:
            raise AssertionError(
                f"{where}:{line}: the example (block at line {block.line}) raised {type(exc).__name__}: {exc}"
            ) from exc
        printed = out.getvalue().rstrip("\n").splitlines()
        if not printed or not quoted:
            continue
        ok = len(printed) == len(quoted) and all(matches(q, p) for q, p in zip(quoted, printed, strict=True))
        assert ok, (
            f"{where}:{line}: the output quoted in the comments is not what the code prints\n"
            "quoted:\n" + "\n".join(f"  # {q}" for q in quoted) + "\nprinted:\n" + "\n".join(f"  {p}" for p in printed)
        )


def test_pages_are_found() -> None:
    names = {p.name for p in PAGES}
    assert {"index.md", "api.md", "whatif.md", "reports.md"} <= names
    assert sum(1 for p in PAGES for b in blocks(p) if b.skip is None) > 50


EXAMPLE_PAGES = [p for p in PAGES if blocks(p)]


@pytest.mark.parametrize("page", EXAMPLE_PAGES, ids=[str(p.relative_to(DOCS)) for p in EXAMPLE_PAGES])
def test_examples_run(page: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    with contextlib.suppress(ImportError):
        import matplotlib

        matplotlib.use("Agg")
    before = _repository_files()
    namespace: dict[str, Any] = {"__name__": f"docs.{page.stem}"}
    rel = f"docs/{page.relative_to(DOCS)}"
    for block in blocks(page):
        if block.skip is not None:
            assert block.skip.startswith("(") and block.skip.endswith(")") and len(block.skip) > 2, (
                f"{rel}:{block.line - 1}: a skipped block says why: <!-- docs: skip (the reason) -->"
            )
            continue
        run_block(block, namespace, rel)
    with contextlib.suppress(ImportError):
        import matplotlib.pyplot as plt

        plt.close("all")
    left = sorted(_repository_files() - before)
    assert not left, f"{rel}: the examples wrote into the repository (use a temporary folder): {left}"


def _repository_files() -> set[str]:
    """The files at the top of the repository, in docs/ and in examples/ (hidden ones aside)."""
    found = {p.name for p in ROOT.iterdir()}
    for folder in ("docs", "examples"):
        found |= {str(p.relative_to(ROOT)) for p in (ROOT / folder).rglob("*")}
    return {f for f in found if not any(part.startswith(".") or part == "__pycache__" for part in Path(f).parts)}


def test_reference_documents_exactly_the_public_names() -> None:
    """Each name in `spbe_engine.__all__` has its `::: spbe_engine.NAME` in docs/reference, and
    nothing else does: the API reference is generated from the public interface."""
    import spbe_engine

    documented: dict[str, str] = {}
    for page in sorted((DOCS / "reference").glob("*.md")):
        for name in re.findall(r"^::: spbe_engine\.(\S+)\s*$", page.read_text(encoding="utf-8"), re.M):
            assert name not in documented, f"{name} is documented twice: {documented[name]} and {page.name}"
            documented[name] = page.name
    public = set(spbe_engine.__all__)
    # the engine's operations are documented where they are defined: each must *be* an Engine method
    operations = {name for name in documented if name.startswith("operations.")}
    for name in operations:
        module, function = name.rsplit(".", 1)
        defined = getattr(__import__(f"spbe_engine.{module}", fromlist=[function]), function)
        assert getattr(spbe_engine.Engine, function) is defined, f"{name} is not Engine.{function}"
    assert not public - set(documented), f"add to a page of docs/reference: {sorted(public - set(documented))}"
    assert not set(documented) - public - operations, f"not in spbe_engine.__all__: {sorted(set(documented) - public)}"


def test_every_page_is_in_the_site_nav() -> None:
    import yaml

    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["strict"] is True

    def pages(node: Any) -> list[str]:
        if isinstance(node, str):
            return [node]
        if isinstance(node, list):
            return [p for item in node for p in pages(item)]
        if isinstance(node, dict):
            return [p for value in node.values() for p in pages(value)]
        return []

    nav = pages(config["nav"])
    assert len(nav) == len(set(nav)), "a page is listed twice in the nav"
    on_disk = {str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md")}
    assert set(nav) == on_disk, (
        f"in the nav only: {sorted(set(nav) - on_disk)}; not in the nav: {sorted(on_disk - set(nav))}"
    )


def test_the_plugin_guide_quotes_the_pemdi_module_as_it_is() -> None:
    """The guide's listing of the Pemdi plugin module is skipped (relative import), so compare it
    with the file instead: the whole module apart from its docstring."""
    [listing] = [b for b in blocks(DOCS / "plugin-guide.md") if "from .satisfaction import" in b.code]
    source = (ROOT / "plugins" / "spbe-pemdi" / "src" / "spbe_pemdi" / "__init__.py").read_text(encoding="utf-8")
    docstring_end = ast.parse(source).body[0].end_lineno or 0
    assert listing.code.strip() == "\n".join(source.splitlines()[docstring_end:]).strip()
