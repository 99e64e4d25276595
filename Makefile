# referralnet: `make run` and `make test` are all a newcomer needs.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test check bench install jars audit-deps db-start db-stop db-status clean

$(STAMP): pyproject.toml
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

jars: install
	@$(BIN)/referralnet db fetch >/dev/null

## run: set up, start the local Neo4j, load the Kazakhstan directory, print an ADMIN token, serve
run: jars
	$(BIN)/referralnet db start
	$(BIN)/referralnet seed
	@echo "ADMIN token for local use (send as 'Authorization: Bearer <token>'):"
	@$(BIN)/referralnet token create --role ADMIN --name "local admin ($$(whoami))" 2>/dev/null
	@echo "GraphQL (and GraphiQL in a browser): http://$(HOST):$(PORT)/graphql"
	$(BIN)/referralnet serve --host $(HOST) --port $(PORT)

## test: the whole suite against the suite's own Neo4j (never the developer's)
test: jars audit-deps
	$(BIN)/pytest

# the graphql-http audit's node packages (tests/test_http_audit.py), as locked
AUDIT := tests/http_audit
$(AUDIT)/node_modules/.package-lock.json: $(AUDIT)/package-lock.json $(AUDIT)/package.json
	cd $(AUDIT) && npm ci --no-audit --no-fund --loglevel=error

audit-deps: $(AUDIT)/node_modules/.package-lock.json

check: install
	$(BIN)/ruff check .
	$(BIN)/mypy graph loaders api cli.py bench

bench: jars
	$(BIN)/python -m bench --out BENCHMARKS.md

db-start: jars
	$(BIN)/referralnet db start
db-stop: install
	$(BIN)/referralnet db stop
db-status: install
	$(BIN)/referralnet db status

clean:
	-$(BIN)/referralnet db stop
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache $(AUDIT)/node_modules
