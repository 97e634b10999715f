# Møteplass: `make run` serves the demo, `make test` runs the whole suite.
# Both work from a fresh clone with only Python, pip, npm and git (and Debian's packages).

# The interpreter of the virtualenv: Debian's python3 when it has venv (built with PGO and LTO, it runs our
# Python-bound web workers and tests about 1.5 times as fast as a CPython compiled without them, such as pyenv's),
# else the python3 on PATH. `make PYTHON=…` chooses another.
DEBIAN_PYTHON := /usr/bin/python3
PYTHON ?= $(shell $(DEBIAN_PYTHON) -c 'import sys, venv, ensurepip; assert sys.version_info >= (3, 11)' 2>/dev/null && echo $(DEBIAN_PYTHON) || echo python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
VENDOR := service/web/static/vendor

.PHONY: run test check deps static system-deps bench container-test stop clean

run: deps static
	$(BIN)/moteplass run --demo --host $(HOST) --port $(PORT)

# Two pytest-xdist workers (each with its own template database): the suite takes about half the time.
PYTEST_ARGS ?= -n 2
test: deps static system-deps
	$(BIN)/pytest $(PYTEST_ARGS)

# ruff and strict mypy over the Python; eslint (eslint.config.js) over the door scanner's ES modules.
check: deps node_modules/.installed
	$(BIN)/ruff check .
	$(BIN)/mypy
	node_modules/.bin/eslint service/web/static/checkin eslint.config.js

bench: deps static system-deps
	$(BIN)/python scripts/bench/registration.py
	$(BIN)/python scripts/bench/checkin.py

deps: $(VENV)/.installed

# Development installs both lock files: the runtime one (all a server gets, see docker/Dockerfile) and the
# development one (tests, linters, the embedded PostgreSQL, the mail sink), compiled against the runtime pins.
$(VENV)/.installed: requirements.lock requirements-dev.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Static assets come from npm (Norway's public-sector design system, scanner decoder, axe-core for tests).
static: $(VENDOR)/.built

$(VENDOR)/.built: node_modules/.installed scripts/build_static.sh
	sh scripts/build_static.sh $(VENDOR)
	touch $@

# Debian packages the tests and benchmarks need: Chromium (browser tests), zbar and librsvg (QR decoding), wrk,
# libical with its Python bindings (a third, independent parser of our calendar files), and ffmpeg (the fake
# camera video of the door scanner test), PgBouncer (the transaction-mode test), pg_dump/pg_restore (backups) and
# poppler-utils (pdfinfo, pdftotext, pdftoppm: the badge PDF's pages, text and QR codes read back).
LIBICAL_CHECK := /usr/bin/python3 -c "import gi; gi.require_version('ICalGLib', '3.0')"
system-deps:
	@if ! command -v chromium >/dev/null || ! command -v zbarimg >/dev/null || ! command -v rsvg-convert >/dev/null || ! command -v wrk >/dev/null || ! command -v ffmpeg >/dev/null || ! $(LIBICAL_CHECK) 2>/dev/null || ! test -x /usr/sbin/pgbouncer || ! command -v pg_dump >/dev/null || ! command -v pdftoppm >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium zbar-tools librsvg2-bin wrk ffmpeg gir1.2-ical-3.0 python3-gi pgbouncer postgresql-client poppler-utils >/dev/null; \
	fi

# The production images and the compose deployment of docker/, built and run with podman and checked from outside
# (tests/container/run.py); a few minutes once the base image is built. Podman reads tests/container/containers.conf.
# netavark sets up the build's and the pods' networks with iptables, which Debian's netavark does not pull in.
CONTAINER_TOOLS := podman runc debootstrap aardvark-dns netavark iptables
container-test: deps
	@if ! command -v podman >/dev/null || ! command -v runc >/dev/null || ! command -v debootstrap >/dev/null || ! command -v openssl >/dev/null || ! test -x /usr/sbin/iptables; then \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(CONTAINER_TOOLS) openssl >/dev/null; \
	fi
	CONTAINERS_CONF=$(CURDIR)/tests/container/containers.conf $(BIN)/python tests/container/run.py

# Stop the embedded PostgreSQL servers (development and tests) if they run.
stop:
	@if [ -x $(BIN)/moteplass ]; then $(BIN)/moteplass db stop; DATA_DIR=.data/test $(BIN)/moteplass db stop; fi

clean: stop
	rm -rf $(VENV) node_modules $(VENDOR) .data
