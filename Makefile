# BZPEER: `make run` starts the site with demo data; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CELERY := $(VENV)/bin/celery
PORT ?= 8000
# Test processes: each has its own Postgres database and Redis db (tests/conftest.py).
TEST_WORKERS ?= 2

# Tests always use the real Postgres and Redis on loopback.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/bzpeer
TEST_REDIS_URL ?= redis://127.0.0.1:6379/14
TEST_ENV := DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) DEBUG=0 \
	SECRET_KEY=test-only-secret-key-not-for-production-use-0123456789abcdef \
	ALLOWED_HOSTS=127.0.0.1,localhost,testserver SECURE_SSL_REDIRECT=0 \
	SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0 SECURE_HSTS_SECONDS=0

.PHONY: run test bench bench-scale screenshots install lint format clean

install: $(VENV)/.installed static/vendor/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Front-end libraries come from npm at set-up time; nothing third-party is committed.
static/vendor/.installed: node_modules/.installed bin/vendor-static
	rm -rf static/vendor
	bin/vendor-static node_modules static/vendor
	touch $@

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo "Log in at http://127.0.0.1:$(PORT)/accounts/login/ with a demo account listed above (DEBUG only); README.md's quick start walks each journey."
	@# With a broker configured, Celery runs beside the server as in production: a worker (with
	@# beat) on the default queue and one on `imports`, so an import never holds up an e-mail.
	@if [ -n "$$REDIS_URL" ]; then \
	  $(CELERY) -A bzpeer worker --beat -Q celery -n default@%h --loglevel=INFO \
	    --concurrency=2 --schedule .venv/celerybeat-schedule & default=$$!; \
	  $(CELERY) -A bzpeer worker -Q imports -n imports@%h --loglevel=INFO \
	    --concurrency=1 & imports=$$!; \
	  trap 'kill $$default $$imports 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver 127.0.0.1:$(PORT); \
	else \
	  $(PY) manage.py runserver 127.0.0.1:$(PORT); \
	fi

run: export DEBUG ?= 1
# Links in e-mails point at the port this serves on.
run: export SITE_URL ?= http://127.0.0.1:$(PORT)

# The architecture contracts (docs/architecture.md) first: they take a second.
test: install
	$(VENV)/bin/lint-imports --no-cache
	$(TEST_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	$(TEST_ENV) bin/test-services $(VENV)/bin/pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)
	@# Search again on SQLite, the quick start's database: both must rank alike (docs/search.md).
	$(TEST_ENV) DATABASE_URL=sqlite:///$(CURDIR)/.test-search.sqlite3 bin/test-services \
	  $(VENV)/bin/pytest -p no:xdist -q tests/search
	@# Reads on a real streaming replica, read-your-writes while its replay is paused (docs/scaling.md).
	$(TEST_ENV) bin/test-services bin/test-replica $(VENV)/bin/pytest -p no:xdist -q tests/replica
	@# The smoke tests through PgBouncer in transaction mode (docs/scaling.md).
	$(TEST_ENV) bin/test-services bin/test-pgbouncer $(VENV)/bin/pytest -p no:xdist -q -m smoke tests

# Refresh the README's screenshots (docs/screenshots/) from the browser tests.
screenshots: install
	$(TEST_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	UPDATE_SCREENSHOTS=1 $(TEST_ENV) $(VENV)/bin/pytest tests/e2e -q

bench: install
	$(TEST_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	$(TEST_ENV) BENCH=$(BENCH) $(NICE) $(PY) bench/run.py

# The growth section alone (bench/scale_speed.py): its generation runs at low priority.
bench-scale: BENCH = scale
bench-scale: NICE = nice -n 10
bench-scale: bench

lint:
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format:
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles db.sqlite3
