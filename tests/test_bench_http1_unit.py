"""bench/http1.py, the benchmarks' load generator client, against a small real server on
loopback: answers read whole, connections kept, a connection the server closed replaced."""

from __future__ import annotations

import asyncio

import orjson
import pytest

from bench.http1 import HttpError, lean_client

pytestmark = pytest.mark.unit


async def _serve(answers_per_connection: int, with_length: bool = True
                 ) -> tuple[asyncio.Server, list[bytes]]:
    bodies: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for _ in range(answers_per_connection):
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length"))
            bodies.append(await reader.readexactly(length))
            answer = orjson.dumps({"n": len(bodies)})
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n" +
                         (b"content-length: %d\r\n" % len(answer) if with_length else b"") +
                         b"\r\n" + answer)
            await writer.drain()
        writer.close()
        await writer.wait_closed()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, bodies


def test_answers_are_read_and_connections_replaced_when_closed() -> None:
    async def go() -> None:
        server, bodies = await _serve(answers_per_connection=2)
        port = server.sockets[0].getsockname()[1]
        async with lean_client(f"http://127.0.0.1:{port}", "/graphql",
                               {"Authorization": "Bearer x"}, connections=1) as client:
            request = client.prepare({"query": "{ me { name } }"})
            got = []
            for _ in range(5):  # the server closes every connection after two answers
                got.append(await client.send(request))
                await asyncio.sleep(0.01)
        server.close()
        await server.wait_closed()
        assert [status for status, _ in got] == [200] * 5
        assert [body["n"] for _, body in got] == [1, 2, 3, 4, 5]
        assert all(orjson.loads(b) == {"query": "{ me { name } }"} for b in bodies)

    asyncio.run(go())


def test_an_answer_without_length_is_an_error() -> None:
    async def go() -> None:
        server, _ = await _serve(answers_per_connection=1, with_length=False)
        port = server.sockets[0].getsockname()[1]
        async with lean_client(f"http://127.0.0.1:{port}", "/", {}, connections=1) as client:
            with pytest.raises(HttpError):
                await client.send(client.prepare({}))
        server.close()
        await server.wait_closed()

    asyncio.run(go())


def test_after_close_the_client_opens_new_connections() -> None:
    async def go() -> None:
        opened: list[int] = []

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            opened.append(1)
            try:
                while True:
                    head = await reader.readuntil(b"\r\n\r\n")
                    length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                                  if line.lower().startswith(b"content-length"))
                    await reader.readexactly(length)
                    writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}")
                    await writer.drain()
            except asyncio.IncompleteReadError:
                writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with lean_client(f"http://127.0.0.1:{port}", "/", {}, connections=3) as client:
            request = client.prepare({})
            assert await client.on_every_connection([request, request]) == []
            assert len(opened) == 3
            await client.close()
            assert [s for s, _ in await asyncio.gather(*(client.send(request) for _ in range(3)))
                    ] == [200] * 3
            assert len(opened) == 6  # three new connections, none of the closed ones reused
        server.close()
        await server.wait_closed()

    asyncio.run(go())
