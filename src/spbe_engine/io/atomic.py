"""Writing files without losing anything: a temporary file in the same folder, then an atomic
rename, so a crash never leaves half a file; inputs are never overwritten.

The one atomic writer of the library. Without `overwrite`, the temporary file is published with
`os.link`, which fails if the target exists: no check-then-rename race can replace a file another
writer created meanwhile. Where hard links are unsupported, the target name is first claimed with
`O_CREAT | O_EXCL` (which fails if it exists) and then atomically replaced by the full file.
"""

from __future__ import annotations

import errno
import os
import secrets
from collections.abc import Callable, Iterable
from pathlib import Path

from ..errors import SpbeError
from ..i18n import N_, tr, translate

__all__ = ["EXISTS", "OverwriteRefused", "protect", "write_atomic"]

#: The refusal to write over an existing file without `overwrite=True` (raised in the current language).
EXISTS = N_("refusing to overwrite an existing file (pass overwrite=True)")


class OverwriteRefused(SpbeError):
    """Nothing was written because the target exists and `overwrite` was not given. `what` names the
    target ("file", "folder", "workbook") so a caller can offer its own way to overwrite (the command
    line's --force) without reading the message, which is in the reader's language."""

    def __init__(self, message: str, *, file: str | None = None, what: str = "file") -> None:
        self.what = what
        super().__init__(message, file=file)


def protect(path: Path, inputs: Iterable[str | os.PathLike[str]]) -> None:
    """Refuse to write over a file the user gave as input."""
    target = path.resolve()
    for p in inputs:
        if Path(p).resolve() == target:
            raise SpbeError(tr("refusing to overwrite an input file"), file=str(path))


def write_atomic(path: Path, data: str | bytes | Callable[[Path], None], *, overwrite: bool = True) -> Path:
    """Write `data` (text, bytes, or a function that writes a file at the path it is given) to `path`.

    Readers see the old file or the whole new one, never a part. With `overwrite=False` an existing
    file is never replaced, even one that another process creates while this one writes.
    """
    path = Path(path)
    if not overwrite and os.path.lexists(path):  # early, before the work of writing
        raise OverwriteRefused(translate(EXISTS), file=str(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp_path = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        fd = os.open(tmp_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies, as for any file
    except OSError as exc:
        raise SpbeError(tr("cannot write: {exc}", exc=exc.strerror or exc), file=str(path)) from None
    try:
        if callable(data):
            os.close(fd)
            data(tmp_path)
            fd = os.open(tmp_path, os.O_RDONLY)
            try:
                os.fsync(fd)  # the data is on disk before the name points at it
            finally:
                os.close(fd)
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data.encode("utf-8") if isinstance(data, str) else data)
                fh.flush()
                os.fsync(fh.fileno())
        if overwrite:
            os.replace(tmp_path, path)
        else:
            _publish_new(tmp_path, path)
    except OSError as exc:
        raise SpbeError(tr("cannot write: {exc}", exc=exc.strerror or exc), file=str(path)) from None
    finally:
        tmp_path.unlink(missing_ok=True)
    return path


def _publish_new(tmp_path: Path, path: Path) -> None:
    """Give the finished `tmp_path` the name `path`, which must not exist, atomically."""
    try:
        os.link(tmp_path, path)  # fails with FileExistsError if the target exists, whoever made it
        return
    except FileExistsError:
        raise OverwriteRefused(translate(EXISTS), file=str(path)) from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK, errno.ENOSYS):
            raise
    try:  # no hard links here (some network and FAT file systems): claim the name, then fill it atomically
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    except FileExistsError:
        raise OverwriteRefused(translate(EXISTS), file=str(path)) from None
    try:
        os.replace(tmp_path, path)
    except BaseException:
        path.unlink(missing_ok=True)  # the empty file this call created
        raise
