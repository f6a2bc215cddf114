"""Django settings: everything configurable comes from `config.CONFIG` (environment variables)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from .config import CONFIG

SECRET_KEY = CONFIG.secret_key
DEBUG = CONFIG.debug
ALLOWED_HOSTS = [*CONFIG.allowed_hosts, "testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corridor.service.ledger",
    "corridor.service.parties",
    "corridor.service.passages",
    "corridor.service.incidents",
    "corridor.service.outbox",
    "corridor.service.web",
]

MIDDLEWARE = [
    "corridor.service.api.errors.ApiErrorsMiddleware",  # outermost: every error under /api/v1 answers JSON
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # the admin's static files, served by the app itself
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "corridor.service.guard.DomainWriteGuardMiddleware",
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


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [{"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"}]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ru", "Русский"), ("fr", "Français"), ("ar", "العربية")]
LOCALE_PATHS = [Path(__file__).resolve().parent / "web" / "locale"]
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
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"corridor": {"level": "INFO"}},
}
