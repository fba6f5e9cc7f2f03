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
            for attr, value in sorted(vars(obj).items()):
                if attr.startswith("_") and attr not in ("__init__", "__call__", "__contains__", "__getitem__"):
                    continue
                if isinstance(value, property):
                    lines.append(f"  property {attr}")
                elif isinstance(value, (staticmethod, classmethod)):
                    lines.append(f"  {type(value).__name__} {attr}{_sig(value.__func__)}")
                elif inspect.isfunction(value):
                    lines.append(f"  def {attr}{_sig(value)}")
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
