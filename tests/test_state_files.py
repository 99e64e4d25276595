"""The local Neo4j's state folder (data, transaction logs, password, log) is for its owner only:
a real instance is started in a state folder an older version left open to everyone, written
to, and every file and folder under it is then closed to group and others."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from graph.config import Settings
from graph.localdb import Instance, free_port
from tests.conftest import with_db


def _open_to_others(home: Path) -> list[str]:
    """Every path under `home` (itself included) that group or others may read, write or
    enter, with its mode."""
    found = []
    for path in [home, *home.rglob("*")]:
        mode = path.lstat().st_mode
        if not stat.S_ISLNK(mode) and mode & 0o077:
            found.append(f"{path.relative_to(home.parent)} {stat.filemode(mode)}")
    return found


def test_the_state_folder_is_for_its_owner_only(tmp_path_factory: pytest.TempPathFactory) -> None:
    home = tmp_path_factory.mktemp("state") / "referralnet"
    # a state folder as an older version left it: folders 0755, files 0644
    (home / "data").mkdir(parents=True, mode=0o755)
    home.chmod(0o755)
    (home / "data").chmod(0o755)
    (home / "neo4j.log").write_text("an old log\n")
    (home / "neo4j.log").chmod(0o644)
    old = os.umask(0o022)  # the usual umask: what the files would get without care
    inst = Instance(home, free_port())
    try:
        inst.start(heap="512m", pagecache_mb=64)
        settings = Settings(neo4j_uri=inst.uri, neo4j_password=inst.password())
        with_db(
            settings,
            lambda db: db.write(
                "record_audit_events",
                rows=[
                    {
                        "id": "state-files",
                        "at": None,
                        "actor": "test",
                        "role": "ADMIN",
                        "action": "test.write",
                        "target": None,
                        "detail": None,
                    }
                ],
            ),
        )
        assert any(p.name.startswith("neostore.transaction.db") for p in home.rglob("*"))
        assert _open_to_others(home) == []
    finally:
        inst.stop()
        os.umask(old)
    assert _open_to_others(home) == []
