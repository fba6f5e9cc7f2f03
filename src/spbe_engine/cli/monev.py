"""CLI commands of the monitoring-and-evaluation cycle (monev): `spbe workbooks` (unit workbooks out),
`spbe collect` (workbooks back, merged into a snapshot) and `spbe actions` (the action log).
Registered by `cli.main.build_parser`; the helpers they share with it are in `cli.common`."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

from ..i18n import tr
from .common import FlagError, command_engine, examples, load_all, parse_date, use_force


def register(add: Callable[..., Any]) -> None:
    """Add this module's subcommands with `add(name, reads=..., help=..., ...)` (an argparse sub-parser)."""
    p = add(
        "workbooks",
        reads=True,
        help=tr("write one Excel workbook per unit (OPD) for its monitoring report"),
        description=tr(
            "Write one Excel workbook per unit (named by unit id) with only the indicators it leads or supports: "
            "the current level and its criteria, the target, the evidence status, and yellow cells for the unit's "
            "report (progress level, evidence submitted, kendala, rencana aksi, PIC, due date, status). The sheet is "
            "protected, the fillable cells are validated, and a hidden sheet identifies the catalogue, period, unit "
            "and the base assessment, so `spbe collect` can tell a workbook for another base or one edited outside "
            "its fillable cells. With --lang id the workbooks are in Bahasa Indonesia only, otherwise in Bahasa "
            "Indonesia and English. Nothing is written when a workbook of the folder exists already, unless --force: "
            "then the workbooks are replaced, and the other files of the folder are left alone."
        ),
        epilog=examples(
            "spbe workbooks examples/kota-contoh/2025.yaml --owners examples/kota-contoh/owners.yaml "
            "--targets examples/kota-contoh/targets.yaml -o rapat/keluar",
        ),
    )
    p.add_argument("file", metavar="ASSESSMENT", help=tr("the base assessment (one subject, one period)"))
    p.add_argument("--owners", required=True, metavar="OWNERS", help=tr("ownership file (YAML or CSV)"))
    p.add_argument("--targets", default=None, metavar="TARGETS", help=tr("targets file (YAML)"))
    p.add_argument(
        "--actions",
        default=None,
        metavar="LOG",
        help=tr("the action log of the last meeting: open actions are carried into the workbooks"),
    )
    p.add_argument(
        "--unit", action="append", default=None, metavar="UNIT", help=tr("only this unit (repeatable; default: all)")
    )
    p.add_argument("-o", "--out", required=True, metavar="DIR", help=tr("folder to write the workbooks into"))
    p.add_argument("--force", action="store_true", help=tr("replace the unit workbooks already in the folder"))
    p.set_defaults(func=cmd_workbooks)

    p = add(
        "collect",
        help=tr("merge the returned unit workbooks into a monitoring snapshot, reporting every conflict"),
        description=tr(
            "Read the returned unit workbooks and merge them into a monitoring snapshot: an assessment file that "
            "every command reads (the base levels kept, the reported levels as its self_assessment stage), with "
            "the record of who reported what (SNAPSHOT.monev.yaml) and the action log (SNAPSHOT.actions.yaml) "
            "beside it. Conflicts are reported, never resolved silently: units reporting different levels, a "
            "supporting unit changing a level its lead did not, a workbook for another period, catalogue or base, "
            "a workbook edited outside its fillable cells, a unit that returned no workbook. --strict makes any "
            "conflict an error (exit 2, nothing written). Existing files are replaced only with --force (never an "
            "input file)."
        ),
        epilog=examples(
            "spbe collect rapat/kembali --owners examples/kota-contoh/owners.yaml "
            "--base examples/kota-contoh/2025.yaml -o rapat/2025-04.yaml",
            "spbe collect kembali/*.xlsx --owners owners.yaml --base 2025.yaml --actions rapat/2025-01.actions.yaml "
            "--meeting 2025-04-10 -o rapat/2025-04.yaml --strict",
        ),
    )
    p.add_argument("files", nargs="+", metavar="WORKBOOK", help=tr("returned workbooks, or folders of them"))
    p.add_argument("--owners", required=True, metavar="OWNERS", help=tr("ownership file (YAML or CSV)"))
    p.add_argument(
        "--base", required=True, metavar="ASSESSMENT", help=tr("the base assessment the workbooks came from")
    )
    p.add_argument(
        "--actions", default=None, metavar="LOG", help=tr("the action log of the last meeting, updated by id")
    )
    p.add_argument("--meeting", default=None, metavar="LABEL", help=tr("this meeting's date or label (default: today)"))
    p.add_argument("--strict", action="store_true", help=tr("any conflict is an error (exit 2); nothing is written"))
    p.add_argument("-o", "--out", required=True, metavar="SNAPSHOT", help=tr("the snapshot to write (.yaml or .json)"))
    p.add_argument(
        "--force", action="store_true", help=tr("replace an existing snapshot and the two files beside it")
    )
    p.add_argument("-f", "--format", choices=["table", "json"], default="table", help=tr("output format"))
    p.set_defaults(func=cmd_collect)

    p = add(
        "actions",
        help=tr("list the action log: open, overdue, per unit"),
        description=tr(
            "List the entries of an action log (a .yaml, .csv or .xlsx log, or a snapshot, whose log is beside it): "
            "indicator, unit, status, due date, overdue mark, the level the action aims at, PIC, kendala and "
            "rencana aksi. With --plan, link each open action to the step of a plan (the JSON of `spbe plan -f "
            "json`) for its indicator and write the linked log to --out."
        ),
        epilog=examples(
            "spbe actions rapat/2025-04.actions.yaml --overdue",
            "spbe actions rapat/2025-04.yaml --unit bappeda --as-of 2025-07-01",
            "spbe actions examples/kota-contoh/actions.yaml -o rapat/rencana-aksi.xlsx",
        ),
    )
    p.add_argument("file", metavar="LOG", help=tr("action log (.yaml, .csv, .xlsx) or snapshot"))
    p.add_argument("--overdue", action="store_true", help=tr("only open actions past their due date"))
    p.add_argument("--unit", default=None, metavar="UNIT", help=tr("only this unit's actions"))
    p.add_argument(
        "--status",
        action="append",
        default=None,
        choices=["open", "in_progress", "done", "dropped"],
        help=tr("only actions with this status (repeatable)"),
    )
    p.add_argument(
        "--as-of", type=parse_date, default=None, metavar="DATE", help=tr("the day overdue is judged on (today)")
    )
    p.add_argument("--plan", default=None, metavar="PLAN.json", help=tr("link open actions to this plan's steps"))
    p.add_argument(
        "-o", "--out", default=None, metavar="LOG", help=tr("write the (linked) log here (.yaml, .csv or .xlsx)")
    )
    p.add_argument("--force", action="store_true", help=tr("replace an existing --out file"))
    p.add_argument("-f", "--format", choices=["table", "json", "csv"], default="table", help=tr("output format"))
    p.set_defaults(func=cmd_actions)


def _one(engine: Any, file: str, args: argparse.Namespace | None) -> Any:
    """The one assessment of `file` (narrowed by --subject/--where when given)."""
    items = load_all(engine, [file], args)
    if len(items) != 1:
        raise FlagError(
            tr(
                "{file} holds {n} assessments; a monitoring cycle follows one: choose it with --subject",
                file=file,
                n=len(items),
            ),
            field="ASSESSMENT",
        )
    return items[0].assessment


def _owners_targets(engine: Any, base: Any, owners: str, targets: str | None) -> tuple[Any, Any]:
    from ..accountability.ownership import load_ownership, load_targets

    cc = engine.compiled(base.catalogue)
    ids = list(cc.ids)
    own = load_ownership(owners, catalogue=base.catalogue, indicator_ids=ids)
    tg = None
    if targets:
        tg = load_targets(
            targets,
            indicator_ids=ids,
            lo=dict(zip(ids, cc.lo, strict=True)),
            hi=dict(zip(ids, cc.hi, strict=True)),
        )
    return own, tg


def cmd_workbooks(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..io.atomic import protect
    from ..monev.actions import load_actions
    from ..monev.workbooks import write_workbooks
    from .output import say

    engine = command_engine()
    base = _one(engine, args.file, args)
    own, tg = _owners_targets(engine, base, args.owners, args.targets)
    log = load_actions(_log_path(args.actions)) if args.actions else None
    inputs = [
        args.file,
        args.owners,
        *([args.targets] if args.targets else []),
        *([args.actions] if args.actions else []),
    ]
    for unit in args.unit or [u.id for u in own.units]:
        protect(Path(args.out) / f"{unit}.xlsx", inputs)  # an input named like a workbook: never replaced
    with use_force():
        written = write_workbooks(
            engine, base, own, args.out, targets=tg, actions=log, units=args.unit, overwrite=args.force
        )
    say(
        tr(
            "{n} workbook(s) for {subject} ({period}) in {out}",
            n=len(written),
            subject=base.subject,
            period=base.period,
            out=args.out,
        )
    )
    for unit, path in written.items():
        say(f"  {unit}: {path}")
    return 0


def cmd_collect(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..io.atomic import protect
    from ..monev.actions import load_actions
    from ..monev.snapshot import collect, sidecars, write_snapshot
    from .output import dump, message, say

    engine = command_engine()
    base = _one(engine, args.base, None)
    own, _ = _owners_targets(engine, base, args.owners, None)
    previous = load_actions(_log_path(args.actions)) if args.actions else None
    out = Path(args.out)
    inputs = [*args.files, args.owners, args.base, *([args.actions] if args.actions else [])]
    for target in (out, *sidecars(out)):
        protect(target, inputs)
    snap = collect(args.files, owners=own, base=base, engine=engine, actions=previous, meeting=args.meeting)
    if args.strict and snap.conflicts:
        for c in snap.conflicts:
            message("error", c.message())
        raise FlagError(
            tr("{n} conflict(s) in the returned workbooks; nothing written", n=len(snap.conflicts)), field="--strict"
        )
    with use_force():
        written = write_snapshot(snap, out, overwrite=args.force)
    if args.format == "json":
        dump({**snap.to_dict(), "written": {k: str(v) for k, v in written.items()}})
        return 0
    lines = [snap.summary()]
    if snap.conflicts:
        lines.append(tr("Conflicts (not merged):"))
        lines.extend(f"  - {c.message()}" for c in snap.conflicts)
    lines.append(
        tr(
            "actions: {added} added, {updated} updated, {total} in the log",
            added=snap.counts.actions_added,
            updated=snap.counts.actions_updated,
            total=len(snap.actions),
        )
    )
    names = {"snapshot": tr("snapshot"), "record": tr("record of who reported what"), "actions": tr("action log")}
    lines.extend(f"{names.get(name, name)}: {path}" for name, path in written.items())
    say("\n".join(lines))
    return 0


def _log_path(path: str) -> str:
    """An action log, or the log beside a snapshot when `path` is one."""
    from pathlib import Path

    from ..monev.snapshot import sidecars

    p = Path(path)
    if p.suffix.lower() in (".yaml", ".yml", ".json") and not p.name.endswith(".actions.yaml"):
        record, actions = sidecars(p)
        if record.exists() and actions.exists():
            return str(actions)
    return path


def _plan_steps(path: str) -> list[Any]:
    """The steps of `spbe plan -f json` output (a list of plans, or one plan) as plan links."""
    import json
    from pathlib import Path

    from .._yaml import read_text
    from ..errors import SpbeError
    from ..monev.actions import PlanLink

    try:
        data = json.loads(read_text(Path(path)))
    except json.JSONDecodeError as exc:
        raise SpbeError(tr("not JSON: {exc}", exc=exc.msg), file=path, row=exc.lineno) from None
    plans = data if isinstance(data, list) else [data]
    links = []
    for plan in plans:
        steps = plan.get("steps") if isinstance(plan, dict) else None
        if not isinstance(steps, list):
            raise SpbeError(tr("not the JSON of `spbe plan -f json` (no steps)"), file=path)
        for n, s in enumerate(steps, 1):
            try:
                links.append(PlanLink(indicator=s["indicator"], level=s["to"], step=n))
            except (KeyError, TypeError):
                raise SpbeError(tr("step {n} has no indicator or level", n=n), file=path, field="steps") from None
    return links


def cmd_actions(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..io.atomic import protect
    from ..monev.actions import load_actions
    from .output import csv_text, dump, result_table, say

    source = _log_path(args.file)
    log = load_actions(source)
    if args.plan:
        if not args.out:
            raise FlagError(tr("--plan writes the linked log: give --out"), field="--plan")
        log = log.link_plan(_plan_steps(args.plan))
    if args.out:
        protect(Path(args.out), [source, args.file, *([args.plan] if args.plan else [])])
        with use_force():
            log.save(args.out, overwrite=args.force)
    chosen = log.select(unit=args.unit, status=args.status, overdue=args.overdue, as_of=args.as_of)
    view = log.table(chosen, as_of=args.as_of)
    if args.format == "json":
        dump(view.to_dict())
    elif args.format == "csv":
        import sys

        sys.stdout.write(csv_text([list(view.headers), *view.rows()]))
    else:
        say(view.summary() + ("\n" + result_table(view) if chosen else ""))
    return 0


__all__: Sequence[str] = ["register"]
