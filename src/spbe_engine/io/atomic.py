"""Writing files without losing anything: a temporary file in the same folder, then an atomic
rename, so a crash never leaves half a file; inputs are never overwritten."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterable
from pathlib import Path

from ..errors import SpbeError

__all__ = ["protect", "write_atomic"]


def protect(path: Path, inputs: Iterable[str | os.PathLike[str]]) -> None:
    """Refuse to write over a file the user gave as input."""
    target = path.resolve()
    for p in inputs:
        if Path(p).resolve() == target:
            raise SpbeError("refusing to overwrite an input file", file=str(path))


def write_atomic(path: Path, data: str | bytes | Callable[[Path], None], *, overwrite: bool = True) -> Path:
    """Write `data` (text, bytes, or a function that writes a file at the path it is given) to `path`."""
    if path.exists() and not overwrite:
        raise SpbeError("file exists; refusing to overwrite it", file=str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp_path = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies, as for any file
    try:
        if callable(data):
            os.close(fd)
            data(tmp_path)
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    return path
