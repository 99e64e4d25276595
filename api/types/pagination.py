"""Cursor connections (Relay style): edges with opaque cursors, pageInfo and totalCount."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

import strawberry

N = TypeVar("N")


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[N]):
    cursor: str
    node: N


@strawberry.type
class Connection(Generic[N]):
    edges: list[Edge[N]]
    page_info: PageInfo
    _count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="All items matching the filter (counted only when asked for)")
    async def total_count(self) -> int:
        return await self._count()

    @strawberry.field
    def nodes(self) -> list[N]:
        return [e.node for e in self.edges]


def connection(nodes: list[tuple[str, N]], has_next: bool, has_previous: bool,
               count: Callable[[], Awaitable[int]]) -> Connection[N]:
    edges = [Edge(cursor=c, node=n) for c, n in nodes]
    return Connection(edges=edges, _count=count, page_info=PageInfo(
        has_next_page=has_next, has_previous_page=has_previous,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None))
