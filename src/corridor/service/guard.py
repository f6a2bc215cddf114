"""Nothing but `record()` writes domain tables: a database execute wrapper refuses any INSERT, UPDATE or
DELETE on them unless `record()` (or `rebuild`) is the caller. Installed for every web request by the
middleware, and by commands and tests with `guarded()`."""

from __future__ import annotations

import contextlib
import contextvars
import re
from collections.abc import Iterator

from django.db import connection

DOMAIN_TABLES = frozenset({
    "entries", "tree", "checkpoints", "log_statement", "party", "route", "party_key", "plan", "leg",
    "manifest_line", "vehicle", "position", "inspection", "clock", "attestation", "attested_line",
    "crew_member", "slot_window", "vehicle_plate", "incident", "incident_dispute",
})
_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
_allowed: contextvars.ContextVar[bool] = contextvars.ContextVar("domain_writes_allowed", default=False)


class DomainWriteRefused(RuntimeError):
    pass


def _guard(execute, sql, params, many, context):
    match = _WRITE.match(sql)
    if match and match.group(1).lower() in DOMAIN_TABLES and not _allowed.get():
        raise DomainWriteRefused(f"{match.group(1)} is written only by record(): {sql[:80]}")
    return execute(sql, params, many, context)


@contextlib.contextmanager
def guarded() -> Iterator[None]:
    with connection.execute_wrapper(_guard):
        yield


@contextlib.contextmanager
def domain_writes() -> Iterator[None]:
    """Used by record(), rebuild and the log integrator (which owns tree and checkpoints)."""
    token = _allowed.set(True)
    try:
        yield
    finally:
        _allowed.reset(token)


class DomainWriteGuardMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        with guarded():
            return self.get_response(request)
