"""Structured logs: every record carries the request id, the user and the user's unit of
the request being served (or "-" outside a request), as JSON lines or plain text."""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any

# Set by ops.middleware.RequestContextMiddleware for the duration of one request.
request_context: ContextVar[dict[str, str] | None] = ContextVar("request_context",
                                                                default=None)

_EMPTY = {"request_id": "-", "user": "-", "unit": "-"}


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in (request_context.get() or _EMPTY).items():
            if not hasattr(record, key):
                setattr(record, key, value)
        # Django's request logger attaches the request itself, which is not JSON.
        if hasattr(record, "request"):
            record.request = str(record.request)
        return True


def logging_config(*, fmt: str, level: str) -> dict[str, Any]:
    """The LOGGING setting: `fmt` is "json" or "text"."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "ops.logging.RequestContextFilter"}},
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s "
                       "%(request_id)s %(user)s %(unit)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            },
            "text": {"format": "%(asctime)s %(levelname)s %(name)s "
                               "[%(request_id)s %(user)s %(unit)s] %(message)s"},
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "filters": ["context"],
                        "formatter": "text" if fmt == "text" else "json"},
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's default config would also mail admins and print through its own
            # handler; one handler, with context, is enough.
            "django": {"handlers": ["console"], "level": level, "propagate": False},
            # django-axes notes every successful sign-in at INFO; lock-outs are WARNING.
            "axes": {"level": "WARNING"},
        },
    }
