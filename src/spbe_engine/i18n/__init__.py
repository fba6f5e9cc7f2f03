"""Every text a person reads, in English or Bahasa Indonesia, through gettext message catalogues.

Messages are written in English in the code, marked with `tr("text {name}", name=...)` (or `N_`
for texts defined before the language is known) and translated from
`locale/<lang>/LC_MESSAGES/spbe_engine.po`, which translators edit without reading code
(`python -m spbe_engine.i18n update` extracts new messages with Babel and compiles the `.mo`).
The language is a context setting: the CLI sets it from `--lang`, `SPBE_LANG` or the locale; library
callers use `language("id")` or pass `lang=` where a function takes it. English needs no catalogue
and nothing is imported for it, so start-up stays fast. Numbers a person reads go through `number()`
(Babel's locale symbols: "3,90" in Indonesian), never on the exact path.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
from collections.abc import Iterator, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from .. import errors
from ..errors import SpbeError

if TYPE_CHECKING:  # datetime, decimal and pathlib load when first used: the CLI's start-up pays for none
    from datetime import datetime, tzinfo
    from decimal import Decimal

__all__ = [
    "LANGS",
    "N_",
    "current_language",
    "language",
    "local_time",
    "number",
    "resolve_language",
    "set_language",
    "tr",
    "translate",
]

#: The languages with a message catalogue ("en" is the source language).
LANGS = ("en", "id")
DOMAIN = "spbe_engine"
LOCALE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "locale")

_current: contextvars.ContextVar[str] = contextvars.ContextVar("spbe_language", default="en")


def N_(message: str) -> str:
    """Mark a text for translation where it is defined; translate it where it is shown (`translate`)."""
    return message


def _check(lang: str) -> str:
    if lang not in LANGS:
        raise SpbeError(tr("unknown language {name!r}", name=lang), field="lang", allowed=", ".join(LANGS))
    return lang


def set_language(lang: str) -> None:
    """Make `lang` the language of every message in this context (thread, task) from now on."""
    _current.set(_check(lang))


def current_language() -> str:
    return _current.get()


@contextlib.contextmanager
def language(lang: str) -> Iterator[None]:
    """`with language("id"): ...` — messages, errors and explanations in Bahasa Indonesia inside."""
    token = _current.set(_check(lang))
    try:
        yield
    finally:
        _current.reset(token)


def resolve_language(explicit: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The language a command speaks: `explicit` (`--lang`), else `SPBE_LANG`, else the locale
    (`LC_ALL`, `LC_MESSAGES`, `LANG`, `LANGUAGE`: `id_ID.UTF-8` → id), else English."""
    if explicit:
        return _check(explicit)
    env = os.environ if environ is None else environ
    chosen = env.get("SPBE_LANG", "").strip().lower()
    if chosen:
        return _check(chosen)
    for key in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = env.get(key, "")
        if value:
            code = value.split(":")[0].split(".")[0].split("_")[0].split("-")[0].lower()
            return "id" if code in {"id", "in"} else "en"  # "in" is the old ISO code for Indonesian
    return "en"


@cache
def _catalogue(lang: str) -> Any:
    import gettext

    with open(os.path.join(LOCALE_DIR, lang, "LC_MESSAGES", f"{DOMAIN}.mo"), "rb") as fh:
        return gettext.GNUTranslations(fh)


def translate(message: str, lang: str | None = None) -> str:
    """`message` in `lang` (default: the current language); a message without a translation stays English."""
    lang = lang or _current.get()
    if lang == "en" or not message:
        return message
    result: str = _catalogue(_check(lang)).gettext(message)
    return result


def tr(message: str, /, lang: str | None = None, **params: Any) -> str:
    """Translate `message`, then fill its `{name}` fields from `params` (the same names in every language;
    a literal brace is written `{{`)."""
    text = translate(message, lang)
    return text.format(**params)


def number(value: Decimal | int | str, lang: str | None = None, places: int | None = 2) -> str:
    """A number as a person reads it in `lang`: "3,90" in Indonesian, "3.90" in English.

    `value` should already be rounded the official way (half-up, `exact.display`); this only changes
    the symbols, through Babel, and never rounds again: `places` pads with zeros ("3.9" → "3,90") and a
    value with more digits keeps them all (`places=None` keeps the digits given)."""
    from decimal import Decimal

    lang = lang or _current.get()
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    exponent = d.as_tuple().exponent
    if places is not None and isinstance(exponent, int) and -exponent < places:
        d = d.quantize(Decimal(1).scaleb(-places))  # exact: only adds zeros
    if lang == "en":
        return f"{d:f}"
    from babel.numbers import format_decimal

    exponent = d.as_tuple().exponent
    digits = max(-exponent, 0) if isinstance(exponent, int) else 0
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return str(format_decimal(d, format=pattern, locale=_BABEL_LOCALE[_check(lang)], decimal_quantization=False))


_BABEL_LOCALE = {"en": "en_US", "id": "id_ID"}

#: Indonesia's three time zones, named as people say them: hours ahead of UTC.
ZONES: dict[str, int] = {"WIB": 7, "WITA": 8, "WIT": 9}


def local_time(moment: datetime, zone: str = "WIB") -> str:
    """`moment` in an Indonesian zone (WIB, WITA, WIT) or any IANA name, e.g. "2026-11-30 20:10 WIB"."""
    from datetime import UTC, timedelta, timezone

    if zone.upper() in ZONES:
        tz: tzinfo = timezone(timedelta(hours=ZONES[zone.upper()]), zone.upper())
    else:
        try:
            from zoneinfo import ZoneInfo

            tz = ZoneInfo(zone)
        except Exception:
            raise SpbeError(tr("unknown time zone {zone!r}", zone=zone), field="tz", allowed="WIB, WITA, WIT") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(tz)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


errors.set_translator(translate)  # the words around every error message ("row", "field") follow the language
