"""The documentation's Python examples run, and the output they quote is what they print.

Convention (docs/CONTRIBUTING is this docstring):

- every ```python block of a page in docs/ (not docs/reference, which mkdocstrings generates) runs,
  in page order, in one namespace shared by the page's blocks, from the repository root, with
  matplotlib on the Agg backend;
- a block whose fence is directly preceded by `<!-- docs: skip (why) -->` is not run; the reason
  is required, and skips are for code that cannot run on its own (a plugin module with relative
  imports, a hook implementation shown out of context);
- output quoted in comments is checked: a statement that prints is compared with the comments at
  the end of its own lines, followed by the comment lines directly below it (no blank line in
  between), one comment per printed line. `…` in a quoted line stands for any text (a temporary
  path, say). A statement that prints nothing, or has no such comments, is not compared.
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
    regex = ".*".join(re.escape(part) for part in pattern.split("…"))
    return re.fullmatch(regex, line.rstrip()) is not None


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
