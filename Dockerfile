# referralnet API: `docker compose up` (docker-compose.yml) runs it beside Neo4j 5.26.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# The project reads queries/*.cypher and data/ from its source tree (graph/queries.py and
# graph/config.py locate them next to the packages), and pyproject.toml does not ship them as
# package data, so a plain `pip install .` into site-packages would start without its queries
# ("no .cypher files"). Install in place instead: same dependencies and `referralnet` command,
# the code and its files stay together in /app.
COPY . .
RUN pip install -e . \
    && groupadd --system --gid 10001 referralnet \
    && useradd --system --uid 10001 --gid referralnet --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin referralnet

# Not root. /app stays owned by root: the service only reads it.
USER 10001:10001

EXPOSE 8000

# /healthz answers while the process is up (/readyz also checks Neo4j); slim has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]

CMD ["referralnet", "serve", "--host", "0.0.0.0", "--port", "8000"]
