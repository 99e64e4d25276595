from __future__ import annotations

import strawberry

from graph import types as t


@strawberry.type(description="A provision of law that assigns a responsibility: the legal basis.")
class LegalProvision:
    id: strawberry.ID
    act: str
    article: str | None = strawberry.field(
        description="Null where the article number is not known from the sources")
    title: str
    summary: str | None
    effective_date: str | None
    sources: list[str]

    @classmethod
    def of(cls, p: t.LegalProvision) -> LegalProvision:
        return cls(id=strawberry.ID(p.id), act=p.act, article=p.article, title=p.title,
                   summary=p.summary, effective_date=p.effective_date, sources=list(p.sources))
