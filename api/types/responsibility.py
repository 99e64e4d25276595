from __future__ import annotations

import strawberry

from api.types.enums import NeedCode
from api.types.legal_provision import LegalProvision
from graph import types as t


@strawberry.type(description="A duty the law assigns, tied to its provision.")
class Responsibility:
    code: str
    description: str
    covers: list[NeedCode]
    legal_basis: LegalProvision | None

    @classmethod
    def of(cls, r: t.Responsibility) -> Responsibility:
        return cls(code=r.code, description=r.description,
                   covers=[NeedCode(c) for c in r.covers],
                   legal_basis=LegalProvision.of(r.provision) if r.provision else None)
