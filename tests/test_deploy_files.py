"""Dockerfile, docker-compose.yml and .dockerignore, checked for structure (no Docker engine
runs here): what must hold for `docker compose up` to give a healthy, local-only service."""

from __future__ import annotations

import inspect
import json
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"


def instructions(text: str) -> list[tuple[str, str]]:
    """Dockerfile instructions as (KEYWORD, arguments), continuations joined, comments dropped."""
    out: list[tuple[str, str]] = []
    current = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if current and line.startswith("#"):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        current += line
        keyword, _, args = current.strip().partition(" ")
        out.append((keyword.upper(), args.strip()))
        current = ""
    return out


def command_words(args: str) -> list[str]:
    """A CMD/ENTRYPOINT/HEALTHCHECK CMD in exec (JSON) or shell form, as words."""
    if args.startswith("["):
        words = json.loads(args)
        assert isinstance(words, list)
        return [str(w) for w in words]
    return shlex.split(args)


def env_of(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    doc = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(doc, dict)
    return doc


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    svc = compose.get("services")
    assert isinstance(svc, dict), "docker-compose.yml has no services"
    return svc


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    assert DOCKERFILE.is_file(), "Dockerfile is missing"
    return instructions(DOCKERFILE.read_text(encoding="utf-8"))


def test_compose_has_neo4j_and_api(services: dict[str, Any]) -> None:
    assert {"neo4j", "api"} <= set(services)


def test_neo4j_image_volume_and_auth(services: dict[str, Any]) -> None:
    neo4j = services["neo4j"]
    image = str(neo4j.get("image", ""))
    assert image.startswith("neo4j:5.26"), image
    assert "enterprise" not in image
    volumes = [str(v if isinstance(v, str) else v.get("target")) for v in neo4j.get("volumes") or []]
    assert any(v.split(":")[-1] == "/data" or v == "/data" for v in volumes), volumes
    auth = env_of(neo4j).get("NEO4J_AUTH", "")
    assert re.fullmatch(r"neo4j/\$\{NEO4J_PASSWORD(:?\?[^}]*)?\}", auth), \
        f"NEO4J_AUTH must come from NEO4J_PASSWORD, not a literal: {auth!r}"


def test_neo4j_has_a_healthcheck(services: dict[str, Any]) -> None:
    check = services["neo4j"].get("healthcheck")
    assert isinstance(check, dict) and check.get("test"), "neo4j needs a healthcheck"
    assert not check.get("disable")
    test = check["test"] if isinstance(check["test"], str) else " ".join(check["test"])
    assert "cypher-shell" in test or "7474" in test, test


def test_api_waits_for_a_healthy_neo4j(services: dict[str, Any]) -> None:
    depends = services["api"].get("depends_on")
    assert isinstance(depends, dict), "api must depend on neo4j with a condition"
    assert depends.get("neo4j", {}).get("condition") == "service_healthy"


def test_api_environment(services: dict[str, Any]) -> None:
    api = services["api"]
    env = env_of(api)
    for name in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE"):
        assert env.get(name), f"api environment lacks {name}"
    assert env["NEO4J_URI"] == "bolt://neo4j:7687"
    assert env["NEO4J_PASSWORD"].startswith("${NEO4J_PASSWORD"), "the password must not be a literal"
    assert api.get("restart") == "unless-stopped"


def test_api_is_built_from_the_dockerfile(services: dict[str, Any]) -> None:
    build = services["api"].get("build")
    context = build if isinstance(build, str) else (build or {}).get("context")
    dockerfile = "Dockerfile" if isinstance(build, str) else (build or {}).get("dockerfile", "Dockerfile")
    assert context is not None, "api must be built"
    assert (ROOT / str(context) / str(dockerfile)).resolve() == DOCKERFILE


def _published(service: dict[str, Any]) -> list[tuple[str, str]]:
    """(host ip, container port) for each published port, short or long syntax."""
    out = []
    for p in service.get("ports") or []:
        if isinstance(p, dict):
            out.append((str(p.get("host_ip", "")), str(p.get("target"))))
        else:
            parts = str(p).split(":")
            host_ip = parts[0] if len(parts) == 3 else ""
            out.append((host_ip, parts[-1].split("/")[0]))
    return out


def test_every_published_port_binds_localhost_only(services: dict[str, Any]) -> None:
    for name, service in services.items():
        for host_ip, target in _published(service):
            assert host_ip == "127.0.0.1", f"{name} publishes {target} on {host_ip or 'every address'}"
    assert ("127.0.0.1", "8000") in _published(services["api"])


def test_dockerfile_base_and_install(dockerfile: list[tuple[str, str]]) -> None:
    froms = [a for k, a in dockerfile if k == "FROM"]
    assert froms and froms[-1].split()[0] == "python:3.11-slim", froms
    runs = " && ".join(a for k, a in dockerfile if k == "RUN")
    assert re.search(r"pip install (-e |--editable )?\.(\s|$)", runs), "the project must be pip-installed"
    if not re.search(r"pip install (-e|--editable) \.", runs):
        # A non-editable install puts the packages in site-packages, away from queries/ and
        # data/ (found relative to graph/): they must then ship as package data.
        setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
        shipped = json.dumps([setuptools.get("package-data"), setuptools.get("data-files")])
        assert "cypher" in shipped, "a plain `pip install .` would not ship queries/*.cypher"


def _final(dockerfile: list[tuple[str, str]], keyword: str) -> str | None:
    found = [a for k, a in dockerfile if k == keyword]
    return found[-1] if found else None


def test_dockerfile_runs_referralnet_serve(dockerfile: list[tuple[str, str]]) -> None:
    words = [*command_words(_final(dockerfile, "ENTRYPOINT") or ""),
             *command_words(_final(dockerfile, "CMD") or "")]
    assert words[:2] == ["referralnet", "serve"], words
    joined = " ".join(words)
    assert "--host 0.0.0.0" in joined and "--port 8000" in joined, joined
    assert any(k == "EXPOSE" and "8000" in a.split() for k, a in dockerfile)
    from cli import serve

    params = inspect.signature(serve).parameters
    assert {"host", "port"} <= set(params), "`referralnet serve` must take --host and --port"


def test_dockerfile_healthcheck_uses_healthz_without_curl(dockerfile: list[tuple[str, str]]) -> None:
    check = _final(dockerfile, "HEALTHCHECK")
    assert check is not None, "the Dockerfile needs a HEALTHCHECK"
    assert not check.upper().startswith("NONE")
    assert "/healthz" in check and "8000" in check
    assert "curl" not in check and "wget" not in check, "python:3.11-slim has neither curl nor wget"


def test_dockerfile_runs_as_non_root(dockerfile: list[tuple[str, str]]) -> None:
    user = _final(dockerfile, "USER")
    assert user is not None, "the image must set USER"
    assert user.split(":")[0] not in ("root", "0"), user
    keywords = [k for k, _ in dockerfile]
    last_user = max(i for i, k in enumerate(keywords) if k == "USER")
    cmd = max(i for i, k in enumerate(keywords) if k in ("CMD", "ENTRYPOINT"))
    assert last_user < cmd


def test_dockerignore_keeps_local_state_out() -> None:
    entries = {ln.strip().rstrip("/") for ln in DOCKERIGNORE.read_text().splitlines()
               if ln.strip() and not ln.startswith("#")}
    for needed in (".venv", ".cache", ".referralnet", ".git", "bench/.runs"):
        assert needed in entries, f".dockerignore lacks {needed}"
    assert "__pycache__" in entries or "**/__pycache__" in entries
