"""The project's WSGI application with every URL module (and so every view, matplotlib
included) imported at load, for `gunicorn --preload`: the workers fork ready. Otherwise each
worker imports them on its first request, which on a loaded machine outlived gunicorn's
worker timeout: workers were killed in a loop while the login page was measured, which
then printed no row."""

from django.urls import get_resolver

from config.wsgi import application

get_resolver().url_patterns  # noqa: B018 (imports config.urls and every include)

__all__ = ["application"]
