"""One root exception; a few subclasses carrying details. Each has a stable `code`."""

from __future__ import annotations

from dataclasses import dataclass


class ReferralnetError(Exception):
    """Root of every error referralnet raises on purpose. `code` is safe to show a client."""

    code = "INTERNAL"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ModelError(ReferralnetError):
    """The domain model definition (graph/model/*.yaml) is wrong. Raised at start-up."""

    code = "MODEL_ERROR"


class QueryDefinitionError(ReferralnetError):
    """A file in queries/ is wrong: names the file and line."""

    code = "QUERY_DEFINITION_ERROR"

    def __init__(self, message: str, *, file: str, line: int) -> None:
        super().__init__(f"{file}:{line}: {message}")
        self.file = file
        self.line = line


class DatabaseUnavailable(ReferralnetError):
    """Neo4j cannot be reached (down, starting, or the network is cut)."""

    code = "DATABASE_UNAVAILABLE"


class DatabaseError(ReferralnetError):
    """Neo4j refused a statement. The message never carries Cypher text."""

    code = "DATABASE_ERROR"


class NotFound(ReferralnetError):
    code = "NOT_FOUND"


class BadInput(ReferralnetError):
    """A client sent a value the service cannot use (unknown region, bad cursor...)."""

    code = "BAD_INPUT"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class Unauthenticated(ReferralnetError):
    code = "UNAUTHENTICATED"


class Forbidden(ReferralnetError):
    code = "FORBIDDEN"


class LoadRunning(ReferralnetError):
    """Another load of the same kind holds the lease, and the caller chose not to wait."""

    code = "LOAD_RUNNING"

    def __init__(self, kind: str, since: str, source: str) -> None:
        super().__init__(f"another {kind} load is running since {since} (source {source}); "
                         "try again when it has finished, or ask to wait for it")
        self.kind, self.since, self.source = kind, since, source


class LoadLeaseLost(ReferralnetError):
    """A load stalled past its lease and another load took it over: nothing of it is kept."""

    code = "LOAD_LEASE_LOST"

    def __init__(self, kind: str) -> None:
        super().__init__(f"this {kind} load stalled longer than its lease "
                         "(REFERRALNET_LOAD_LEASE_SECONDS) and another load took over; "
                         "nothing of it was kept: load the file again")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file: where, which field, why."""

    file: str
    line: int | None
    field: str | None
    reason: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field or '-'}: {self.reason}"


class InvalidData(ReferralnetError):
    """An input file has problems; nothing was written. Carries every problem found."""

    code = "INVALID_DATA"

    def __init__(self, problems: list[Problem]) -> None:
        shown = "\n".join(str(p) for p in problems[:50])
        more = f"\n... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s), nothing written:\n{shown}{more}")
        self.problems = problems


class UploadTooLarge(InvalidData):
    """An upload that unpacks to more than the service accepts (a zip bomb, say)."""

    code = "REQUEST_TOO_LARGE"


class IdempotencyConflict(ReferralnetError):
    """An idempotency key sent again with other input (or for another mutation)."""

    code = "IDEMPOTENCY_KEY_REUSED"
