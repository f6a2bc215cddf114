"""The WSGI environ the application is given: the request's, as PEP 3333 and Django expect it."""

from __future__ import annotations

import os

# what a WSGI environ holds about the request itself (PEP 3333): anything else in it with the name of one of
# this process's environment variables is that variable
REQUEST_KEYS = ("SERVER_", "REMOTE_", "REQUEST_", "wsgi.", "CONTENT_TYPE", "CONTENT_LENGTH", "PATH_INFO",
                "QUERY_STRING", "SCRIPT_NAME")
PROCESS_ENVIRONMENT = frozenset(name for name in os.environ if not name.startswith((*REQUEST_KEYS, "HTTP_")))
# a process variable named like a header (HTTP_PROXY, set on many networks behind a proxy) would read as a
# header the client sent ("Proxy:"): it is one only if its value differs from the variable's
PROCESS_HEADERS = {name: value for name, value in os.environ.items() if name.startswith("HTTP_")}


def as_pep3333(application):
    """The environ as gunicorn gave it, which Django expects. granian differs twice:
    - it copies this process's environment variables into every request's environ (DATABASE_URL among
      them), under the request's own keys, where they become `request.META`, shown by Django's debug page
      and error reports: dropped;
    - a request that sent no Host header (HTTP/1.0: a load balancer's health check, e.g. HAProxy's
      `option httpchk`) gets an empty HTTP_HOST, which Django refuses 400; PEP 3333 leaves it out, and
      Django then takes the server's own name and port (SERVER_NAME)."""

    def request_environ_only(environ, start_response):
        for name in PROCESS_ENVIRONMENT.intersection(environ):
            del environ[name]
        for name, value in PROCESS_HEADERS.items():
            if environ.get(name) == value:
                del environ[name]
        if environ.get("HTTP_HOST") == "":
            del environ["HTTP_HOST"]
        return application(environ, start_response)

    return request_environ_only
