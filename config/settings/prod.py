"""Production: every secret from the environment, secure cookies, static files collected."""

import os

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = os.environ["SCP_SECRET_KEY"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
