# The two commands a newcomer needs: `make dev` (the local stack) and `make test` (lint, types, tests).
# Each creates the virtual environment from the lock file first, so a fresh clone needs nothing else.

UV_VERSION := 0.13.9
UV := .uv/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
export UV_PYTHON ?= python3
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: dev test bench soak build migrate invoke openapi layer-requirements clean

# `make build` brings its own tools into .tools/: the SAM CLI, pinned, in a venv of the Lambda runtime's
# Python (3.13), whose bin/ goes first on PATH so that SAM's python3.13 build finds python3.13 and pip there.
# Its own dependencies resolve as PyPI had them on SAM_CLI_DEPS_DATE: the same tool everywhere until both move.
SAM_CLI_VERSION := 1.170.0
SAM_CLI_DEPS_DATE := 2026-12-03
TOOLS := .tools/sam
# python3.13: PYTHON313 if set (environment or command line), else the first python3.13 that runs from PATH,
# pyenv's versions or /usr. Looked for only when a build needs it, once.
ifndef PYTHON313
PYTHON313 = $(eval PYTHON313 := $(shell for p in python3.13 "$${PYENV_ROOT:-$$HOME/.pyenv}"/versions/3.13*/bin/python3.13 \
	/usr/local/bin/python3.13 /usr/bin/python3.13; do "$$p" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))' \
	>/dev/null 2>&1 && { command -v "$$p"; break; }; done))$(PYTHON313)
endif

$(UV):
	python3 -m venv .uv
	.uv/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --locked --quiet
	@touch $@

dev: $(VENV)/.synced
	$(PY) -m devstack serve

test: $(VENV)/.synced
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy layers/common/imagify functions devstack tools tests $(wildcard bench)
	$(VENV)/bin/pytest

# Benchmarks (never part of `make test`); figures to docs/performance.md. `make bench BENCH_ARGS="--quick"`,
# `--only warm,flow`, `--ref <git ref>`: see `python -m bench --help`.
bench: $(VENV)/.synced
	$(PY) -m bench $(BENCH_ARGS)

# The hostile suite (tests/hostile/, also part of `make test`) at ten times its size: 400 hostile requests per
# operation instead of 40, and 400 generations under injected Gemini faults instead of 40 (~4 min on 2 cores).
# Its figures go to the "Soak size" section of docs/reliability.md.
soak: $(VENV)/.synced
	IMAGIFY_SOAK=1 $(VENV)/bin/pytest tests/hostile

# The deployment build: `sam build`, then hash-based .pyc files for the layer and every function. A SAM zip
# sets every mtime to 1980, which makes timestamp .pyc files stale and Python recompile every module at every
# cold start (about half of it; see docs/performance.md). Brings the SAM CLI itself (into .tools/); needs only
# a python3.13 on the machine (see PYTHON313 above).
build: layer-requirements $(TOOLS)/.sam-$(SAM_CLI_VERSION)-$(SAM_CLI_DEPS_DATE)
	PATH="$(abspath $(TOOLS))/bin:$$PATH" SAM_CLI_TELEMETRY=0 sam build
	$(TOOLS)/bin/python tools/pyc.py .aws-sam/build/CommonLayer/python .aws-sam/build/*Function

$(TOOLS)/.sam-$(SAM_CLI_VERSION)-$(SAM_CLI_DEPS_DATE): | $(UV)
	@"$(PYTHON313)" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))' 2>/dev/null || { printf '%s\n' \
		"make build needs python3.13 (the Lambda runtime's Python) and has none: PYTHON313='$(PYTHON313)'" \
		"(unless set, it is the first python3.13 that runs from PATH, ~/.pyenv/versions/3.13*/bin or /usr)." \
		"Install one with 'pyenv install 3.13', or on Ubuntu the python3.13 and python3.13-venv packages from the" \
		"deadsnakes PPA; or run make build PYTHON313=/path/to/python3.13." >&2; exit 2; }
	rm -rf $(TOOLS)
	$(UV) venv --quiet --seed --python "$(PYTHON313)" $(TOOLS)
	$(UV) pip install --quiet --python $(TOOLS)/bin/python --exclude-newer $(SAM_CLI_DEPS_DATE) \
		aws-sam-cli==$(SAM_CLI_VERSION)
	@touch $@

migrate: $(VENV)/.synced
	$(PY) -m imagify.migrator status
	$(PY) -m imagify.migrator apply

# `make invoke FN=HealthFunction EVENT=events/health/get.json` does what `sam local invoke` does.
invoke: $(VENV)/.synced
	$(PY) -m devstack invoke $(FN) -e $(EVENT)

# docs/openapi.json, merged from every function's resolver (a test fails when it is out of date).
openapi: $(VENV)/.synced
	$(PY) -c "from devstack import template; from tools import openapi; print(openapi.write(template.load('template.yaml')))"

# The layer's requirements.txt is the lock's runtime dependencies, so Lambda runs what the tests ran. boto3,
# botocore and s3transfer included: the runtime has its own, but the layer pins the versions the tests ran.
layer-requirements: $(UV)
	$(UV) export --locked --no-dev --no-emit-project --no-hashes --no-header \
		-o layers/common/requirements.txt --quiet

clean:
	rm -rf $(VENV) .uv .tools .mypy_cache .ruff_cache .pytest_cache .aws-sam tests/frontend/node_modules
