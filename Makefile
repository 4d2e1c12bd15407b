# One entry point for every task. `make help` lists them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= out

.PHONY: help run test lint docs lab notebooks clean

help:  ## list the commands
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-6s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "perfaudit needs Python 3.11+"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

run: $(VENV)/.installed  ## set up and audit the bundled forms in data/, writing out/
	$(BIN)/perfaudit audit data/forms --out $(OUT)

test: $(VENV)/.installed  ## set up and run the tests
	$(BIN)/python -m pytest

lint: $(VENV)/.installed  ## ruff lint and format check
	$(BIN)/ruff check perfaudit tests
	$(BIN)/ruff format --check perfaudit tests

docs: $(VENV)/.installed  ## regenerate the README's rules, tables and findings columns from the rulebook and the dictionary
	$(BIN)/python -m perfaudit.readme README.md

$(VENV)/.lab: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[lab,test]"
	touch $@

lab: $(VENV)/.lab  ## open the notebooks in JupyterLab
	$(BIN)/jupyter lab notebooks/

notebooks: $(VENV)/.lab  ## run every notebook on data/ and render HTML copies into out/notebooks/
	$(BIN)/python -m perfaudit.notebook notebooks $(OUT)/notebooks

clean:  ## remove the environment and outputs
	rm -rf $(VENV) $(OUT)
