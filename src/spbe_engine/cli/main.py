"""The `spbe` command. argparse (stdlib) keeps start-up fast and the core free of CLI dependencies
(see docs/cli.md, "Design notes").

Every command speaks the language of `--lang`, else `SPBE_LANG`, else the locale (`LANG=id_ID.UTF-8`
gives Bahasa Indonesia), else English: help, tables, headlines, messages and errors. Bad input
prints one line `spbe: error: ...` to stderr and exits 2, never a traceback. What is printed and how
user text is made safe for each output is in `cli.output`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ..errors import PluginError, SpbeError
from ..i18n import current_language, language, resolve_language, tr, translate
from ..io.safe_text import terminal_text
from .common import (
    FLAG_FIELDS,
    FlagError,
    command_engine,
    csv_style,
    emit,
    examples,
    input_files,
    load_all,
    missing_policy,
    no_match,
    one_or_more,
    parse_date,
    select_items,
    selector,
    set_strict_plugins,
    use_force,
)
from .help import Formatter, speak_language
from .inputs import FORMATS, shown_name, stdin_files
from .output import (
    cell,
    csv_text,
    dump,
    localise_number,
    message,
    result_table,
    say,
    say_json,
    table,
)
from .progress import Activity, set_quiet, track

EXIT_BAD_INPUT = 2  # bad input: one line on stderr
EXIT_INTERNAL = 3  # a bug in spbe_engine (1 is reserved for "findings with errors" / "target not reachable")
EXIT_PLUGIN = 4  # a plugin is broken (with --strict-plugins), or what was asked needs a broken plugin




def _emit_table(args: argparse.Namespace, text: str) -> None:
    emit(args, "\n".join(terminal_text(line) for line in text.split("\n")) + "\n")


def _emit_json(args: argparse.Namespace, data: Any) -> None:
    if getattr(args, "out", None):
        import json

        emit(args, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        dump(data)


def cmd_plugins(args: argparse.Namespace) -> int:
    import json

    engine = command_engine()
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
                rule_ids.append(tr("{catalogue}: {n} rule(s)", catalogue=cid, n=n))
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
        say_json(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    lines = [
        [
            r["name"],
            r["version"],
            r["origin"],
            ", ".join(r["hooks"]),
            r["problem"] or "; ".join(_contribution(k, v) for k, v in r["contributes"].items()),
        ]
        for r in rows
    ]
    say(table(["plugin", "version", "origin", "hooks", "contributes (or problem)"], lines))
    return 0


def _contribution(kind: str, items: Sequence[str]) -> str:
    """`catalogues: spbe-2018, spbe-2020` in the reader's language; scheme names quoted, being names."""
    from . import words

    shown = [repr(i) for i in items] if kind == "weighting schemes" else list(items)
    return f"{translate(kind) if kind in words.CONTRIBUTIONS else kind}: {', '.join(shown)}"


def cmd_catalogues(args: argparse.Namespace) -> int:
    engine = command_engine()
    rows = []
    for cid in engine.catalogue_ids():
        c = engine.catalogue(cid)
        years = f"{c.valid_from}–{c.valid_to or ''}"
        rows.append([c.id, c.status, c.regulation.short, str(len(list(c.indicators()))), years, c.title])
    say(table(["id", "status", "regulation", "indicators", "valid", "title"], rows, right=[3]))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    engine = command_engine()
    c = engine.catalogue(args.catalogue)
    if args.format == "json":
        say_json(c.model_dump_json(indent=2))
        return 0
    lines = [
        f"{c.id} — {c.title}",
        "  " + tr("regulation: {citation}", citation=c.regulation.citation),
        "  "
        + tr(
            "status: {status}; valid {start}–{end}; weights total {total}",
            status=cell(c.status),
            start=c.valid_from,
            end=c.valid_to or "",
            total=localise_number(str(c.weight_total)),
        ),
        "",
    ]

    width = max(3, *(len(i.id) for i in c.indicators()))  # 35-1 lines up with 35
    uncertain = " " + tr("(uncertain)")

    def group(g: Any, depth: int) -> None:
        pad = "  " * depth
        flag = uncertain if g.uncertain else ""
        what = tr("[{kind}, weight {weight}]", kind=cell(g.kind), weight=localise_number(str(g.weight)))
        lines.append(f"{pad}{g.id}  {g.name}  {what}{flag}")
        for sub in g.groups:
            group(sub, depth + 1)
        for ind in g.indicators:
            flag = uncertain if ind.uncertain else ""
            what = tr("[weight {weight}, scale {scale}]", weight=localise_number(str(ind.weight)), scale=ind.scale)
            lines.append(f"{pad}  {ind.id:>{width}}  {ind.name}  {what}{flag}")

    for g in c.groups:
        group(g, 0)
    lines.append("")
    for s in c.scales:
        levels = ", ".join(f"{lv.value} {lv.name}" for lv in s.levels)
        lines.append(tr("scale {id} ({name}): {levels}", id=s.id, name=s.name, levels=levels))
    lines.append(
        tr("bands (lower bound inclusive, on the unrounded index): ")
        + "; ".join(f"{b.predikat} ≥ {localise_number(str(b.lower))}" for b in c.bands)
    )
    if c.notes:
        k = sum(n.kind == "conflict" for n in c.notes)
        lines.append(tr("notes: {n} ({k} conflict(s)) — see --format json", n=len(c.notes), k=k))
    say("\n".join(lines))
    return 0


def _score_all(engine: Any, items: Sequence[Any], args: argparse.Namespace, weighting: Any = None) -> list[Any]:
    """Every item scored, with progress; an error names the item's file and row."""
    from ..errors import AssessmentError

    missing = missing_policy(args.missing)
    results = []
    for item in track(items, tr("Scoring")):
        try:
            results.append(engine.score(item.assessment, weighting=weighting, missing=missing))
        except AssessmentError as exc:
            if exc.field in FLAG_FIELDS:
                raise
            raise AssessmentError(
                exc.message, file=item.file, row=item.row, field=exc.field, allowed=exc.allowed
            ) from None
    return results


def _streams(args: argparse.Namespace, *, filters: bool = False) -> bool:
    """`spbe score` can write as it reads: one file, CSV out, nothing that needs every result first.
    The columnar path takes no `--subject`/`--where`; the row-by-row path does (`filters`)."""
    filtered = bool(getattr(args, "subject", None) or getattr(args, "where", None))
    return args.format == "csv" and len(args.files) == 1 and not args.explain and (filters or not filtered)


def _too_large(exc: SpbeError) -> bool:
    """A refusal to read a file whole for its size (which streaming does not have)."""
    from ..io.readers import TooLargeToReadWhole

    if isinstance(exc, TooLargeToReadWhole):
        return True
    if exc.file and exc.file.lower().endswith(".xlsx"):
        from ..io.excel import WorkbookRefused  # the whole-read caps of a workbook (the stream has its own)

        return isinstance(exc, WorkbookRefused)
    return False


class _Declined(Exception):
    """The streaming writer did not take the file: nothing is to be published."""


def _to_output(args: argparse.Namespace, write: Any) -> bool:
    """Run `write(out)` (a binary stream; True when it wrote the output) to stdout, or to `--out FILE`
    through a temporary file published whole (never over a file unless --force, never over an input)."""
    out = getattr(args, "out", None)
    if not out:
        return bool(write(None))
    from pathlib import Path

    from ..io.atomic import protect, write_atomic

    protect(Path(out), input_files(args))

    def to_file(tmp: Path) -> None:
        with tmp.open("wb") as fh:
            if not write(fh):
                raise _Declined

    try:
        with use_force():
            write_atomic(Path(out), to_file, overwrite=bool(getattr(args, "force", False)))
    except _Declined:
        return False
    if not getattr(args, "quiet", False):
        message("note", tr("written to {path}", path=out))
    return True


def cmd_score(args: argparse.Namespace) -> int:
    from ..io.writers import results_to_csv

    engine = command_engine()
    if _streams(args):
        from .stream import score_csv  # one table in chunks: read → score_table → write (#15)

        with contextlib.suppress(FlagError), Activity(tr("Scoring")) as act:
            style = csv_style(args)
            if _to_output(args, lambda out: score_csv(
                engine, args.files[0], weighting=args.weighting, missing=missing_policy(args.missing),
                delimiter=style.delimiter, decimal=style.decimal, bom=style.bom, out=out, warn=_warn,
                progress=act.update)):  # fmt: skip
                return 0
    try:
        items = load_all(engine, args.files, args)
    except SpbeError as exc:
        if not _streams(args, filters=True) or not _too_large(exc):
            raise
        from .stream import score_rows  # too large to read whole: row by row, without holding them

        with Activity(tr("Scoring")) as act:
            style = csv_style(args)
            _to_output(args, lambda out: score_rows(
                engine, args.files[0], weighting=args.weighting, missing=missing_policy(args.missing),
                delimiter=style.delimiter, decimal=style.decimal, bom=style.bom, out=out, warn=_warn,
                progress=act.update, keep=selector(args), no_match=lambda n: no_match(args, n)))  # fmt: skip
        return 0
    results = _score_all(engine, items, args, weighting=args.weighting)
    _warn(results)
    if args.format == "json":
        _emit_json(args, [r.to_dict(explain=args.lang if args.explain else None) for r in results])
        return 0
    if args.format == "csv":
        import csv
        import io

        rows = list(csv.reader(io.StringIO(results_to_csv(results), newline="")))
        if args.explain:  # one row per result, in order: the explanation in a last column
            rows = [
                [*rows[0], "explanation"],
                *([*row, r.explain(lang=args.lang)] for row, r in zip(rows[1:], results, strict=True)),
            ]
        emit(args, csv_text(rows, csv_style(args)))
        return 0
    by_catalogue: dict[str, list[Any]] = {}
    for r in results:
        by_catalogue.setdefault(r.catalogue, []).append(r)
    blocks = []
    for cid, rs in by_catalogue.items():
        top = [g.id for g in engine.compiled(cid).groups if g.parent is None]
        headers = ["subject", "period", "index", "predikat", *top]
        rows_ = []
        for r in rs:
            subject = r.subject + (translate(" (partial)") if r.partial else "")
            rows_.append([subject, r.period, r.display, r.predikat, *(r.groups[g].display for g in top)])
        cat = engine.catalogue(cid)
        notes = [cat.regulation.short]
        if cat.status == "provisional":
            notes.append(cell("provisional"))
        if rs[0].weighting != "official":
            notes.append(tr("weighting {name}", name=rs[0].weighting))
        title = f"{cat.index_name} — {cid} ({', '.join(notes)})"
        blocks.append(title + "\n" + table(headers, rows_, right=[2, *range(4, 4 + len(top))]))
        if args.explain:
            blocks.extend(r.explain(lang=args.lang) for r in rs)
    _emit_table(args, "\n\n".join(blocks))
    return 0


def _warn(results: Sequence[Any]) -> None:
    """One stderr line per distinct warning (e.g. a period outside its catalogue's years), so piped
    output stays clean and a 600-row table does not print 600 copies."""
    seen: set[str] = set()
    for r in results:
        for w in r.warnings:
            if w not in seen:
                seen.add(w)
                message("warning", w)


def cmd_validate(args: argparse.Namespace) -> int:
    from ..io.readers import iter_assessments, problems_in, read_assessments

    engine = command_engine()
    bad = 0
    for f in args.files:  # every problem of every file, not only the first, so one round of fixes suffices
        name = shown_name(f)
        with Activity(tr("Checking {file}", file=name)):
            count, shown, total = problems_in(f, engine=engine, limit=args.limit)
        for problem in shown:
            named = SpbeError(
                problem.message,
                file=shown_name(problem.file or f),
                row=problem.row,
                field=problem.field,
                allowed=problem.allowed,
            )
            message("error", str(named))
        if total > len(shown):
            message(
                "error",
                tr(
                    "{file}: … and {n} more problem(s) (--limit {limit})",
                    file=name,
                    n=total - len(shown),
                    limit=args.limit,
                ),
            )
        if total:
            say(tr("{file}: {total} problem(s) in {count} assessment(s) read", file=name, total=total, count=count))
        bad += total
    if bad:
        return EXIT_BAD_INPUT
    filtering = bool(getattr(args, "subject", None) or getattr(args, "where", None))
    if filtering:  # the selection is across all files (none selected is an error)
        every = [(f, read_assessments(f, engine=engine, validate=False)) for f in args.files]
        chosen = {id(i) for i in select_items([i for _, items in every for i in items], args)}
    for k, f in enumerate(args.files):
        if filtering:
            read = every[k][1]
            picked: Iterable[Any] = [i for i in read if id(i) in chosen]
        else:  # already checked: read again one at a time, a file of any size
            picked = iter_assessments(f, engine=engine, validate=False)
        n = partial = 0
        warned: set[str] = set()
        for item in picked:
            n += 1
            cc = engine.compiled(item.assessment.catalogue)
            if len(item.assessment.levels) < len(cc.ids):
                partial += 1
            w = cc.catalogue.period_warning(item.assessment.period)
            if w and w not in warned:
                warned.add(w)
                message("warning", f"{shown_name(f)}: {w}")
        if filtering:
            line = tr("{file}: OK, {n} assessment(s) selected of {total}", file=shown_name(f), n=n, total=len(read))
        else:
            line = tr("{file}: OK, {n} assessment(s)", file=shown_name(f), n=n)
        if partial:
            line += " " + tr("({n} partial)", n=partial)
        say(line)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from ..errors import AssessmentError

    engine = command_engine()
    items = load_all(engine, args.files, args)
    report = []
    for item in track(items, tr("Checking")):
        try:
            report.append(engine.check(item.assessment, as_of=args.as_of))
        except AssessmentError as exc:
            raise AssessmentError(
                exc.message, file=item.file, row=item.row, field=exc.field, allowed=exc.allowed
            ) from None
    worst = 1 if any(f.severity == "error" for fs in report for f in fs) else 0
    if args.format == "json":
        dump([fs.to_dict(args.lang) for fs in report])
        return worst
    say("\n\n".join(fs.summary(args.lang) + ("\n" + result_table(fs, lang=args.lang) if fs else "") for fs in report))
    return worst


def cmd_graph(args: argparse.Namespace) -> int:
    import json

    import networkx as nx

    engine = command_engine()
    g = engine.graph(args.catalogue)
    if args.impact is not None:
        reached = engine.impact(args.catalogue, args.impact)
        g = g.subgraph(reached | {args.impact})
    if args.format == "json":
        say_json(json.dumps(nx.node_link_data(g, edges="edges"), ensure_ascii=False, indent=2))
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
    say("\n".join(lines))
    return 0


def _pairs(values: Sequence[str] | None, what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for text in values or []:
        key, sep, value = text.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise FlagError(tr("{what} {text!r} is not of the form ID=VALUE", what=what, text=text))
        out[key.strip()] = value.strip()
    return out


def _weighting(args: argparse.Namespace) -> Any:
    weights = _pairs(getattr(args, "weight", None), "--weight")
    if weights and args.weighting not in (None, "custom"):
        raise FlagError(
            tr("--weight sets custom weights; it cannot be combined with --weighting {name}", name=args.weighting)
        )
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
    engine = command_engine()
    typed = {f"--set {k}": f"--set {k}={v}" for k, v in _pairs(args.set, "--set").items()}
    typed |= {f"--weight {k}": f"--weight {k}={v}" for k, v in _pairs(args.weight, "--weight").items()}
    changes = {k: _int(v, f"--set {k}={v}") for k, v in _pairs(args.set, "--set").items()}
    peers = one_or_more(engine, args.peers) if args.peers else None  # peers are never filtered
    out = []
    for a in track(one_or_more(engine, [args.file], args), tr("Scoring scenarios")):
        try:
            c = engine.what_if(
                a, levels=changes, weighting=_weighting(args), peers=peers, missing=missing_policy(args.missing)
            )
        except FlagError:
            raise
        except SpbeError as exc:
            raise _flag_blamed(exc, typed) from None
        out.append(c)
    if args.format == "json":
        dump([c.to_dict() for c in out])
        return 0
    blocks = [
        f"{c.before.subject} ({c.before.period}) — {c.summary()}\n" + result_table(c, right=[1, 2, 3]) for c in out
    ]
    say("\n\n".join(blocks))
    return 0


def _int(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise FlagError(tr("{text!r} is not a whole number", text=text), field=what, allowed="0-9") from None


def cmd_plan(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .._yaml import load_yaml_file

    if args.periods != 1 and args.max_steps is None:
        raise FlagError(tr("--periods splits a plan under --max-steps; give --max-steps too"), field="--periods")
    engine = command_engine()
    costs = load_yaml_file(Path(args.costs)) if args.costs else None
    if costs is not None and not isinstance(costs, dict):
        raise SpbeError(tr("a costs file maps indicator ids to a cost or to {{level: cost}}"), file=args.costs)
    blocks = []
    data = []
    worst = 0
    items = one_or_more(engine, [args.file], args)
    with Activity(tr("Planning"), total=len(items)) as act:
        from .stream import plan_all  # many agencies: plan_many on a process pool (#15)

        try:
            plans = plan_all(
                engine,
                items,
                args.target,
                progress=act.update,
                costs=costs,
                max_level=args.max_level,
                max_steps_per_period=args.max_steps,
                periods=args.periods,
                respect_rules=False if args.ignore_rules else "all" if args.respect_heuristics else "binding",
                missing=missing_policy(args.missing),
            )
        except SpbeError as exc:
            if args.costs and exc.field and exc.field.startswith("costs"):
                raise SpbeError(exc.message, file=args.costs, field=exc.field, allowed=exc.allowed) from None
            raise
    for a, p in zip(items, plans, strict=True):
        worst = max(worst, 0 if p.feasible else 1)
        if args.format == "json":
            data.append(p.to_dict())
            continue
        text = f"{a.subject} ({a.period}) — {p.summary()}"
        if p.steps:
            text += "\n" + result_table(p, right=[4, 5])
        blocks.append(text)
    if args.format == "json":
        dump(data)
    else:
        say("\n\n".join(blocks))
    return worst


def cmd_simulate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..uncertainty.simulate import check_samples

    try:
        check_samples(args.n)  # about the option, not the file: say so before reading it
    except SpbeError as exc:
        raise FlagError(exc.message, field="-n", allowed=exc.allowed) from None
    engine = command_engine()
    blocks = []
    data = []
    assessments = one_or_more(engine, [args.file], args)  # read and selected before the note
    if Path(args.file).suffix.lower() in (".csv", ".tsv", ".txt"):
        message(
            "note",
            tr(
                "{file} is CSV, which carries levels only, not stages or distributions: every level is certain "
                "(give stages in YAML or JSON to simulate them)",
                file=shown_name(args.file),
            ),
        )
    for a in assessments:
        with Activity(tr("Simulating {subject}", subject=terminal_text(a.subject)), total=args.n) as act:
            s = engine.simulate(
                a,
                n=args.n,
                seed=args.seed,
                backend=args.backend,
                missing=missing_policy(args.missing),
                progress=act.update,
            )
        if args.format == "json":
            data.append(s.to_dict())
            continue
        blocks.append(s.summary() + "\n" + result_table(s, right=[1]))
    if args.format == "json":
        dump(data)
    else:
        say("\n\n".join(blocks))
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    d = command_engine().diff(args.old, args.new)
    if args.format == "json":
        dump(d.to_dict())
    elif args.format == "markdown":
        sys.stdout.write(d.to_markdown())
    else:
        say(d.summary() + "\n" + result_table(d))
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    engine = command_engine()
    out = [engine.migrate(a, to=args.to) for a in one_or_more(engine, [args.file], args)]
    if args.out:
        from ..io.writers import write_assessments

        with use_force():
            written = write_assessments(args.out, [m.assessment for m in out], overwrite=args.force)
        message(
            "note",
            tr(
                "migrated assessment(s) written to {path} (uncertain and new indicators left unassessed)",
                path=str(written),
            ),
        )
    if args.format == "json":
        dump([m.to_dict() for m in out])
        return 0
    say("\n\n".join(m.summary() + "\n" + result_table(m) for m in out))
    return 0


def cmd_transition(args: argparse.Namespace) -> int:
    engine = command_engine()
    assessments = one_or_more(engine, args.files, args)
    with Activity(tr("Scoring and migrating")):
        t = engine.transition(assessments, to=args.to, missing=missing_policy(args.missing))
    if args.format == "csv":
        from ..tabular import cell_text

        emit(args, csv_text([t.headers, *([cell_text(c) for c in row] for row in t.rows())], csv_style(args)))
    else:
        _emit_table(args, t.summary() + "\n" + result_table(t))
    return 0


def _gaps(ranking: Any) -> list[tuple[int, Any]]:
    """Per ranked agency, in the ranking's order: its group's size and the gap (a Fraction) to the
    agency ranked above it (None for the first). The gap is taken on what was compared: the
    2-decimal index (`--by display`) or the exact value (`--by index`, `--by D1`); agencies sharing
    a rank have the same gap, to the nearest rank above."""
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
    from ..ranking import check_ranking, rank_results

    engine = command_engine()
    items = load_all(engine, args.files, args)
    if args.by not in ("display", "index"):  # a group id: of every catalogue ranked, before scoring
        catalogues = dict.fromkeys(i.assessment.catalogue for i in items)
        check_ranking(args.by, [g.id for cid in catalogues for g in engine.compiled(cid).groups])
    results = _score_all(engine, items, args)
    _warn(results)
    ranking = rank_results(results, within=args.within, by=args.by)
    extra = _gaps(ranking)
    if args.format == "json":
        data = ranking.to_dict()
        for entry, (size, gap) in zip(data["ranking"], extra, strict=True):
            entry["group_size"] = size
            entry["gap"] = None if gap is None else exact_text(gap)
        _emit_json(args, data)
        return 0
    headers = [*ranking.headers, "of", "gap"]
    if args.by not in ("display", "index"):
        headers[headers.index("index")] = args.by
    rows = [
        [*row, str(size), "" if gap is None else display(gap.numerator, gap.denominator)]
        for row, (size, gap) in zip(ranking.rows(), extra, strict=True)
    ]
    if args.format == "csv":
        from ..tabular import cell_text

        emit(args, csv_text([headers, *([cell_text(c) for c in row] for row in rows)], csv_style(args)))
        return 0
    index = 4
    _emit_table(
        args, ranking.summary() + "\n" + table(headers, rows, right=[0, index, len(headers) - 2, len(headers) - 1])
    )
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    import datetime as dt

    from ..i18n import local_time
    from ..reports.write import write_report

    local_time(dt.datetime.now(dt.UTC), args.tz)  # an unknown zone is refused before any work
    engine = command_engine()
    items = load_all(engine, args.files, args)
    with Activity(tr("Writing the report")):
        written = write_report(
            engine,
            [i.assessment for i in items],
            owners=args.owners,
            targets=args.targets,
            out_dir=args.out,
            as_of=args.as_of,
            inputs=args.files,
            missing=missing_policy(args.missing),
            lang=args.lang,
            overwrite=args.force,
            tz=args.tz,
        )
    for fmt, where in written.items():
        say(f"{fmt}: {where}")
    import importlib.util

    if importlib.util.find_spec("matplotlib") is None:
        from ..reports.charts import NO_CHARTS

        message("note", translate(NO_CHARTS))
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from ..io.excel import write_template

    with use_force():
        path = write_template(command_engine(), args.catalogue, args.out, overwrite=args.force)
    say(tr("template for {catalogue}: {path}", catalogue=args.catalogue, path=str(path)))
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
    dump({"$schema": "https://json-schema.org/draft/2020-12/schema", **model.model_json_schema()})
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from ..verify import load_results, verify_result

    engine = command_engine()
    worst = 0
    for f in args.files:
        items = load_results(f)  # strict: duplicate keys, deep nesting, non-results are one-line errors
        for n, item in enumerate(track(items, tr("Verifying")), 1):
            v = verify_result(engine, item)
            verdict = tr("holds") if v.holds else tr("DOES NOT HOLD")
            say(f"{shown_name(f)} #{n} {v.subject}: {verdict}")
            for p in v.problems:
                say(f"  - {p}")
            for note in v.notes:
                say("  " + tr("note: {text}", text=note))
            worst = max(worst, 0 if v.holds else 1)
    return worst


def build_parser(lang: str | None = None) -> argparse.ArgumentParser:
    """The `spbe` parser, its help in `lang` (default: the current language)."""
    from .._version import __version__

    with language(lang or current_language()):
        speak_language()
        return _build(__version__)


def _build(version: str) -> argparse.ArgumentParser:
    lang = current_language()
    parser = argparse.ArgumentParser(
        prog="spbe",
        description=tr(
            "Exact, explainable SPBE / Pemdi maturity scoring. Every command speaks the language of --lang, "
            "else SPBE_LANG, else the locale (LANG=id_ID.UTF-8: Bahasa Indonesia), else English."
        ),
        epilog=examples(
            "spbe score examples/dumai-2024.yaml",
            "spbe score nasional.csv -f csv --excel-id -o hasil.csv",
            "spbe rank nasional.csv --within provinsi",
            "spbe plan table.csv --subject Dumai --target Memuaskan",
            "spbe COMMAND --help",
        ),
        formatter_class=Formatter,
    )
    parser.add_argument("--version", action="version", version=f"spbe_engine {version}")
    sub = parser.add_subparsers(dest="command", metavar=tr("COMMAND"))
    sub.required = True

    common = argparse.ArgumentParser(add_help=False, formatter_class=Formatter)
    common.add_argument(
        "-l",
        "--lang",
        choices=["en", "id"],
        default=lang,
        help=tr("language of everything the command prints (from SPBE_LANG or the locale when not given)"),
    )
    common.add_argument(
        "-q", "--quiet", action="store_true", help=tr("no progress and no notes on stderr (errors and warnings stay)")
    )
    common.add_argument(
        "--strict-plugins",
        action="store_true",
        help=tr(
            "stop (exit {code}) when an installed plugin is broken, instead of going on without it", code=EXIT_PLUGIN
        ),
    )

    select = argparse.ArgumentParser(add_help=False)
    select.add_argument(
        "--subject",
        action="append",
        metavar="TEXT",
        help=tr(
            "only the assessments whose subject contains TEXT, ignoring case (repeatable: any of them; default: all)"
        ),
    )
    select.add_argument(
        "--where",
        action="append",
        metavar="KEY=VALUE",
        help=tr(
            "only the assessments whose tag KEY is VALUE, ignoring case, e.g. province=Riau (repeatable: all of "
            "them; default: all)"
        ),
    )
    select.add_argument(
        "--input-format",
        choices=sorted(FORMATS),
        default=None,
        help=tr("the format of '-' (stdin); default: recognised from the data"),
    )

    csv_options = argparse.ArgumentParser(add_help=False)
    csv_options.add_argument(
        "--delimiter",
        default=None,
        metavar="CHAR",
        help=tr("CSV field delimiter, e.g. ';' or tab (default: ',' or the --excel-id preset's ';')"),
    )
    csv_options.add_argument(
        "--decimal",
        choices=[".", ","],
        default=None,
        help=tr("CSV decimal symbol of numbers (default: '.' or the --excel-id preset's ',')"),
    )
    csv_options.add_argument(
        "--excel-id",
        action="store_true",
        help=tr(
            "CSV for Excel with an Indonesian locale: ';' between fields, decimal comma, UTF-8 with a byte order "
            "mark (implies -f csv)"
        ),
    )

    def output_options(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "-o", "--out", default=None, metavar="FILE", help=tr("write the output to FILE (default: stdout)")
        )
        p.add_argument("--force", action="store_true", help=tr("replace an existing --out file"))

    def missing_option(p: argparse.ArgumentParser, text: str | None = None) -> None:
        p.add_argument(
            "--missing",
            default=None,
            metavar="POLICY",
            help=text
            or tr(
                "score partial assessments: 'minimum' (the scale minimum) or a level such as 2 "
                "(default: partial assessments are refused)"
            ),
        )

    def fmt(p: argparse.ArgumentParser, choices: list[str]) -> None:
        p.add_argument("-f", "--format", choices=choices, default=choices[0], help=tr("output format"))

    def add(name: str, *, reads: bool = False, **kw: Any) -> argparse.ArgumentParser:
        """A subcommand; `reads`: it reads assessments, so --subject and --where select among them.
        `help` is the one-line summary in `spbe --help`; `description` defaults to it."""
        kw.setdefault("formatter_class", Formatter)
        if "help" in kw:
            kw.setdefault("description", kw["help"][:1].upper() + kw["help"][1:] + ".")
        parents = [common, select] if reads else [common]
        return sub.add_parser(name, parents=[*parents, *kw.pop("parents", [])], **kw)

    from . import meeting, monev

    monev.register(add)  # the monitoring cycle: workbooks, collect, actions (issue 14)
    meeting.register(add)  # the meeting: brief, dashboard (issue 14)

    p = add(
        "plugins",
        help=tr("list the installed plugins: version, hooks, what each contributes, problems"),
        epilog=examples("spbe plugins", "spbe plugins -f json"),
    )
    fmt(p, ["table", "json"])
    p.set_defaults(func=cmd_plugins)

    p = add(
        "catalogues",
        help=tr("list the available catalogues (regulation versions)"),
        epilog=examples("spbe catalogues"),
    )
    p.set_defaults(func=cmd_catalogues)

    p = add(
        "show",
        help=tr("show a catalogue's tree with weights, scales and bands"),
        epilog=examples("spbe show spbe-2020", "spbe show spbe-2020 -f json > spbe-2020.json"),
    )
    p.add_argument("catalogue", metavar="CATALOGUE", help=tr("a catalogue id, e.g. spbe-2020"))
    fmt(p, ["text", "json"])
    p.set_defaults(func=cmd_show)

    p = add(
        "score",
        reads=True,
        parents=[csv_options],
        help=tr("score assessment files (YAML, JSON, CSV, Excel)"),
        description=tr(
            "Score every assessment in the files: one table per catalogue with the index, predikat and each "
            "domain's index. JSON keeps every exact value; CSV gives one row per assessment (dots and exact "
            "values, or Indonesian Excel's conventions with --excel-id). '-' reads stdin."
        ),
        epilog=examples(
            "spbe score examples/dumai-2024.yaml",
            "spbe score examples/dumai-2024.yaml --explain -l id",
            "spbe score nasional.csv --where provinsi=Riau",
            "spbe score nasional.csv -f csv --excel-id -o hasil.csv",
            "cat penilaian.xlsx | spbe score - --input-format xlsx",
        ),
    )
    p.add_argument(
        "files", nargs="+", metavar="FILE", help=tr("assessment files: .yaml, .json, .csv, .xlsx, or - for stdin")
    )
    fmt(p, ["table", "json", "csv"])
    p.add_argument(
        "--explain",
        action="store_true",
        help=tr("explain each result: after the table, in each JSON result, or in an explanation column of the CSV"),
    )
    p.add_argument(
        "--weighting",
        default=None,
        metavar="NAME",
        help=tr("weighting scheme: 'official', 'equal', or a plugin's (default: 'official')"),
    )
    missing_option(p)
    output_options(p)
    p.set_defaults(func=cmd_score)

    p = add(
        "check",
        reads=True,
        help=tr("evidence and rule findings (exit 1 when any error)"),
        description=tr(
            "Run the evidence rules and the cross-indicator rules on each assessment and list the findings, "
            "with a count per severity. Exit status 1 when any finding is an error."
        ),
        epilog=examples(
            "spbe check examples/evidence-kota-contoh.yaml --as-of 2024-06-30",
            "spbe check examples/evidence-kota-contoh.yaml -l id -f json",
        ),
    )
    p.add_argument("files", nargs="+", metavar="FILE", help=tr("assessment files, or - for stdin"))
    fmt(p, ["table", "json"])
    p.add_argument(
        "--as-of",
        type=parse_date,
        default=None,
        metavar="DATE",
        help=tr("evaluation date, YYYY-MM-DD (default: today)"),
    )
    p.set_defaults(func=cmd_check)

    p = add(
        "graph",
        help=tr("the dependency graph of a catalogue (DOT or JSON)"),
        epilog=examples("spbe graph spbe-2020 --impact 8", "spbe graph spbe-2020 | dot -Tsvg > graph.svg"),
    )
    p.add_argument("catalogue", metavar="CATALOGUE", help=tr("a catalogue id, e.g. spbe-2020"))
    p.add_argument(
        "--impact",
        default=None,
        metavar="ID",
        help=tr("only what this indicator, group or rule reaches (default: all)"),
    )
    fmt(p, ["dot", "json"])
    p.set_defaults(func=cmd_graph)

    p = add(
        "whatif",
        reads=True,
        help=tr("before/after of changed levels or weights, with ranks among peers"),
        epilog=examples(
            "spbe whatif examples/dumai-2024.yaml --set 21=4 --set 22=4",
            "spbe whatif examples/dumai-2024.yaml --weighting equal --peers examples/evidence-kota-contoh.yaml",
        ),
    )
    p.add_argument("file", metavar="FILE", help=tr("assessment file, or - for stdin"))
    p.add_argument("--set", action="append", metavar="ID=LEVEL", help=tr("a changed level (repeatable; default: none)"))
    p.add_argument(
        "--weighting", default=None, metavar="NAME", help=tr("weighting scheme of the scenario (default: 'official')")
    )
    p.add_argument(
        "--weight", action="append", metavar="ID=WEIGHT", help=tr("a custom weight (repeatable; default: none)")
    )
    p.add_argument(
        "--peers", action="append", metavar="PEERS", help=tr("a file of peer assessments to rank among (repeatable)")
    )
    fmt(p, ["table", "json"])
    missing_option(p)
    p.set_defaults(func=cmd_whatif)

    p = add(
        "plan",
        reads=True,
        help=tr("the cheapest plan that reaches a target index or predikat (exit 1 if none)"),
        epilog=examples(
            "spbe plan examples/dumai-2024.yaml --target Memuaskan",
            "spbe plan table.csv --subject Dumai --target 4.2 --costs costs.yaml",
            "spbe plan examples/dumai-2024.yaml --target Memuaskan --max-steps 3 --periods 2",
        ),
    )
    p.add_argument("file", metavar="FILE", help=tr("assessment file, or - for stdin"))
    p.add_argument(
        "--target", required=True, help=tr("an index such as 4.2, or a predikat such as Memuaskan (required)")
    )
    p.add_argument(
        "--costs", metavar="COSTS.yaml", help=tr("cost per indicator, or per level reached (default: 1 per step)")
    )
    p.add_argument(
        "--max-steps", type=int, default=None, metavar="N", help=tr("most level steps per period (default: no limit)")
    )
    p.add_argument("--periods", type=int, default=1, metavar="N", help=tr("number of periods"))
    p.add_argument(
        "--max-level",
        type=int,
        default=None,
        metavar="L",
        help=tr("no indicator above this level (default: the scale's top)"),
    )
    rules = p.add_mutually_exclusive_group()
    rules.add_argument(
        "--respect-heuristics",
        action="store_true",
        help=tr(
            "let the catalogue's heuristic rules (e.g. policy before implementation) constrain the plan too; "
            "by default only rules the regulation sets do"
        ),
    )
    rules.add_argument(
        "--ignore-rules", action="store_true", help=tr("plan on the formula alone: no rule constrains it")
    )
    fmt(p, ["table", "json"])
    missing_option(p)
    p.set_defaults(func=cmd_plan)

    p = add(
        "simulate",
        reads=True,
        help=tr("Monte-Carlo over disagreeing stages or level distributions"),
        epilog=examples(
            "spbe simulate examples/stages-kota-contoh.yaml",
            "spbe simulate examples/stages-kota-contoh.yaml -n 1000000 --seed 7",
        ),
    )
    p.add_argument("file", metavar="FILE", help=tr("assessment file (YAML or JSON carry stages), or - for stdin"))
    p.add_argument("-n", "--n", type=int, default=100_000, metavar="N", help=tr("samples, 1 to 10^8"))
    p.add_argument("--seed", type=int, default=1, help=tr("random seed (the same seed gives the same numbers)"))
    p.add_argument(
        "--backend", choices=["auto", "numpy", "python"], default="auto", help=tr("numpy when installed, else Python")
    )
    fmt(p, ["table", "json"])
    missing_option(p)
    p.set_defaults(func=cmd_simulate)

    p = add(
        "diff",
        help=tr("what changed between two catalogues (regulation versions)"),
        epilog=examples("spbe diff spbe-2018 spbe-2020", "spbe diff spbe-2020 pemdi-2026 -f markdown > changes.md"),
    )
    p.add_argument("old", metavar="OLD", help=tr("the older catalogue id"))
    p.add_argument("new", metavar="NEW", help=tr("the newer catalogue id"))
    fmt(p, ["table", "markdown", "json"])
    p.set_defaults(func=cmd_diff)

    p = add(
        "migrate",
        reads=True,
        help=tr("migrate assessments to another catalogue, with an index interval"),
        epilog=examples(
            "spbe migrate examples/dumai-2024.yaml --to pemdi-2026",
            "spbe migrate examples/dumai-2024.yaml --to pemdi-2026 -o dumai-pemdi.yaml",
        ),
    )
    p.add_argument("file", metavar="FILE", help=tr("assessment file, or - for stdin"))
    p.add_argument("--to", required=True, metavar="CATALOGUE", help=tr("the catalogue to migrate to (required)"))
    fmt(p, ["table", "json"])
    p.add_argument(
        "-o",
        "--out",
        default=None,
        metavar="OUT",
        help=tr("also write the migrated assessment(s): .yaml, .json (default: not written)"),
    )
    p.add_argument("--force", action="store_true", help=tr("replace an existing --out file"))
    p.set_defaults(func=cmd_migrate)

    p = add(
        "transition",
        reads=True,
        parents=[csv_options],
        help=tr("who gains and who loses when agencies move to another catalogue"),
        epilog=examples(
            "spbe transition examples/dumai-2024.yaml examples/evidence-kota-contoh.yaml --to pemdi-2026",
            "spbe transition nasional.csv --to pemdi-2026 --missing minimum -f csv --excel-id -o transisi.csv",
        ),
    )
    p.add_argument("files", nargs="+", metavar="FILE", help=tr("assessment files, or - for stdin"))
    p.add_argument("--to", required=True, metavar="CATALOGUE", help=tr("the catalogue to move to (required)"))
    missing_option(p, tr("old score of partial assessments: 'minimum' or a level (default: refused)"))
    fmt(p, ["table", "csv"])
    output_options(p)
    p.set_defaults(func=cmd_transition)

    p = add(
        "report",
        reads=True,
        help=tr("write report.html, report.md and report.xlsx for one subject"),
        epilog=examples(
            "spbe report examples/kota-contoh/2024.yaml examples/kota-contoh/2025.yaml "
            "--owners examples/kota-contoh/owners.yaml --targets examples/kota-contoh/targets.yaml -o report/ -l id",
        ),
    )
    p.add_argument("files", nargs="+", metavar="ASSESSMENT", help=tr("the subject's assessments (one per period)"))
    p.add_argument("--owners", required=True, metavar="OWNERS", help=tr("ownership file, YAML or CSV (required)"))
    p.add_argument("--targets", default=None, metavar="TARGETS", help=tr("targets file, YAML (default: none)"))
    p.add_argument("-o", "--out", required=True, metavar="DIR", help=tr("folder to write the report into (required)"))
    p.add_argument(
        "--as-of",
        type=parse_date,
        default=None,
        metavar="DATE",
        help=tr("evaluation date for evidence (default: today)"),
    )
    p.add_argument(
        "--tz",
        default="WIB",
        metavar="ZONE",
        help=tr("time zone of the times in the report: WIB, WITA, WIT or an IANA name"),
    )
    missing_option(p)
    p.add_argument(
        "--force", action="store_true", help=tr("replace an existing report folder (one holding only a report)")
    )
    p.set_defaults(func=cmd_report)

    p = add(
        "template",
        help=tr("write a blank Excel assessment template for a catalogue"),
        epilog=examples("spbe template spbe-2020 penilaian.xlsx"),
    )
    p.add_argument("catalogue", metavar="CATALOGUE", help=tr("a catalogue id, e.g. spbe-2020"))
    p.add_argument("out", metavar="OUT.xlsx", help=tr("the workbook to write"))
    p.add_argument("--force", action="store_true", help=tr("replace an existing file"))
    p.set_defaults(func=cmd_template)

    p = add(
        "rank",
        reads=True,
        parents=[csv_options],
        help=tr("rank agencies with shared ranks, per period and within a tag (e.g. province)"),
        description=tr(
            "Score every assessment and rank the agencies within each period, and within the groups of a tag "
            "with --within (e.g. province). Equal values share a rank and the next rank skips (1, 2, 2, 4). The "
            "table gives each group's size (of) and the gap to the agency ranked above (2 decimals; exact in JSON)."
        ),
        epilog=examples(
            "spbe rank nasional.csv --within provinsi",
            "spbe rank nasional.csv --within provinsi --by D1",
            "spbe rank nasional.csv --where provinsi=Riau -f csv --excel-id -o peringkat.csv",
        ),
    )
    p.add_argument("files", nargs="+", metavar="FILE", help=tr("assessment files, or - for stdin"))
    p.add_argument(
        "--within", default=None, metavar="TAG", help=tr("rank within groups of this tag (default: per period only)")
    )
    p.add_argument(
        "--by",
        default="display",
        metavar="KEY",
        help=tr(
            "what is compared: 'display' (the published 2-decimal index, as official tables do), 'index' (the "
            "exact index), or a domain or aspect id such as D1 (its exact index)"
        ),
    )
    fmt(p, ["table", "json", "csv"])
    missing_option(p)
    output_options(p)
    p.set_defaults(func=cmd_rank)

    p = add(
        "verify",
        help=tr("recompute saved results from their manifests (exit 1 if any fails)"),
        description=tr(
            "Recompute results saved by `spbe score --format json` from their manifests and say whether each still "
            "holds (exit 1 if any does not). The manifest is an integrity check, not a signature: it catches edits "
            "and mismatches (a changed value, input, catalogue or option), but it does not prove who made a file, "
            "since anyone can write a consistent one."
        ),
        epilog=examples("spbe score examples/dumai-2024.yaml -f json > dumai.json", "spbe verify dumai.json"),
    )
    p.add_argument("files", nargs="+", metavar="RESULT.json", help=tr("results saved by spbe score -f json"))
    p.set_defaults(func=cmd_verify)

    p = add(
        "schema",
        help=tr("print the JSON Schema of a kind of file, for editors that validate YAML as you type"),
        description=tr(
            "Print the JSON Schema of catalogue, assessment, ownership (owners) or rule files. Save it (`spbe schema "
            "catalogue > catalogue.schema.json`) and put `# yaml-language-server: $schema=./catalogue.schema.json` "
            "on the first line of a YAML file: VS Code (with the YAML extension) and other editors then check the "
            "file as you type."
        ),
        epilog=examples("spbe schema owners > owners.schema.json"),
    )
    p.add_argument("kind", choices=sorted(SCHEMAS), help=tr("the kind of file"))
    p.set_defaults(func=cmd_schema)

    p = add(
        "validate",
        reads=True,
        help=tr("check assessment files against their catalogues (every problem, exit 2 if any)"),
        description=tr(
            "Check each file against its catalogues without scoring: every problem of every file (row, column, "
            "what is allowed), up to --limit per file, then the count. Exit status 2 if any."
        ),
        epilog=examples("spbe validate examples/dumai-2024.yaml table.csv", "spbe validate opd.csv --limit 10"),
    )
    p.add_argument("files", nargs="+", metavar="FILE", help=tr("assessment files, or - for stdin"))
    p.add_argument(
        "--limit", type=int, default=50, metavar="N", help=tr("list at most N problems per file, then count the rest")
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


def _lang_in(argv: Sequence[str]) -> str | None:
    """The language `-l`/`--lang` asks for, read before parsing so the help itself is in it."""
    found = None
    for n, arg in enumerate(argv):
        if arg == "--":
            break
        value = None
        if arg in ("-l", "--lang") and n + 1 < len(argv):
            value = argv[n + 1]
        elif arg.startswith("--lang="):
            value = arg.removeprefix("--lang=")
        elif arg.startswith("-l") and len(arg) > 2 and not arg.startswith("--"):
            value = arg[2:]
        if value in ("en", "id"):
            found = value
    return found


def _check_options(args: argparse.Namespace) -> None:
    """Options that only make sense together: CSV options ask for CSV."""
    csv_asked = bool(
        getattr(args, "excel_id", False) or getattr(args, "delimiter", None) or getattr(args, "decimal", None)
    )
    if csv_asked and getattr(args, "format", None) == "table":
        args.format = "csv"
    elif csv_asked and getattr(args, "format", "csv") != "csv":
        raise FlagError(tr("--excel-id, --delimiter and --decimal are CSV options"), field=f"--format {args.format}")
    if csv_asked:
        csv_style(args)  # a bad delimiter is said before any work


def _named(exc: SpbeError, args: argparse.Namespace) -> SpbeError:
    """The error as the user should read it: a flag's field names the flag (never the input file),
    stdin is `<stdin>`, and an error without a file names the one input when there is one."""
    if isinstance(exc, FlagError):
        return exc
    to = getattr(args, "to", None)
    if exc.field == "catalogue" and to and repr(to) in exc.message:  # the catalogue --to names
        return FlagError(exc.message, field=f"--to {to}", allowed=exc.allowed)
    flag = FLAG_FIELDS.get(exc.field or "")
    dest = flag.lstrip("-").replace("-", "_") if flag else None
    if flag and dest and (getattr(args, dest, None) is not None or dest == "n"):
        value = getattr(args, dest, None)
        return FlagError(exc.message, field=f"{flag} {value}" if value is not None else flag, allowed=exc.allowed)
    file = shown_name(exc.file)
    inputs = input_files(args)
    if file is None and len(inputs) == 1:  # one input: name it
        file = shown_name(inputs[0])
    if file != exc.file:
        return type(exc)(exc.message, file=file, row=exc.row, field=exc.field, allowed=exc.allowed)
    return exc


def main(argv: Sequence[str] | None = None) -> int:
    """Run `spbe` with `argv` (default: the command line) and return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # the locale's language, for the one error that comes before any language is chosen
    fallback = resolve_language(environ={k: v for k, v in os.environ.items() if k != "SPBE_LANG"})
    with language(fallback):
        try:
            lang = resolve_language(_lang_in(argv))
        except SpbeError as exc:  # SPBE_LANG names an unknown language: said as a bad flag is
            message("error", str(FlagError(exc.message, field="SPBE_LANG", allowed=exc.allowed)))
            return EXIT_BAD_INPUT
    with language(lang):
        return _run(argv)


def _run(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    set_strict_plugins(bool(getattr(args, "strict_plugins", False)))
    set_quiet(bool(getattr(args, "quiet", False)))
    try:
        with _stop_cleanly(), language(getattr(args, "lang", None) or current_language()):
            _check_options(args)
            name = next((n for n in ("files", "file") if isinstance(getattr(args, n, None), (list, str))), None)
            if name is None:
                return int(args.func(args))
            value = getattr(args, name)
            paths = list(value) if isinstance(value, list) else [value]
            # `-` reads stdin into a temporary file for the readers
            with stdin_files(paths, getattr(args, "input_format", None)) as files:
                setattr(args, name, files if isinstance(value, list) else files[0])
                return int(args.func(args))
    except PluginError as exc:  # the plugin's fault, not the user's file: its own exit code
        message("error", str(exc))
        return EXIT_PLUGIN
    except SpbeError as exc:
        message("error", str(_named(exc, args)))
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug, not bad input: still one line unless debugging
        if os.environ.get("SPBE_DEBUG"):
            raise
        what = f"{type(exc).__name__}: {exc}"
        message("internal", tr("{what} (set SPBE_DEBUG=1 for details)", what=what))
        return EXIT_INTERNAL
    finally:
        set_quiet(False)


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    run()


__all__ = ["build_parser", "main", "run"]
