"""Running queued jobs: `queue_drain` runs every queued job in this thread; `jobs_kick`,
called after a job is queued, runs them where settings.SCP_JOB_RUNNER says:

- "thread" (the default, for `runserver`, `demo --serve` and a server without a worker):
  a background thread of the serving process drains the queue, then ends;
- "worker": nothing here; `scp-monitor worker` (its own process, deploy/) claims them;
- "inline": at once, in the caller's thread (tests: the page then shows the job ended).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import close_old_connections, connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from common.exceptions import ConflictError
from jobs.kinds import KINDS, JobFailed
from jobs.models import Job
from jobs.services import job_claim, job_fail, job_finish, job_progress

log = logging.getLogger(__name__)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.current_thread().name}"


def job_run(job: Job) -> Job:
    """Run one claimed job to its end, in its owner's language: done with the run's
    outcome, or failed with a message (and problems) for the page. Never raises."""
    with translation.override(job.language):
        kind = KINDS.get(job.kind)
        try:
            if kind is None:
                raise JobFailed(_("This kind of job is no longer known: start it again."))
            actor = get_user_model().objects.select_related("org_unit").get(pk=job.owner_id)
            outcome = kind.run(content=bytes(job.content), params=job.params, actor=actor,
                               on_progress=lambda done, total: job_progress(
                                   job=job, done=done, total=total))
        except JobFailed as exc:
            return job_fail(job=job, message=exc.message, result=exc.result)
        except ConflictError as exc:
            return job_fail(job=job, message=str(exc.message))
        except Exception:
            log.exception("job %s (%s) failed", job.pk, job.kind)
            return job_fail(job=job, message=_(
                "The job stopped on an unexpected error and stored nothing. Try again; if it "
                "happens again, tell the administrator."))
        return job_finish(job=job, outcome=outcome)


def queue_drain(*, worker: str | None = None, limit: int | None = None,
                stop: Callable[[], bool] = lambda: False) -> int:
    """Claim and run queued jobs until the queue is empty, `limit` jobs ran or `stop()`
    says so; returns how many ran."""
    ran = 0
    while (limit is None or ran < limit) and not stop():
        job = job_claim(worker=worker or worker_name())
        if job is None:
            break
        job_run(job)
        ran += 1
    return ran


class _Drainer:
    """At most one draining thread per process; a kick while it runs makes it look again
    before it ends, so no job queued meanwhile is left waiting."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.pending = False

    def kick(self) -> None:
        with self.lock:
            self.pending = True
            if self.thread is None:
                self.thread = threading.Thread(target=self._loop, name="scp-jobs", daemon=True)
                self.thread.start()

    def _loop(self) -> None:
        try:
            while True:
                with self.lock:
                    if not self.pending:
                        self.thread = None
                        return
                    self.pending = False
                close_old_connections()
                try:
                    queue_drain()
                except Exception:  # the database went away: the next kick tries again
                    log.exception("draining the job queue failed")
        finally:
            with self.lock:
                self.thread = None
            connection.close()

    def join(self, timeout: float) -> None:
        thread = self.thread
        if thread is not None:
            thread.join(timeout)


DRAINER = _Drainer()


def jobs_kick() -> None:
    """A job was queued: have it run (see the module's docstring)."""
    runner = settings.SCP_JOB_RUNNER
    if runner == "thread":
        transaction.on_commit(DRAINER.kick)
    elif runner == "inline":
        queue_drain()
