# Two commands on a fresh machine with Python 3.10–3.13 and make: `make run`, `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

# No network for Kedro's telemetry; W&B falls back to offline runs and never prompts.
export KEDRO_DISABLE_TELEMETRY := true
export DO_NOT_TRACK := 1
export WANDB_SILENT := true
export WANDB_CONSOLE := off

.PHONY: run test lint install lock viz

run: $(VENV)/.installed
	$(BIN)/kedro run

# Every test, on two workers (pytest-xdist), one per core; they share one default smoke run.
test: $(VENV)/.installed
	$(BIN)/pytest -n 2 --durations=15

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

install: $(VENV)/.installed

# Re-installs when the dependencies change; the lock pins every transitive version.
$(VENV)/.installed: pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; sys.exit(0 if (3, 10) <= v <= (3, 13) else f"deepgen needs Python 3.10-3.13, {sys.executable} is {v[0]}.{v[1]}")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --constraint requirements.lock --editable ".[test,cluster]"
	touch $@

# After changing dependencies in pyproject.toml: refresh the pins from a clean install.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet ".[test,cluster]"
	{ echo "# Every package version deepgen was tested with (Python 3.11, Linux x86_64); used as pip constraints."; \
	  echo "# Regenerate after changing pyproject.toml: make lock"; \
	  .lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^deepgen'; } > requirements.lock
	rm -rf .lock-venv

viz: $(VENV)/.installed
	$(BIN)/kedro viz run

