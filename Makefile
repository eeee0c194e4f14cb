# Everything a developer or CI runs goes through these targets.
# They need only Python 3.11 or 3.12 with pip, make and a C compiler: uv is installed
# on first use (into the user's site-packages) and then installs the locked dependencies.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# The machine's own Python: uv must never download an interpreter.
export UV_PYTHON_DOWNLOADS := never
# Install exactly what uv.lock pins; never re-resolve on the way.
export UV_FROZEN := 1

PYTHON_CANDIDATES := python3 python3.12 python3.11
SUPPORTED_PYTHON := import sys; sys.exit(not (3, 11) <= sys.version_info[:2] < (3, 13))
ifndef PYTHON
PYTHON := $(shell for candidate in $(PYTHON_CANDIDATES); do \
	path=$$(command -v $$candidate 2>/dev/null) || continue; \
	"$$path" -c '$(SUPPORTED_PYTHON)' 2>/dev/null \
		&& { "$$path" -c 'import sys; print(sys.executable)'; break; }; \
	done)
endif
export UV_PYTHON := $(PYTHON)

# Recursive on purpose: evaluated when a recipe runs, after `uv` has installed it.
UV = $(shell "$(PYTHON)" -m uv --version >/dev/null 2>&1 && echo '"$(PYTHON)" -m uv' \
	|| command -v uv 2>/dev/null)

UV_REQUIREMENT := uv>=0.8
# Extra options for the pip that installs uv: `make install-offline` points it at the wheelhouse.
PIP_INSTALL_OPTIONS ?=

# A room with no internet installs from here (docs/workshop.md): every locked package,
# the build backend that installs the project itself (hatchling, and editables for an
# editable install), and uv; all for this machine's OS and Python.
WHEELHOUSE ?= wheelhouse
BUILD_REQUIREMENTS := 'hatchling>=1.25' editables
OFFLINE := --offline --no-index --find-links $(WHEELHOUSE)

PYTEST_ARGS ?=
BENCH_ARGS ?=
# Where `make run` serves; ARGS is the command line of `make shop`.
HOST ?= 127.0.0.1
PORT ?= 8000
ARGS ?= --help

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) \
		| awk -F ':.*## ' '{ printf "  make %-16s %s\n", $$1, $$2 }'

.PHONY: python
python:
	@if [ -z "$(PYTHON)" ]; then \
		echo "error: this project needs Python 3.11 or 3.12; none of" \
			"'$(PYTHON_CANDIDATES)' on PATH is one (found: $$(python3 --version 2>&1))." >&2; \
		echo "Install one, or point at it: make PYTHON=/path/to/python3.12 ..." >&2; \
		exit 1; \
	fi
	@"$(PYTHON)" -c '$(SUPPORTED_PYTHON)' || { \
		echo "error: $(PYTHON) is $$("$(PYTHON)" --version 2>&1); 3.11 or 3.12 is needed" >&2; \
		exit 1; }

.PHONY: uv
uv: python
	@if ! "$(PYTHON)" -m uv --version >/dev/null 2>&1 && ! command -v uv >/dev/null 2>&1; then \
		echo "Installing uv for $(PYTHON) (pip install --user uv)"; \
		"$(PYTHON)" -m pip --version >/dev/null 2>&1 || { \
			echo "error: $(PYTHON) has no pip; install pip or uv first" >&2; exit 1; }; \
		pip_install="env PIP_ROOT_USER_ACTION=ignore $(PYTHON) -m pip install --quiet --no-warn-script-location $(PIP_INSTALL_OPTIONS)"; \
		if [ -n "$${VIRTUAL_ENV:-}" ]; then \
			$$pip_install '$(UV_REQUIREMENT)'; \
		elif ! log=$$($$pip_install --user '$(UV_REQUIREMENT)' 2>&1); then \
			if grep -q externally-managed <<<"$$log"; then \
				echo "This Python is managed by the system; installing uv for this user only"; \
				$$pip_install --user --break-system-packages '$(UV_REQUIREMENT)'; \
			else \
				echo "$$log" >&2; exit 1; \
			fi; \
		fi; \
		"$(PYTHON)" -m uv --version; \
	fi

.PHONY: install
install: uv ## install the locked dependencies into .venv, test and lint tools included
	$(UV) sync

# Serving needs none of the test and lint tools. --inexact keeps them if they are
# there already, so that `make run` after `make test` does not uninstall them.
.PHONY: install-runtime
install-runtime: uv ## install the locked runtime dependencies only
	@$(UV) sync --no-dev --inexact

# --no-sync: `uv run` would otherwise install the development tools on its way.
.PHONY: run
run: install-runtime ## migrate, seed and serve var/shop.sqlite3 on http://127.0.0.1:8000 (PORT=, HOST=)
	$(UV) run --no-sync shop serve --host "$(HOST)" --port "$(PORT)"

# Silent recipes: stdout is the command's alone, e.g. TOKEN=$(make shop ARGS="token ...").
.PHONY: shop
shop: install-runtime ## any shop command: make shop ARGS="token --customer alice"
	@$(UV) run --no-sync shop $(ARGS)

.PHONY: test
test: install ## run the test suite (SHOP_TEST_DATABASE_URL=postgresql+psycopg://... for PostgreSQL)
	$(UV) run pytest $(PYTEST_ARGS)

.PHONY: workshop-verify
workshop-verify: install ## apply and test each step of the workshop series (PostgreSQL too with SHOP_TEST_DATABASE_URL)
	$(UV) run shop workshop verify

.PHONY: lint
LINTERS := "ruff check ." "ruff format --check ." "mypy" "lint-imports"

# Runs every linter, even after one fails, so that one run shows every problem.
lint: install ## ruff, ruff format --check, mypy --strict, import-linter contracts
	@failed=(); \
	for linter in $(LINTERS); do \
		echo "$$ $$linter"; \
		$(UV) run $$linter || failed+=("$$linter"); \
	done; \
	if [ $${#failed[@]} -gt 0 ]; then \
		printf 'lint failed: %s\n' "$${failed[@]}" >&2; exit 1; \
	fi

.PHONY: format
format: install ## apply ruff's fixes and formatting
	$(UV) run ruff check --fix .
	$(UV) run ruff format .

.PHONY: bench
bench: install ## write-path throughput, by hand (bench/README.md; options in BENCH_ARGS)
	$(UV) run python bench/throughput.py $(BENCH_ARGS)

.PHONY: bench-checkout
bench-checkout: install ## end-to-end checkouts per second and relay delay (options in BENCH_ARGS)
	$(UV) run python bench/checkout.py $(BENCH_ARGS)

.PHONY: wheelhouse
wheelhouse: uv ## download what `make install-offline` needs into ./wheelhouse (online, same OS and Python)
	mkdir -p $(WHEELHOUSE)
	$(UV) export --frozen --format requirements.txt --no-emit-project --quiet \
		--output-file $(WHEELHOUSE)/requirements.txt
	@# The lock's hashes are checked here, on the way in; the room then trusts the folder.
	"$(PYTHON)" -m pip wheel --quiet --wheel-dir $(WHEELHOUSE) --require-hashes \
		--requirement $(WHEELHOUSE)/requirements.txt
	"$(PYTHON)" -m pip wheel --quiet --wheel-dir $(WHEELHOUSE) $(BUILD_REQUIREMENTS) '$(UV_REQUIREMENT)'
	@echo "$(WHEELHOUSE): $$(ls $(WHEELHOUSE)/*.whl | wc -l) wheels for $$("$(PYTHON)" --version)"

.PHONY: install-offline
install-offline: uv-offline ## install .venv from ./wheelhouse, with no network at all
	$(UV) venv --quiet --allow-existing .venv
	$(UV) pip install --quiet --python .venv $(OFFLINE) --no-verify-hashes \
		--requirement $(WHEELHOUSE)/requirements.txt
	$(UV) pip install --quiet --python .venv $(OFFLINE) --no-deps --editable .
	@echo "installed from $(WHEELHOUSE) into .venv; run the tools as .venv/bin/shop, .venv/bin/pytest"

# A prerequisite, not a first recipe line: $(UV) is expanded before a target's recipe runs.
.PHONY: uv-offline
uv-offline: python
	@test -f $(WHEELHOUSE)/requirements.txt || { \
		echo "error: no $(WHEELHOUSE)/requirements.txt: run 'make wheelhouse' on a machine online" >&2; \
		exit 1; }
	@$(MAKE) --no-print-directory uv PIP_INSTALL_OPTIONS="--no-index --find-links $(abspath $(WHEELHOUSE))"
