# LangNghe GIS: `make demo` serves the map on the sample data; `make test` runs every test
# against a real PostGIS. Both install what is missing and are safe to run again.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: demo test lint setup system venv db sample serve clean-db help messages bench bench-tools

help:
	@echo "make demo   set up everything and serve the map on http://$(HOST):$(PORT)"
	@echo "make test   set up everything and run the whole test suite against PostGIS"
	@echo "make lint   ruff (check and format) and mypy (strict on gis and planning)"
	@echo "make bench  install the peers (own virtualenv) and wrk, run every benchmark, rewrite docs/benchmarks.md"

demo: setup sample serve

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Needs only the virtualenv (no database). pyproject.toml configures all three.
lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

setup: system venv db

# Benchmarks (never part of `make test`): the peers pinned in bench/requirements-peers.txt go in
# their own virtualenv (servers) and, as constraints, into the project's `bench` extra
# (in-process peers); wrk and pgbench are Debian packages; bench/check_peers.py then asks each
# peer for something real and stops with that peer's own output when it fails.
# `make bench` starts docs/benchmarks.md afresh (bench/report.py begin: the run's start, commit,
# cores and load), runs every script below (each writes its section, stamped with the run),
# goes on past a failed script and fails at the end naming it (bench/report.py end: the total
# time, the failed scripts). BENCH_ARGS go to every script: the full sizes take well over an
# hour on 2 cores; `make bench BENCH_ARGS=--quick` runs smaller sizes (each section's command
# line says which). Servers listen on ports the system picks, or from BENCH_PORT_BASE on
# (`make bench BENCH_PORT_BASE=18200`: two runs on one machine given different bases never meet).
PEERS_VENV := .local/bench-peers
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
BENCH_ARGS ?=
BENCH_PORT_BASE ?=
BENCH_SCRIPTS := tours_reference.py routing_peers.py ogc_peers.py tiles_warm.py \
	allocation_solvers.py surfaces_peers.py siting_overlay.py measurements_scale.py soak.py \
	scale_test.py planner_tiles.py

bench-tools: setup
	$(BIN)/python -m pip install --quiet -e '.[bench]' -c bench/requirements-peers.txt
	@test -x $(PEERS_VENV)/bin/python || $(PYTHON) -m venv $(PEERS_VENV)
	$(PEERS_VENV)/bin/python -m pip install --quiet -r bench/requirements-peers.txt
	@command -v wrk >/dev/null || ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq wrk)
	@command -v pgbench >/dev/null || ($(SUDO) apt-get update -qq && \
		$(SUDO) apt-get install -y -qq postgresql-contrib)
	$(BIN)/python bench/check_peers.py

bench:
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory bench-tools || exit 1; \
	run="$$($(BIN)/python bench/report.py begin $(BENCH_ARGS))" || exit 1; \
	export LANGNGHE_BENCH_RUN="$$run" LANGNGHE_BENCH_PORT_BASE="$(BENCH_PORT_BASE)"; \
	failed=""; \
	for script in $(BENCH_SCRIPTS); do \
		echo "== bench/$$script $(BENCH_ARGS) ($$(date -u +%H:%M:%S) UTC, load $$(cut -d' ' -f1-3 /proc/loadavg))"; \
		$(BIN)/python bench/$$script $(BENCH_ARGS) || failed="$$failed $$script"; \
	done; \
	$(BIN)/python bench/report.py end "$$run" "$$start" $$failed; \
	echo "== make bench: $$(( ($$(date +%s) - start) / 60 )) min; failed:$${failed:- none}"; \
	test -z "$$failed"

# System packages: PostgreSQL/PostGIS/pgRouting are installed by `langnghe db start`
# itself; here only what the virtualenv and the browser/GIS-client tests need.
system:
	@bash scripts/ensure-system.sh

MO     := webmap/translations/vi/LC_MESSAGES/messages.mo

venv: $(STAMP) $(MO)

$(MO): webmap/translations/vi/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile -d webmap/translations

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	@touch $(STAMP)

# Gettext: collect every marked string (templates, webmap/, the layers' titles, the message
# templates of webmap/messages.py) and merge them into the Vietnamese catalogue, which keeps its
# translations; then fill the new empty msgstr entries by hand (docs/translations.md).
messages: $(STAMP)
	@mkdir -p .local
	$(BIN)/pybabel extract -F babel.cfg -o .local/messages.pot webmap layers
	$(BIN)/pybabel update -i .local/messages.pot -d webmap/translations -l vi --no-fuzzy-matching

db: venv
	$(BIN)/langnghe db start
	$(BIN)/langnghe db migrate

sample: db
	$(BIN)/langnghe sample load
	$(BIN)/langnghe zones sources --date 2026-10-01

# Siting inputs for the planner page: the shared real data when it sits beside the checkout.
SHARED := $(abspath ../shared/data)
SITING_ENV := $(if $(wildcard $(SHARED)/dem/N21E105_srtm3.tif),LANGNGHE_SITING_DEM=$(SHARED)/dem/N21E105_srtm3.tif \
	LANGNGHE_SITING_LANDUSE=$(SHARED)/landuse/rrd_osm2018_geofabrik.gpkg \
	LANGNGHE_SITING_ROADS=$(SHARED)/roads/vn_national_roads_legocity.geojson,)

serve:
	$(SITING_ENV) $(BIN)/langnghe serve --host $(HOST) --port $(PORT)

clean-db:
	-$(BIN)/langnghe db stop
	rm -rf .local/pgdata
