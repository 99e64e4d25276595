"""Where uploaded files wait while a load reads them: a private folder (0700) under the state
folder, one sub-folder per API process (its pid) and per upload, removed when the upload is
done whatever happens; what a killed process left is swept when an API process starts (the
folders of processes that are gone). Nothing of an upload is written to the system's
temporary folder (starlette spools a large part to an unlinked temporary file)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import IO, Any

from graph.config import state_dir


def upload_root() -> Path:
    return state_dir() / "uploads"


def _private(folder: Path) -> Path:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)
    return folder


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep(root: Path | None = None) -> list[Path]:
    """Remove the upload folders of API processes that are gone; returns what was removed."""
    root = root or upload_root()
    removed: list[Path] = []
    if not root.is_dir():
        return removed
    for entry in root.iterdir():
        owner = int(entry.name) if entry.name.isdigit() else None
        if owner is not None and owner != os.getpid() and _alive(owner):
            continue  # another worker of this API, serving
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry)
    return removed


@contextlib.asynccontextmanager
async def upload_folder(root: Path | None = None) -> AsyncIterator[Path]:
    """A fresh private folder for one upload's files, removed at the end."""
    mine = _private(_private(root or upload_root()) / str(os.getpid()))
    folder = Path(tempfile.mkdtemp(prefix="upload-", dir=mine))
    try:
        yield folder
    finally:
        await asyncio.to_thread(shutil.rmtree, folder, True)


async def save(upload: Any, target: Path) -> Path:
    """The uploaded file's bytes into `target` (0600), copied in a thread."""
    source: IO[bytes] = upload.file

    def copy() -> None:
        source.seek(0)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(source, out, 1024 * 1024)

    await asyncio.to_thread(copy)
    return target
