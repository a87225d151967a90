# Hearth — `make run` to try it, `make test` to check it. `make help` lists every target.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
export TEST_DATABASE_URL
# Where `make run` and `make serve` listen (`make run PORT=8080`, or PORT in the environment).
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT

.PHONY: help install run serve peers test test-sqlite test-postgresql test-browser lint format bench bench-scale wrk clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -e 's|$$(HOST)|$(HOST)|g' -e 's|$$(PORT)|$(PORT)|g' -e 's|\$$\$$|$$|g' \
	  | awk -F ':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(BIN)/hearth: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

node_modules/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

static/manifest.json: node_modules/.stamp $(shell find assets -type f 2>/dev/null)
	npm run build

install: $(BIN)/hearth static/manifest.json ## install Python and npm dependencies, build assets

run: install ## install, migrate, seed demo data (empty database only) and serve on http://$(HOST):$(PORT)
	$(BIN)/hearth db upgrade
	$(BIN)/hearth seed-demo
	$(BIN)/hearth serve --host $(HOST) --port $(PORT)

serve: install ## serve on http://$(HOST):$(PORT) without migrating or seeding
	$(BIN)/hearth serve --host $(HOST) --port $(PORT)

peers: ## install the Debian test peers when missing (as root): chromium (browser tests), LibreOffice (letter PDFs)
	@for peer in chromium:chromium soffice:libreoffice-writer-nogui; do \
	  command -v $${peer%%:*} >/dev/null 2>&1 && continue; \
	  if [ "$$(id -u)" != "0" ]; then \
	    echo "$${peer%%:*} is missing: apt-get install $${peer#*:} (browser and letter tests)" >&2; exit 1; \
	  fi; \
	  echo "Installing $${peer#*:} from Debian's packages"; \
	  if [ "$${peer#*:}" = chromium ]; then extra=""; else extra="--no-install-recommends"; fi; \
	  { [ -n "$$updated" ] || apt-get update -qq; } && updated=1 && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$extra $${peer#*:} >/dev/null || exit 1; \
	done

lint: $(BIN)/hearth ## ruff format check, ruff lint, mypy (strict for domain/, changes/ and web/)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

format: $(BIN)/hearth ## reformat the code
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test-sqlite: install peers ## the whole suite on SQLite (browser tests included)
	$(BIN)/pytest --db=sqlite

test-postgresql: install peers ## the whole suite on PostgreSQL ($$TEST_DATABASE_URL)
	$(BIN)/pytest --db=postgresql

# The two passes run at once (about 8½ minutes here instead of 12; they share no database, file
# or port): SQLite's output streams, PostgreSQL's is kept and printed after; either failing fails.
test: install peers lint ## lint, then the whole suite on SQLite and on PostgreSQL (at once)
	@mkdir -p var
	@$(BIN)/pytest --db=postgresql > var/test-postgresql.log 2>&1 & pg=$$!; \
	$(BIN)/pytest --db=sqlite; sqlite=$$?; \
	wait $$pg; postgresql=$$?; \
	echo; echo "=== The PostgreSQL pass (ran alongside; var/test-postgresql.log) ==="; \
	cat var/test-postgresql.log; \
	test $$sqlite -eq 0 && test $$postgresql -eq 0

bench: install ## benchmarks that print figures
	$(BIN)/python -m tests.bench

wrk: ## install Debian's wrk for the scale benchmark (when missing and running as root)
	@if ! command -v wrk >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing wrk from Debian's packages"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else \
	    echo "wrk is missing: install it (apt-get install wrk) to run the scale benchmark" >&2; exit 1; \
	  fi; \
	fi

bench-scale: install wrk ## scale benchmark on PostgreSQL, sizes $$BENCH_SIZES (10000,1000000): page × size figures
	$(BIN)/python -m bench

clean: ## remove the virtual environment, node_modules, built assets and local data
	rm -rf $(VENV) node_modules static var
