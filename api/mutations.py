"""Mutations: loading a directory file (LOADER)."""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import Annotated

import strawberry
from strawberry.file_uploads import Upload

from api.context import Context
from api.types.load_report import DirectoryLoaded, DirectoryRejected, LoadDirectoryResult, Problem
from api.uploads import save, upload_folder
from graph.exceptions import BadInput, InvalidData, UploadTooLarge
from loaders.load_process import load_in_process

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
    own = folder / what  # the file and the mapping may have the same name
    own.mkdir(mode=0o700)
    return await save(upload, own / name)


@strawberry.type
class DirectoryMutation:
    @strawberry.mutation(description="Load an Open Referral HSDS directory (LOADER): a .zip of "
                                     "CSV tables or a JSON document; all or nothing")
    async def load_directory(
            self, info: Info, file: Upload, mapping: Upload | None = None,
            wait: Annotated[bool, strawberry.argument(
                description="when another directory load runs: wait for it to end, instead "
                            "of the error LOAD_RUNNING")] = False,
            allow_referral_conflicts: Annotated[bool, strawberry.argument(
                description="Write a service that lowers its places below those its referrals "
                "hold, or moves it (with live referrals) to another organization, with a "
                "warning, instead of refusing it; referrals stay with their receiver")] = False
    ) -> LoadDirectoryResult:
        try:
            return await _load(info.context, file, mapping, wait, allow_referral_conflicts)
        finally:
            for upload in (file, mapping):
                if callable(getattr(upload, "close", None)):  # a file, not a string sent for one
                    await upload.close()  # type: ignore[union-attr]


async def _load(ctx: Context, file: Upload, mapping: Upload | None,
                wait: bool, allow_referral_conflicts: bool) -> LoadDirectoryResult:
    name = PurePath(str(getattr(file, "filename", None) or "")).name
    # the access; the load itself is audited as directory.load when it is DONE
    loader = await ctx.require_audited("LOADER", action="directory.upload", target=name)  # first
    async with upload_folder() as folder:  # private, removed whatever happens
        path = await _save(file, folder, "file")
        extra = await _save(mapping, folder, "mapping") if mapping is not None else None
        try:  # in a worker process: the event loop stays free (loaders/load_process.py)
            report = await load_in_process(ctx.db.settings, path, mapping=extra, wait=wait,
                                           by=loader,
                                           allow_referral_conflicts=allow_referral_conflicts)
        except UploadTooLarge:
            raise
        except InvalidData as e:
            return DirectoryRejected(message=f"{len(e.problems)} problem(s); nothing written",
                                     problems=[Problem.of(p) for p in e.problems])
        finally:
            ctx.db.forget_cached()  # the worker's load changed what this process keeps
    return DirectoryLoaded.of(report)
