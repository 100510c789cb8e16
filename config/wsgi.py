"""WSGI entry point (gunicorn: config.wsgi:application)."""

import os

from django.core.wsgi import get_wsgi_application

from config.cli import settings_or_exit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
settings_or_exit("scp-monitor")
application = get_wsgi_application()
