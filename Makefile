# Two commands matter: `make run` and `make test`. Both create the virtual
# environment, install the project and compile the catalogs first.

PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
LOCALE_DIR = ivr_flows/locale
POT = $(LOCALE_DIR)/messages.pot
PYTEST_ARGS ?=

.PHONY: run test install catalogs extract update-catalogs bench clean

run: install
	$(BIN)/hotline run

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(MAKE) catalogs
	touch $@

# Compiled catalogs (.mo) are build output, made here and at install, never committed.
catalogs:
	$(BIN)/pybabel compile --domain messages --directory $(LOCALE_DIR) --statistics

# Collect every marked text into the template, then merge it into each catalog.
extract:
	$(BIN)/pybabel extract --mapping babel.cfg --keywords N_ --keywords NP_:1,2 \
		--no-location --omit-header --sort-output --output-file $(POT) ivr_flows gateway workers db

update-catalogs: extract
	$(BIN)/pybabel update --domain messages --input-file $(POT) --output-dir $(LOCALE_DIR) --no-fuzzy-matching --ignore-obsolete

bench: install
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) instance .pytest_cache
