# Integra — `make help` lists the targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export INTEGRA_DATA_DIR ?= $(CURDIR)/instance

.DEFAULT_GOAL := help
.PHONY: help install run test test-fast lint typecheck fmt translations clean

help: ## Show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	  || { echo "Integra needs Python 3.11 or newer (found: $$($(PYTHON) --version))."; exit 1; }
	@$(PYTHON) -m venv $(VENV) \
	  || { rm -rf $(VENV); echo "Could not create .venv: on Debian/Ubuntu run 'sudo apt install python3-venv'."; exit 1; }

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip "setuptools>=69"
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) translations ## Create .venv and install Integra with its dev tools

translations: | $(BIN)/python ## Compile the message catalogs (Spanish source, English catalog)
	@for d in core/translations reporting/translations casework/translations casework/translations_cases; do \
	  if [ -d $$d ]; then $(BIN)/pybabel compile -f -d $$d || exit 1; fi; done

INTAKE_PORT   ?= 5000
CASEWORK_PORT ?= 5001

run: install ## Demo instance in ./instance, both apps in the foreground (Ctrl-C stops them)
	$(BIN)/integra init --demo
	@echo ""
	$(BIN)/integra serve --intake-port $(INTAKE_PORT) --casework-port $(CASEWORK_PORT)

test: install ## Run the whole test suite (peers missing here are skipped with a reason)
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

lint: install ## Ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install ## mypy (strict on crypto/, core/, config/)
	$(BIN)/mypy

fmt: install ## Format and autofix
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean: ## Remove the virtualenv and caches (keeps ./instance)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
