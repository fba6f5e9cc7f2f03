"""The `spbe` command. argparse (stdlib) keeps start-up fast and the core free of CLI dependencies.

Bad input prints one line `spbe: error: ...` to stderr and exits 2, never a traceback.

User text (subjects, periods, unit names, notes) reaches every output, so each output is made safe
for where it goes: tables and messages for a terminal lose escape sequences and control characters,
CSV cells that a spreadsheet would run as formulas are neutralised, and JSON escapes the invisible
controls it may otherwise carry raw.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from ..errors import PluginError, SpbeError
from ..i18n import tr
from ..io.safe_text import csv_cell, terminal_text

EXIT_BAD_INPUT = 2  # bad input: one line on stderr
EXIT_INTERNAL = 3  # a bug in spbe_engine (1 is reserved for "findings with errors" / "target not reachable")
EXIT_PLUGIN = 4  # a plugin is broken (with --strict-plugins), or what was asked needs a broken plugin

_SETTINGS: dict[str, Any] = {"strict_plugins": False}  # set by main() from the command line


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> str:
    headers = [terminal_text(h) for h in headers]
    rows = [[terminal_text(c) for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in rows:
        for n, cell in enumerate(row):
            widths[n] = max(widths[n], len(cell))

    def fmt(row: Sequence[str]) -> str:
        cells = [c.rjust(widths[n]) if n in right else c.ljust(widths[n]) for n, c in enumerate(row)]
        return "  ".join(cells).rstrip()

    return "\n".join([fmt(headers), "  ".join("-" * w for w in widths), *(fmt(r) for r in rows)])


def _cells(rows: Iterable[Sequence[object]]) -> list[list[str]]:
    """A result's plain `rows()` as text cells (None empty, flags yes/no)."""
    from ..tabular import cell_text

    return [[cell_text(c) for c in row] for row in rows]


def _result_table(result: Any, right: Sequence[int] = (), **kw: Any) -> str:
    """A result's `headers` and `rows()` as a terminal table."""
    return _table(result.headers, _cells(result.rows(**kw)), right=right)


def _dump(data: Any) -> None:
    """Print what results' `to_dict()` gave as JSON (exact values are already text)."""
    import json

    _say_json(json.dumps(data, ensure_ascii=False, indent=2))


def _say(text: str, *, file: Any = None) -> None:
    """Print text for a person: user text in it loses escape sequences a terminal would obey."""
    print("\n".join(terminal_text(line) for line in text.split("\n")), file=file)


# Legal unescaped in JSON strings, but invisible or obeyed by some terminals: C1 controls, DEL,
# bidirectional overrides and the Unicode line separators.
_JSON_HIDDEN = re.compile("[\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _say_json(text: str) -> None:
    """Print JSON with the invisible controls as \\u escapes: the same data, nothing hidden."""
    print(_JSON_HIDDEN.sub(lambda m: f"\\u{ord(m.group()):04x}", text))


def _csv(rows: Iterable[Sequence[object]]) -> str:
    """CSV whose cells no spreadsheet runs as formulas (OWASP); plain numbers stay as they are."""
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([csv_cell(c) for c in row] for row in rows)
    return buf.getvalue()


def progress(items: Sequence[Any], label: str) -> Any:
    """A progress bar on stderr for long runs (rich, when installed and stderr is a terminal)."""
    if len(items) < 200 or not sys.stderr.isatty():
        return items
    try:
        from rich.console import Console  # type: ignore[import-not-found,unused-ignore]
        from rich.progress import track  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return items
    return track(items, description=label, total=len(items), console=Console(stderr=True), transient=True)


@contextlib.contextmanager
def progress_hook(label: str, total: int, at_least: int = 1_000_000) -> Iterator[Callable[[int, int], None] | None]:
    """A (done, total) callback that draws a progress bar on stderr for long runs (rich, when
    installed and stderr is a terminal), else None."""
    if total < at_least or not sys.stderr.isatty():
        yield None
        return
    try:
        from rich.console import Console  # type: ignore[import-not-found,unused-ignore]
        from rich.markup import escape  # type: ignore[import-not-found,unused-ignore]
        from rich.progress import Progress  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        yield None
        return
    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(escape(label), total=total)  # the label holds user text: no rich markup
        yield lambda done, _total: bar.update(task, completed=done)


def _engine() -> Any:
    """The engine of this command. A broken plugin is set aside and named on stderr, once, with how
    to disable it; the command goes on without it (or stops, with --strict-plugins)."""
    from ..engine import Engine

    engine = Engine(strict_plugins=_SETTINGS["strict_plugins"])
    for problem in engine.plugin_problems:
        _say(f"spbe: warning: {problem}", file=sys.stderr)
    return engine


def cmd_plugins(args: argparse.Namespace) -> int:
    import json

    engine = _engine()
    problems = engine.plugin_problems
    contributed = engine.registry.contributions.by_plugin
    rows: list[dict[str, Any]] = []
    for info in engine.plugins():
        gives = contributed.get(info.name, {})
        rule_ids = []
        for cid in engine.catalogue_ids() if "spbe_rules" in info.hooks else []:
            try:
                n = sum(1 for p, _ in engine.registry.rules(engine.catalogue(cid)) if p == info.name)
            except PluginError:  # incomplete while another plugin is broken: that one is listed below
                continue
            if n:
                rule_ids.append(f"{cid}: {n} rule(s)")
        rows.append(
            {
                "name": info.name,
                "version": info.version or "",
                "origin": info.origin,
                "hooks": list(info.hooks),
                "contributes": {k: v for k, v in gives.items()} | ({"rules": rule_ids} if rule_ids else {}),
                "problem": None,
            }
        )
    for p in problems:
        rows.append(
            {"name": p.plugin, "version": "", "origin": "broken", "hooks": [], "contributes": {}, "problem": p.summary}
        )
    if args.format == "json":
        _say_json(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    table = [
        [
            r["name"],
            r["version"],
            r["origin"],
            ", ".join(h.removeprefix("spbe_") for h in r["hooks"]),
            r["problem"] or "; ".join(f"{k}: {', '.join(v)}" for k, v in r["contributes"].items()),
        ]
        for r in rows
    ]
    _say(_table(["plugin", "version", "origin", "hooks", "contributes (or problem)"], table))
    return 0


def cmd_catalogues(args: argparse.Namespace) -> int:
    engine = _engine()
    rows = []
    for cid in engine.catalogue_ids():
        c = engine.catalogue(cid)
        years = f"{c.valid_from}–{c.valid_to or ''}"
        rows.append([c.id, c.status, c.regulation.short, str(len(list(c.indicators()))), years, c.title])
    _say(_table(["id", "status", "regulation", "indicators", "valid", "title"], rows, right=[3]))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    engine = _engine()
    c = engine.catalogue(args.catalogue)
    if args.format == "json":
        _say_json(c.model_dump_json(indent=2))
        return 0
    lines = [
        f"{c.id} — {c.title}",
        f"  regulation: {c.regulation.citation}",
        f"  status: {c.status}; valid {c.valid_from}–{c.valid_to or ''}; weights total {c.weight_total}",
        "",
    ]

    width = max(3, *(len(i.id) for i in c.indicators()))  # 35-1 lines up with 35

    def group(g: Any, depth: int) -> None:
        pad = "  " * depth
        flag = " (uncertain)" if g.uncertain else ""
        lines.append(f"{pad}{g.id}  {g.name}  [{g.kind}, weight {g.weight}]{flag}")
        for sub in g.groups:
            group(sub, depth + 1)
        for ind in g.indicators:
            flag = " (uncertain)" if ind.uncertain else ""
            lines.append(f"{pad}  {ind.id:>{width}}  {ind.name}  [weight {ind.weight}, scale {ind.scale}]{flag}")

    for g in c.groups:
        group(g, 0)
    lines.append("")
    for s in c.scales:
        levels = ", ".join(f"{lv.value} {lv.name}" for lv in s.levels)
        lines.append(f"scale {s.id} ({s.name}): {levels}")
    lines.append(
        "bands (lower bound inclusive, on the unrounded index): "
        + "; ".join(f"{b.predikat} ≥ {b.lower}" for b in c.bands)
    )
    if c.notes:
        k = sum(n.kind == "conflict" for n in c.notes)
        lines.append(f"notes: {len(c.notes)} ({k} conflict{'' if k == 1 else 's'}) — see --format json")
    _say("\n".join(lines))
    return 0


class FlagError(SpbeError):
    """Bad input given on the command line: the message starts with the flag as typed
    (`--set 11=9: ...`), and no input file is blamed for it."""

    def __str__(self) -> str:
        text = f"{self.field}: {self.message}" if self.field else self.message
        if self.allowed:
            text += f" (allowed: {self.allowed})"
        return text.replace("\r", "\\r").replace("\n", "\\n")


def _load_all(engine: Any, files: Sequence[str], args: argparse.Namespace | None = None) -> list[Any]:
    """The assessments of the files (validated, no duplicates across files), narrowed to those that
    `--subject` and `--where` select when `args` is given."""
    from ..io.readers import check_duplicates, read_assessments

    items = []
    for f in files:
        items.extend(read_assessments(f, engine=engine))
    check_duplicates(items)  # across files too
    return items if args is None else _select(items, args)


def _where(values: Sequence[str] | None) -> list[tuple[str, str, str]]:
    """`--where KEY=VALUE` options as (as typed, key, value)."""
    out = []
    for text in values or []:
        key, sep, value = text.partition("=")
        if not sep or not key.strip():
            raise FlagError(tr("--where {text!r} is not of the form KEY=VALUE (a tag and its value)", text=text))
        out.append((text, key.strip(), value.strip()))
    return out


def _select(items: Sequence[Any], args: argparse.Namespace) -> list[Any]:
    """The items whose subject contains one of the `--subject` texts (case-insensitive) and whose tags
    have every `--where` value (case-insensitive); all items without filters. None selected is an
    error naming the filters and how many assessments were read."""
    subjects = list(getattr(args, "subject", None) or [])
    where = _where(getattr(args, "where", None))
    if not subjects and not where:
        return list(items)
    wanted = [s.casefold() for s in subjects]

    def selected(a: Any) -> bool:
        if wanted and not any(w in a.subject.casefold() for w in wanted):
            return False
        return all(key in a.tags and str(a.tags[key]).casefold() == value.casefold() for _, key, value in where)

    keep = [i for i in items if selected(i.assessment)]
    if not keep:
        named = [*(f"--subject {s!r}" for s in subjects), *(f"--where {text}" for text, _, _ in where)]
        raise FlagError(
            tr("no assessment matches ({n_items} assessment(s) read)", n_items=len(items)), field=" ".join(named)
        )
    return keep


def _missing(value: str | None) -> str | int | None:
    if value is None:
        return None
    return int(value) if value.isdigit() else value


def cmd_score(args: argparse.Namespace) -> int:
    from ..errors import AssessmentError
    from ..io.writers import results_to_csv

    engine = _engine()
    items = _load_all(engine, args.files, args)
    results = []
    missing = _missing(args.missing)
    for item in progress(items, "scoring"):
        try:
            results.append(engine.score(item.assessment, weighting=args.weighting, missing=missing))
        except AssessmentError as exc:
            raise AssessmentError(
                exc.message, file=item.file, row=item.row, field=exc.field, allowed=exc.allowed
            ) from None
    _warn(results)
    if args.format == "json":
        _dump([r.to_dict(explain=args.lang if args.explain else None) for r in results])
        return 0
    if args.format == "csv":
        import csv
        import io

        table = list(csv.reader(io.StringIO(results_to_csv(results), newline="")))
        if args.explain:  # one row per result, in order: the explanation in a last column
            table = [
                [*table[0], "explanation"],
                *([*row, r.explain(lang=args.lang)] for row, r in zip(table[1:], results, strict=True)),
            ]
        sys.stdout.write(_csv(table))
        return 0
    by_catalogue: dict[str, list[Any]] = {}
    for r in results:
        by_catalogue.setdefault(r.catalogue, []).append(r)
    blocks = []
    for cid, rs in by_catalogue.items():
        top = [g.id for g in engine.compiled(cid).groups if g.parent is None]
        headers = ["subject", "period", "index", "predikat", *top]
        rows = []
        for r in rs:
            subject = r.subject + (" (partial)" if r.partial else "")
            rows.append([subject, r.period, r.display, r.predikat, *(r.groups[g].display for g in top)])
        weighting = "" if rs[0].weighting == "official" else f", weighting {rs[0].weighting}"
        cat = engine.catalogue(cid)
        status = ", provisional" if cat.status == "provisional" else ""
        title = f"{cat.index_name} — {cid} ({cat.regulation.short}{status}{weighting})"
        blocks.append(title + "\n" + _table(headers, rows, right=[2, *range(4, 4 + len(top))]))
        if args.explain:
            blocks.extend(r.explain(lang=args.lang) for r in rs)
    _say("\n\n".join(blocks))
    return 0


def _warn(results: Sequence[Any]) -> None:
    """One stderr line per distinct warning (e.g. a period outside its catalogue's years), so piped
    output stays clean and a 600-row table does not print 600 copies."""
    seen: set[str] = set()
    for r in results:
        for w in r.warnings:
            if w not in seen:
                seen.add(w)
                _say(f"spbe: warning: {w}", file=sys.stderr)


def cmd_validate(args: argparse.Namespace) -> int:
    from ..io.readers import problems_in, read_assessments

    engine = _engine()
    bad = 0
    for f in args.files:  # every problem of every file, not only the first, so one round of fixes suffices
        count, shown, total = problems_in(f, engine=engine, limit=args.limit)
        for problem in shown:
            named = (
                problem
                if problem.file
                else SpbeError(problem.message, file=f, row=problem.row, field=problem.field, allowed=problem.allowed)
            )
            _say(f"spbe: error: {named}", file=sys.stderr)
        if total > len(shown):
            _say(
                f"spbe: error: {f}: … and {total - len(shown)} more problem(s) (--limit {args.limit})", file=sys.stderr
            )
        if total:
            _say(f"{f}: {total} problem(s) in {count} assessment(s) read")
        bad += total
    if bad:
        return EXIT_BAD_INPUT
    filtering = bool(getattr(args, "subject", None) or getattr(args, "where", None))
    every = [(f, read_assessments(f, engine=engine)) for f in args.files]  # all files are validated whole
    chosen = {id(i) for i in _select([i for _, items in every for i in items], args)}
    for f, read in every:
        items = [i for i in read if id(i) in chosen]
        partial = 0
        warned: set[str] = set()
        for item in items:
            cc = engine.compiled(item.assessment.catalogue)
            if len(item.assessment.levels) < len(cc.ids):
                partial += 1
            w = cc.catalogue.period_warning(item.assessment.period)
            if w and w not in warned:
                warned.add(w)
                _say(f"spbe: warning: {f}: {w}", file=sys.stderr)
        note = f" ({partial} partial)" if partial else ""
        of = f" selected of {len(read)}" if filtering else ""
        _say(f"{f}: OK, {len(items)} assessment(s){of}{note}")
    return 0


def _date(text: str) -> Any:
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (use YYYY-MM-DD)") from None


def cmd_check(args: argparse.Namespace) -> int:
    from ..errors import AssessmentError

    engine = _engine()
    items = _load_all(engine, args.files, args)
    report = []
    for item in progress(items, "checking"):
        try:
            report.append(engine.check(item.assessment, as_of=args.as_of))
        except AssessmentError as exc:
            raise AssessmentError(
                exc.message, file=item.file, row=item.row, field=exc.field, allowed=exc.allowed
            ) from None
    worst = 1 if any(f.severity == "error" for fs in report for f in fs) else 0
    if args.format == "json":
        _dump([fs.to_dict(args.lang) for fs in report])
        return worst
    _say("\n\n".join(fs.summary() + ("\n" + _result_table(fs, lang=args.lang) if fs else "") for fs in report))
    return worst


def cmd_graph(args: argparse.Namespace) -> int:
    import json

    import networkx as nx

    engine = _engine()
    g = engine.graph(args.catalogue)
    if args.impact is not None:
        reached = engine.impact(args.catalogue, args.impact)
        g = g.subgraph(reached | {args.impact})
    if args.format == "json":
        _say_json(json.dumps(nx.node_link_data(g, edges="edges"), ensure_ascii=False, indent=2))
        return 0
    shapes = {"indicator": "ellipse", "group": "box", "index": "doublecircle", "rule": "diamond"}

    def q(text: object) -> str:
        return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [f"digraph {q(args.catalogue)} {{", "  rankdir=LR;"]
    for node, data in sorted(g.nodes(data=True)):
        lines.append(f"  {q(node)} [shape={shapes.get(data.get('kind', ''), 'ellipse')}];")
    for u, v, data in sorted(g.edges(data=True)):
        style = " [style=dashed]" if str(data.get("kind", "")).startswith("rule") else ""
        lines.append(f"  {q(u)} -> {q(v)}{style};")
    lines.append("}")
    _say("\n".join(lines))
    return 0


def _pairs(values: Sequence[str] | None, what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for text in values or []:
        key, sep, value = text.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise FlagError(tr("{what} {text!r} is not of the form ID=VALUE", what=what, text=text))
        out[key.strip()] = value.strip()
    return out


def _one_or_more(engine: Any, files: Sequence[str], args: argparse.Namespace | None = None) -> list[Any]:
    return [item.assessment for item in _load_all(engine, files, args)]


def _weighting(args: argparse.Namespace) -> Any:
    weights = _pairs(getattr(args, "weight", None), "--weight")
    if weights and args.weighting not in (None, "custom"):
        raise FlagError("--weight sets custom weights; it cannot be combined with --weighting " + args.weighting)
    return weights or args.weighting


def _flag_blamed(exc: SpbeError, flags: dict[str, str]) -> SpbeError:
    """An error about a field that a flag set (`levels.11` from `--set 11=9`) as a FlagError naming
    that flag as typed; any other error as it is."""
    field = exc.field or ""
    for prefix, flag in (("levels.", "--set"), ("weights.", "--weight")):
        if field.startswith(prefix) and f"{flag} {field.removeprefix(prefix)}" in flags:
            return FlagError(exc.message, field=flags[f"{flag} {field.removeprefix(prefix)}"], allowed=exc.allowed)
    return exc


def cmd_whatif(args: argparse.Namespace) -> int:
    engine = _engine()
    typed = {f"--set {k}": f"--set {k}={v}" for k, v in _pairs(args.set, "--set").items()}
    typed |= {f"--weight {k}": f"--weight {k}={v}" for k, v in _pairs(args.weight, "--weight").items()}
    changes = {k: _int(v, f"--set {k}={v}") for k, v in _pairs(args.set, "--set").items()}
    peers = _one_or_more(engine, args.peers) if args.peers else None  # peers are never filtered
    out = []
    for a in _one_or_more(engine, [args.file], args):
        try:
            c = engine.what_if(
                a, levels=changes, weighting=_weighting(args), peers=peers, missing=_missing(args.missing)
            )
        except FlagError:
            raise
        except SpbeError as exc:
            raise _flag_blamed(exc, typed) from None
        out.append(c)
    if args.format == "json":
        _dump([c.to_dict() for c in out])
        return 0
    blocks = [
        f"{c.before.subject} ({c.before.period}) — {c.summary()}\n" + _result_table(c, right=[1, 2, 3]) for c in out
    ]
    _say("\n\n".join(blocks))
    return 0


def _int(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise FlagError(tr("{text!r} is not a whole number", text=text), field=what, allowed="whole numbers") from None


def cmd_plan(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .._yaml import load_yaml_file

    if args.periods != 1 and args.max_steps is None:
        raise FlagError(tr("--periods splits a plan under --max-steps; give --max-steps too"), field="--periods")
    engine = _engine()
    costs = load_yaml_file(Path(args.costs)) if args.costs else None
    if costs is not None and not isinstance(costs, dict):
        raise SpbeError(tr("a costs file maps indicator ids to a cost or to {{level: cost}}"), file=args.costs)
    blocks = []
    data = []
    worst = 0
    for a in _one_or_more(engine, [args.file], args):
        try:
            p = engine.plan(
                a,
                args.target,
                costs=costs,
                max_level=args.max_level,
                max_steps_per_period=args.max_steps,
                periods=args.periods,
                respect_rules=False if args.ignore_rules else "all" if args.respect_heuristics else "binding",
                missing=_missing(args.missing),
            )
        except SpbeError as exc:
            if args.costs and exc.field and exc.field.startswith("costs"):
                raise SpbeError(exc.message, file=args.costs, field=exc.field, allowed=exc.allowed) from None
            raise
        worst = max(worst, 0 if p.feasible else 1)
        if args.format == "json":
            data.append(p.to_dict())
            continue
        text = f"{a.subject} ({a.period}) — {p.summary()}"
        if p.steps:
            text += "\n" + _result_table(p, right=[4, 5])
        blocks.append(text)
    if args.format == "json":
        _dump(data)
    else:
        _say("\n\n".join(blocks))
    return worst


def cmd_simulate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..io.safe_text import terminal_text
    from ..uncertainty.simulate import check_samples

    try:
        check_samples(args.n)  # about the option, not the file: say so before reading it
    except SpbeError as exc:
        print(f"spbe: error: --n: {exc.message} (allowed: {exc.allowed})", file=sys.stderr)
        return EXIT_BAD_INPUT
    engine = _engine()
    blocks = []
    data = []
    assessments = _one_or_more(engine, [args.file], args)  # read and selected before the note
    if Path(args.file).suffix.lower() in (".csv", ".tsv", ".txt"):
        _say(
            f"note: {args.file} is CSV, which carries levels only, not stages or distributions: every level is "
            "certain (give stages in YAML or JSON to simulate them)",
            file=sys.stderr,
        )
    for a in assessments:
        with progress_hook(f"simulating {terminal_text(a.subject)}", args.n) as hook:
            s = engine.simulate(
                a, n=args.n, seed=args.seed, backend=args.backend, missing=_missing(args.missing), progress=hook
            )
        if args.format == "json":
            data.append(s.to_dict())
            continue
        blocks.append(s.summary() + "\n" + _result_table(s, right=[1]))
    if args.format == "json":
        _dump(data)
    else:
        _say("\n\n".join(blocks))
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    d = _engine().diff(args.old, args.new)
    if args.format == "json":
        _dump(d.to_dict())
    elif args.format == "markdown":
        sys.stdout.write(d.to_markdown())
    else:
        _say(d.summary() + "\n" + _result_table(d))
    return 0


@contextlib.contextmanager
def _use_force() -> Iterator[None]:
    """The library's refusal to overwrite a file, in the command line's words (one wording for all)."""
    try:
        yield
    except SpbeError as exc:
        if "refusing to overwrite an existing" in exc.message or "file exists" in exc.message:
            raise SpbeError(tr("refusing to overwrite an existing file (use --force)"), file=exc.file) from None
        raise


def cmd_migrate(args: argparse.Namespace) -> int:
    engine = _engine()
    out = [engine.migrate(a, to=args.to) for a in _one_or_more(engine, [args.file], args)]
    if args.out:
        from ..io.writers import write_assessments

        with _use_force():
            written = write_assessments(args.out, [m.assessment for m in out], overwrite=args.force)
        _say(
            f"migrated assessment(s) written to {written} (uncertain and new indicators left unassessed)",
            file=sys.stderr,
        )
    if args.format == "json":
        _dump([m.to_dict() for m in out])
        return 0
    _say("\n\n".join(m.summary() + "\n" + _result_table(m) for m in out))
    return 0


def cmd_transition(args: argparse.Namespace) -> int:
    engine = _engine()
    t = engine.transition(_one_or_more(engine, args.files, args), to=args.to, missing=_missing(args.missing))
    if args.format == "csv":
        sys.stdout.write(_csv([t.headers, *_cells(t.rows())]))
    else:
        _say(t.summary() + "\n" + _result_table(t))
    return 0


def _gaps(ranking: Any) -> list[tuple[int, Any]]:
    """Per ranked agency, in the ranking's order: its group's size and the gap (a Fraction) to the
    agency ranked above it (None for the first). The gap is taken on what was compared: the
    2-decimal index (`--by display`) or the exact one (`--by index`); agencies sharing a rank have
    the same gap, to the nearest rank above."""
    from collections import Counter
    from decimal import Decimal
    from fractions import Fraction

    sizes = Counter((r.period, r.group) for r in ranking)
    state: dict[tuple[str, str], tuple[int, Fraction, Fraction | None]] = {}  # rank, value, value above
    out: list[tuple[int, Any]] = []
    for r in ranking:
        key = (r.period, r.group)
        value = Fraction(Decimal(r.display)) if ranking.by == "display" else r.fraction
        rank, current, above = state.get(key, (0, value, None))
        if r.rank != rank:
            above = current if key in state else None
            state[key] = (r.rank, value, above)
        out.append((sizes[key], None if above is None else above - value))
    return out


def cmd_rank(args: argparse.Namespace) -> int:
    from ..exact import display, exact_text

    engine = _engine()
    ranking = engine.rank(
        _one_or_more(engine, args.files, args), within=args.within, by=args.by, missing=_missing(args.missing)
    )
    extra = _gaps(ranking)
    if args.format == "json":
        data = ranking.to_dict()
        for entry, (size, gap) in zip(data["ranking"], extra, strict=True):
            entry["group_size"] = size
            entry["gap"] = None if gap is None else exact_text(gap)
        _dump(data)
        return 0
    headers = [*ranking.headers, "of", "gap"]
    rows = [
        [*row, str(size), "" if gap is None else display(gap.numerator, gap.denominator)]
        for row, (size, gap) in zip(_cells(ranking.rows()), extra, strict=True)
    ]
    if args.format == "csv":
        sys.stdout.write(_csv([headers, *rows]))
        return 0
    index = headers.index("index")
    _say(ranking.summary() + "\n" + _table(headers, rows, right=[0, index, len(headers) - 2, len(headers) - 1]))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from ..reports.write import write_report

    engine = _engine()
    items = _load_all(engine, args.files, args)
    written = write_report(
        engine,
        [i.assessment for i in items],
        owners=args.owners,
        targets=args.targets,
        out_dir=args.out,
        as_of=args.as_of,
        inputs=args.files,
        missing=_missing(args.missing),
        lang=args.lang,
        overwrite=args.force,
    )
    for fmt, where in written.items():
        _say(f"{fmt}: {where}")
    import importlib.util

    if importlib.util.find_spec("matplotlib") is None:
        print("note: the HTML report has no charts: pip install 'spbe_engine[report]'", file=sys.stderr)
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from ..io.excel import write_template

    with _use_force():
        path = write_template(_engine(), args.catalogue, args.out, overwrite=args.force)
    _say(f"template for {args.catalogue}: {path}")
    return 0


# `spbe schema KIND`: the model whose JSON Schema describes that kind of file.
SCHEMAS = {
    "catalogue": ("model.catalogue", "Catalogue"),
    "assessment": ("model.assessment", "Assessment"),
    "owners": ("accountability.ownership", "Ownership"),
    "rules": ("model.rules", "Rule"),
}


def cmd_schema(args: argparse.Namespace) -> int:
    import importlib

    module, name = SCHEMAS[args.kind]
    model = getattr(importlib.import_module(f"spbe_engine.{module}"), name)
    _dump({"$schema": "https://json-schema.org/draft/2020-12/schema", **model.model_json_schema()})
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from ..verify import load_results, verify_result

    engine = _engine()
    worst = 0
    for f in args.files:
        items = load_results(f)  # strict: duplicate keys, deep nesting, non-results are one-line errors
        for n, item in enumerate(items, 1):
            v = verify_result(engine, item)
            _say(f"{f} #{n} {v.subject}: {'holds' if v.holds else 'DOES NOT HOLD'}")
            for p in v.problems:
                _say(f"  - {p}")
            for note in v.notes:
                _say(f"  note: {note}")
            worst = max(worst, 0 if v.holds else 1)
    return worst


def build_parser() -> argparse.ArgumentParser:
    from .._version import __version__

    parser = argparse.ArgumentParser(prog="spbe", description="Exact, explainable SPBE / Pemdi maturity scoring.")
    parser.add_argument("--version", action="version", version=f"spbe_engine {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--strict-plugins",
        action="store_true",
        help=f"stop (exit {EXIT_PLUGIN}) when an installed plugin is broken, instead of going on without it",
    )

    select = argparse.ArgumentParser(add_help=False)
    select.add_argument(
        "--subject",
        action="append",
        metavar="TEXT",
        help="only the assessments whose subject contains TEXT, ignoring case (repeatable: any of them; default: all)",
    )
    select.add_argument(
        "--where",
        action="append",
        metavar="KEY=VALUE",
        help="only the assessments whose tag KEY is VALUE, ignoring case, e.g. province=Riau (repeatable: "
        "all of them; default: all)",
    )

    def add(name: str, *, reads: bool = False, **kw: Any) -> argparse.ArgumentParser:
        """A subcommand; `reads`: it reads assessments, so --subject and --where select among them."""
        return sub.add_parser(name, parents=[common, select] if reads else [common], **kw)

    from . import meeting, monev

    monev.register(add)  # the monitoring cycle: workbooks, collect, actions (issue 14)
    meeting.register(add)  # the meeting: brief, dashboard (issue 14)

    p = add("plugins", help="list the installed plugins: version, hooks, what each contributes, problems")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(func=cmd_plugins)

    p = add("catalogues", help="list the available catalogues (regulation versions)")
    p.set_defaults(func=cmd_catalogues)

    p = add("show", help="show a catalogue's tree with weights, scales and bands")
    p.add_argument("catalogue")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_show)

    p = add("score", reads=True, help="score assessment files (YAML, JSON, CSV)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")
    p.add_argument(
        "--explain",
        action="store_true",
        help="explain each result: after the table, in each JSON result, or in an explanation column of the CSV",
    )
    p.add_argument("--lang", choices=["en", "id"], default="en", help="language of explanations")
    p.add_argument("--weighting", default=None, help="weighting scheme (default: official)")
    p.add_argument("--missing", default=None, metavar="POLICY", help="score partial assessments: 'minimum' or a level")
    p.set_defaults(func=cmd_score)

    p = add("check", reads=True, help="evidence and rule findings (exit 1 when any error)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.add_argument("--as-of", type=_date, default=None, metavar="DATE", help="evaluation date (default today)")
    p.add_argument("--lang", choices=["en", "id"], default="en", help="language of messages")
    p.set_defaults(func=cmd_check)

    p = add("graph", help="the dependency graph of a catalogue (DOT or JSON)")
    p.add_argument("catalogue")
    p.add_argument("--impact", default=None, metavar="ID", help="only what this indicator reaches")
    p.add_argument("--format", choices=["dot", "json"], default="dot")
    p.set_defaults(func=cmd_graph)

    p = add("whatif", reads=True, help="before/after of changed levels or weights, with ranks among peers")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--set", action="append", metavar="ID=LEVEL", help="a changed level (repeatable)")
    p.add_argument("--weighting", default=None, help="weighting scheme of the scenario")
    p.add_argument("--weight", action="append", metavar="ID=WEIGHT", help="a custom weight (repeatable)")
    p.add_argument("--peers", action="append", metavar="PEERS", help="a file of peer assessments (repeatable)")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.add_argument("--missing", default=None, metavar="POLICY", help="score partial assessments: 'minimum' or a level")
    p.set_defaults(func=cmd_whatif)

    p = add("plan", reads=True, help="the cheapest plan that reaches a target index or predikat (exit 1 if none)")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--target", required=True, help="an index such as 4.2, or a predikat such as Memuaskan")
    p.add_argument("--costs", metavar="COSTS.yaml", help="cost per indicator, or per level reached")
    p.add_argument("--max-steps", type=int, default=None, metavar="N", help="most level steps per period")
    p.add_argument("--periods", type=int, default=1, metavar="N", help="number of periods (default 1)")
    p.add_argument("--max-level", type=int, default=None, metavar="L", help="no indicator above this level")
    rules = p.add_mutually_exclusive_group()
    rules.add_argument(
        "--respect-heuristics",
        action="store_true",
        help="let the catalogue's heuristic rules (e.g. policy before implementation) constrain the plan too; "
        "by default only rules the regulation sets do",
    )
    rules.add_argument("--ignore-rules", action="store_true", help="plan on the formula alone: no rule constrains it")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.add_argument("--missing", default=None, metavar="POLICY", help="score partial assessments: 'minimum' or a level")
    p.set_defaults(func=cmd_plan)

    p = add("simulate", reads=True, help="Monte-Carlo over disagreeing stages or level distributions")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--n", type=int, default=100_000, help="samples, 1 to 10^8 (default 100000)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--backend", choices=["auto", "numpy", "python"], default="auto")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.add_argument("--missing", default=None, metavar="POLICY", help="score partial assessments: 'minimum' or a level")
    p.set_defaults(func=cmd_simulate)

    p = add("diff", help="what changed between two catalogues (regulation versions)")
    p.add_argument("old")
    p.add_argument("new")
    p.add_argument("--format", choices=["table", "markdown", "json"], default="table")
    p.set_defaults(func=cmd_diff)

    p = add("migrate", reads=True, help="migrate assessments to another catalogue, with an index interval")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--to", required=True, metavar="CATALOGUE")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.add_argument("--out", default=None, metavar="OUT", help="also write the migrated assessment(s): .yaml, .json")
    p.add_argument("--force", action="store_true", help="replace an existing --out file")
    p.set_defaults(func=cmd_migrate)

    p = add("transition", reads=True, help="who gains and who loses when agencies move to another catalogue")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--to", required=True, metavar="CATALOGUE")
    p.add_argument("--missing", default=None, metavar="POLICY", help="old score of partial assessments")
    p.add_argument("--format", choices=["table", "csv"], default="table")
    p.set_defaults(func=cmd_transition)

    p = add("report", reads=True, help="write report.html, report.md and report.xlsx for one subject")
    p.add_argument("files", nargs="+", metavar="ASSESSMENT", help="the subject's assessments (one per period)")
    p.add_argument("--owners", required=True, metavar="OWNERS", help="ownership file (YAML or CSV)")
    p.add_argument("--targets", default=None, metavar="TARGETS", help="targets file (YAML)")
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write the report into")
    p.add_argument("--as-of", type=_date, default=None, metavar="DATE", help="evaluation date for evidence")
    p.add_argument("--missing", default=None, metavar="POLICY", help="score partial assessments: 'minimum' or a level")
    p.add_argument("--lang", choices=["en", "id"], default="en", help="language of the HTML and Markdown reports")
    p.add_argument("--force", action="store_true", help="replace an existing report folder (one holding only a report)")
    p.set_defaults(func=cmd_report)

    p = add("template", help="write a blank Excel assessment template for a catalogue")
    p.add_argument("catalogue")
    p.add_argument("out", metavar="OUT.xlsx")
    p.add_argument("--force", action="store_true", help="replace an existing file")
    p.set_defaults(func=cmd_template)

    p = add(
        "rank",
        reads=True,
        help="rank agencies with shared ranks, per period and within a tag (e.g. province)",
        description="Score every assessment and rank the agencies within each period, and within the groups "
        "of a tag with --within (e.g. province). Equal values share a rank and the next rank skips (1, 2, 2, 4). "
        "The table gives each group's size (of) and the gap to the agency ranked above (2 decimals; exact in "
        "JSON).",
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument(
        "--within", default=None, metavar="TAG", help="rank within groups of this tag (default: per period only)"
    )
    p.add_argument(
        "--by",
        choices=["display", "index"],
        default="display",
        help="compare the published 2-decimal index (display, the default, as official tables do) or the exact index",
    )
    p.add_argument("--format", choices=["table", "json", "csv"], default="table", help="output format (default: table)")
    p.add_argument("--missing", default=None, metavar="POLICY", help="score partial assessments: 'minimum' or a level")
    p.set_defaults(func=cmd_rank)

    p = add(
        "verify",
        help="recompute saved results from their manifests (exit 1 if any fails)",
        description="Recompute results saved by `spbe score --format json` from their manifests and say whether "
        "each still holds (exit 1 if any does not). The manifest is an integrity check, not a signature: it "
        "catches edits and mismatches (a changed value, input, catalogue or option), but it does not prove who "
        "made a file, since anyone can write a consistent one.",
    )
    p.add_argument("files", nargs="+", metavar="RESULT.json")
    p.set_defaults(func=cmd_verify)

    p = add(
        "schema",
        help="print the JSON Schema of a kind of file, for editors that validate YAML as you type",
        description="Print the JSON Schema of catalogue, assessment, ownership (owners) or rule files. Save it "
        "(spbe schema catalogue > catalogue.schema.json) and put `# yaml-language-server: "
        "$schema=./catalogue.schema.json` on the first line of a YAML file: VS Code (with the YAML extension) "
        "and other editors then check the file as you type.",
    )
    p.add_argument("kind", choices=sorted(SCHEMAS))
    p.set_defaults(func=cmd_schema)

    p = add(
        "validate", reads=True, help="check assessment files against their catalogues (every problem, exit 2 if any)"
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument(
        "--limit", type=int, default=50, metavar="N", help="list at most N problems per file, then count the rest (50)"
    )
    p.set_defaults(func=cmd_validate)
    return parser


@contextlib.contextmanager
def _stop_cleanly() -> Iterator[None]:
    """SIGTERM and SIGHUP raise SystemExit (as Ctrl-C raises KeyboardInterrupt), so the `finally`
    blocks of the writers remove their temporary files before the program ends (status 128 + signal)."""

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    previous: dict[int, Any] = {}
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is None:
            continue
        with contextlib.suppress(ValueError, OSError):  # not the main thread: leave the handlers alone
            previous[sig] = signal.signal(sig, stop)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _SETTINGS["strict_plugins"] = bool(getattr(args, "strict_plugins", False))
    try:
        with _stop_cleanly():
            return int(args.func(args))
    except PluginError as exc:  # the plugin's fault, not the user's file: its own exit code
        print(f"spbe: error: {terminal_text(exc)}", file=sys.stderr)
        return EXIT_PLUGIN
    except SpbeError as exc:
        inputs = [*(getattr(args, "files", None) or []), *([args.file] if getattr(args, "file", None) else [])]
        if exc.file is None and len(inputs) == 1 and not isinstance(exc, FlagError):  # one input: name it
            exc = type(exc)(exc.message, file=inputs[0], row=exc.row, field=exc.field, allowed=exc.allowed)
        print(f"spbe: error: {terminal_text(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug, not bad input: still one line unless debugging
        if os.environ.get("SPBE_DEBUG"):
            raise
        what = terminal_text(f"{type(exc).__name__}: {exc}")
        print(f"spbe: internal error: {what} (set SPBE_DEBUG=1 for details)", file=sys.stderr)
        return EXIT_INTERNAL


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    run()


__all__ = ["build_parser", "main", "run"]
