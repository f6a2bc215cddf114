"""What a client's bad request makes the service log: one line, not a traceback; a server error keeps its."""

from __future__ import annotations

import io
import logging

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def console():
    """What the service's console handler (settings.LOGGING) would write: a handler with its filters, on a
    stream of the test's own (the configured one's stream may be a test runner's, already closed)."""
    root = logging.getLogger()
    (configured,) = [h for h in root.handlers if type(h) is logging.StreamHandler]
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.filters = list(configured.filters)
    handler.setLevel(configured.level)
    root.addHandler(handler)
    yield written
    root.removeHandler(handler)


def test_a_host_not_allowed_is_logged_in_one_line(console):
    assert Client().get("/", HTTP_HOST="evil.example").status_code == 400
    assert "Invalid HTTP_HOST header: 'evil.example'" in console.getvalue()
    assert "Traceback" not in console.getvalue() and len(console.getvalue().splitlines()) == 1


def test_a_server_error_keeps_its_traceback(console):
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        logging.getLogger("django.request").error("Internal Server Error: /", exc_info=True,
                                                  extra={"status_code": 500})
    assert "Traceback" in console.getvalue() and "RuntimeError: a bug" in console.getvalue()
