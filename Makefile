# Two commands a new user needs: `make run` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# `make run` keeps the service's data (SQLite database, log tiles, keys) in ./var unless CORRIDOR_DATA_DIR says
POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: run test screenshots test-postgres test-restart restart-service test-replica test-api-fuzz lint bench bench-log bench-proofs scenario examples vendor messages clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# `make run` seeds the worked example's history on a new data directory; `make run DEMO=--empty` does not.
# `make run PORT=8080` serves on another port (passkeys and the links the service prints follow it, unless
# CORRIDOR_WEBAUTHN_ORIGIN / CORRIDOR_PUBLIC_URL say otherwise)
DEMO ?=
PORT ?= 8000
run: export CORRIDOR_WEBAUTHN_ORIGIN ?= http://localhost:$(PORT)
run: export CORRIDOR_PUBLIC_URL ?= http://127.0.0.1:$(PORT)
run: $(STAMP)
	$(BIN)/corridor migrate
	$(BIN)/corridor demo $(DEMO)
	@echo "Corridor on http://127.0.0.1:$(PORT)  (API: /api/v1/docs, log: /log/checkpoint, admin: /admin/;"
	@echo "  passkeys work at http://localhost:$(PORT), the origin they are bound to: CORRIDOR_WEBAUTHN_ORIGIN)"
	$(BIN)/corridor serve --listen 127.0.0.1:$(PORT)

scenario: $(STAMP)
	$(BIN)/corridor scenario run scenarios/two-roads.yaml

# the two-roads example's briefings (en, ar; HTML, PDF, PNG) and their log, in docs/examples (docs/briefings.md)
examples: $(STAMP)
	$(BIN)/python docs/examples/two_roads_briefings.py

# The tests run on every core (pytest-xdist: -n auto is one worker process a core; PYTEST_WORKERS=0 runs them
# in this one process). Safe because nothing two workers share is fixed: each worker is a process with its
# own CORRIDOR_DATA_DIR (tests/service_settings.py: a fresh temporary directory), so its own SQLite test
# database, keys and tiles; on PostgreSQL pytest-django names each worker's test database apart (test_test_gw0,
# test_test_gw1, ...) and the log store's tests each make a schema of their own (tests/conftest.py); live
# servers, witnesses and web servers listen on free ports; files go under pytest's tmp_path; each worker has its
# own chromium (tests/service/web/browser.py). worksteal: a worker that runs out takes the rest of the
# other's queue (the browser tests are long).
PYTEST_WORKERS ?= auto
PYTEST_PARALLEL = -n $(PYTEST_WORKERS) $(if $(filter 0,$(PYTEST_WORKERS)),,--dist worksteal)

test: $(STAMP)
	$(BIN)/ruff check src tests bench
	PYTHONPATH=. DJANGO_SETTINGS_MODULE=tests.service_settings $(BIN)/django-admin makemigrations --check --dry-run
	$(BIN)/python -m pytest $(PYTEST_PARALLEL)

# the README's pictures: the browser tests again, writing docs/screenshots (plain `make test` writes them to a
# scratch directory, so it leaves the checkout clean)
screenshots: $(STAMP)
	CORRIDOR_SCREENSHOTS=1 $(BIN)/python -m pytest -q $$(grep -l screenshot tests/service/web/test_*.py)

# the service's tests again on PostgreSQL (.ci/run makes this mandatory)
test-postgres: $(STAMP)
	DATABASE_URL=$(POSTGRES_URL) CORRIDOR_EXPECT_DATABASE=postgresql $(BIN)/python -m pytest $(PYTEST_PARALLEL) \
		tests/service tests/commands/test_service_commands.py tests/commands/test_worker.py

# the real service restarted on a generated log of ~100k statements (built once, ~2-3 min, then cached under
# /tmp/corridor-coldstart): its first plan page and first API write must answer (tests/service/test_restart.py)
test-restart: $(STAMP)
	CORRIDOR_RESTART_TEST=1 $(BIN)/python -m pytest tests/service/test_restart.py
# that generated service alone, into the cache (.ci/run builds it while the suites run)
restart-service: $(STAMP)
	$(BIN)/python -c "from bench import coldstart; from tests.service.test_restart import PLANS; coldstart.fixture(PLANS)"
# the service's read tests with a real hot standby as DATABASE_REPLICA_URL (tests/service/standby.py starts a
# throwaway primary on 5434 and a pg_basebackup standby on 5433 under /tmp/replica/test, and removes them after);
# without PostgreSQL's server binaries it skips with a notice, or fails with CORRIDOR_REQUIRE_REPLICA=1
REPLICA_TESTS ?= tests/service/test_replica_standby.py tests/service/api/test_two_roads.py \
  tests/service/api/test_incidents.py tests/service/web/test_pages.py tests/service/web/test_datasets.py \
  tests/service/exports/test_read_models.py tests/service/passages/test_privacy.py
test-replica: $(STAMP)
	$(BIN)/python -m tests.service.standby $(BIN)/python -m pytest -p tests.service.replica_plugin $(REPLICA_TESTS)

# schemathesis against the live service (fresh data dir, demo parties, a free port), at most 5 minutes, no
# failure allowed. It lives in a venv of its own: it needs newer hypothesis and pytest than the tests pin.
FUZZ_VENV := .venv-fuzz
FUZZ_STAMP := $(FUZZ_VENV)/.installed
FUZZ_EXAMPLES ?= 30

$(FUZZ_STAMP): pyproject.toml
	test -x $(FUZZ_VENV)/bin/python || $(PYTHON) -m venv $(FUZZ_VENV)
	$(FUZZ_VENV)/bin/python -m pip install --quiet $$($(PYTHON) -c 'import tomllib; \
	  print(*tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["fuzz"])')
	touch $(FUZZ_STAMP)

test-api-fuzz: $(STAMP) $(FUZZ_STAMP)
	tests/service/api/fuzz.sh $(BIN) $(FUZZ_VENV)/bin/schemathesis $(FUZZ_EXAMPLES)

# issue 12's log figures at 1M and 10M entries (the logs are built once, ~3 min, and kept in /tmp)
bench-log: $(STAMP)
	$(BIN)/python bench/ledger.py --scale 1000000 10000000 --mirror --keep /tmp/corridor-bench-log

# issue 12's proofs over HTTP at 10M entries only (same kept log; the log is not grown): ~1 min once built
bench-proofs: $(STAMP)
	$(BIN)/python bench/ledger.py --scale 10000000 --keep /tmp/corridor-bench-log --proofs-only

bench: $(STAMP)
	$(BIN)/python bench/engine_fold.py
	$(BIN)/python bench/signatures.py
	$(BIN)/python bench/figures.py
	$(BIN)/python bench/ledger.py
	$(BIN)/python bench/passkeys.py
	$(BIN)/python bench/service.py
	$(BIN)/python bench/coldstart.py
	$(BIN)/python bench/snapshot_load.py
	$(BIN)/python bench/scale.py
	$(BIN)/python bench/long_plan.py
	$(BIN)/python bench/incidents.py
	$(BIN)/python bench/deep_pages.py
	$(BIN)/python bench/rare_filters.py
	$(BIN)/python -m pytest bench/checkpoint_legs.py bench/revocation_list.py -p no:cacheprovider -s -q

# front-end files from npm at the versions pinned in frontend/package-lock.json, copied into the app
vendor:
	frontend/vendor.sh

# compile the translations (.po -> .mo) after editing src/corridor/service/web/locale
messages: $(STAMP)
	cd src/corridor/service/web && ../../../../$(BIN)/django-admin compilemessages

clean:
	rm -rf $(VENV) $(FUZZ_VENV) .pytest_cache .ruff_cache .hypothesis
