"""gunicorn settings for `scp-monitor serve` (and `gunicorn -c config/gunicorn.conf.py
config.wsgi:application`). Each can be changed through the environment."""

import gc
import multiprocessing
import os

# nginx forwards to this address; keep it on the loopback unless a container publishes it.
bind = os.environ.get("SCP_BIND", "127.0.0.1:8000")
# Synchronous workers: the app is database-bound and short requests dominate. Two per core
# plus one is gunicorn's rule of thumb; an Excel import holds one worker while it runs.
workers = int(os.environ.get("SCP_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
threads = int(os.environ.get("SCP_THREADS", "1"))
# Long enough for the largest accepted import, short enough to free a stuck worker.
timeout = int(os.environ.get("SCP_WORKER_TIMEOUT", "120"))
graceful_timeout = 30
# Recycle workers now and then so a slow leak can never grow without bound.
max_requests = int(os.environ.get("SCP_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# nginx sets X-Forwarded-Proto; trust it from the proxy's address only.
forwarded_allow_ips = os.environ.get("SCP_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Django writes its own JSON access line per request (with request id, user and unit).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("SCP_LOG_LEVEL", "info").lower()
# Bound what a client can send in the request line and headers.
limit_request_line = 8190
limit_request_fields = 100


def on_starting(server) -> None:
    """Stop at once, with one line, if a setting is missing: before any worker boots."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")
    from config.cli import settings_or_exit

    settings_or_exit("scp-monitor serve")


def post_worker_init(worker) -> None:
    """The application is loaded: move its objects (modules, URL patterns, templates) out
    of the garbage collector's sight, so that a full collection during a request walks
    only what requests made (about 200.000 objects otherwise, several ms each time)."""
    gc.collect()
    gc.freeze()
