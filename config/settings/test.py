"""Test settings: fast hashing, in-memory e-mail. DATABASE_URL selects PostgreSQL."""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["*"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Live-server tests run in other threads; persistent connections would outlive the test
# database and block its removal on PostgreSQL.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Jobs run at once in the request, so a page test sees the job ended (browser tests
# switch to "thread").
SCP_JOB_RUNNER = "inline"
