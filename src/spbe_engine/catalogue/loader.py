"""Turn YAML files or mappings into validated `Catalogue` objects, with errors naming file and entry."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .._yaml import load_yaml_file
from ..errors import CatalogueError
from ..model.catalogue import Catalogue, LevelScale


def catalogue_from_data(
    data: Any, *, source: str, shared_scales: Mapping[str, LevelScale] | None = None
) -> Catalogue:
    """Validate raw catalogue data. Scales named by an indicator but not defined inline are taken
    from `shared_scales` (those contributed by plugins through `spbe_level_scales`)."""
    if not isinstance(data, Mapping):
        raise CatalogueError("a catalogue must be a mapping at the top level", file=source)
    data = dict(data)
    if shared_scales:
        data["scales"] = _with_shared_scales(data, shared_scales)
    try:
        return Catalogue.model_validate(data)
    except ValidationError as exc:
        raise CatalogueError(_describe(exc, data), file=source) from None


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


def _describe(exc: ValidationError, data: Mapping[str, Any]) -> str:
    """One line: the first error with a readable path such as `groups[D1].groups[A1].indicators[3].weight`."""
    err = exc.errors()[0]
    path: list[str] = []
    node: Any = data
    for part in err["loc"]:
        if isinstance(part, int) and isinstance(node, (list, tuple)):
            item = node[part] if part < len(node) else None
            label = item.get("id") if isinstance(item, Mapping) else None
            path[-1:] = [f"{path[-1] if path else ''}[{label if label is not None else part}]"]
            node = item
        else:
            path.append(str(part))
            node = node.get(part) if isinstance(node, Mapping) else None
    msg = err["msg"].removeprefix("Value error, ")
    where = ".".join(path)
    more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where}: {msg}{more}" if where else f"{msg}{more}"
