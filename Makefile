# Two commands on a fresh machine (README):  make run   |   make test
PYTHON ?= python3.11
HOST   ?= 127.0.0.1
PORT   ?= 5000
# The suite runs a second time against this real PostgreSQL server (SPEC §9).
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
VENV   ?= .venv
# One pytest-xdist worker per core, idle workers taking tests from busy ones; each worker
# gets a PostgreSQL database of its own (tests/conftest.py).
PARALLEL ?= -n auto --dist worksteal
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: run test test-fast lint browser-deps translations

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,postgres]'
	touch $(STAMP)

## Set everything up and serve the embedded default (SQLite + shipped boundaries) on :5000.
run: $(STAMP)
	$(BIN)/geoservice init-db
	@if [ "$(DEMO)" = "1" ]; then $(BIN)/geoservice seed-demo --remove >/dev/null && $(BIN)/geoservice seed-demo; fi
	$(BIN)/geoservice serve --host $(HOST) --port $(PORT)

## Debian's Chromium for the real-browser tests (Playwright cannot download its own here).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi; }

## Set everything up and run the whole test suite (lint, unit, integration, browser).
test: $(STAMP) browser-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest $(PARALLEL)
	# tests/core never touches a database (tests/core/test_purity.py): once is enough.
	GEOSERVICE_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest $(PARALLEL) -m "not browser" -q --ignore=tests/core

test-fast: $(STAMP)
	$(BIN)/pytest $(PARALLEL) -m "not browser"

## Re-extract the Swedish source strings and update the English catalogue, then compile it.
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -o geoservice/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i geoservice/translations/messages.pot -d geoservice/translations -l en --no-fuzzy-matching
	$(BIN)/pybabel compile -d geoservice/translations
