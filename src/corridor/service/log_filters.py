"""Logging filters for what any client can make the service log."""

from __future__ import annotations

import logging


class ClientErrorsWithoutTraceback(logging.Filter):
    """A request refused for the client's fault (4xx: a Host header not allowed, a body cut short, a forbidden
    page) is logged by Django with the whole traceback, 30-40 lines that say nothing more than the message:
    any client could fill the log with them at a few bytes a request. Keep the one line; a server error
    (5xx, or a record that names no status) keeps its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", 500) < 500:
            record.exc_info = record.exc_text = None
        return True
