# Kezek — developer commands. `make run` and `make test` work on a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PORT ?= 5000
MO_FILES := $(patsubst %.po,%.mo,$(wildcard app/translations/*/LC_MESSAGES/messages.po))

.PHONY: install browser-tools run test test-fast lint fmt i18n-update clean bench prod-local

## install: create .venv, install pinned dependencies, compile the translations
install: $(VENV)/.installed $(MO_FILES)

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

app/translations/%/LC_MESSAGES/messages.mo: app/translations/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d app/translations -l $* >/dev/null

## run: migrate, load the question bank and demo data, serve on http://127.0.0.1:$(PORT)
run: install
	$(FLASK) db upgrade
	$(FLASK) questions import
	$(FLASK) demo seed
	KEZEK_SCHEDULER=embedded $(FLASK) run --host 127.0.0.1 --port $(PORT)

## browser-tools: Debian's chromium (Playwright drives it; never a downloaded browser) and Java (HTML validator)
browser-tools:
	@if ! command -v chromium >/dev/null || ! command -v java >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium default-jre-headless >/dev/null; \
	  else \
	    echo "Browser tests need Debian's chromium and Java: sudo apt-get install chromium default-jre-headless" >&2; exit 1; \
	  fi; \
	fi

## test: lint, then the whole suite (also on PostgreSQL when TEST_DATABASE_URL is set or a local server answers),
##       a worker per CPU (at most 4), each test module on one worker; PYTEST_WORKERS=0 runs it in one process;
##       then the tests that measure server time (marked `timing`), alone on the idle machine
PYTEST_WORKERS ?= auto
test: install lint browser-tools
	$(BIN)/pytest -n $(PYTEST_WORKERS) --maxprocesses 4 --dist loadfile -m "not timing"
	$(BIN)/pytest -m timing

## test-fast: lint, then every test not marked slow (no browser, gunicorn, scheduler process or private
##            PostgreSQL), on SQLite only, a worker per CPU: 1 000 tests, 9 minutes measured on 2 vCPUs
##            shared with other work (load average up to 8)
test-fast: install lint
	KEZEK_TEST_BACKENDS=sqlite $(BIN)/pytest -m "not slow" -n $(PYTEST_WORKERS) --maxprocesses 4 --dist loadfile

## bench: the app as production runs it (gunicorn, PostgreSQL, scheduler) under exam-day load; prints one table
##        and writes bench/results.json and bench/report.md (BENCH_SCALE=0.01 for a quick run; see bench/run.py)
bench: install $(MO_FILES)
	$(BIN)/python -m bench.run

lint: install
	$(BIN)/ruff check app bench tests config.py wsgi.py
	$(BIN)/ruff format --check app bench tests config.py wsgi.py

fmt: install
	$(BIN)/ruff format app bench tests config.py wsgi.py
	$(BIN)/ruff check --fix app bench tests config.py wsgi.py

## i18n-update: extract messages and merge them into the kk/ru/en catalogues
i18n-update: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --omit-header -o app/translations/messages.pot .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --width 120 --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

## prod-local: the production layout here — two gunicorn servers (ports 8001, 8002) and the scheduler
## under honcho, on the local PostgreSQL and Redis (see docs/deployment.md)
prod-local: install
	deploy/prod-local.sh
