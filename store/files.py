"""Every file the service writes is written whole or not at all (key files, the auditor's checkpoint
export, the contract, .xlsx exports): a reader sees the file as it was (or none) or the whole new one,
never a part, whenever the writer is killed."""

import os
import secrets
from pathlib import Path


def write_whole(path: str | Path, content: bytes, mode: int = 0o644, replace: bool = True) -> bool:
    """Write `content` to `path`: a temporary file in the same folder (made with O_EXCL, given `mode`),
    written and synced, then renamed over `path` — or, when not `replace`, linked to it, so that a file
    already there (another process's key) is never overwritten: False, the file there is kept — and the
    folder synced, so the name survives a crash too. The temporary file's name is hidden and random
    (`.NAME.RANDOM.tmp`), never the target's nor another writer's, and it is removed whatever happens."""
    path = Path(path)
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


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
