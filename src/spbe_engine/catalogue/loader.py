"""Turn YAML files or mappings into validated `Catalogue` objects, with errors naming file and entry."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._yaml import load_yaml_file
from ..errors import CatalogueError
from ..model.catalogue import Catalogue, LevelScale


def catalogue_from_data(data: Any, *, source: str, shared_scales: Mapping[str, LevelScale] | None = None) -> Catalogue:
    """Validate raw catalogue data. Scales named by an indicator but not defined inline are taken
    from `shared_scales` (those contributed by plugins through `spbe_level_scales`)."""
    if not isinstance(data, Mapping):
        raise CatalogueError("a catalogue must be a mapping at the top level", file=source)
    data = dict(data)
    bad = [k for k in data if not isinstance(k, str)]
    if bad:
        raise CatalogueError(f"field names must be text, got {bad[0]!r}", file=source)
    if shared_scales:
        data["scales"] = _with_shared_scales(data, shared_scales)
    try:
        return Catalogue(**data)
    except CatalogueError as exc:
        where = f"{exc.field}: " if exc.field else ""
        raise CatalogueError(where + exc.message, file=source) from None


def load_catalogue_file(path: Path, *, shared_scales: Mapping[str, LevelScale] | None = None) -> Catalogue:
    data = load_yaml_file(path, error=CatalogueError)
    return catalogue_from_data(data, source=str(path), shared_scales=shared_scales)


def _with_shared_scales(data: dict[str, Any], shared: Mapping[str, LevelScale]) -> list[Any]:
    scales = list(data.get("scales") or [])
    have = {s.get("id") if isinstance(s, Mapping) else getattr(s, "id", None) for s in scales}
    wanted: set[str] = set()

    def visit(groups: Any) -> None:
        for g in groups or []:
            if not isinstance(g, Mapping):
                continue
            for ind in g.get("indicators") or []:
                if isinstance(ind, Mapping) and isinstance(ind.get("scale"), str):
                    wanted.add(ind["scale"])
            visit(g.get("groups"))

    visit(data.get("groups"))
    for sid in sorted(wanted - have):
        if sid in shared:
            scales.append(shared[sid])
    return scales
