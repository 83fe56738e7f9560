# Aftersales — the two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: browser-deps demo test test-sqlite test-postgres test-browser lint bench bench-sla bench-triage install messages clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Create the environment, migrate SQLite under var/, load demo data, serve on :$(PORT).
demo: $(STAMP)
	$(BIN)/aftersales demo --port $(PORT)

## Install and run the whole suite (SQLite unless DATABASE_URL says otherwise), lint, and the browser test.
## The Celery tests (marker `celery`: real worker + beat) run when REDIS_URL is set, e.g.
## `make test REDIS_URL=redis://127.0.0.1:6379/0` (the environment passes through); without it they are skipped.
test: $(STAMP) browser-deps
	$(BIN)/ruff check .
	$(BIN)/pytest -q -n 2 -m "not browser"
	$(BIN)/pytest -q -m browser

## The browser test drives Debian's Chromium; install it (and CJK fonts) when missing.
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
		if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && apt-get install -y -qq chromium chromium-driver fonts-noto-cjk >/dev/null; \
		else echo "Chromium is missing: apt-get install chromium chromium-driver fonts-noto-cjk" >&2; exit 1; fi; \
	fi

test-postgres: $(STAMP)
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(BIN)/pytest -q -n 2 -m "not browser"

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python bench/intake.py
	$(BIN)/python bench/triage.py
	$(BIN)/python bench/sla_tick.py

## Only the SLA tick over 1,000,000 open cases (PostgreSQL; the data is built once and reused).
bench-triage: $(STAMP)
	$(BIN)/python bench/triage.py

bench-sla: $(STAMP)
	$(BIN)/python bench/sla_tick.py

## Regenerate translation catalogues (needs GNU gettext) and compile them.
messages: $(STAMP)
	cd src/aftersales && for app in core accounts customers catalog tickets resolutions sla notify triage; do \
		(cd $$app && ../../../$(BIN)/django-admin makemessages -l zh_Hans --no-obsolete >/dev/null); done
	cd src/aftersales && ../../$(BIN)/django-admin compilemessages >/dev/null

clean:
	rm -rf $(VENV) var build *.egg-info
