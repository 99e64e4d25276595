from __future__ import annotations

import strawberry

from api.types.enums import NeedCode
from graph import types as t


@strawberry.type
class Need:
    code: NeedCode
    description: str | None

    @classmethod
    def of(cls, n: t.Need) -> Need:
        return cls(code=NeedCode(n.code), description=n.description)
