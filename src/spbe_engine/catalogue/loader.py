"""Turn YAML files or mappings into validated `Catalogue` objects, with errors naming file and entry."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._yaml import load_yaml_file, non_text_key, one_line
from ..errors import CatalogueError
from ..i18n import tr
from ..model.catalogue import Catalogue, LevelScale


def catalogue_from_data(data: Any, *, source: str, shared_scales: Mapping[str, LevelScale] | None = None) -> Catalogue:
    """Validate raw catalogue data. Scales named by an indicator but not defined inline are taken
    from `shared_scales` (those contributed by plugins through `spbe_level_scales`)."""
    if not isinstance(data, Mapping):
        raise CatalogueError(tr("a catalogue must be a mapping at the top level"), file=source)
    data = dict(data)
    bad = [k for k in data if not isinstance(k, str)]
    if bad:
        raise CatalogueError(tr("field names must be text, got {bad!r}", bad=bad[0]), file=source)
    if shared_scales:
        data["scales"] = _with_shared_scales(data, shared_scales)
    try:
        return Catalogue(**data)
    except CatalogueError as exc:
        where = f"{exc.field}: " if exc.field else ""
        raise CatalogueError(one_line(where + exc.message), file=source) from None
    except TypeError:  # Python refuses `Group(**{1: ...})`: a field name that is not text
        found = non_text_key(data)
        if found is None:  # not bad input: a bug, to be seen as one
            raise
        raise CatalogueError(
            tr("{where}: field names must be text, got {key!r}", where=found[0], key=found[1]), file=source
        ) from None
    except ArithmeticError:  # e.g. decimal.Overflow adding weights
        raise CatalogueError(tr("a number is too large to compute with"), file=source) from None


def load_catalogue_file(path: Path, *, shared_scales: Mapping[str, LevelScale] | None = None) -> Catalogue:
    data = load_yaml_file(path, error=CatalogueError)
    return catalogue_from_data(data, source=str(path), shared_scales=shared_scales)


def _with_shared_scales(data: dict[str, Any], shared: Mapping[str, LevelScale]) -> Any:
    """The inline scales plus the shared ones the indicators name; malformed data is left as it is
    for the model to refuse with its usual message."""
    scales = data.get("scales") or []
    if not isinstance(scales, (list, tuple)):
        return data.get("scales")
    scales = list(scales)
    ids = (s.get("id") if isinstance(s, Mapping) else getattr(s, "id", None) for s in scales)
    have = {sid for sid in ids if isinstance(sid, str)}
    wanted: set[str] = set()
    stack = [data.get("groups")]  # iterative: nesting in a file must not exhaust the stack
    seen: set[int] = set()
    while stack:
        groups = stack.pop()
        if not isinstance(groups, (list, tuple)) or id(groups) in seen:
            continue
        seen.add(id(groups))
        for g in groups:
            if not isinstance(g, Mapping):
                continue
            indicators = g.get("indicators")
            for ind in indicators if isinstance(indicators, (list, tuple)) else []:
                if isinstance(ind, Mapping) and isinstance(ind.get("scale"), str):
                    wanted.add(ind["scale"])
            stack.append(g.get("groups"))
    for sid in sorted(wanted - have):
        if sid in shared:
            scales.append(shared[sid])
    return scales
