"""WSGI entry point (gunicorn corridor.service.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corridor.service.settings")
application = get_wsgi_application()
