"""WSGI entry point (`corridor serve` runs granian on corridor.service.wsgi:application)."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corridor.service.settings")
django_application = get_wsgi_application()
# Import every view now, while the worker boots, rather than in its first request (~1 s here: Django resolves
# its URL configuration lazily). The fold is still loaded on first use (docs/snapshots.md).
get_resolver().url_patterns  # noqa: B018 (importing them is the point)

from .ledger.lean_reads import LeanLog  # noqa: E402 (after Django is set up)
from .request_body import WholeBodies  # noqa: E402


def host_absent_when_not_sent(application):
    """granian gives a request that sent no Host header (HTTP/1.0: a load balancer's health check, e.g.
    HAProxy's `option httpchk`) an empty HTTP_HOST, which Django refuses 400; PEP 3333 leaves it out, and
    Django then takes the server's own name and port (SERVER_NAME), as it did under gunicorn."""

    def without_empty_host(environ, start_response):
        if environ.get("HTTP_HOST") == "":
            del environ["HTTP_HOST"]
        return application(environ, start_response)

    return without_empty_host


# the public log's proofs and checkpoint without the session/CSRF/locale/auth stack they do not use
# (ledger/lean_reads.py); a body cut short of its Content-Length is refused, not read as whole (request_body.py)
application = host_absent_when_not_sent(LeanLog(WholeBodies(django_application)))

# Everything loaded so far lives as long as the process: move it out of the cyclic collector's sight. Each
# full collection otherwise walked all of it (Django, every module, the views) and stopped every thread of
# the process for 70-120 ms, several times a minute under load: the slowest writes' latency.
gc.freeze()
