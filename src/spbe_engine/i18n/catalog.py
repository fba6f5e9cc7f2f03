"""Maintaining the message catalogues with Babel (a tool for translators and developers, not run by commands).

    python -m spbe_engine.i18n update              # extract messages from the code, merge into every .po, compile
    python -m spbe_engine.i18n missing [LANG]      # messages without a translation (exit 1 if any)
    python -m spbe_engine.i18n add FILE.json       # merge {"English": "Indonesia"} pairs into id.po, compile

`add` takes a file lock, so several people (or processes) can add translations at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from . import DOMAIN, LANGS
from . import LOCALE_DIR as _LOCALE_DIR_TEXT

PACKAGE = Path(__file__).resolve().parent.parent
LOCALE_DIR = Path(_LOCALE_DIR_TEXT)
KEYWORDS = {"tr": None, "N_": None, "translate": None, "_translate": None}
POT = LOCALE_DIR / f"{DOMAIN}.pot"


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def extract() -> Catalog:
    """Every message the code marks (`tr`, `N_`, `translate` with a literal text)."""
    template = Catalog(project="spbe_engine", domain=DOMAIN, fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(PACKAGE),
        method_map=[("**.py", "python")],
        keywords=KEYWORDS,
        comment_tags=("TRANSLATORS:",),
        directory_filter=_source_dir,  # Babel's default skips `_builtins/`: its messages were never translated
    ):
        if isinstance(message, str) and message:
            template.add(message, None, [(f"spbe_engine/{filename}", lineno)], auto_comments=comments, context=context)
    return template


def _source_dir(path: str) -> bool:
    """Every package directory, `_builtins` included; not caches or hidden ones."""
    name = Path(path).name
    return not name.startswith(".") and name != "__pycache__"


def read(lang: str) -> Catalog:
    path = po_path(lang)
    if not path.exists():
        return Catalog(locale=lang, domain=DOMAIN, project="spbe_engine", fuzzy=False)
    with path.open("rb") as fh:
        return read_po(fh, locale=lang, domain=DOMAIN)


def po_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=100, sort_output=True, omit_header=False, ignore_obsolete=True)
    return out.getvalue()


def mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def _write(lang: str, catalog: Catalog) -> None:
    path = po_path(lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(po_bytes(catalog))
    path.with_suffix(".mo").write_bytes(mo_bytes(read(lang)))


@contextlib.contextmanager
def _locked() -> Iterator[None]:
    LOCALE_DIR.mkdir(parents=True, exist_ok=True)
    with (LOCALE_DIR / ".lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def update() -> None:
    """Extract, write the template, merge it into each language's .po (new messages empty), compile."""
    with _locked():
        template = extract()
        POT.write_bytes(po_bytes(template))
        for lang in LANGS[1:]:
            catalog = read(lang)
            catalog.update(template, no_fuzzy_matching=True)
            _write(lang, catalog)


def missing(lang: str = "id") -> list[str]:
    """Messages the code uses that `lang` has no (or only a fuzzy) translation for."""
    catalog = read(lang)
    out = []
    for message in extract():
        if not message.id:
            continue
        have = catalog.get(message.id)
        if have is None or not have.string or have.fuzzy:
            out.append(str(message.id))
    return out


def add(pairs: dict[str, str], lang: str = "id") -> int:
    """Merge translations into `lang`'s catalogue (new messages are added too); returns how many."""
    with _locked():
        catalog = read(lang)
        for english, translated in pairs.items():
            existing = catalog.get(english)
            if existing is None:
                catalog.add(english, translated)
            else:
                existing.string = translated
                existing.flags.discard("fuzzy")
        _write(lang, catalog)
    return len(pairs)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] not in {"update", "missing", "add"}:
        print(__doc__)
        return 2
    if args[0] == "update":
        update()
        todo = missing()
        print(f"{POT.name} written; {len(todo)} message(s) without an Indonesian translation")
        return 0
    if args[0] == "missing":
        todo = missing(args[1] if len(args) > 1 else "id")
        for message in todo:
            print(json.dumps(message, ensure_ascii=False))
        return 1 if todo else 0
    with open(args[1], encoding="utf-8") as fh:
        print(f"{add(json.load(fh))} translation(s) added")
    return 0
