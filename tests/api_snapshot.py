"""Build the snapshot of the public API: every name in `spbe_engine.__all__` with its signature,
and for classes their public methods, properties and fields. `python -m tests.api_snapshot` rewrites
tests/api_snapshot.txt — do that only for a planned change, with a CHANGELOG entry (and a
deprecation path when a name or parameter goes away)."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

SNAPSHOT = Path(__file__).with_name("api_snapshot.txt")


def _sig(obj: Any) -> str:
    try:
        return str(inspect.signature(obj))
    except (TypeError, ValueError):
        return "(...)"


def _members(cls: type) -> list[str]:
    """Public members as a user sees them: inherited ones from the library's own classes too (the
    Engine inherits the resolver's methods), and the engine's operations, which are descriptors that
    give the function defined in their package."""
    out: list[str] = []
    for attr in sorted(dir(cls)):
        if attr.startswith("_") and attr not in ("__init__", "__call__", "__contains__", "__getitem__"):
            continue
        owner = next((k for k in cls.__mro__ if attr in vars(k)), None)
        if owner is None or not owner.__module__.startswith("spbe_engine"):
            continue  # pydantic's, list's and object's own members are not ours to promise
        value = inspect.getattr_static(cls, attr)
        if isinstance(value, property):
            out.append(f"  property {attr}")
        elif isinstance(value, (staticmethod, classmethod)):
            out.append(f"  {type(value).__name__} {attr}{_sig(value.__func__)}")
        elif inspect.isfunction(value):
            out.append(f"  def {attr}{_sig(value)}")
        elif hasattr(value, "__get__") and inspect.isfunction(getattr(cls, attr, None)):
            out.append(f"  def {attr}{_sig(getattr(cls, attr))}")  # an operation: the function itself
    return out


def describe(module: Any) -> list[str]:
    lines: list[str] = []
    for name in sorted(module.__all__):
        obj = getattr(module, name)
        if inspect.isclass(obj):
            bases = ", ".join(b.__name__ for b in obj.__bases__)
            lines.append(f"class {name}({bases})")
            fields = getattr(obj, "model_fields", None)
            if isinstance(fields, dict):
                for fname, info in fields.items():
                    lines.append(f"  field {fname}: {info.annotation!r}".replace("typing.", ""))
            lines.extend(_members(obj))
        elif inspect.isfunction(obj):
            lines.append(f"def {name}{_sig(obj)}")
        elif inspect.ismodule(obj):
            public = getattr(obj, "__all__", [])
            lines.append(f"module {name}: {', '.join(sorted(public))}")
            for fname in sorted(public):
                member = getattr(obj, fname)
                if inspect.isfunction(member):
                    lines.append(f"  def {fname}{_sig(member)}")
        else:
            lines.append(f"{name}: {type(obj).__name__}")
    return [re.sub(r" at 0x[0-9a-f]+", "", line) for line in lines]


def main() -> None:
    import spbe_engine

    SNAPSHOT.write_text("\n".join(describe(spbe_engine)) + "\n", encoding="utf-8")
    print(f"wrote {SNAPSHOT}")


if __name__ == "__main__":
    main()
