# The two commands of the README, `make run` and `make test`, and the inner loop of CONTRIBUTING.md:
# `make lint` and `make test-fast` (AREA=tests/test_x.py for one area).
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run test test-fast lint install install-dev system-packages migrate messages bench bench-smoke

# constraints.txt pins exactly what livechat/wire.py reaches beneath (Daphne, Twisted, autobahn).
$(VENV)/.installed: requirements.txt constraints.txt
	test -x $(PY) || "$$(scripts/find-python)" -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt -c constraints.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt constraints.txt
	$(PY) -m pip install -q -r requirements-dev.txt -c constraints.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Browser tests drive Debian's Chromium; install it when missing and we are root.
system-packages:
	@scripts/install-system-packages

# A local trial: DEBUG=1 unless set, so a secret key is generated once under var/ when SECRET_KEY is unset.
migrate: install
	DEBUG=$${DEBUG-1} $(PY) manage.py migrate --no-input -v0

run: migrate
	DEBUG=$${DEBUG-1} $(PY) manage.py seed_demo
	DEBUG=$${DEBUG-1} PORT=$(PORT) SITE_URL=$${SITE_URL-http://127.0.0.1:$(PORT)} scripts/run

test: install-dev system-packages
	scripts/test

# The static checks alone: ruff, ruff format --check, mypy, makemigrations --check (scripts/lint).
lint: install-dev
	scripts/lint

# The SQLite pass alone, no lint: the whole suite on every CPU, or one area in this process
# (`make test-fast AREA=tests/test_judging.py`, or AREA="tests/test_judging.py -k juror").
test-fast: install-dev
	$(if $(AREA),TEST_WORKERS=0 )scripts/test --fast $(AREA)

# Regenerate the translation catalogues after changing user-facing strings (needs gettext).
messages: install
	DEBUG=$${DEBUG-1} PYTHON=$(PY) scripts/update-translations

# Load benchmarks (issue 7; needs Redis: REDIS_URL, default the local one). Full run: about 15 minutes;
# BENCH_ARGS=--profile adds py-spy profiles of the server to docs/benchmarks.md.
bench: install-dev
	REDIS_URL=$${REDIS_URL-redis://127.0.0.1:6379/0} $(PY) -m bench.run $(BENCH_ARGS)

bench-smoke: install-dev
	REDIS_URL=$${REDIS_URL-redis://127.0.0.1:6379/0} $(PY) -m bench.run --smoke
