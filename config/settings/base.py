"""Settings shared by every environment. Environment-specific files import * from here."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_choice, env_list, env_str
from ops.logging import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = BASE_DIR / "data"
VAR_DIR = Path(env_str("SCP_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env_str("SCP_SECRET_KEY", "insecure-dev-key-change-me")
DEBUG = env_bool("SCP_DEBUG", False)
ALLOWED_HOSTS = env_list("SCP_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

# The project's apps come first: their translations and templates take precedence over
# Django's own (whose Vietnamese for "History" is "Bản ghi nhớ", for instance).
INSTALLED_APPS = [
    "common",
    "accounts",
    "orgunits",
    "plans",
    "reporting",
    "registry",
    "progress",
    "documents",
    "exchange",
    "jobs",
    "api",
    "web",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_filters",
    # django-ninja's own static files: the API docs page works without internet.
    "ninja",
    "axes",
    "csp",
    "ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Request id and log context first, so everything after logs with them; the body-size
    # cap before anything reads the body.
    "ops.middleware.RequestContextMiddleware",
    "ops.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "common.middleware.IgnoreAcceptLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "api.middleware.ApiJsonErrorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "ops.middleware.DatabaseBusyMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


SQLITE_OPTIONS = {
    # WAL lets readers proceed while one writer commits; IMMEDIATE avoids
    # "database is locked" upgrades in the middle of a write transaction.
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    "transaction_mode": "IMMEDIATE",
    # a writer waits this many seconds for another's (short) write to commit
    "timeout": 20,
}


def _database() -> dict:
    url = env_str("DATABASE_URL", "")
    if url:
        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
        if config["ENGINE"] == "django.db.backends.sqlite3":
            # a sqlite:/// address gets the embedded default's settings too (without
            # them: a rollback journal, and "database is locked" under load)
            config["OPTIONS"] = {**SQLITE_OPTIONS, **config.get("OPTIONS", {})}
        return config
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": env_str("SCP_SQLITE_PATH", str(VAR_DIR / "scp-monitor.sqlite3")),
        "OPTIONS": dict(SQLITE_OPTIONS),
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

# Argon2 for new and changed passwords; older PBKDF2 hashes still verify and are upgraded
# to Argon2 at the next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Django's database sessions, their per-request read compiled once per process.
SESSION_ENGINE = "accounts.sessions"
# django-axes checks every sign-in (pages and admin) before the password is tried.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.UserWithUnitBackend",
]
# Lock-out after SCP_LOGIN_FAILURE_LIMIT failures for one account or from one address;
# it ends after SCP_LOGIN_COOLOFF_MINUTES, or earlier when a coordinator unlocks it.
AXES_FAILURE_LIMIT = int(env_str("SCP_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(env_str("SCP_LOGIN_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "web.views.locked_out"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
# Behind nginx the client's address is the last one nginx appends to X-Forwarded-For.
AXES_IPWARE_PROXY_COUNT = int(env_str("SCP_PROXY_COUNT", "0")) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if AXES_IPWARE_PROXY_COUNT else ("REMOTE_ADDR",)
)
# New reporters get a set-password link; a link (and a reset link) is valid this long.
PASSWORD_RESET_TIMEOUT = int(env_str("SCP_PASSWORD_LINK_HOURS", "72")) * 3600

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

# Vietnamese first, English second.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["config.formats"]
LOCALE_PATHS = [BASE_DIR / "config" / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("SCP_STATIC_ROOT", str(VAR_DIR / "static")))
# WhiteNoise serves from here (filled by collectstatic) and warns when it is missing.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(env_str("SCP_MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Content-Security-Policy: only the project's own files; no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# Request bodies: an upload (multipart form) may be up to SCP_MAX_UPLOAD_MB, any other body
# (JSON, form fields) up to SCP_MAX_BODY_KB; larger ones are refused from the
# Content-Length header, before the body is read.
SCP_MAX_UPLOAD_BYTES = int(env_str("SCP_MAX_UPLOAD_MB", "10")) * 1024 * 1024
SCP_MAX_BODY_BYTES = int(env_str("SCP_MAX_BODY_KB", "1024")) * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = SCP_MAX_BODY_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# An API token's "last used" is written at most once in this many seconds, never failing
# the request it comes with.
# Background jobs (imports): where they run: "thread" (a thread of the serving process,
# no separate command needed), "worker" (only `scp-monitor worker` runs them) or "inline"
# (at once, in the request: tests). A running job silent for SCP_JOB_STALE_SECONDS lost
# its worker and is failed.
SCP_JOB_RUNNER = env_choice("SCP_JOB_RUNNER", "thread", ("thread", "worker", "inline"))
SCP_JOB_STALE_SECONDS = int(env_str("SCP_JOB_STALE_SECONDS", "900"))
SCP_TOKEN_TOUCH_SECONDS = int(env_str("SCP_TOKEN_TOUCH_SECONDS", "300"))
# A new API token lasts this many days unless its owner picks another duration.
SCP_TOKEN_DAYS = int(env_str("SCP_TOKEN_DAYS", "365"))

EMAIL_BACKEND = env_str("SCP_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("SCP_EMAIL_HOST", "localhost")
EMAIL_PORT = int(env_str("SCP_EMAIL_PORT", "25"))
EMAIL_HOST_USER = env_str("SCP_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("SCP_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("SCP_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("SCP_DEFAULT_FROM_EMAIL", "scp-monitor@congthuong.quangninh.gov.vn")

# Days before a deadline on which reporters are reminded.
SCP_REMINDER_DAYS = [int(d) for d in env_list("SCP_REMINDER_DAYS", ["7", "1"])]
# The plan loaded by `scp-monitor demo`, and the organisation-unit files.
SCP_PLAN_FILE = DATA_DIR / "plans" / "141-KH-UBND-2020.yaml"
SCP_ORGUNIT_FILES = [
    DATA_DIR / "orgunits" / "quang-ninh-2020.yaml",
    DATA_DIR / "orgunits" / "quang-ninh-2025-reorganisation.yaml",
]
SCP_UNITS_FILE = DATA_DIR / "registry" / "units.yaml"

# Logs: JSON lines (one object per line, with request id, user and unit);
# SCP_LOG_FORMAT=text for plain lines (the dev settings' default).
LOGGING = logging_config(fmt=env_str("SCP_LOG_FORMAT", "json"),
                         level=env_str("SCP_LOG_LEVEL", "INFO"))
# Each app's demo data, loaded in this order by `scp-monitor demo` after the reference data
# and the demo users.
SCP_DEMO_LOADERS = [
    "registry.demo.demo_load",
    "reporting.demo.demo_load",
    "progress.demo.demo_load",
]
# Days after a missed deadline on which overdue reminders go out.
SCP_OVERDUE_REMINDER_DAYS = [int(d) for d in env_list("SCP_OVERDUE_REMINDER_DAYS",
                                                      ["1", "7", "14", "30"])]
# The address used in links inside e-mails.
SCP_BASE_URL = env_str("SCP_BASE_URL", "http://127.0.0.1:8000")
