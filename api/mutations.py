"""Mutations: loading a directory file (LOADER)."""

from __future__ import annotations

import tempfile
from pathlib import Path, PurePath

import strawberry
from strawberry.file_uploads import Upload

from api.context import Context
from api.types.load_report import DirectoryLoaded, DirectoryRejected, LoadDirectoryResult, Problem
from graph.exceptions import BadInput, InvalidData
from loaders.directory_load import load_hsds

Info = strawberry.Info[Context, None]
_SUFFIXES = (".zip", ".json")


def _name(upload: object, what: str) -> str:
    """The upload's file name without folders; a value that is not a file, or a file without a
    usable name (empty, `.`, `..`), is refused."""
    if not callable(getattr(upload, "read", None)):
        raise BadInput(f"{what} must be a file (a multipart upload)", field=what)
    name = PurePath(str(getattr(upload, "filename", None) or "")).name
    if name in ("", ".", ".."):
        raise BadInput(f"the {what} upload needs a file name", field=what)
    return name


async def _save(upload: Upload, folder: Path, what: str) -> Path:
    name = _name(upload, what)
    if what == "file" and not name.lower().endswith(_SUFFIXES):
        raise BadInput("upload the directory as a .zip of HSDS CSV files or a .json file",
                       field=what)
    target = folder / name
    target.write_bytes(await upload.read())  # type: ignore[attr-defined]
    return target


@strawberry.type
class DirectoryMutation:
    @strawberry.mutation(description="Load an Open Referral HSDS directory (LOADER): a .zip of "
                                     "CSV tables or a JSON document; all or nothing")
    async def load_directory(self, info: Info, file: Upload,
                             mapping: Upload | None = None) -> LoadDirectoryResult:
        try:
            return await _load(info.context, file, mapping)
        finally:
            for upload in (file, mapping):
                if callable(getattr(upload, "close", None)):  # a file, not a string sent for one
                    await upload.close()  # type: ignore[union-attr]


async def _load(ctx: Context, file: Upload, mapping: Upload | None) -> LoadDirectoryResult:
    name = PurePath(str(getattr(file, "filename", None) or "")).name
    await ctx.require_audited("LOADER", action="directory.load", target=name)  # before any check
    with tempfile.TemporaryDirectory(prefix="referralnet-upload-") as tmp:
        folder = Path(tmp)
        path = await _save(file, folder, "file")
        extra = await _save(mapping, folder, "mapping") if mapping is not None else None
        try:
            report = await load_hsds(ctx.db, path, mapping=extra)
        except InvalidData as e:
            return DirectoryRejected(message=f"{len(e.problems)} problem(s); nothing written",
                                     problems=[Problem.of(p) for p in e.problems])
    return DirectoryLoaded.of(report)
