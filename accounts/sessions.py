"""The session engine: Django's database sessions, with the read every signed-in request
makes compiled once per process (common.compiled) rather than by the ORM each time."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from common.compiled import Compiled

_SESSION = Compiled(lambda key: Session.objects.filter(session_key=key), key=str)


class SessionStore(db.SessionStore):
    """Database sessions (the same table and rules as Django's); an expired session reads
    as none, as in Django's own query."""

    def _get_session_from_db(self) -> Any:
        key = self.session_key
        found = _SESSION.one(key=key) if isinstance(key, str) else None
        if found is None or found.expire_date <= timezone.now():
            self._session_key = None
            return None
        return found
