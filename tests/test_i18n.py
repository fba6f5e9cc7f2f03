"""The translation mechanism and its catalogue: every message translated, the committed files current,
the fields of every message filled and kept, the language chosen as documented, numbers and times
written as Indonesians write them, and errors that speak the language around their message."""

from __future__ import annotations

import ast
import re
import string
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spbe_engine import Engine, load_assessments
from spbe_engine.errors import SpbeError
from spbe_engine.i18n import (
    LANGS,
    catalog,
    current_language,
    language,
    local_time,
    number,
    resolve_language,
    set_language,
    tr,
    translate,
)

SRC = Path(__file__).resolve().parent.parent / "src" / "spbe_engine"
MO = catalog.po_path("id").with_suffix(".mo")


# -- (a)-(c) the catalogue is complete and the committed files are current ----------------------------


def test_every_message_has_an_indonesian_translation() -> None:
    todo = catalog.missing("id")
    assert not todo, (
        f"{len(todo)} message(s) without an Indonesian translation; run `python -m spbe_engine.i18n update`, "
        f"translate them (`... i18n add FILE.json`, see docs/i18n.md): {todo[:10]}"
    )


def test_committed_mo_is_the_compiled_po() -> None:
    assert MO.read_bytes() == catalog.mo_bytes(catalog.read("id")), (
        "spbe_engine.mo is stale: compile it from the .po with `python -m spbe_engine.i18n update`"
    )


def _ids(cat: object) -> set[str]:
    return {str(m.id) for m in cat if m.id}  # type: ignore[attr-defined]


def test_committed_pot_holds_exactly_the_messages_of_the_code() -> None:
    """A message added, changed or removed in the code without `update` leaves the template behind."""
    from babel.messages.pofile import read_po

    with catalog.POT.open("rb") as fh:
        committed = _ids(read_po(fh))
    fresh = _ids(catalog.extract())
    assert not fresh - committed, (
        f"run `python -m spbe_engine.i18n update`: new in the code: {sorted(fresh - committed)[:10]}"
    )
    assert not committed - fresh, f"run `python -m spbe_engine.i18n update`: gone: {sorted(committed - fresh)[:10]}"


def test_po_holds_no_message_the_code_no_longer_uses() -> None:
    stale = _ids(catalog.read("id")) - _ids(catalog.extract())
    assert not stale, f"run `python -m spbe_engine.i18n update` to drop: {sorted(stale)[:10]}"


# -- (d) fields: every tr() call fills its fields; every translation keeps them ------------------------


def brace_fields(text: str) -> set[tuple[str, str, str | None]]:
    """The `{name!conv:spec}` fields of a str.format text (literal `{{` is not a field)."""
    return {(name, spec or "", conv) for _, name, spec, conv in string.Formatter().parse(text) if name is not None}


PERCENT = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?([sdrifx%])")


def percent_fields(text: str) -> list[str]:
    """The %-placeholders of an argparse-style text (`%(prog)s`, `%s`), in order."""
    return sorted(m.group(0) for m in PERCENT.finditer(text) if m.group(2) != "%")


def tr_calls() -> list[tuple[str, int, ast.Call]]:
    out = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "tr":
                out.append((str(path.relative_to(SRC)), node.lineno, node))
    return out


def test_the_source_has_tr_calls_to_check() -> None:
    assert len(tr_calls()) > 250


def test_every_literal_message_is_extracted() -> None:
    """Babel finds every tr("...") of the package (its directory filter once skipped `_builtins/`)."""
    extracted = _ids(catalog.extract())
    lost = [
        f"{where}:{line}: {call.args[0].value!r}"
        for where, line, call in tr_calls()
        if call.args and isinstance(call.args[0], ast.Constant) and call.args[0].value not in extracted
    ]
    assert not lost, "not extracted, so never translated:\n" + "\n".join(lost)


def test_every_tr_call_fills_exactly_the_fields_of_its_message() -> None:
    problems = []
    for where, line, call in tr_calls():
        if not call.args:
            problems.append(f"{where}:{line}: tr() without a message")
            continue
        first = call.args[0]
        if isinstance(first, ast.Name):  # a text marked with N_() where it is written, e.g. a helper's parameter
            continue
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            kind = "an f-string" if isinstance(first, ast.JoinedStr) else "not a literal text"
            problems.append(f"{where}:{line}: the message is {kind}; Babel cannot extract it")
            continue
        if any(k.arg is None for k in call.keywords):
            problems.append(f"{where}:{line}: tr(..., **mapping) hides which fields are filled; name them")
            continue
        try:
            fields = brace_fields(first.value)
        except ValueError as exc:
            problems.append(f"{where}:{line}: {first.value!r} is not a format text ({exc}); write a brace as {{{{")
            continue
        names = {name for name, _spec, _conv in fields}
        if any(not n or n.isdigit() or not n.isidentifier() for n in names):
            problems.append(f"{where}:{line}: {first.value!r}: only named fields ({{name}}), no {{}} or {{0}}")
        given_ = {k.arg for k in call.keywords} - {"lang"}
        if names != given_:
            problems.append(
                f"{where}:{line}: {first.value!r} has fields {sorted(names)} but tr() fills {sorted(given_)}"
            )
    assert not problems, "\n".join(problems)


def test_every_translation_keeps_the_fields_of_its_message() -> None:
    problems = []
    for message in catalog.read("id"):
        if not message.id or not message.string:
            continue
        msgid, msgstr = str(message.id), str(message.string)
        try:
            same = brace_fields(msgid) == brace_fields(msgstr)
        except ValueError:  # not a format text (argparse's %-texts may hold a lone brace): compare as text
            same = msgid.count("{") == msgstr.count("{") and msgid.count("}") == msgstr.count("}")
        if not same:
            problems.append(f"{msgid!r} → {msgstr!r}: the {{fields}} differ")
        if percent_fields(msgid) != percent_fields(msgstr):
            problems.append(f"{msgid!r} → {msgstr!r}: the %-placeholders differ")
        if msgid.endswith("\n") != msgstr.endswith("\n"):
            problems.append(f"{msgid!r} → {msgstr!r}: one ends with a line break, the other not")
    assert not problems, "\n".join(problems)


def test_field_check_catches_a_changed_field() -> None:
    assert brace_fields("baris {row}") != brace_fields("row {baris}")
    assert brace_fields("{a!r}") != brace_fields("{a}")
    assert brace_fields("{n:,}") != brace_fields("{n}")
    assert brace_fields("{{level: cost}}") == set()
    assert percent_fields("%(prog)s: error: %(message)s\n") == ["%(message)s", "%(prog)s"]


# -- (e) which language --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"SPBE_LANG": "en", "LANG": "id_ID.UTF-8"}, "en"),  # SPBE_LANG beats the locale
        ({"SPBE_LANG": "id", "LANG": "C"}, "id"),
        ({"SPBE_LANG": " ID ", "LANG": "C"}, "id"),
        ({"LANG": "id_ID.UTF-8"}, "id"),
        ({"LANG": "in_ID"}, "id"),  # the old ISO code
        ({"LANGUAGE": "id:en"}, "id"),
        ({"LC_ALL": "id_ID.UTF-8", "LANG": "C"}, "id"),  # LC_ALL beats LANG, as in POSIX
        ({"LC_ALL": "C.UTF-8", "LANG": "id_ID.UTF-8"}, "en"),
        ({"LANG": "C"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "de_DE.UTF-8"}, "en"),  # no catalogue: the source language
        ({}, "en"),
    ],
)
def test_resolve_language(environ: dict[str, str], expected: str) -> None:
    assert resolve_language(None, environ) == expected


def test_an_explicit_language_beats_the_environment() -> None:
    assert resolve_language("en", {"SPBE_LANG": "id", "LANG": "id_ID.UTF-8"}) == "en"
    assert resolve_language("id", {"SPBE_LANG": "en"}) == "id"


@pytest.mark.parametrize("bad", [("fr", None), (None, "fr")])
def test_an_unknown_language_is_an_error_naming_the_allowed_ones(bad: tuple[str | None, str | None]) -> None:
    explicit, env = bad
    with pytest.raises(SpbeError) as info:
        resolve_language(explicit, {"SPBE_LANG": env} if env else {})
    assert info.value.field == "lang"
    assert info.value.allowed == "en, id"
    assert "'fr'" in str(info.value) and "en, id" in str(info.value)


def test_language_is_scoped_and_set_language_too() -> None:
    import contextvars

    assert current_language() == "en"
    with language("id"):
        assert current_language() == "id"
        assert tr("row {row}", row=3) == "baris 3"
    assert current_language() == "en"
    assert tr("row {row}", row=3) == "row 3"

    def inside() -> str:
        set_language("id")
        return translate("row {row}")

    assert contextvars.copy_context().run(inside) == "baris {row}"
    assert current_language() == "en"
    assert LANGS == ("en", "id")


def test_an_explicit_lang_beats_the_context() -> None:
    with language("id"):
        assert tr("row {row}", lang="en", row=1) == "row 1"
    assert tr("row {row}", lang="id", row=1) == "baris 1"


# -- (f) numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "places", "en", "id_"),
    [
        (Decimal("3.90"), 2, "3.90", "3,90"),
        (Decimal("3.9"), 2, "3.90", "3,90"),
        ("4.51", 2, "4.51", "4,51"),
        (0, 2, "0.00", "0,00"),
        (5, None, "5", "5"),
        (Decimal("-1.25"), 2, "-1.25", "-1,25"),
        (Decimal("1234567.50"), 2, "1234567.50", "1.234.567,50"),  # Indonesian groups thousands with a dot
        (Decimal("100000"), None, "100000", "100.000"),
        (Decimal("0.125"), None, "0.125", "0,125"),  # places=None keeps the digits given
    ],
)
def test_number(value: Decimal | int | str, places: int | None, en: str, id_: str) -> None:
    assert number(value, "en", places=places) == en
    assert number(value, "id", places=places) == id_


def test_number_follows_the_current_language() -> None:
    with language("id"):
        assert number(Decimal("3.90")) == "3,90"
    assert number(Decimal("3.90")) == "3.90"


def test_number_never_rounds() -> None:
    """Rounding is `exact.display`'s job (half-up on the exact value); number() given more digits than
    `places` shows them all rather than rounding a second time (half-even would turn 3.905 into 3.90)."""
    assert number(Decimal("3.905"), "id") == "3,905"
    assert number(Decimal("3.905"), "en") == "3.905"
    assert number(Decimal("2.345"), "id", places=2) == "2,345"
    assert number(Decimal("3.9"), "id", places=3) == "3,900"  # padding is exact


def _back(text: str) -> Decimal:
    return Decimal(text.replace(".", "").replace(",", "."))


@given(st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False))
def test_indonesian_numbers_read_back_exactly(d: Decimal) -> None:
    shown = number(d, "id")
    assert re.fullmatch(r"-?\d{1,3}(\.\d{3})*,\d{2}", shown), shown
    assert _back(shown) == d
    assert str(_back(shown)) == f"{d.quantize(Decimal('0.01')):f}".replace("-0.00", "0.00") or d == 0
    english = number(d, "en")
    assert Decimal(english) == d and re.fullmatch(r"-?\d+\.\d{2}", english)
    assert shown.replace(".", "").replace(",", ".") == english.lstrip("-").join(["-" if shown[0] == "-" else "", ""])


@given(st.decimals(min_value=Decimal("-1e6"), max_value=Decimal("1e6"), places=4, allow_nan=False))
def test_numbers_keep_every_digit_given_with_places_none(d: Decimal) -> None:
    assert _back(number(d, "id", places=None)) == d
    assert Decimal(number(d, "en", places=None)) == d


# -- (g) local time ------------------------------------------------------------------------------

MOMENT = datetime(2026, 11, 30, 13, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("WIB", "2026-11-30 20:10 WIB"),
        ("wita", "2026-11-30 21:10 WITA"),
        ("WIT", "2026-11-30 22:10 WIT"),
        ("Asia/Jakarta", "2026-11-30 20:10 WIB"),
        ("Asia/Makassar", "2026-11-30 21:10 WITA"),
        ("Asia/Jayapura", "2026-11-30 22:10 WIT"),
    ],
)
def test_local_time(zone: str, expected: str) -> None:
    assert local_time(MOMENT, zone) == expected


def test_local_time_defaults_to_wib_and_reads_naive_times_as_utc() -> None:
    assert local_time(MOMENT) == "2026-11-30 20:10 WIB"
    assert local_time(MOMENT.replace(tzinfo=None)) == "2026-11-30 20:10 WIB"
    assert local_time(datetime(2026, 12, 31, 20, 0, tzinfo=UTC), "WIT") == "2027-01-01 05:00 WIT"


def test_an_unknown_zone_is_an_error_in_the_current_language() -> None:
    with pytest.raises(SpbeError) as info:
        local_time(MOMENT, "Mars/Olympus")
    assert info.value.field == "tz" and "WIB, WITA, WIT" in str(info.value)
    with language("id"):
        with pytest.raises(SpbeError) as info:
            local_time(MOMENT, "Mars/Olympus")
        shown = str(info.value)
    assert shown == "kolom 'tz': zona waktu 'Mars/Olympus' tidak dikenal (yang diperbolehkan: WIB, WITA, WIT)"


# -- (h) errors speak the language around their message -----------------------------------------


def _bad_csv(tmp_path: Path) -> Path:
    ids = [str(i) for i in range(1, 48)]
    rows = [
        ["subject", "period", "catalogue", *ids],
        ["Kota Contoh", "2024", "spbe-2020", *(["3"] * 47)],
        ["Kota Lain", "2024", "spbe-2020", "3", "x", *(["3"] * 45)],
    ]
    path = tmp_path / "opd.csv"
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_an_error_in_indonesian_says_baris_and_kolom(tmp_path: Path) -> None:
    """The message is translated where it is raised, the words around it ("row", "field", "allowed")
    where it is shown: the CLI does both inside its language."""
    path = _bad_csv(tmp_path)
    engine = Engine(load_entry_points=False)
    with language("id"):
        with pytest.raises(SpbeError) as info:
            load_assessments(path, engine=engine)
        text = str(info.value)
    assert text.startswith(f"{path}: baris 3: kolom '2': tingkat 'x' bukan bilangan bulat"), text
    with pytest.raises(SpbeError) as info:
        load_assessments(path, engine=engine)
    assert str(info.value).startswith(f"{path}: row 3: field '2': level 'x' is not a whole number")


def test_an_indonesian_error_has_no_english_words(tmp_path: Path) -> None:
    """All of the line, including what was allowed (`allowed=` texts are messages too)."""
    from tests.test_lang_id import english_words_in

    with language("id"):
        with pytest.raises(SpbeError) as info:
            load_assessments(_bad_csv(tmp_path), engine=Engine(load_entry_points=False))
        text = str(info.value)
    assert not english_words_in(text), text


def test_the_words_around_an_error_follow_the_language_it_is_shown_in() -> None:
    error = SpbeError("x", file="a.csv", row=2, field="level", allowed="1, 2")
    assert str(error) == "a.csv: row 2: field 'level': x (allowed: 1, 2)"
    with language("id"):
        assert str(error) == "a.csv: baris 2: kolom 'level': x (yang diperbolehkan: 1, 2)"


def test_allowed_texts_are_messages_too() -> None:
    """`allowed=` is shown after the message ("(allowed: whole numbers)"): prose there goes through tr()
    like the message; lists of values (en, id; WIB, WITA, WIT) and ids stay as they are."""
    from tests.test_lang_id import english_words_in

    problems = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            for keyword in node.keywords:
                value = keyword.value
                if keyword.arg != "allowed":
                    continue
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    text = value.value
                elif isinstance(value, ast.JoinedStr):
                    text = " ".join(
                        v.value for v in value.values if isinstance(v, ast.Constant) and isinstance(v.value, str)
                    )
                else:
                    continue
                if re.fullmatch(r"[\w.-]+(?:, [\w.-]+)*", text):  # a list of values or keys: lead, support
                    continue
                if english_words_in(text):
                    problems.append(f"{path.relative_to(SRC)}:{node.lineno}: allowed={text!r}")
    assert not problems, "English shown after Indonesian messages; wrap in tr():\n" + "\n".join(problems)


#: Column headers that read the same in Bahasa Indonesia (the regulation's or the unit's own words).
SAME_IN_INDONESIAN = {"", "predikat", "target", "status", "PIC", "id", "kendala", "rencana aksi", "median", "unit"}


def test_every_result_table_header_has_indonesian() -> None:
    """Every `Result` shows its column headers in the reader's language (tables, notebooks): each
    header has an Indonesian translation, or is a word Indonesian uses as it is."""
    import importlib
    import pkgutil

    import spbe_engine
    from spbe_engine.i18n import language, translate
    from spbe_engine.results import Result

    for m in pkgutil.walk_packages(spbe_engine.__path__, "spbe_engine."):
        if not m.name.endswith(("__main__", "pytest_plugin")):
            importlib.import_module(m.name)

    def subclasses(c: type) -> set[type]:
        return {s for d in c.__subclasses__() for s in {d, *subclasses(d)}}

    english = set()
    with language("id"):
        for c in subclasses(Result):
            headers = c.__dict__.get("headers", ())  # a property (headers that depend on the data): not here
            for h in headers if isinstance(headers, (tuple, list)) else ():
                if isinstance(h, str) and translate(h) == h and h not in SAME_IN_INDONESIAN:
                    english.add(f"{c.__name__}: {h!r}")
    assert not english, sorted(english)
