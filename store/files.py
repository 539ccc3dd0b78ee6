"""Every file the service writes is written whole or not at all (key files, the auditor's checkpoint
export, the contract, .xlsx exports): a reader sees the file as it was (or none) or the whole new one,
never a part, whenever the writer is killed."""

import errno
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


UNWRITABLE = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG, errno.EACCES}


def disk_full(error: BaseException | None) -> bool:
    """SQLite's SQLITE_FULL or the system's ENOSPC, wherever in the chain of causes: not worth retrying
    within seconds, and said as what it is."""
    while error is not None:
        if (isinstance(error, OSError) and error.errno == errno.ENOSPC) or "database or disk is full" in str(error):
            return True
        error = error.__cause__ or error.__context__
    return False


def unwritable(error: BaseException) -> str | None:
    """What a person is told of a file or database that could not be written (a full disk, a read-only
    folder), or None for any other error."""
    if isinstance(error, OSError) and error.errno in UNWRITABLE:
        return f"could not write {error.filename or 'a file'}: {error.strerror}"
    if disk_full(error):
        return f"could not write the database: the disk is full ({error})"
    return None


def write_whole(path: str | Path, content: bytes, mode: int = 0o644, replace: bool = True) -> bool:
    """Write `content` to `path`: a temporary file in the same folder (made with O_EXCL, given `mode`),
    written and synced, then renamed over `path` — or, when not `replace`, linked to it, so that a file
    already there (another process's key) is never overwritten: False, the file there is kept — and the
    folder synced, so the name survives a crash too. The temporary file's name is hidden and random
    (`.NAME.RANDOM.tmp`), never the target's nor another writer's, and it is removed whatever happens.
    An OSError names `path` (a full disk fails in the middle, where the error names no file)."""
    path = Path(path)
    try:
        return _write_whole(path, content, mode, replace)
    except OSError as error:
        raise OSError(error.errno, error.strerror, str(path)) from error


def _write_whole(path: Path, content: bytes, mode: int, replace: bool) -> bool:
    folder = path.parent
    temporary = folder / f".{path.name}.{secrets.token_hex(8)}.tmp"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    written = True
    try:
        with os.fdopen(descriptor, "wb") as file:
            os.fchmod(file.fileno(), mode)  # as asked, whatever the umask
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        if replace:
            os.replace(temporary, path)
        else:
            try:
                os.link(temporary, path)  # like a rename, but never over a file another process wrote meanwhile
            except FileExistsError:
                written = False
    finally:
        temporary.unlink(missing_ok=True)
    _sync_folder(folder)
    return written


@contextmanager
def writing_whole(path: str | Path, mode: str = "wb") -> Iterator[IO]:
    """A file too large to hold in memory, written whole or not at all: the caller writes into the file
    this yields (hidden temporary name in the same folder, mode 0600 until done, text as UTF-8), which
    is synced and renamed over `path` when the block ends, and removed if it raises."""
    path = Path(path)
    temporary = path.parent / f".{path.name}.{secrets.token_hex(8)}.tmp"
    text = {} if "b" in mode else {"encoding": "utf-8", "newline": ""}
    try:
        with open(temporary, mode.replace("w", "x"), **text) as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
