# LangNghe GIS: `make demo` serves the map on the sample data; `make test` runs every test
# against a real PostGIS. Both install what is missing and are safe to run again.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: demo test lint setup system venv db sample serve clean-db help messages

help:
	@echo "make demo   set up everything and serve the map on http://$(HOST):$(PORT)"
	@echo "make test   set up everything and run the whole test suite against PostGIS"
	@echo "make lint   ruff (check and format) and mypy (strict on gis and planning)"

demo: setup sample serve

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Needs only the virtualenv (no database). pyproject.toml configures all three.
lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

setup: system venv db

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
