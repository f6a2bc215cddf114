"""Django settings for the test run: the service's own, with a throwaway data directory (keys, tiles)."""

import os
import tempfile

os.environ.setdefault("CORRIDOR_DATA_DIR", tempfile.mkdtemp(prefix="corridor-test-"))

from corridor.service.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # tests create many users; speed only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405 -- live-server request threads must not keep connections
if "replica" in DATABASES:  # noqa: F405 -- `make test-replica`: the same for the hot standby
    DATABASES["replica"]["CONN_MAX_AGE"] = 0  # noqa: F405
AXES_ENABLED = False  # Client.login() passes no request, which axes needs; the throttling tests turn it on
