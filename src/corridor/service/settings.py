"""Django settings: everything configurable comes from `config.CONFIG` (environment variables)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from .config import CONFIG

SECRET_KEY = CONFIG.secret_key
DEBUG = CONFIG.debug
ALLOWED_HOSTS = [*CONFIG.allowed_hosts, "testserver"]

INSTALLED_APPS = [
    "corridor.service.admin_site.CorridorAdminConfig",  # django.contrib.admin; its views take the fold first
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # the API docs from ninja's own static files (no CDN, no inline script: the CSP allows them)
    "corridor.service.ledger",
    "corridor.service.parties",
    "corridor.service.passages",
    "corridor.service.incidents",
    "corridor.service.outbox",
    "corridor.service.permits",
    "corridor.service.web",
    "corridor.service.documents",
    "axes",  # sign-in throttling (see "Security" below)
]

MIDDLEWARE = [
    "corridor.service.ledger.record.FoldReadsMiddleware",  # a request's reads of the fold hold it till it ends
    "corridor.service.api.errors.ApiErrorsMiddleware",  # outermost: every error under /api/v1 answers JSON
    "django.middleware.security.SecurityMiddleware",
    "corridor.service.csp.CSPMiddleware",  # django-csp, header built once; before WhiteNoise: static files too
    "corridor.service.static_gzip.StaticGZipMiddleware",  # static files gzipped as they are sent (around WhiteNoise)
    "whitenoise.middleware.WhiteNoiseMiddleware",  # the admin's static files, served by the app itself
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "corridor.service.guard.DomainWriteGuardMiddleware",
    "axes.middleware.AxesMiddleware",  # answers a locked-out sign-in with the lockout page (429)
]

ROOT_URLCONF = "corridor.service.urls"
WSGI_APPLICATION = "corridor.service.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "corridor.service.web.context.passkeys",
                "corridor.service.web.context.log_witnessing",
            ]
        },
    }
]


def _database() -> dict:
    database = dj_database_url.parse(CONFIG.database_url, conn_max_age=60)
    if database["ENGINE"].endswith("sqlite3"):
        # one writer at a time, taken at BEGIN (not at the first write), so appends never deadlock;
        # WAL and synchronous=FULL: a committed (acknowledged) statement survives a crash.
        database["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
        }
        database["TEST"] = {"NAME": str(CONFIG.data_dir / "test.sqlite3")}
    return database


def _replica() -> dict:
    """The read replica (service/replica.py): a hot standby of the primary, in read-only sessions as well
    (should the URL ever name a writable server, nothing can write through it), given up on quickly when
    unreachable. Django's test runner uses it as a mirror: the test database the primary creates streams to
    the standby under the same name."""
    if not CONFIG.database_replica_url:
        return {}
    replica = dj_database_url.parse(CONFIG.database_replica_url, conn_max_age=60)
    replica["OPTIONS"] = {**replica.get("OPTIONS", {}), "connect_timeout": 2,
                          "options": "-c default_transaction_read_only=on"}
    replica["TEST"] = {"MIRROR": "default"}
    return {"replica": replica}


DATABASES = {"default": _database(), **_replica()}
if "replica" in DATABASES:
    DATABASE_ROUTERS = ["corridor.service.replica.ReplicaRouter"]
    MIDDLEWARE.insert(2, "corridor.service.replica.ReplicaReadsMiddleware")  # inside the API's error answers
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [{"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"}]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ru", "Русский"), ("fr", "Français"), ("ar", "العربية")]
LOCALE_PATHS = [Path(__file__).resolve().parent / "web" / "locale"]
FORMAT_MODULE_PATH = ["corridor.service.web.formats"]  # Arabic groups thousands too (Django's ar formats do not)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "public"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = CONFIG.data_dir / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise expects it, even when serving from the apps' folders
WHITENOISE_USE_FINDERS = True  # serve straight from the apps' static folders: no collectstatic step

DATA_UPLOAD_MAX_MEMORY_SIZE = CONFIG.max_upload_bytes
FILE_UPLOAD_MAX_MEMORY_SIZE = CONFIG.max_upload_bytes

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = CONFIG.email_host
EMAIL_PORT = CONFIG.email_port
DEFAULT_FROM_EMAIL = CONFIG.email_from

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"client_errors_short": {"()": "corridor.service.log_filters.ClientErrorsWithoutTraceback"}},
    # requests refused for the client's fault (4xx) are logged in one line each, without the traceback
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["client_errors_short"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"corridor": {"level": "INFO"}},
}

# ---- Security: headers, cookies, TLS, sign-in throttling (docs/operations.md, "Security") ----
# Content-Security-Policy on every response (pages, JSON, static files): scripts, styles and everything else
# from this origin only, no inline script, no inline style attribute, no eval. Text that parties sign reaches
# pages as text; should markup ever slip through, the browser still refuses to run it. django-csp (pinned)
# rather than a middleware of our own: Django 5.2 has no CSP support, and the library is well kept.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True  # X-Content-Type-Options: nosniff
SECURE_REFERRER_POLICY = "same-origin"  # no plan or checkpoint URL leaks to another site
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "corridor.service.web.errors.csrf_failure"  # a styled page saying nothing was recorded
if CONFIG.https:  # CORRIDOR_HTTPS=1: served over TLS, by a proxy that sets X-Forwarded-Proto
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 365 * 86400
    SECURE_HSTS_INCLUDE_SUBDOMAINS = False  # the operator's other hosts are not ours to pin

# Sign-in throttling (django-axes, pinned): after AXES_FAILURE_LIMIT wrong passwords for one username from one
# address, that pair is locked out for AXES_COOLOFF_TIME; the same username from another address still signs
# in, so nobody can lock an officer out from afar. The API's bearer tokens do not pass through here.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "corridor.service.web.throttle.client_address"  # behind the proxy: X-Forwarded-For
