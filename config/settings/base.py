"""Settings shared by every environment. Environment-specific files import * from here."""

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_list, env_str

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
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "common.middleware.IgnoreAcceptLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
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


def _database() -> dict:
    url = env_str("DATABASE_URL", "")
    if url:
        return dict(dj_database_url.parse(url, conn_max_age=60))
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": env_str("SCP_SQLITE_PATH", str(VAR_DIR / "scp-monitor.sqlite3")),
        "OPTIONS": {
            # WAL lets readers proceed while one writer commits; IMMEDIATE avoids
            # "database is locked" upgrades in the middle of a write transaction.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        },
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

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
STATIC_ROOT = VAR_DIR / "static"

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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("SCP_LOG_LEVEL", "INFO")},
}
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
