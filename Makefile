# One gate, run the same way everywhere: a developer's machine and .ci/run use these targets.
#
#   make run     install, migrate, load the demo portfolio once, serve web + worker + beat
#   make test    install and run the whole suite in parallel, one pytest-xdist worker per
#                core (PYTEST_ARGS='-k vendor -x' passes options; PYTEST_ARGS=-n0 or
#                PYTEST_ARGS='-p no:xdist' runs it serially, for debugging)
#   make lint    ruff, Django's system checks, no missing migrations
#   make ci      what CI runs (.ci/run: installs and starts PostgreSQL, Redis, Chromium; root)
#
# DATABASE_URL and REDIS_URL switch from the embedded default (SQLite, filesystem broker
# under var/) to PostgreSQL and Redis; PORT (default 8000) moves the site; DEBUG=1 serves
# with Django's auto-reloading runserver instead of gunicorn.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
# One worker per core, each with its own test database. Whole test files go to one worker
# (loadfile), so a module's shared fixture (the demo loaded once per module, a Celery
# worker) is built once, not once per worker that happens to get one of its tests.
PYTEST_PARALLEL ?= -n auto --dist loadfile

.DEFAULT_GOAL := help
.PHONY: help install run test lint fmt ci clean bench load backup restore

help:
	@echo "make run | test | lint | fmt | ci | install | clean | backup | restore FILE=… | bench | load"

install: $(STAMP)

# Reinstall only when the dependencies change; the stamp lives inside the venv, so a
# deleted venv is rebuilt too.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -e '.[test]'
	touch $@

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo --if-empty
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py serve

# With `-p no:xdist` pytest no longer knows -n, so the parallel options are left out.
test: install
	$(PY) -m pytest $(if $(findstring no:xdist,$(PYTEST_ARGS)),,$(PYTEST_PARALLEL)) $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

fmt: install
	$(VENV)/bin/ruff check --fix .

ci:
	.ci/run

# The whole database into var/backups/ (PostgreSQL: pg_dump; SQLite: its online backup),
# and back: make restore FILE=var/backups/vendorgov-….dump
backup: install
	$(PY) manage.py backup

restore: install
	@test -n "$(FILE)" || (echo "usage: make restore FILE=var/backups/<backup file>"; exit 2)
	$(PY) manage.py restore "$(FILE)"

# Benchmarks against PostgreSQL (DATABASE_URL, a role with CREATEDB): every portfolio page and
# API list at 10 and 1,000 vendors (seeded once into <db>_bench10 / <db>_bench1000, then
# reused) against a bare .values() view, served by gunicorn as in production
# (bench/portfolio.py; BENCH_ARGS='--sizes 10,100 --requests 10' passes options); then the SLA
# ingest next to a raw COPY, the repost that must insert nothing, a 1,000-vendor evaluation.
BENCH_ARGS ?=
bench: install
	$(PY) bench/portfolio.py $(BENCH_ARGS); status=$$?; $(PY) bench/sla_ingest.py && exit $$status

# Load test (bench/load.py): 50 simulated users against gunicorn + PostgreSQL + Redis on
# loopback, in a scratch database next to DATABASE_URL's and a Redis of its own.
# LOAD_ARGS='--duration 120 --configs 2x1,2x4' passes options. Installs locust (the bench extra).
LOAD_ARGS ?=
load: install
	$(PY) -m pip install --disable-pip-version-check -q -e '.[test,bench]'
	$(PY) bench/load.py $(LOAD_ARGS)

# Removes the virtualenv only; var/ holds your data and is left alone.
clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
