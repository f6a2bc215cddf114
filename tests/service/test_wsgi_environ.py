"""The WSGI environ the application is given (service/wsgi_environ.py): the request's, not the server's."""

from __future__ import annotations

import os

from corridor.service import wsgi_environ


def test_the_application_sees_the_request_not_the_server_processs_environment(monkeypatch):
    """granian copies its process's environment variables into each request's environ (DATABASE_URL
    among them), and gives a request without a Host header an empty one: neither reaches Django."""
    monkeypatch.setattr(wsgi_environ, "PROCESS_ENVIRONMENT", frozenset({"DATABASE_URL", "HOME"}))
    monkeypatch.setattr(wsgi_environ, "PROCESS_HEADERS", {"HTTP_PROXY": "http://proxy.internal:3128"})
    seen = {}
    application = wsgi_environ.as_pep3333(lambda environ, start_response: seen.update(environ) or [b""])
    application({"DATABASE_URL": "postgresql://u:secret@db/x", "HOME": "/root", "HTTP_HOST": "", "PATH_INFO": "/",
                 "SERVER_NAME": "127.0.0.1", "HTTP_X_CUSTOM": "1", "wsgi.url_scheme": "http",
                 "HTTP_PROXY": "http://proxy.internal:3128"}, None)
    assert seen == {"PATH_INFO": "/", "SERVER_NAME": "127.0.0.1", "HTTP_X_CUSTOM": "1", "wsgi.url_scheme": "http"}


def test_only_names_a_request_cannot_carry_count_as_the_processs_environment():
    assert not any(name.startswith((*wsgi_environ.REQUEST_KEYS, "HTTP_")) for name in wsgi_environ.PROCESS_ENVIRONMENT)
    assert "PATH" in wsgi_environ.PROCESS_ENVIRONMENT or "PATH" not in os.environ


def test_a_header_the_client_sent_is_kept_though_a_process_variable_shares_its_name(monkeypatch):
    monkeypatch.setattr(wsgi_environ, "PROCESS_HEADERS", {"HTTP_PROXY": "http://proxy.internal:3128"})
    seen = {}
    application = wsgi_environ.as_pep3333(lambda environ, start_response: seen.update(environ) or [b""])
    application({"HTTP_PROXY": "sent by the client", "PATH_INFO": "/"}, None)
    assert seen["HTTP_PROXY"] == "sent by the client"
