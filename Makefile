# Fankui: `make run` and `make test` are the two front doors; everything else is listed by `make help`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
export FANKUI_DATA_DIR ?= $(CURDIR)/var
# Where `make run` serves; the demo's "Open:" links and the links in messages follow it (FANKUI_PUBLIC_URL wins).
export FANKUI_BIND := $(HOST):$(PORT)

.PHONY: help install assets fonts run test deploy-tests lint typecheck migrations-check messages bench faults clean

help:
	@echo "make run        install, migrate, load demo data (first time only) and serve on http://$(HOST):$(PORT)"
	@echo "make test       install and run the whole test suite (SQLite; PostgreSQL with FANKUI_TEST_DATABASE_URL)"
	@echo "make deploy-tests  PgBouncer, a streaming replica and S3 storage, on servers the tests start (docs/deploy/)"
	@echo "make lint       ruff, mypy, import layers, makemigrations --check, translation catalogue check"
	@echo "make messages   refresh the translation catalogue after changing strings"
	@echo "make bench      run every benchmark (fankui bench intake, analysis, sla, loop)"
	@echo "make faults     kill -9 web and worker processes, restart PostgreSQL, fill the attachment store under load;"
	@echo "                check nothing acknowledged is lost or done twice (FAULTS_SHORT=1: CI's short version)"

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,bench]"
	touch $(STAMP)

install: $(STAMP) assets fonts

# The PDF report embeds WenQuanYi Micro Hei from Debian's fonts-wqy-microhei (fankui/insights/charts.py). Installed
# here where apt-get can (as root); otherwise the PDF names a font the reader's viewer supplies (fankui check warns).
REPORT_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
fonts:
	@test -e $(REPORT_FONT) || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null 2>&1 || \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null; } || \
	    echo "fonts-wqy-microhei could not be installed: PDF reports will not embed their Chinese font"; \
	  else echo "Install fonts-wqy-microhei (apt-get install fonts-wqy-microhei) so that PDF reports embed their Chinese font"; fi; }

# Browser assets come from the npm registry at install time and are served by the application itself.
src/fankui/static/vendor/htmx.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p src/fankui/static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js src/fankui/static/vendor/
	touch $@

# The dashboard's charts (Apache ECharts); the npm ci above already installed it.
src/fankui/static/vendor/echarts.min.js: src/fankui/static/vendor/htmx.min.js
	cp node_modules/echarts/dist/echarts.min.js src/fankui/static/vendor/
	touch $@

assets: src/fankui/static/vendor/htmx.min.js src/fankui/static/vendor/echarts.min.js

# A person reads the log in a terminal; services keep the default, one JSON object a line (docs/operations.md).
run: export FANKUI_LOG_FORMAT ?= plain
run: install
	$(BIN)/fankui migrate --no-input
	$(BIN)/fankui demo
	$(BIN)/fankui collectstatic --no-input --verbosity 0
	$(BIN)/fankui serve --with-worker --bind $(HOST):$(PORT)

# The suite runs in TEST_WORKERS processes (pytest-xdist; "auto": one per core), each on a test database of its own
# (SQLite in memory; on PostgreSQL test_<name>_gw0, _gw1...). TEST_WORKERS=0 runs it in this one process, to debug.
# Options of your own go in PYTEST_ADDOPTS (after these, so they win: PYTEST_ADDOPTS=-n0 works too). Tests are dealt
# out one by one (--dist load): xdist 3.8's loadgroup does not group under pytest 9.2, which reads Item._id, not _nodeid.
TEST_WORKERS ?= auto
test: install
	FANKUI_DATABASE_URL="$(FANKUI_TEST_DATABASE_URL)" \
	PYTEST_ADDOPTS="-n $(TEST_WORKERS) $$PYTEST_ADDOPTS" $(BIN)/pytest

# Each starts its own PostgreSQL clusters, PgBouncer or object store on loopback (tests/deploy/clusters.py): minutes.
deploy-tests: install
	DEPLOY_TESTS=1 $(BIN)/pytest tests/deploy -p no:cacheprovider

lint: install
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/fankui makemigrations --check --dry-run
	$(BIN)/python -m fankui.core.i18ncheck

messages: install
	cd src/fankui && ../../$(BIN)/fankui makemessages --locale zh_Hans --no-obsolete --no-location --ignore "static/vendor/*"
	$(BIN)/python -m fankui.core.i18ncheck --compile

bench: install
	$(BIN)/fankui bench intake
	$(BIN)/fankui bench loop
	$(BIN)/fankui bench sla
	$(BIN)/fankui bench analysis

# The fault tests (tests/faults; docs/operations.md "Faults and guarantees"): a PostgreSQL cluster of their own on
# port 8149 (initdb from /usr/lib/postgresql/*/bin, run as the postgres user), the server on 8140, as root a tmpfs for
# the attachment store. FAULTS_SHORT=1 shortens every phase (CI).
faults: install
	FANKUI_FAULTS=1 FAULTS_SHORT=$(FAULTS_SHORT) $(BIN)/pytest tests/faults -p no:cacheprovider -x -s -q

clean:
	rm -rf $(VENV) node_modules src/fankui/static/vendor
