# The two commands a new user needs: `make run` and `make test`. Everything they
# need is installed here, into .venv, from pinned versions in pyproject.toml.
VENV := .venv
export PYTHON
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check

.PHONY: run test lint bench ci clean messages

run: $(VENV)/.installed
	$(BIN)/uadesk run

test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/uadesk makemigrations --check --dry-run
	$(BIN)/pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Every benchmark but the helpers they start. `make bench BENCH_FLAGS=--quick`: each small, in seconds,
# as tests/test_bench.py runs them (that they run; their figures then mean nothing).
BENCH_HELPERS := bench/smtp_sink.py bench/common.py
bench: $(VENV)/.installed-bench
	@for b in $(filter-out $(BENCH_HELPERS),$(wildcard bench/*.py)); do echo "== $$b"; $(BIN)/python -P $$b $(BENCH_FLAGS) || exit 1; done

ci: test

# After changing a string: gathers every string into the catalogs, which then need translating
# (tests/test_translations.py fails until they are), and compiles them.
messages: $(VENV)/.installed-test
	cd uadesk && ../$(BIN)/uadesk makemessages -l zh_Hans -l zh_Hant -l ar -l es -l fr -l de -l pt --no-obsolete --add-location file
	cd uadesk && ../$(BIN)/uadesk compilemessages

$(BIN)/python:
	@py=$$(scripts/find-python) && echo "Creating $(VENV) with $$py" && "$$py" -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) --upgrade pip
	$(PIP) -e .
	$(BIN)/python scripts/install-fonts
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PIP) -e '.[test]'
	@# The browser tests drive Debian's Chromium; Playwright never downloads a browser of its own here.
	@# GNU gettext: the test that every string of the code is in the catalogs gathers them afresh.
	@# wrk: bench/action_page.py loads the web server over HTTP harder than a Python client could.
	(command -v chromium && command -v xgettext && command -v wrk) >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium gettext wrk)
	@touch $@

$(VENV)/.installed-bench: pyproject.toml $(VENV)/.installed-test
	$(PIP) -e '.[test,bench]'
	@touch $@

clean:
	rm -rf $(VENV) build *.egg-info
