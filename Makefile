# Agora — the two commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed-stamp
APPS := accounts consultation forum clustering opendata
PYTEST_ARGS ?=

.PHONY: run test check format messages lock venv system-deps worker bench clean help

help:
	@echo "make run    - set up and serve Agora on http://127.0.0.1:$(PORT) (demo data included)"
	@echo "make test   - run the whole test suite (unit, integration, websocket, browser)"
	@echo "make check  - ruff, mypy and djlint"

venv: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
	  || { echo "Agora needs Python 3.11 or newer (found: $$($(PYTHON) --version))."; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $@

# Regenerate the pinned lock file from pyproject.toml (maintainers only).
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --upgrade pip
	.lock-venv/bin/pip install --quiet '.[dev,bench]'
	{ echo "# Pinned dependencies of Agora; regenerate with 'make lock'."; \
	  .lock-venv/bin/pip freeze --exclude-editable | grep -v '^agora'; } > requirements.lock
	rm -rf .lock-venv

run: export DEBUG = 1
run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py compile_translations
	$(PY) manage.py seed_demo
	@echo "Agora is starting on http://127.0.0.1:$(PORT)/ (Ctrl-C stops it)"
	@trap 'kill 0' INT TERM EXIT; \
	  $(PY) manage.py db_worker --queue-name '*' & \
	  $(PY) -m daphne -b 127.0.0.1 -p $(PORT) config.asgi:application

# What the tests need from the system: Chromium for the browser tests and
# GNU gettext for the catalogue-completeness test.
system-deps:
	@./scripts/ensure-system-deps.sh

test: $(STAMP) system-deps
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py compile_translations
	$(PY) -m pytest $(PYTEST_ARGS)

check: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/djlint --lint templates $(foreach app,$(APPS),$(app)/templates)

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Extract translatable strings into the zh-Hant catalogues (needs GNU gettext).
messages: $(STAMP)
	VENV=$(VENV) ./scripts/makemessages.sh

worker: $(STAMP)
	DEBUG=1 $(PY) manage.py db_worker --queue-name '*'

bench: $(STAMP)
	@for script in bench/[!_]*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .test-db-*.sqlite3
