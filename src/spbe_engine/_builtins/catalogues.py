"""The bundled catalogues (spbe-2018, spbe-2020), contributed through `spbe_catalogues`."""

from __future__ import annotations

from pathlib import Path

from ..hookspecs import hookimpl


def catalogue_dir() -> Path:
    """Where the bundled YAML lives: inside the wheel, or `catalogues/` at the root of a checkout."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "catalogues"
    if packaged.is_dir():
        return packaged
    return here.parent.parent / "catalogues"


@hookimpl
def spbe_catalogues() -> list[Path]:
    return sorted(catalogue_dir().glob("*.yaml"))


@hookimpl
def spbe_crosswalks() -> list[Path]:
    return sorted((catalogue_dir() / "crosswalks").glob("*.yaml"))
