"""Mutations: loading a directory file (LOADER)."""

from __future__ import annotations

import tempfile
from pathlib import Path, PurePath
from typing import Annotated

import strawberry
from strawberry.file_uploads import Upload

from api.context import Context
from api.types.load_report import DirectoryLoaded, DirectoryRejected, LoadDirectoryResult, Problem
from graph.exceptions import BadInput, InvalidData
from loaders.directory_load import load_hsds

Info = strawberry.Info[Context, None]
_SUFFIXES = (".zip", ".json")


async def _save(upload: Upload, folder: Path, what: str) -> Path:
    name = PurePath(getattr(upload, "filename", None) or "").name
    if what == "file" and not name.lower().endswith(_SUFFIXES):
        raise BadInput("upload the directory as a .zip of HSDS CSV files or a .json file",
                       field=what)
    target = folder / (name or f"{what}.yaml")
    target.write_bytes(await upload.read())  # type: ignore[attr-defined]
    return target


@strawberry.type
class DirectoryMutation:
    @strawberry.mutation(description="Load an Open Referral HSDS directory (LOADER): a .zip of "
                                     "CSV tables or a JSON document; all or nothing")
    async def load_directory(
            self, info: Info, file: Upload, mapping: Upload | None = None,
            allow_referral_conflicts: Annotated[bool, strawberry.argument(
                description="Write a service that lowers its places below those its referrals "
                "hold, or moves it (with live referrals) to another organization, with a "
                "warning, instead of refusing it; referrals stay with their receiver")] = False
    ) -> LoadDirectoryResult:
        try:
            return await _load(info.context, file, mapping, allow_referral_conflicts)
        finally:
            for upload in (file, mapping):
                if upload is not None:
                    await upload.close()  # type: ignore[attr-defined]


async def _load(ctx: Context, file: Upload, mapping: Upload | None,
                allow_referral_conflicts: bool = False) -> LoadDirectoryResult:
    name = PurePath(getattr(file, "filename", None) or "").name
    await ctx.require_audited("LOADER", action="directory.load", target=name)
    with tempfile.TemporaryDirectory(prefix="referralnet-upload-") as tmp:
        folder = Path(tmp)
        path = await _save(file, folder, "file")
        extra = await _save(mapping, folder, "mapping") if mapping is not None else None
        try:
            report = await load_hsds(ctx.db, path, mapping=extra,
                                     allow_referral_conflicts=allow_referral_conflicts)
        except InvalidData as e:
            return DirectoryRejected(message=f"{len(e.problems)} problem(s); nothing written",
                                     problems=[Problem.of(p) for p in e.problems])
    return DirectoryLoaded.of(report)
