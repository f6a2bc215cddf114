"""pytest plugin for `make test-replica`: the service's read tests, run with their reads on the hot standby.

    pytest -p tests.service.replica_plugin tests/service/...

- Every database test becomes transactional and may use the replica: its rows are committed on the primary,
  so they stream to the standby (a test's own uncommitted transaction would keep every read on the primary,
  the router's rule inside a transaction).
- Before each GET/HEAD the test client sends, it waits until the standby has replayed what the primary has:
  the tests' reads follow writes at once, which in production the replica's lag bound and read-your-writes
  take care of. Not in modules that pause and resume the standby themselves (`MANAGES_STANDBY = True`).
- It counts what each connection alias ran, and fails the run if the standby answered no read-model query or
  was asked to write anything.
"""

from __future__ import annotations

import time

import pytest
from django.conf import settings

WRITES = ("INSERT", "UPDATE", "DELETE", "CREATE", "ALTER", "DROP", "TRUNCATE")
_seen = {"reads": 0, "writes": [], "tests_reading": 0}


def _active() -> bool:
    return "replica" in settings.DATABASES


def pytest_collection_modifyitems(items):
    if not _active():
        return
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is not None:
            item.add_marker(pytest.mark.django_db(transaction=True, databases="__all__",
                                                  **{k: v for k, v in marker.kwargs.items()
                                                     if k not in ("transaction", "databases")}), append=False)


def _wait_for_standby(timeout: float = 10.0) -> None:
    from corridor.service import replica

    target = replica.primary_lsn()
    deadline = time.monotonic() + timeout
    while (replica.replica_state().position or 0) < target and time.monotonic() < deadline:
        time.sleep(0.01)


@pytest.fixture(autouse=True)
def reads_on_the_standby(request, monkeypatch):
    if not _active() or request.node.get_closest_marker("django_db") is None:
        yield
        return
    from django.db import connections
    from django.test import Client

    from corridor.service import replica

    replica.reset_health()
    original = Client.request

    def request_after_catching_up(self, **environ):
        if environ.get("REQUEST_METHOD", "GET") in replica.SAFE_METHODS:
            _wait_for_standby()
        return original(self, **environ)

    if not getattr(request.module, "MANAGES_STANDBY", False):
        monkeypatch.setattr(Client, "request", request_after_catching_up)
    reads_before = _seen["reads"]

    def count(execute, sql, params, many, context):
        statement = sql.lstrip().upper()
        if statement.startswith(WRITES):
            _seen["writes"].append(sql[:120])
        elif statement.startswith("SELECT") and "PG_" not in statement[:40]:
            _seen["reads"] += 1
        return execute(sql, params, many, context)

    with connections["replica"].execute_wrapper(count):
        yield
    _seen["tests_reading"] += _seen["reads"] > reads_before
    replica.reset_health()


def pytest_terminal_summary(terminalreporter):
    if _active():
        terminalreporter.write_line(
            f"replica: {_seen['reads']} read-model queries answered by the hot standby in "
            f"{_seen['tests_reading']} tests; writes sent to it: {len(_seen['writes'])}")


def pytest_sessionfinish(session):
    if not _active():
        return
    if _seen["writes"] or not _seen["reads"]:
        session.exitstatus = 1
        for sql in _seen["writes"]:
            print(f"replica: a write was sent to the standby: {sql}")
        if not _seen["reads"]:
            print("replica: the standby answered no read-model query")
