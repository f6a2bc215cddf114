"""The WSGI entry point a server process loads (`corridor serve`)."""

from __future__ import annotations

import os
import subprocess
import sys

from corridor.service import wsgi_environ


def test_what_a_server_process_loads_is_kept_out_of_the_cyclic_collectors_passes(tmp_path):
    """A full collection walked every object Django and the views had loaded, stopping all of a process's
    threads for 70-120 ms several times a minute under load: loading the application freezes them."""
    env = {**os.environ, "CORRIDOR_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "corridor.service.settings"}
    env.pop("DATABASE_URL", None)
    code = "import gc, corridor.service.wsgi; print(gc.get_freeze_count(), len(gc.get_objects()))"
    frozen, tracked = map(int, subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True,
                                              text=True, timeout=120).stdout.split())
    assert frozen > 50_000 and tracked < frozen / 10


def test_the_application_sees_the_request_not_the_server_processs_environment(monkeypatch):
    """granian copies its process's environment variables into each request's environ (DATABASE_URL
    among them), and gives a request without a Host header an empty one: neither reaches Django."""
    monkeypatch.setattr(wsgi_environ, "PROCESS_ENVIRONMENT", frozenset({"DATABASE_URL", "HOME"}))
    seen = {}
    application = wsgi_environ.as_pep3333(lambda environ, start_response: seen.update(environ) or [b""])
    application({"DATABASE_URL": "postgresql://u:secret@db/x", "HOME": "/root", "HTTP_HOST": "", "PATH_INFO": "/",
                 "SERVER_NAME": "127.0.0.1", "HTTP_X_CUSTOM": "1", "wsgi.url_scheme": "http"}, None)
    assert seen == {"PATH_INFO": "/", "SERVER_NAME": "127.0.0.1", "HTTP_X_CUSTOM": "1", "wsgi.url_scheme": "http"}


def test_only_names_a_request_cannot_carry_count_as_the_processs_environment():
    assert not any(name.startswith(wsgi_environ.REQUEST_KEYS) for name in wsgi_environ.PROCESS_ENVIRONMENT)
    assert "PATH" in wsgi_environ.PROCESS_ENVIRONMENT or "PATH" not in os.environ
