# xxgk — two commands: `make run` (environment, warehouse if missing, dashboard) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DB     ?= data/xxgk.duckdb
PORT   ?= 8501

.PHONY: run test lint fmt venv native system-deps warehouse demo bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	# Byte-compile the editable tree as pip does an installed wheel: with PYTHONDONTWRITEBYTECODE=1 (set on
	# some machines) every process would compile the sources again (~0.1 s CPU a command). compileall writes
	# the .pyc regardless; Python ignores one whose source has changed since.
	$(BIN)/python -m compileall -q pipelines app_pages
	# The parser and the text/HTML readers compiled with mypyc where a C compiler is found (pipelines/native.py:
	# used only while every source is as built; `make native` after an edit). Without one, pure Python.
	-$(BIN)/python -c 'import pipelines.native as n; n.main()'
	touch $@

venv: $(BIN)/.installed

native: venv
	$(BIN)/python -c 'import pipelines.native as n; n.main()'

system-deps:
	@bash scripts/system-deps.sh

# The embedded default: the synthetic demo corpus (dataset 'demo') plus the one real sample report
# (dataset 'sample'), built only when no warehouse exists.
$(DB): | $(BIN)/.installed
	$(BIN)/xxgk demo --out data/demo --db $(DB)

warehouse: $(DB)

run: venv $(DB)
	XXGK_DB=$(DB) $(BIN)/python -m app_pages.serve --server.headless true --server.port $(PORT) --browser.gatherUsageStats false

# The gate (CONTRIBUTING.md): style, types and layers, then the whole suite on 2 workers (slow tests included).
lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

fmt: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: venv system-deps lint
	$(BIN)/pytest -q -n 2

bench: venv
	$(BIN)/python bench/extract.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/dashboard.py
	$(BIN)/python bench/fetch.py
	$(BIN)/python bench/doc.py
	$(BIN)/python bench/hostile.py

clean:
	rm -rf $(VENV) .native data/demo $(DB) $(DB).wal .pytest_cache
