"""What a client's bad request makes the service log: one line, not a traceback; a server error keeps its."""

from __future__ import annotations

import io
import logging

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def console():
    """What the service's console handler (settings.LOGGING) writes, with its filters."""
    (handler,) = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    written = io.StringIO()
    previous = handler.setStream(written)
    yield written
    handler.setStream(previous)


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
