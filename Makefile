# walletdesk: a few obvious targets. A fresh machine needs only `make run` and `make test`.
#
#   make run     install, migrate, seed the demo accounts, serve on http://127.0.0.1:8000
#                (HOST=... PORT=... to change)
#   make test    install, then pytest (SQLite always; PostgreSQL/Redis when
#                WALLETDESK_TEST_DATABASE_URL / WALLETDESK_TEST_REDIS_URL are set)
#   make lint    ruff check, ruff format --check, mypy
#   make format  ruff format and ruff check --fix
#   make i18n    extract messages and update the zh_CN and en catalogs
#   make clean   remove caches and build outputs (keeps .venv and var/)
#   make reset-data   delete the dev data directory (database and dev secrets)

.DEFAULT_GOAL := help
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
DATA_DIR ?= $(or $(WALLETDESK_DATA_DIR),var)

BIN := $(abspath $(VENV))/bin
INSTALLED := $(VENV)/.installed
PACKAGE := src/walletdesk
LOCALES := zh_CN en
I18N_BUILD := build/i18n
# Catalog style: English msgids, no location comments, lines wrapped at 100 like the code.
EXTRACT := $(BIN)/pybabel extract -F $(CURDIR)/babel.cfg -k N_ -k _ --no-location -w 100 \
	--project walletdesk --version "$$($(BIN)/python -c 'import walletdesk; print(walletdesk.__version__)')"

.PHONY: help install run test lint format i18n clean reset-data

help:
	@sed -n '3,11s/^# \{0,1\}//p' $(firstword $(MAKEFILE_LIST))

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when pyproject.toml changed (or the venv is new); the stamp lives in the venv.
$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(INSTALLED)

run: install
	$(BIN)/walletdesk db upgrade
	$(BIN)/walletdesk seed --demo
	$(BIN)/walletdesk serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy

format: install
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

# Two catalogs per locale: messages.po (domain, errors, notifications: every Python module outside
# web/) and pages.po (web/ templates and web/ Python). Paths in babel.cfg are relative to
# src/walletdesk. Existing translations are kept; nothing is fuzzy-matched.
i18n: install
	@mkdir -p $(I18N_BUILD)
	cd $(PACKAGE) && $(EXTRACT) --ignore-dirs '.* _* web' -o $(CURDIR)/$(I18N_BUILD)/messages.pot .
	cd $(PACKAGE) && $(EXTRACT) -o $(CURDIR)/$(I18N_BUILD)/pages.pot \
		$$(find web \( -name '*.py' -o -name '*.html' \) -not -path '*/__pycache__/*' | sort)
	for domain in messages pages; do \
		for locale in $(LOCALES); do \
			$(BIN)/pybabel update -i $(I18N_BUILD)/$$domain.pot -d $(PACKAGE)/locale \
				-D $$domain -l $$locale -w 100 --no-fuzzy-matching --init-missing \
				--ignore-pot-creation-date; \
		done; \
	done

clean:
	rm -rf build dist .pytest_cache .mypy_cache .ruff_cache test-artifacts src/*.egg-info
	find src tests -type d -name __pycache__ -prune -exec rm -rf {} +
	@echo "Kept $(VENV)/ (rm -rf $(VENV) to rebuild it) and $(DATA_DIR)/ (make reset-data)."

reset-data:
	@echo "Deleting $(DATA_DIR)/: the SQLite database, the dev secrets ($(DATA_DIR)/secrets.json)"
	@echo "and everything else the dev server wrote there. A PostgreSQL database is not touched."
	rm -rf -- "$(DATA_DIR)"
