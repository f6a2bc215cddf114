"""Django settings for the test run: the service's own, with a throwaway data directory (keys, tiles)."""

import os
import tempfile


def _own_data_dir() -> None:
    """A throwaway data directory per test process. pytest-xdist's workers inherit the environment of the
    process that started them, which has made a directory of its own already: each worker makes its own
    (keys, tiles and the SQLite test database are never shared), and the processes a test starts (which
    inherit the worker's environment) keep their worker's. A directory the caller names is kept."""
    process = os.environ.get("PYTEST_XDIST_WORKER", "main")
    made_for = os.environ.get("CORRIDOR_TEST_DATA_FOR")
    if "CORRIDOR_DATA_DIR" not in os.environ or (made_for is not None and made_for != process):
        os.environ["CORRIDOR_DATA_DIR"] = tempfile.mkdtemp(prefix=f"corridor-test-{process}-")
        os.environ["CORRIDOR_TEST_DATA_FOR"] = process


_own_data_dir()

from corridor.service.settings import *  # noqa: E402, F403 -- after the data directory is chosen

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # tests create many users; speed only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405 -- live-server request threads must not keep connections
if DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    # a session left idle inside a transaction (a test's process killed mid-transaction, its socket still open)
    # is ended by the server after two minutes, its locks with it: a run once hung for good on one, in teardown
    options = DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    options["options"] = f"{options.get('options', '')} -c idle_in_transaction_session_timeout=120000".strip()
if "replica" in DATABASES:  # noqa: F405 -- `make test-replica`: the same for the hot standby
    DATABASES["replica"]["CONN_MAX_AGE"] = 0  # noqa: F405
AXES_ENABLED = False  # Client.login() passes no request, which axes needs; the throttling tests turn it on
