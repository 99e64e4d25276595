"""The access log holds each request's method, path and status, nothing else of it: a query
string (GET /graphql?query=... carries a person's profile), the client's address and the
protocol are left out.

uvicorn logs every response on its `uvicorn.access` logger as (client, method, path with query
string, HTTP version, status); a filter on that logger drops its record and writes the line
again, reduced, on `uvicorn.error` (uvicorn's own messages, at the same level). A server run
without an access log (`--no-access-log`) logs no request at all, as before."""

from __future__ import annotations

import logging

_ERROR = logging.getLogger("uvicorn.error")


def request_line(args: object) -> str | None:
    """'GET /graphql 200' of uvicorn's access record arguments; None for any other record."""
    if not isinstance(args, tuple) or len(args) != 5:
        return None
    _client, method, full_path, _version, status = args
    path = str(full_path).split("?", 1)[0][:200]  # uvicorn quoted it: no spaces or line breaks
    return f"{method} {path} {status}"


class PathsOnly(logging.Filter):
    """Drops uvicorn's access record and logs the request's method, path and status instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        line = request_line(record.args)
        if line is not None:
            _ERROR.log(record.levelno, "%s", line)
        return False


_FILTER = PathsOnly()


def paths_only() -> None:
    """Put the filter on uvicorn's access logger (once per process, however many apps)."""
    logging.getLogger("uvicorn.access").addFilter(_FILTER)
