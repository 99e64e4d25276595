"""A lean HTTP/1.1 client for the load generator: keep-alive connections over asyncio streams,
requests sent as prepared bytes, answers read by their Content-Length and parsed with orjson.

httpx spent about 1.8 ms of the benchmark's own CPU per routeReferral request; on a 2-CPU
machine that the API and Neo4j share with the load generator, that is CPU taken from what is
measured. This client does only what a benchmark of our own server needs: POST JSON, read a
JSON answer with a Content-Length (uvicorn gives one to every non-streamed answer)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

import orjson

IDLE_S = 2.0  # uvicorn closes a kept-alive connection after 5 s without a request


class HttpError(RuntimeError):
    """The server closed the connection, or answered something this client cannot read."""


class _Conn:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.used = time.monotonic()

    async def exchange(self, request: bytes) -> tuple[int, bytes]:
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, _, rest = head.partition(b"\r\n")
        parts = status_line.split(b" ", 2)
        if len(parts) < 2 or not parts[1].isdigit():
            raise HttpError(f"not an HTTP answer: {status_line[:80]!r}")
        length = None
        for line in rest.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        if length is None:
            raise HttpError("an answer without Content-Length")
        return int(parts[1]), await self.reader.readexactly(length)

    async def closed(self) -> None:
        self.writer.close()
        try:
            await self.writer.wait_closed()
        except OSError:
            pass


class LeanClient:
    """POSTs JSON to one path of one server over at most `connections` kept-alive connections."""

    def __init__(self, base_url: str, path: str, headers: dict[str, str],
                 connections: int) -> None:
        url = urlsplit(base_url)
        self.host, self.port = url.hostname or "127.0.0.1", url.port or 80
        lines = [f"POST {path} HTTP/1.1", f"Host: {url.netloc}",
                 "Content-Type: application/json", "Accept: application/json",
                 *(f"{k}: {v}" for k, v in headers.items())]
        self._head = ("\r\n".join(lines) + "\r\nContent-Length: ").encode()
        self._idle: asyncio.Queue[_Conn] = asyncio.Queue()
        self._all: list[_Conn] = []
        self._limit = connections

    def prepare(self, payload: Any) -> bytes:
        """The whole request for this JSON payload, to send as many times as wanted."""
        body = orjson.dumps(payload)
        return self._head + str(len(body)).encode() + b"\r\n\r\n" + body

    async def _open(self) -> _Conn:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        conn = _Conn(reader, writer)
        self._all.append(conn)
        return conn

    async def _take(self, fresh: bool = False) -> _Conn:
        """An idle connection, or a new one while fewer than the limit are open; one idle for
        longer than the server keeps them (IDLE_S) is replaced first."""
        if fresh or (self._idle.empty() and len(self._all) < self._limit):
            return await self._open()
        conn = await self._idle.get()
        if time.monotonic() - conn.used > IDLE_S:
            self._all.remove(conn)
            await conn.closed()
            return await self._open()
        return conn

    async def on_every_connection(self, requests: list[bytes]) -> list[str]:
        """Every request sent once over each of the `connections` connections (opened now),
        one connection's requests after another: a server of several worker processes, each
        with caches of its own, sees every request in each worker that holds a connection.
        The problems met, if any."""
        while len(self._all) < self._limit:
            self._idle.put_nowait(await self._open())
        conns = [self._idle.get_nowait() for _ in range(self._idle.qsize())]
        problems: list[str] = []

        async def each(k: int, conn: _Conn) -> None:
            # each connection starts elsewhere in the list: not all asking the same at once
            start = k * len(requests) // max(1, len(conns))
            for request in requests[start:] + requests[:start]:
                status, body = await conn.exchange(request)
                if status != 200 or b'"errors"' in body:
                    problems.append(f"HTTP {status}: {body[:300]!r}")
            conn.used = time.monotonic()

        try:
            await asyncio.gather(*(each(k, c) for k, c in enumerate(conns)))
        finally:
            for conn in conns:
                self._idle.put_nowait(conn)
        return problems

    async def send(self, request: bytes) -> tuple[int, Any]:
        """Status and parsed JSON answer of a prepared request. A kept-alive connection that
        the server closed meanwhile (uvicorn closes idle ones after a few seconds) is replaced
        and the request sent again, as HTTP clients do when no byte of an answer came back."""
        for attempt in (1, 2):
            conn = await self._take(fresh=attempt == 2)
            try:
                status, body = await conn.exchange(request)
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                    HttpError) as e:
                self._all.remove(conn)
                await conn.closed()
                closed_idle = (isinstance(e, ConnectionError) or (
                    isinstance(e, asyncio.IncompleteReadError) and not e.partial))
                if attempt == 1 and closed_idle:
                    continue
                raise
            conn.used = time.monotonic()
            self._idle.put_nowait(conn)
            return status, orjson.loads(body)
        raise AssertionError("unreachable")

    async def close(self) -> None:
        """Every connection closed; the client stays usable and opens new ones as needed."""
        conns, self._all, self._idle = self._all, [], asyncio.Queue()
        for conn in conns:
            await conn.closed()


@asynccontextmanager
async def lean_client(base_url: str, path: str, headers: dict[str, str],
                      connections: int) -> AsyncIterator[LeanClient]:
    client = LeanClient(base_url, path, headers, connections)
    try:
        yield client
    finally:
        await client.close()
