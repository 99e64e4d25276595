"""The ASGI app: /graphql (token required), /healthz (process up), /readyz (Neo4j reachable)."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.types import ExecutionResult

from api.access_log import paths_only
from api.admission import Admission
from api.arrivals import Arrival, Arrivals
from api.context import Context
from api.errors import error_body, format_error
from api.media_types import (
    GRAPHQL_RESPONSE,
    is_request_error,
    request_error_status,
    wants_graphql_response,
)
from api.schema import build_schema
from api.security_headers import SecurityHeaders
from api.unauthenticated import Unauthenticated
from api.uploads import sweep
from graph.config import Settings
from graph.db import Database
from graph.exceptions import ReferralnetError

log = logging.getLogger("referralnet.api")
GC_THRESHOLD = 2000


class GraphQLApp(GraphQL[Context, None]):
    """strawberry's ASGI view with bearer-token authentication and coded errors."""

    def __init__(self, db: Database, settings: Settings) -> None:
        super().__init__(build_schema(settings),
                         graphql_ide="graphiql" if settings.graphiql else None,
                         multipart_uploads_enabled=True)
        self.db = db
        self.arrivals = Arrivals(db)
        self.refused = Unauthenticated(db, settings.refused_audit_window_s)  # 401s, audited
        self.admission = Admission(settings)

    async def run(self, request: Any, context: Any = None, root_value: Any = None) -> Any:
        if (self.graphql_ide and isinstance(request, Request) and request.method == "GET"
                and _wants_html(request)):
            return await self.render_graphql_ide(request)  # static page; the token goes in its headers
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        remote = request.client.host if request.client else None
        if scheme.lower() != "bearer" or not token.strip():
            self.refused.count(header if scheme.lower() != "bearer" else None, remote)
            return _refuse(401, "UNAUTHENTICATED",
                           "send a token: 'Authorization: Bearer <token>' (referralnet token create)")
        try:
            arrival = await self.arrivals.arrive(token.strip())
        except ReferralnetError as e:
            return _refuse(503, e.code, e.message)
        if arrival.principal is None:
            self.refused.count(token.strip(), remote)
            return _refuse(401, "UNAUTHENTICATED", "the token is unknown or revoked")
        request.state.arrival = arrival
        try:
            response = await super().run(request)
        except HTTPException as e:  # not a GraphQL request (body, parameters, method)
            return _refuse(e.status_code, "BAD_REQUEST", e.reason)
        return _negotiated(request, response)

    async def parse_http_body(self, request: Any) -> GraphQLRequestData:
        try:
            data = await super().parse_http_body(request)
        except (AttributeError, TypeError) as e:  # a body of "hello", null, 42 ...
            raise HTTPException(400, "the body must be a JSON object with a query") from e
        if not isinstance(data, GraphQLRequestData):
            raise HTTPException(400, "send one operation at a time")
        if not isinstance(data.operation_name, str | None):
            raise HTTPException(400, "operationName must be a string or null")
        return data

    async def execute_single(self, request: Any, request_adapter: Any, sub_response: Any,
                             context: Context, root_value: Any,
                             request_data: GraphQLRequestData) -> ExecutionResult:
        refused = self.admission.refusal(request_data.query, request_data.variables,
                                         context.principal.role)
        if refused is not None:  # caps or introspection: nothing runs
            return ExecutionResult(data=None, errors=[refused])
        return await super().execute_single(
            request=request, request_adapter=request_adapter, sub_response=sub_response,
            context=context, root_value=root_value, request_data=request_data)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)  # several times faster than json.dumps on large answers

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)  # orjson.JSONDecodeError is a json.JSONDecodeError: a 400

    async def get_context(self, request: Any, response: Any) -> Context:
        arrival: Arrival = request.state.arrival
        assert arrival.principal is not None
        return Context(db=self.db, principal=arrival.principal, look=arrival.look)

    async def process_result(self, request: Any, result: ExecutionResult) -> GraphQLHTTPResponse:
        data: GraphQLHTTPResponse = {}
        if is_request_error(result.data, result.errors):  # nothing ran: no data entry
            request.state.request_error = request_error_status(result.errors or [])
        else:
            data["data"] = result.data
        if result.errors:
            data["errors"] = [format_error(e) for e in result.errors]
        if result.extensions:
            data["extensions"] = result.extensions
        return data


async def _schema_applied(db: Database) -> bool:
    """The schema applied when Neo4j answers within REFERRALNET_DB_TIMEOUT: a database that
    is starting does not hold the API's start-up."""
    try:
        if await db.ping():
            await db.apply_schema()
            return True
    except ReferralnetError as e:
        log.warning("schema not applied at start-up (%s)", e.message)
    return False


async def _schema_when_up(db: Database) -> None:
    log.warning("Neo4j not reachable at start-up; the schema is applied once it is "
                "(/readyz says when)")
    while not await _schema_applied(db):
        await asyncio.sleep(2.0)
    log.warning("schema applied: Neo4j is up")


def _negotiated(request: Request, response: Response) -> Response:
    """application/graphql-response+json, and a 4xx for a request error, for a client that
    accepts it (api/media_types.py)."""
    if response.media_type == "application/json" and wants_graphql_response(
            request.headers.get("accept", "")):
        response.headers["content-type"] = GRAPHQL_RESPONSE
        response.status_code = getattr(request.state, "request_error", response.status_code)
    return response


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "") and "query" not in request.query_params


def _refuse(status: int, code: str, message: str) -> Response:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(error_body(code, message), status_code=status, headers=headers)


class BodyLimit:
    """Refuses request bodies over `limit` bytes (`upload_limit` for multipart file uploads)
    with 413, before they are read whole: at once when the declared length is over, or as soon
    as a body sent without one (chunked) goes over, whatever the app had begun to answer (the
    500 Starlette makes of the interruption is dropped)."""

    def __init__(self, app: ASGIApp, limit: int, upload_limit: int) -> None:
        self.app, self.default, self.upload_limit = app, limit, upload_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        multipart = headers.get(b"content-type", b"").startswith(b"multipart/form-data")
        limit = self.upload_limit if multipart else self.default
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(limit)(scope, receive, send)
            return
        seen = 0
        over = started = False

        async def limited() -> Message:
            nonlocal seen, over
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                over = True
                raise _TooLarge
            return message

        async def unless_over(message: Message) -> None:
            nonlocal started
            if over:
                return  # what the app makes of the interruption is not the answer
            started = True
            await send(message)

        try:
            await self.app(scope, limited, unless_over)
        except Exception:
            if not over or started:
                raise
        if over and not started:
            await _too_large(limit)(scope, receive, send)


class _TooLarge(Exception):
    pass


def _too_large(limit: int) -> Response:
    return JSONResponse(error_body("REQUEST_TOO_LARGE", f"the request body is over {limit} bytes"),
                        status_code=413)


def create_app(settings: Settings | None = None) -> ASGIApp:
    settings = settings or Settings()
    paths_only()  # the access log holds method, path and status: no query string
    db = Database(settings)
    graphql = GraphQLApp(db, settings)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        if await db.ping():
            return JSONResponse({"status": "ready", "neo4j": "up"})
        return JSONResponse({"status": "not ready", "neo4j": "unreachable"}, status_code=503)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        for left in sweep():  # what a killed API process left of its uploads
            log.warning("removed %s, left by an API process that is gone", left.name)
        later = None if await _schema_applied(db) else asyncio.create_task(_schema_when_up(db))
        # What start-up made (the schema, the model, the queries) lives as long as the process:
        # out of the cyclic collector's sight, so that a full collection walks only what came
        # later. A request's objects are freed by reference counting (api/execution.py breaks
        # the executor's cycle); young collections every GC_THRESHOLD allocations pause a worker
        # for about a millisecond (at 20,000 they took up to 20 ms, which showed in the p99 of
        # routeReferral), full ones come a hundred times less often than by default.
        gc.collect()
        gc.freeze()
        gc.set_threshold(GC_THRESHOLD, 10, 100)
        refusals = asyncio.create_task(graphql.refused.run())
        yield
        refusals.cancel()  # writes what it counted before it ends
        with suppress(asyncio.CancelledError):
            await refusals
        if later is not None:
            later.cancel()
        await db.close()

    app = Starlette(routes=[
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/graphql", graphql, methods=["GET", "POST"]),
    ], lifespan=lifespan)
    app.state.db = db
    return SecurityHeaders(BodyLimit(app, settings.max_body_bytes, settings.max_upload_bytes))
