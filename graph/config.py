"""Configuration from the environment: NEO4J_* for the database, REFERRALNET_* for the service."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, got {raw!r}") from None


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a number, got {raw!r}") from None
def _choice(name: str, default: str, allowed: tuple[str, ...]) -> str:
    raw = os.environ.get(name) or default
    if raw not in allowed:
        raise SystemExit(f"{name} must be one of {', '.join(allowed)}, got {raw!r}")
    return raw


def state_dir() -> Path:
    """Where the local Neo4j keeps its data, password, log and pid (git-ignored)."""
    return Path(os.environ.get("REFERRALNET_STATE_DIR", PROJECT_ROOT / ".referralnet")).resolve()


def cache_dir() -> Path:
    """Where the Neo4j jars fetched from Maven Central live (git-ignored, shared by instances)."""
    return Path(os.environ.get("REFERRALNET_CACHE_DIR", PROJECT_ROOT / ".cache")).resolve()


def _password() -> str:
    pw = os.environ.get("NEO4J_PASSWORD")
    if pw:
        return pw
    pw_file = state_dir() / "neo4j-password"
    return pw_file.read_text().strip() if pw_file.exists() else ""


@dataclass(frozen=True)
class Settings:
    neo4j_uri: str = field(default_factory=lambda: os.environ.get(
        "NEO4J_URI", f"bolt://127.0.0.1:{_int('REFERRALNET_NEO4J_PORT', 7687)}"))
    neo4j_user: str = field(default_factory=lambda: os.environ.get("NEO4J_USER", "neo4j"))
    neo4j_password: str = field(default_factory=_password)
    neo4j_database: str = field(default_factory=lambda: os.environ.get("NEO4J_DATABASE", "neo4j"))
    neo4j_port: int = field(default_factory=lambda: _int("REFERRALNET_NEO4J_PORT", 7687))
    tx_timeout_s: int = field(default_factory=lambda: _int("REFERRALNET_TX_TIMEOUT", 15))
    load_timeout_s: int = field(default_factory=lambda: _int("REFERRALNET_LOAD_TIMEOUT", 1800))
    load_chunk_rows: int = field(default_factory=lambda: _int("REFERRALNET_LOAD_CHUNK", 2500))
    # chunks of a case load committed at once: one transaction runs on one Neo4j thread
    load_concurrency: int = field(default_factory=lambda: _int("REFERRALNET_LOAD_CONCURRENCY", 2))
    # one load of a kind at a time: its lease, renewed every third of it (graph/load_lease.py)
    load_lease_s: int = field(default_factory=lambda: _int("REFERRALNET_LOAD_LEASE_SECONDS", 30))
    pool_size: int = field(default_factory=lambda: _int("REFERRALNET_POOL_SIZE", 50))
    max_page_size: int = field(default_factory=lambda: _int("REFERRALNET_MAX_PAGE_SIZE", 100))
    max_query_depth: int = field(default_factory=lambda: _int("REFERRALNET_MAX_QUERY_DEPTH", 10))
    max_aliases: int = field(default_factory=lambda: _int("REFERRALNET_MAX_ALIASES", 30))
    max_tokens: int = field(default_factory=lambda: _int("REFERRALNET_MAX_TOKENS", 2000))
    max_body_bytes: int = field(default_factory=lambda: _int("REFERRALNET_MAX_BODY_BYTES", 1_000_000))
    max_upload_bytes: int = field(default_factory=lambda: _int("REFERRALNET_MAX_UPLOAD_BYTES",
                                                               100_000_000))
    # what one request may ask for (api/cost.py), the most an uploaded .zip may unpack to,
    # the worker processes for parsing uploads and CPU-heavy analytics (graph/offload.py),
    # and how long a request waits for the database before it answers 503
    max_query_cost: int = field(default_factory=lambda: _int("REFERRALNET_MAX_QUERY_COST", 10_000))
    max_unpacked_bytes: int = field(default_factory=lambda: _int("REFERRALNET_MAX_UNPACKED_BYTES",
                                                                 1_000_000_000))
    cpu_workers: int = field(default_factory=lambda: _int("REFERRALNET_CPU_WORKERS", 2))
    db_timeout_s: float = field(default_factory=lambda: _float("REFERRALNET_DB_TIMEOUT", 2.0))
    deadline_hours: dict[str, int] = field(default_factory=lambda: {
        "EMERGENCY": _int("REFERRALNET_DEADLINE_EMERGENCY_HOURS", 2),
        "HIGH": _int("REFERRALNET_DEADLINE_HIGH_HOURS", 24),
        "NORMAL": _int("REFERRALNET_DEADLINE_NORMAL_HOURS", 72),
        "LOW": _int("REFERRALNET_DEADLINE_LOW_HOURS", 168)})
    graphiql: bool = field(default_factory=lambda: os.environ.get("REFERRALNET_GRAPHIQL", "1") != "0")
    # refused (401) requests are counted and written to the audit trail once per window
    refused_audit_window_s: float = field(default_factory=lambda: _int(
        "REFERRALNET_REFUSED_AUDIT_WINDOW", 10))
    # every list and every text in a request's arguments and variables (api/admission.py)
    max_list_items: int = field(default_factory=lambda: _int("REFERRALNET_MAX_LIST_ITEMS", 50))
    max_text_chars: int = field(default_factory=lambda: _int("REFERRALNET_MAX_TEXT_CHARS", 2000))
    # who may ask for the schema (__schema, __type): ADMIN tokens only, every token, or nobody
    introspection: str = field(default_factory=lambda: _choice(
        "REFERRALNET_INTROSPECTION", "admin", ("admin", "all", "off")))
