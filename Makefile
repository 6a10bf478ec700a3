# Two commands do all set-up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install system kernel run test lint bench clean messages

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

# The service on http://127.0.0.1:8000 with the embedded SQLite database (tco.db in the per-user
# data folder, as for every tco command: `tco info`); on first start it loads the demo tenant,
# catalog and quotes and prints a demo API key. Plain HTTP: --demo turns off Secure cookies.
run: install kernel
	$(BIN)/tco serve --demo

# The compiled kernel, in numba's on-disk cache, made by a process of its own, so that every
# process of a run loads the same code (tco/warm.py says why); a second or so when
# the cache is current.
kernel: install
	$(PY) -m tco.warm

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(PY) scripts/function_lengths.py

test: install system lint kernel
	$(BIN)/pytest -q -n auto --dist loadfile

# The message catalogs: extract the msgids of the code and the templates (babel.cfg) into
# messages.pot and merge them into each language's messages.po; new and changed msgids arrive
# there untranslated or marked fuzzy, for a translator to settle (docs/i18n.md).
LOCALES := tco/presenters/locales
KEYWORDS := -k _ -k line_name -k N_ -k NP_:1c,2 -k gettext:2 -k ngettext:2,3 -k pgettext:2c,3
messages: install
	$(BIN)/pybabel extract -F babel.cfg --no-default-keywords $(KEYWORDS) --add-location=file \
		--add-comments=TRANSLATORS: --project=tco-quote -o $(LOCALES)/messages.pot .
	$(BIN)/pybabel update -i $(LOCALES)/messages.pot -d $(LOCALES) -D messages --previous \
		--ignore-obsolete

bench: install system kernel
	$(PY) -m bench

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
