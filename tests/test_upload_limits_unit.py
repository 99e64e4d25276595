"""A zip that unpacks to more than REFERRALNET_MAX_UNPACKED_BYTES is refused before it is read
(a zip bomb), with its own code; the size is the members' declared sizes, which zipfile never
reads past."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from graph.exceptions import InvalidData, UploadTooLarge
from loaders.hsds_read import open_source

pytestmark = pytest.mark.unit


def _bomb(path: Path, size: int) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("organizations.csv", "id,name\n" + "x" * size)
    return path


def test_a_zip_unpacking_over_the_limit_is_refused_with_its_own_code(tmp_path: Path) -> None:
    bomb = _bomb(tmp_path / "bomb.zip", 20_000_000)
    assert bomb.stat().st_size < 100_000
    with pytest.raises(UploadTooLarge) as e:
        open_source(bomb, max_unpacked=10_000_000)
    assert e.value.code == "REQUEST_TOO_LARGE"
    assert isinstance(e.value, InvalidData)  # the command line lists it like any problem
    [problem] = e.value.problems
    assert problem.file == "bomb.zip"
    assert "unpacks to 20000008 bytes, over the limit of 10000000" in problem.reason


def test_a_zip_within_the_limit_opens(tmp_path: Path) -> None:
    source = open_source(_bomb(tmp_path / "small.zip", 1000), max_unpacked=10_000)
    assert source.kind == "csv" and "organization" in source.members
    assert open_source(_bomb(tmp_path / "any.zip", 1000)).kind == "csv"  # no limit given
