"""The one way to talk to Neo4j: named queries from queries/, parameters checked, reads sent
with READ routing, `database_` always set, driver errors wrapped in our own exceptions."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar, cast

import neo4j
from graph.config import Settings
from graph.exceptions import DatabaseError, DatabaseUnavailable, QueryDefinitionError
from graph.model import load_model
from graph.offload import Offload
from graph.queries import Query, load_queries, query
from neo4j import AsyncGraphDatabase, AsyncManagedTransaction, RoutingControl
from neo4j import exceptions as nx

READ_ATTEMPTS = 3
# Data written by an earlier version brought up to date at schema apply (each a no-op after):
# referrals get the organizations they belong to, services the places their directory offers.
UPGRADES = ("backfill_referral_owners", "backfill_capacity_offered")
READ_PART = 5000  # list items per statement of read_in_parts
# Neo4j answers each statement on one thread: two at once keep two CPUs busy, and the driver
# decodes one answer while Neo4j works on the next.
READ_PARTS_AT_ONCE = 2
log = logging.getLogger("referralnet.db")

Row = dict[str, Any]
T = TypeVar("T")


def _bind(q: Query, params: Mapping[str, Any]) -> dict[str, Any]:
    given = set(params)
    if given != q.params:
        missing, extra = q.params - given, given - q.params
        raise QueryDefinitionError(
            f"query {q.name!r} called with missing {sorted(missing)} / extra {sorted(extra)} parameters",
            file=q.file, line=q.line)
    return {k: _Quiet(v) if type(v) is list and len(v) > _QUIET_FROM else v
            for k, v in params.items()}


_QUIET_FROM = 8


class _Quiet(list[Any]):
    """A list parameter with a short repr. The driver writes every RUN's parameters into a
    debug-log message with repr() whether debug logging is on or not; for a batch of thousands
    of rows that was a tenth of a directory load's Python time. Packed like any list."""

    def __repr__(self) -> str:
        return f"<{len(self)} items>"


def wrap_driver_error(e: Exception, name: str) -> Exception:
    """Translate a driver exception into ours; log the detail, never show Cypher to callers."""
    if isinstance(e, (nx.ServiceUnavailable, nx.SessionExpired, nx.SessionError,
                      nx.ConnectionAcquisitionTimeoutError, OSError)):
        log.warning("neo4j unavailable during %s: %s", name, e)
        return DatabaseUnavailable("the database is unavailable; try again shortly")
    if isinstance(e, nx.AuthError):
        log.error("neo4j refused our credentials during %s", name)
        return DatabaseUnavailable("the database refused the service's credentials")
    if isinstance(e, nx.Neo4jError):
        log.error("neo4j error in %s: %s %s", name, e.code, e.message)
        if e.code and "TransactionTimedOut" in e.code:
            return DatabaseError("the query took too long and was stopped")
        if e.code and "MemoryPoolOutOfMemoryError" in e.code:
            return DatabaseError("the transaction needs more memory than Neo4j allows one "
                                 "(dbms.memory.transaction.total.max, a share of its heap); "
                                 "nothing of it was written")
        return DatabaseError(f"the database refused the operation ({e.code or 'unknown'})")
    return e


class Database:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.database = settings.neo4j_database
        self.driver = AsyncGraphDatabase.driver(
            settings.neo4j_uri,
            auth=(settings.neo4j_user, settings.neo4j_password),
            max_connection_pool_size=settings.pool_size,
            # a database starting up (its port open, Bolt not answered yet) or gone: a request
            # gives up after REFERRALNET_DB_TIMEOUT and answers 503 (connecting, the handshake
            # and waiting for a pooled connection each bounded by it, reads retried within it)
            connection_timeout=settings.db_timeout_s,
            connection_acquisition_timeout=settings.db_timeout_s,
            # a write's retries on deadlocks and lost connections; the request's first read
            # (its token) has already failed fast when the database is not there
            max_transaction_retry_time=max(settings.db_timeout_s, 10.0),
            notifications_min_severity="OFF",
        )
        self.cpu = Offload(settings.cpu_workers)
        self._cache: dict[str, tuple[float, Any]] = {}
        self._running: set[asyncio.Future[Any]] = set()
        load_queries()  # fail at start-up, not on first use

    async def close(self) -> None:
        if self._running:
            await asyncio.wait(list(self._running))
        self.cpu.close()
        await self.driver.close()

    def _to_the_end(self, work: Awaitable[T]) -> Awaitable[T]:
        """`work` run to its end even when its caller is cancelled, as GraphQL execution does to
        the sibling fields of one that failed: cancelled mid-statement, the driver drops its
        connection (opened again for the next request) and may leave a socket behind for the
        garbage collector. The caller stops waiting; the statement still ends as sent."""
        task = asyncio.ensure_future(work)
        self._running.add(task)
        task.add_done_callback(self._settled)
        return asyncio.shield(task)

    def _settled(self, task: asyncio.Future[Any]) -> None:
        self._running.discard(task)
        if not task.cancelled():
            task.exception()  # a caller that stopped waiting never retrieves it

    async def ping(self) -> bool:
        try:
            await asyncio.wait_for(self.driver.verify_connectivity(),
                                   self.settings.db_timeout_s + 1.0)
            return True
        except Exception as e:  # noqa: BLE001 - any failure means "not ready"
            log.info("neo4j not ready: %s", e)
            return False

    def _query(self, q: Query, timeout_s: float | None = None) -> neo4j.Query:
        return neo4j.Query(q.text, timeout=timeout_s or float(self.settings.tx_timeout_s))

    async def _run(self, name: str, routing: RoutingControl, params: Mapping[str, Any],
                   plain: bool = False, timeout_s: float | None = None) -> list[Row]:
        q = query(name)
        if routing is RoutingControl.READ and q.mode != "read":
            raise QueryDefinitionError(f"query {name!r} is not a read", file=q.file, line=q.line)
        try:
            if routing is RoutingControl.READ:
                records = await self._to_the_end(self._read_autocommit(q, _bind(q, params)))
            else:
                records, _, _ = await self._to_the_end(self.driver.execute_query(
                    self._query(q, timeout_s), _bind(q, params), database_=self.database,
                    routing_=routing))
        except Exception as e:
            raise wrap_driver_error(e, name) from e
        if plain:
            return [dict(zip(r.keys(), r.values(), strict=True)) for r in records]
        return [r.data() for r in records]

    async def _read_autocommit(self, q: Query, params: dict[str, Any]) -> list[neo4j.Record]:
        """A read as one auto-commit statement: RUN and PULL in one round trip, where a managed
        transaction also sends BEGIN and COMMIT. Retried like one on a lost connection or a
        transient error (a read has no effect to repeat), within REFERRALNET_DB_TIMEOUT."""
        deadline = time.monotonic() + self.settings.db_timeout_s
        for attempt in range(READ_ATTEMPTS):
            try:
                async with self.driver.session(database=self.database,
                                               default_access_mode=neo4j.READ_ACCESS) as session:
                    result = await session.run(self._query(q), params)
                    return [r async for r in result]
            except (neo4j.exceptions.SessionExpired, neo4j.exceptions.ServiceUnavailable,
                    neo4j.exceptions.TransientError):
                pause = 0.05 * 2 ** attempt
                if attempt == READ_ATTEMPTS - 1 or time.monotonic() + pause > deadline:
                    raise
                await asyncio.sleep(pause)
        raise AssertionError("unreachable")

    async def read(self, name: str, /, **params: Any) -> list[Row]:
        return await self._run(name, RoutingControl.READ, params)

    async def read_in_parts(self, name: str, key: str, values: list[Any], part: int = READ_PART,
                            shape: Callable[[list[Any]], Any] = list) -> list[Row]:
        """A read whose one parameter `key` is a long list, answered with maps, lists and values
        only (as read_plain): sent `part` items at a time, `shape(items)` being the parameter's
        value, READ_PARTS_AT_ONCE parts at once, the answers put together in order (a statement
        of hundreds of thousands of ids would hold them all in one request and one answer)."""
        starts = iter(range(0, len(values), part))
        answers: dict[int, list[Row]] = {}
        failed: list[Exception] = []

        async def worker() -> None:
            for i in starts:
                if failed:
                    return
                try:
                    answers[i] = await self.read_plain(name, **{key: shape(values[i:i + part])})
                except Exception as e:  # noqa: BLE001 - raised once the other part under way ends
                    failed.append(e)
                    return

        await asyncio.gather(*(worker() for _ in range(READ_PARTS_AT_ONCE)))
        if failed:
            raise failed[0]
        return [row for i in sorted(answers) for row in answers[i]]

    async def read_plain(self, name: str, /, **params: Any) -> list[Row]:
        """A read whose answer holds only maps, lists and values (no nodes, relationships or
        paths): kept as the driver decoded them. `read` turns graph objects into dicts with
        Record.data(), which walks every nested value again: for an answer of thousands of
        nested values that costs more than receiving them."""
        return await self._run(name, RoutingControl.READ, params, plain=True)

    async def cached(self, name: str, ttl: float, build: Callable[[list[Row]], T]) -> T:
        """`build(rows)` of a parameterless read of reference data, kept by this process for
        `ttl` seconds and shared by every request meanwhile (callers do not change it). Each
        statement is always built by the same function."""
        now = time.monotonic()
        hit = self._cache.get(name)
        if hit is not None and hit[0] > now:
            return cast(T, hit[1])
        value = build(await self.read(name))
        self._cache[name] = (now + ttl, value)
        return value

    def forget_cached(self) -> None:
        """Drop cached reference data (after this process changed the directory)."""
        self._cache.clear()

    async def read_one(self, name: str, /, **params: Any) -> Row | None:
        rows = await self.read(name, **params)
        return rows[0] if rows else None

    async def write(self, name: str, /, timeout_: float | None = None, **params: Any) -> list[Row]:
        """A write statement of its own; `timeout_` (seconds) replaces the request's budget
        (tx_timeout_s) for a statement over the whole graph."""
        return await self._run(name, RoutingControl.WRITE, params, timeout_s=timeout_)

    async def in_write_tx(self, fn: Callable[[Tx], Awaitable[T]], name: str = "transaction",
                          timeout_s: float | None = None) -> T:
        """Run `fn` in one managed write transaction (retried on transient errors)."""
        @neo4j.unit_of_work(timeout=timeout_s or float(self.settings.tx_timeout_s))
        async def work(tx: AsyncManagedTransaction) -> T:
            return await fn(Tx(tx))
        # not run to its end when cancelled (unlike a statement of its own): a load's chunk must
        # roll back with its cancelled load, not commit behind the load's undo
        try:
            async with self.driver.session(database=self.database) as session:
                return await session.execute_write(work)
        except Exception as e:
            raise wrap_driver_error(e, name) from e

    async def apply_schema(self) -> int:
        """Create every constraint and index of queries/schema.cypher (IF NOT EXISTS), then bring
        derived data up to date: the labels of the model's roles (a database written before a
        role existed lacks them) and UPGRADES."""
        n = 0
        for q in load_queries().values():
            if q.mode == "schema":
                try:
                    await self.driver.execute_query(q.text, database_=self.database)
                except Exception as e:
                    raise wrap_driver_error(e, q.name) from e
                n += 1
        await self.read("await_indexes")
        for role in load_model().roles.values():  # the whole graph: a load's time budget
            await self.write(role.refresh, timeout_=float(self.settings.load_timeout_s))
        for name in UPGRADES:
            await self.write(name, timeout_=float(self.settings.load_timeout_s))
        return n


class Tx:
    """A managed transaction that only runs named queries."""

    def __init__(self, tx: AsyncManagedTransaction) -> None:
        self._tx = tx

    async def run(self, name: str, /, **params: Any) -> list[Row]:
        q = query(name)
        result = await self._tx.run(q.text, _bind(q, params))
        rows = [r.data() async for r in result]
        await result.consume()
        # The driver keeps every result of a transaction, with its parameters, until the end
        # of it; a load of hundreds of thousands of rows must not hold all its batches (seen:
        # about 1.3 KB per row written). A consumed result is safe to let go.
        pending = getattr(self._tx, "_results", None)
        if isinstance(pending, list) and pending and pending[-1] is result:
            pending.pop()
        return rows
