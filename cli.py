"""`referralnet`: the command line for operators and data staff."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from graph import access
from graph.config import Settings, state_dir
from graph.db import Database
from graph.exceptions import InvalidData, ReferralnetError
from graph.localdb import Instance, LocalDbError, ensure_jars

app = typer.Typer(help="referralnet: inter-agency referral network service", no_args_is_help=True)
db_app = typer.Typer(help="The local Neo4j (no Docker): start, stop, status.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens: create, list, revoke.", no_args_is_help=True)
schema_app = typer.Typer(help="Constraints and indexes.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(token_app, name="token")
app.add_typer(schema_app, name="schema")
err = Console(stderr=True)
T = TypeVar("T")


def _local() -> Instance:
    return Instance(state_dir(), Settings().neo4j_port)


def _with_db(fn: Callable[[Database], Awaitable[T]]) -> T:
    async def main() -> T:
        db = Database(Settings())
        try:
            return await fn(db)
        finally:
            await db.close()
    try:
        return asyncio.run(main())
    except InvalidData as e:
        err.print(f"[red]invalid data[/red]: {e.message}", markup=True, highlight=False)
        raise typer.Exit(1) from None
    except (FileNotFoundError, IsADirectoryError, PermissionError) as e:
        err.print(f"[red]error[/red]: {e}", highlight=False)
        raise typer.Exit(1) from None
    except ReferralnetError as e:
        err.print(f"[red]{e.code}[/red]: {e.message}", highlight=False)
        raise typer.Exit(1) from None


@db_app.command("fetch")
def db_fetch() -> None:
    """Fetch the Neo4j jars from Maven Central (once)."""
    try:
        print(ensure_jars())
    except LocalDbError as e:
        err.print(f"[red]error[/red]: {e}")
        raise typer.Exit(1) from None


@db_app.command("start")
def db_start(timeout: float = typer.Option(180.0, help="seconds to wait for Bolt")) -> None:
    """Start the local Neo4j on 127.0.0.1 (auth on) and wait until it answers."""
    inst = _local()
    try:
        inst.start(timeout=timeout)
    except LocalDbError as e:
        err.print(f"[red]error[/red]: {e}")
        raise typer.Exit(1) from None
    print(f"neo4j {inst.status()}; password in {inst.password_file}")


@db_app.command("stop")
def db_stop() -> None:
    """Stop the local Neo4j cleanly."""
    print("stopped" if _local().stop() else "was not running")


@db_app.command("status")
def db_status() -> None:
    """Say whether the local Neo4j runs; exit 1 when it does not."""
    status = _local().status()
    print(status)
    if not status.startswith("running"):
        raise typer.Exit(1)


@schema_app.command("apply")
def schema_apply() -> None:
    """Create constraints and indexes (IF NOT EXISTS: safe to repeat)."""
    n = _with_db(lambda db: db.apply_schema())
    print(f"{n} schema statements applied")


_ALLOW_CONFLICTS = typer.Option(
    False, "--allow-referral-conflicts",
    help="write a service row that lowers its places below those its referrals hold or moves "
         "it (with live referrals) to another organization, with a warning, instead of refusing "
         "the load; the referrals stay with the organization that received them")


@app.command()
def seed(allow_referral_conflicts: bool = _ALLOW_CONFLICTS) -> None:
    """Load the built-in Kazakhstan directory (idempotent; places referrals hold stay held)."""
    from graph.directory_write import write_directory
    from graph.referral_holds import ReferralHolds
    from loaders.kazakhstan import load_directory

    holds = ReferralHolds(allow=allow_referral_conflicts)

    async def run(db: Database) -> dict[str, dict[str, int]]:
        await db.apply_schema()
        return await write_directory(db, load_directory(), holds=holds)

    counts = _with_db(run)
    print("seeded: " + "; ".join(
        f"{kind} " + ", ".join(f"{n} {o}" for o, n in outcomes.items() if n)
        for kind, outcomes in counts.items()))
    for w in holds.warnings:
        err.print(f"[yellow]warning[/yellow]: {w}", highlight=False)


@token_app.command("create")
def token_create(role: str = typer.Option(..., help="COORDINATOR, INVESTIGATOR, LOADER or ADMIN"),
                 name: str = typer.Option(..., help="who or what uses it"),
                 organization: str | None = typer.Option(None, help="organization id (coordinators)"),
                 ) -> None:
    """Create a token; the token itself is printed alone on the last line, once."""
    issued = _with_db(lambda db: access.create_token(db, name=name, role=role.upper(),
                                                    organization_id=organization))
    err.print(f"token {issued.id} created for {name} ({role.upper()}); it is shown only once:")
    print(issued.token)


@token_app.command("list")
def token_list(as_json: bool = typer.Option(False, "--json")) -> None:
    """List tokens (never their secrets)."""
    rows = _with_db(access.list_tokens)
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    table = Table("id", "name", "role", "organization", "created", "revoked")
    for r in rows:
        table.add_row(r["id"], r["name"], r["role"], r.get("organization_id") or "",
                      r["created_at"], r.get("revoked_at") or "")
    Console().print(table)


@token_app.command("revoke")
def token_revoke(token_id: str) -> None:
    """Revoke a token by its id; it stops working at once."""
    _with_db(lambda db: access.revoke_token(db, token_id))
    print(f"revoked {token_id}")


load_app = typer.Typer(help="Load data files.", no_args_is_help=True)
_WAIT = ("when another load of the same kind runs, wait for it to end (saying so), or "
         "with --no-wait fail at once (LOAD_RUNNING)")
export_app = typer.Typer(help="Export data files.", no_args_is_help=True)
app.add_typer(load_app, name="load")
app.add_typer(export_app, name="export")


def _load(fn: Callable[[Database, Callable[[str, int], None]], Awaitable[Any]],
          report: Path | None, as_json: bool) -> None:
    """Run a load with a progress bar on a terminal; print its report, and save it as JSON."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    # A load makes millions of short-lived rows and a few long-lived tables: with the default
    # threshold (700) the cyclic collector runs thousands of times and walks those tables each
    # time, about a tenth of a directory load's CPU. This process does nothing else.
    gc.freeze()
    gc.set_threshold(50_000, 50, 1000)

    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed} rows"),
                  TimeElapsedColumn(), console=err, transient=True,
                  disable=as_json or not err.is_terminal) as bar:
        tasks: dict[str, Any] = {}

        def progress(kind: str, n: int) -> None:
            if kind.startswith("waiting: "):  # another load of the kind holds the lease
                err.print(kind, highlight=False, soft_wrap=True)
                return
            if kind not in tasks:
                tasks[kind] = bar.add_task(kind, total=None)
            bar.advance(tasks[kind], n)

        result = _with_db(lambda db: fn(db, progress))
    body = result.to_json()
    if report:
        report.write_text(json.dumps(body, indent=2, ensure_ascii=False))
    print(json.dumps(body, indent=2, ensure_ascii=False) if as_json else result.human())


@load_app.command("directory")
def load_directory_cmd(
        path: Path = typer.Argument(..., help="HSDS: a folder of CSV, a .zip of one, or a JSON file"),
        mapping: Path | None = typer.Option(None, help="extra taxonomy-to-need rules (YAML)"),
        report: Path | None = typer.Option(None, help="also write the report as JSON here"),
        as_json: bool = typer.Option(False, "--json", help="print the JSON report instead"),
        wait: bool = typer.Option(True, help=_WAIT),
        allow_referral_conflicts: bool = _ALLOW_CONFLICTS) -> None:
    """Load an Open Referral HSDS directory: validated first, all or nothing, idempotent."""
    from loaders.directory_load import load_hsds

    async def run(db: Database, progress: Callable[[str, int], None]) -> Any:
        # constraints and indexes first (IF NOT EXISTS): without them on a fresh database every
        # lookup of a big load scans its label, and ids are not guarded
        await db.apply_schema()
        return await load_hsds(db, path, mapping=mapping, progress=progress, wait=wait,
                               allow_referral_conflicts=allow_referral_conflicts)

    _load(run, report, as_json)


@load_app.command("cases")
def load_cases_cmd(
        path: Path = typer.Argument(..., help="FollowTheMoney entities, one JSON object a line"),
        report: Path | None = typer.Option(None, help="also write the report as JSON here"),
        as_json: bool = typer.Option(False, "--json", help="print the JSON report instead"),
        wait: bool = typer.Option(True, help=_WAIT)) -> None:
    """Load case data (FollowTheMoney JSON lines): validated first, all or nothing, idempotent."""
    from loaders.ftm_load import load_cases

    async def run(db: Database, progress: Callable[[str, int], None]) -> Any:
        await db.apply_schema()
        return await load_cases(db, path, progress=progress, wait=wait)

    _load(run, report, as_json)


@export_app.command("directory")
def export_directory_cmd(
        path: Path = typer.Argument(..., help="a folder (csv) or a .json file to write"),
        format: str = typer.Option("csv", help="csv or json")) -> None:
    """Export the directory as Open Referral HSDS (a CSV data package or tabular JSON)."""
    from loaders.hsds_export import export_directory

    if format not in ("csv", "json"):
        err.print("format must be csv or json")
        raise typer.Exit(2)
    counts = _with_db(lambda db: export_directory(db, path, format))
    print(f"exported to {path}: " + ", ".join(f"{t} {n}" for t, n in counts.items() if n))


@app.command()
def audit(limit: int = 50) -> None:
    """Show the newest audit events."""
    rows: list[dict[str, Any]] = _with_db(lambda db: access.audit_events(db, limit))
    for r in rows:
        detail = f"  {r['detail']}" if r.get("detail") else ""
        print(f"{r['at']}  {r['actor']:<30} {r['action']:<20} {r.get('target') or ''}{detail}")


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1,
          log_level: str = "info") -> None:
    """Serve the GraphQL API with uvicorn: `workers` processes, each with a socket of its
    own (SO_REUSEPORT), so that the kernel spreads connections evenly between them."""
    import uvicorn

    from api.workers import Supervisor

    if workers <= 1:
        uvicorn.run("api.app:create_app", factory=True, host=host, port=port,
                    log_level=log_level, proxy_headers=False, server_header=False)
        return
    config = uvicorn.Config("api.app:create_app", factory=True, host=host, port=port,
                            workers=workers, log_level=log_level, proxy_headers=False,
                            server_header=False)
    try:
        supervisor = Supervisor(config, workers)
    except OSError as e:
        err.print(f"cannot listen on {host}:{port}: {e.strerror or e}")
        raise typer.Exit(1) from e
    supervisor.run()


@app.command()
def bench(out: str = "BENCHMARKS.md") -> None:
    """Run the benchmarks against a fresh local Neo4j; write BENCHMARKS.md."""
    os.execv(sys.executable, [sys.executable, "-m", "bench", "--out", out])  # noqa: S606


if __name__ == "__main__":
    app()
