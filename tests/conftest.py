"""Shared fixtures: the log's database on SQLite and on PostgreSQL.

PostgreSQL tests use CORRIDOR_TEST_POSTGRES (default postgresql://postgres@127.0.0.1:5432/test), each in a
schema of its own. Without a reachable server they skip with a notice, unless CORRIDOR_REQUIRE_POSTGRES=1
(set by .ci/run), in which case they fail: CI never passes by skipping.
"""

import os
import uuid

import pytest

POSTGRES_URL = os.environ.get("CORRIDOR_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_POSTGRES = os.environ.get("CORRIDOR_REQUIRE_POSTGRES") == "1"


@pytest.fixture(params=["sqlite", "postgresql"])
def log_database(request, tmp_path):
    """Where a LogStore keeps its entries: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield str(tmp_path / "log.db")
        return
    import psycopg

    try:
        admin = psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        message = f"PostgreSQL not reachable at {POSTGRES_URL} ({error}); set CORRIDOR_TEST_POSTGRES"
        if REQUIRE_POSTGRES:
            pytest.fail(message)
        pytest.skip(message)
    schema = f"corridor_test_{uuid.uuid4().hex[:12]}"
    admin.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        admin.execute(f"DROP SCHEMA {schema} CASCADE")
        admin.close()


@pytest.fixture(autouse=True)
def serving_the_pages(monkeypatch):
    """A test's process serves the pages (its client is the officers' browser): the configured passkey origin is
    declared, as service/wsgi.py has it in a web process; a CLI's own test turns it off."""
    from corridor.service.ledger import origins

    monkeypatch.setattr(origins, "declares_configured_origin", True)
