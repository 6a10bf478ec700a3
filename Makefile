# Two commands do all set-up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install system run test lint bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $(STAMP)

# System packages (LibreOffice, WeasyPrint's libraries, poppler, Chromium, wrk), installed only
# when missing, and the PostgreSQL server started when it is down.
system:
	bash scripts/setup-system.sh

# The service on 127.0.0.1:8000 with the embedded SQLite database (var/tco.db); on first start it
# loads the demo tenant, catalog and quotes and prints a demo API key.
run: install
	$(BIN)/tco serve --demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: install system lint
	$(BIN)/pytest -q

bench: install system
	$(PY) -m bench

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
