# The two commands a newcomer needs: `make dev` (the local stack) and `make test` (lint, types, tests).
# Each creates the virtual environment from the lock file first, so a fresh clone needs nothing else.

UV_VERSION := 0.13.9
UV := .uv/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
export UV_PYTHON ?= python3
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: dev test bench build migrate invoke openapi layer-requirements clean

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
	$(VENV)/bin/mypy layers/common/imagify functions devstack tests $(wildcard bench)
	$(VENV)/bin/pytest

# Benchmarks (never part of `make test`); figures to docs/performance.md. `make bench BENCH_ARGS="--quick"`,
# `--only warm,flow`, `--ref <git ref>`: see `python -m bench --help`.
bench: $(VENV)/.synced
	$(PY) -m bench $(BENCH_ARGS)

# The deployment build: `sam build`, then hash-based .pyc files for the layer and every function. A SAM zip
# sets every mtime to 1980, which makes timestamp .pyc files stale and Python recompile every module at every
# cold start (about half of it; see docs/performance.md). Needs the SAM CLI and the runtime's python3.13.
build: layer-requirements
	sam build
	python3.13 bench/pyc.py .aws-sam/build/CommonLayer/python .aws-sam/build/*Function

migrate: $(VENV)/.synced
	$(PY) -m imagify.migrations status
	$(PY) -m imagify.migrations apply

# `make invoke FN=HealthFunction EVENT=events/health/get.json` does what `sam local invoke` does.
invoke: $(VENV)/.synced
	$(PY) -m devstack invoke $(FN) -e $(EVENT)

# docs/openapi.json, merged from every function's resolver (a test fails when it is out of date).
openapi: $(VENV)/.synced
	$(PY) -c "from devstack import openapi, template; print(openapi.write(template.load('template.yaml')))"

# The layer's requirements.txt is the lock's runtime dependencies, so Lambda runs what the tests ran.
layer-requirements: $(UV)
	$(UV) export --locked --no-dev --no-emit-project --no-hashes --no-header \
		--no-emit-package boto3 --no-emit-package botocore --no-emit-package s3transfer \
		-o layers/common/requirements.txt --quiet

clean:
	rm -rf $(VENV) .uv .mypy_cache .ruff_cache .pytest_cache .aws-sam
