"""api.context.Seeded: a DataLoader answers from what the request already holds, and loads
only the rest, once."""

from __future__ import annotations

import asyncio

from strawberry.dataloader import DataLoader

from api.context import Seeded


def test_known_values_are_answered_without_loading_and_the_rest_loaded_once() -> None:
    asked: list[list[str]] = []

    async def load(keys: list[str]) -> list[str | None]:
        asked.append(list(keys))
        return [f"loaded {k}" for k in keys]

    async def go() -> None:
        known: dict[str, str | None] = {"a": "known a"}
        loader = DataLoader(load_fn=load, cache_map=Seeded(known))
        assert await loader.load_many(["a", "b", "c"]) == ["known a", "loaded b", "loaded c"]
        assert asked == [["b", "c"]]
        known["d"] = "known d"  # held later in the request: answered from then on
        assert await loader.load_many(["a", "b", "d"]) == ["known a", "loaded b", "known d"]
        assert asked == [["b", "c"]]
        loader.clear("a")  # forgotten: loaded again
        assert await loader.load("a") == "loaded a"
        assert asked == [["b", "c"], ["a"]]
        loader.clear_all()
        assert known == {}
        assert await loader.load("d") == "loaded d"

    asyncio.run(go())
