# The two commands a newcomer needs: `make run` and `make test`. Everything else they call.
VENV ?= .venv
PY := $(VENV)/bin/python
SJ := $(VENV)/bin/salingjaga
PYTEST_ARGS ?=
PORT ?= 8000

.PHONY: install run test test-sqlite test-postgres lint typecheck bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	@echo "installing SalingJaga and its dependencies into $(VENV) (a few minutes the first time)..."
	$(PY) -m pip install -q -U pip wheel setuptools
	$(PY) -m pip install -q -e '.[dev]'
	@echo "installed."
	touch $@

run: install
	$(SJ) db upgrade
	$(SJ) demo load
	$(SJ) serve --host 127.0.0.1 --port $(PORT)

# SQLite always; PostgreSQL too when CI=true or SALINGJAGA_TEST_POSTGRES=1.
test: install lint
	$(MAKE) test-sqlite
	@if [ "$$CI" = "true" ] || [ "$$SALINGJAGA_TEST_POSTGRES" = "1" ]; then $(MAKE) test-postgres; fi

test-sqlite: install
	$(VENV)/bin/pytest -q $(PYTEST_ARGS)

test-postgres: install
	SALINGJAGA_TEST_DB=postgres $(VENV)/bin/pytest -q -m "not browser" $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

bench: install
	$(PY) -m benchmarks.run

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
