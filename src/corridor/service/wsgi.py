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

from .ledger import origins  # noqa: E402 (after Django is set up)
from .ledger.lean_reads import LeanLog  # noqa: E402
from .request_body import WholeBodies  # noqa: E402
from .wsgi_environ import as_pep3333  # noqa: E402

origins.declares_configured_origin = True  # the officers' browsers sign at the configured origin here

# the public log's proofs and checkpoint without the session/CSRF/locale/auth stack they do not use
# (ledger/lean_reads.py); a body cut short of its Content-Length is refused, not read as whole (request_body.py)
application = as_pep3333(LeanLog(WholeBodies(django_application)))

# Everything loaded so far lives as long as the process: move it out of the cyclic collector's sight. Each
# full collection otherwise walked all of it (Django, every module, the views) and stopped every thread of
# the process for 70-120 ms, several times a minute under load: the slowest writes' latency.
gc.freeze()
