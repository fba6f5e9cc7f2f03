"""CLI commands of the monitoring-and-evaluation meeting: `spbe brief` (the meeting brief, bahan rapat)
and `spbe dashboard` (one interactive HTML page for the meeting room). Registered by
`cli.main.build_parser`.

Both speak Bahasa Indonesia unless `--lang` (or SPBE_LANG) says otherwise: they are documents for an
Indonesian meeting, whatever the coordinator's computer locale is.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import Any

from ..i18n import tr
from .common import command_engine, examples, missing_policy, one_or_more, parse_date, use_force


def _lang(args: argparse.Namespace) -> str:
    """--lang, else SPBE_LANG, else Bahasa Indonesia."""
    from ..i18n import resolve_language

    chosen = getattr(args, "lang", None)
    if chosen:
        return str(chosen)
    return resolve_language(os.environ.get("SPBE_LANG") or "id")


def _common(p: argparse.ArgumentParser, date: Callable[[str], Any]) -> None:
    p.add_argument("--owners", required=True, metavar="OWNERS", help=tr("ownership file (YAML or CSV)"))
    p.add_argument("--targets", default=None, metavar="TARGETS", help=tr("targets file (YAML)"))
    p.add_argument(
        "--actions",
        default=None,
        metavar="LOG",
        help=tr("an action log (YAML or CSV) instead of the one beside the snapshot"),
    )
    p.add_argument(
        "--peers",
        action="append",
        default=None,
        metavar="PEERS",
        help=tr("assessments of other agencies (e.g. a national CSV): the city is ranked among its province's"),
    )
    p.add_argument(
        "--as-of",
        type=date,
        default=None,
        metavar="DATE",
        help=tr("the day actions are overdue against (default: today)"),
    )
    p.add_argument(
        "--missing", default=None, metavar="POLICY", help=tr("score partial assessments: 'minimum' or a level")
    )
    p.add_argument("--force", action="store_true", help=tr("replace existing output files"))


def register(add: Callable[..., Any]) -> None:
    """Add `brief` and `dashboard` with `add(name, reads=..., help=..., ...)` (an argparse sub-parser)."""
    p = add(
        "brief",
        help=tr("write the meeting brief (bahan rapat): HTML, Markdown and Word, in Bahasa Indonesia"),
        description=tr(
            "Write the brief of a monitoring meeting into a folder (brief.html, brief.md, brief.docx), for the whole "
            "city and per unit (OPD): the index now and projected (if every open action reaches its level), progress "
            "since the previous meeting (level changes, evidence added), index points at stake, target gaps, open "
            "and overdue actions, conflicts from the collection, and the province ranking when peers are given. "
            "SNAPSHOT is a snapshot written by `spbe collect` (its record and action log are read from beside it) "
            "or any assessment file. Bahasa Indonesia unless --lang en. The Word file needs python-docx "
            "(pip install 'spbe_engine[docx]'); without it the other two are written."
        ),
        epilog=examples(
            "spbe brief rapat/2025-04.yaml --previous rapat/2025-01.yaml --owners examples/kota-contoh/owners.yaml "
            "--targets examples/kota-contoh/targets.yaml -o rapat/bahan-2025-04",
            "spbe brief examples/kota-contoh/2025.yaml --owners examples/kota-contoh/owners.yaml --peers nasional.csv "
            "-o bahan --lang en",
        ),
    )
    p.add_argument("file", metavar="SNAPSHOT", help=tr("the snapshot of this meeting (or an assessment file)"))
    p.add_argument(
        "--previous", default=None, metavar="SNAPSHOT", help=tr("the snapshot of the previous meeting, for progress")
    )
    _common(p, parse_date)
    p.add_argument("-o", "--out", required=True, metavar="DIR", help=tr("folder to write the brief into"))
    p.set_defaults(func=cmd_brief, lang=None)

    p = add(
        "dashboard",
        help=tr("write the interactive meeting dashboard: one HTML file that works offline"),
        description=tr(
            "Write one self-contained HTML page for the meeting room (no network, no server: it opens from a USB "
            "stick). The coordinator filters by unit, changes any indicator's level, or applies 'this unit reaches "
            "its targets' / 'every open action succeeds', and sees the index, every domain and aspect, the predikat "
            "and the rank among the province's peers change at once; reset; the accountability table per unit and "
            "the action list. The page computes exactly as the engine does (integer weights), so it shows the "
            "engine's numbers for the same levels. Bahasa Indonesia unless --lang en (the page can switch)."
        ),
        epilog=examples(
            "spbe dashboard rapat/2025-04.yaml --owners examples/kota-contoh/owners.yaml "
            "--targets examples/kota-contoh/targets.yaml --peers nasional.csv -o dasbor.html",
        ),
    )
    p.add_argument("file", metavar="SNAPSHOT", help=tr("the snapshot of this meeting (or an assessment file)"))
    _common(p, parse_date)
    p.add_argument("-o", "--out", required=True, metavar="FILE", help=tr("the HTML file to write"))
    p.set_defaults(func=cmd_dashboard, lang=None)


def _peers(engine: Any, args: argparse.Namespace) -> list[Any]:
    return one_or_more(engine, args.peers) if args.peers else []  # peers are never filtered


def cmd_brief(args: argparse.Namespace) -> int:
    from ..monev.brief import write_brief
    from .output import say
    from .progress import Activity

    lang = _lang(args)
    engine = command_engine()
    peers = _peers(engine, args)
    with use_force(), Activity(tr("Writing the meeting brief")):
        written = write_brief(
            engine,
            args.file,
            owners=args.owners,
            out_dir=args.out,
            previous=args.previous,
            targets=args.targets,
            actions=args.actions,
            peers=peers,
            peer_files=args.peers or (),
            lang=lang,
            as_of=args.as_of,
            missing=missing_policy(args.missing),
            overwrite=args.force,
        )
    for fmt, where in written.items():
        say(f"{fmt}: {where}")
    return 0


def cmd_dashboard(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..io.atomic import protect
    from ..monev.dashboard import write_dashboard
    from ..monev.meeting import open_snapshot
    from .output import say

    lang = _lang(args)
    engine = command_engine()
    inputs = [args.file, args.owners, *(p for p in (args.targets, args.actions) if p), *(args.peers or ())]
    protect(Path(args.out), inputs)
    peers = _peers(engine, args)
    with use_force():
        snap = open_snapshot(engine, args.file, actions=args.actions)
        path = write_dashboard(
            engine,
            snap.assessment,
            owners=args.owners,
            out=args.out,
            targets=args.targets,
            actions=snap.actions,
            peers=peers,
            lang=lang,
            as_of=args.as_of,
            missing=missing_policy(args.missing),
            overwrite=args.force,
            base=snap.base,
        )
    say(tr("dashboard: {path}", path=str(path)))
    return 0
