# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test check bench mutation clean translations

# Message extraction: _() and N_() in code and templates, and the messages of the errors that
# curators and visitors are shown (see domain.errors.Explained).
BABEL_KEYWORDS := -k _l -k N_ -k InvalidValue -k ItemWithdrawn -k ConsentError -k ExhibitionError -k DomainError -k ArchiveError -k NotFound -k ConcurrentChange -k KeyShredded -k ImageRejected -k MediaStoreUnavailable

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml $(STAMP) tests/support/install-system-deps.sh
	$(BIN)/pip install --quiet -e '.[test]'
	bash tests/support/install-system-deps.sh
	touch $@

# axe-core for the browser tests, pinned by tests/e2e/browser/package-lock.json. Without npm (or
# without the registry) the browser tests that need it skip, or fail under ARCHIVE_REQUIRE_SERVICES=1.
BROWSER_TESTS := tests/e2e/browser
AXE_JS := $(BROWSER_TESTS)/node_modules/axe-core/axe.min.js

$(AXE_JS): $(BROWSER_TESTS)/package.json $(BROWSER_TESTS)/package-lock.json | $(TEST_STAMP)
	@if ! command -v npm >/dev/null 2>&1; then \
		echo "make: warning: npm not found; not installing axe-core for the browser tests" >&2; \
	elif (cd $(BROWSER_TESTS) && npm ci --no-audit --no-fund --loglevel=error); then \
		touch $@; \
	else \
		echo "make: warning: 'npm ci' failed in $(BROWSER_TESTS); the accessibility test cannot run" >&2; \
	fi

run: $(STAMP)
	$(BIN)/archive demo
	$(BIN)/archive serve

test: $(TEST_STAMP) $(AXE_JS) check
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The checks that keep the design, before the tests (config in pyproject.toml and .importlinter;
# see docs/architecture.md): ruff for bugs, mypy strict on domain/ and archive/, and the
# layering contracts. Each runs in about a second once its cache is warm.
check: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(TEST_STAMP)
	command -v wrk >/dev/null || (apt-get install -y -qq wrk >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq wrk)) || echo "wrk not installed: the web benchmark will be skipped"
	$(BIN)/python -m pytest tests/bench -s -o python_files="bench_*.py" -p no:cacheprovider $(PYTEST_ARGS)

# Disables each call of the consent gate (may_show, name_filter, credit) in turn, in a copy of
# the tree, and fails if the safety tests miss any of them. Slow (minutes): not part of `make test`.
mutation: $(TEST_STAMP)
	$(BIN)/python tests/mutation/gate_mutants.py

clean:
	rm -rf $(VENV) var .pytest_cache

translations: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg $(BABEL_KEYWORDS) -o web/translations/messages.pot --no-location --sort-output --omit-header .
	$(BIN)/pybabel -q update -i web/translations/messages.pot -d web/translations --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel -q compile -d web/translations
