"""The private upload folder (api/uploads.py): 0700, one folder per upload removed whatever
happens, and the sweep at start-up that removes what API processes that are gone left."""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

import pytest

from api.uploads import sweep, upload_folder

pytestmark = pytest.mark.unit


def test_an_upload_folder_is_private_and_removed_even_on_failure(tmp_path: Path) -> None:
    root = tmp_path / "uploads"
    seen: list[Path] = []

    async def fail() -> None:
        async with upload_folder(root) as folder:
            seen.append(folder)
            (folder / "big.zip").write_bytes(b"x")
            raise RuntimeError("the load failed")

    with pytest.raises(RuntimeError):
        asyncio.run(fail())
    assert not seen[0].exists()
    assert (root.stat().st_mode & 0o777) == 0o700
    assert seen[0].parent == root / str(os.getpid())


def test_the_sweep_removes_what_processes_that_are_gone_left(tmp_path: Path) -> None:
    dead_pid = subprocess.Popen(["true"])
    dead_pid.wait()
    alive = os.getppid()  # another process that is running: a sibling worker
    for owner in (str(dead_pid.pid), str(alive), "junk"):
        (tmp_path / owner / "upload-1").mkdir(parents=True)
        (tmp_path / owner / "upload-1" / "big.zip").write_bytes(b"x")
    removed = sweep(tmp_path)
    assert sorted(p.name for p in removed) == sorted([str(dead_pid.pid), "junk"])
    assert [p.name for p in tmp_path.iterdir()] == [str(alive)]
