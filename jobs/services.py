"""The queue's writes: enqueue, claim (one worker gets a job, however many ask at once),
progress, finish and fail. State changes are audited; progress is not (it is frequent and
only news)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common.services import audit_record
from jobs.kinds import KINDS, Outcome
from jobs.models import Job, JobState


@transaction.atomic
def job_enqueue(*, kind: str, actor: Any, content: bytes = b"", filename: str = "",
                params: dict[str, Any] | None = None) -> Job:
    """Queue a job of a registered `kind` for `actor`, in the language of the request."""
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job.objects.create(
        kind=kind, owner=actor, org_unit=getattr(actor, "org_unit", None),
        language=translation.get_language() or settings.LANGUAGE_CODE,
        params=params or {}, content=content, filename=filename[:200])
    audit_record(actor=actor, action="job.enqueue", target=job, note=str(KINDS[kind].label))
    return job


def _stale_fail() -> None:
    """Fail the running jobs whose worker stopped reporting (killed, restarted): their
    writes were rolled back with it, so the owner may simply try again."""
    limit = timezone.now() - dt.timedelta(seconds=settings.SCP_JOB_STALE_SECONDS)
    for job in Job.objects.filter(state=JobState.RUNNING, heartbeat_at__lt=limit):
        with translation.override(job.language):
            job_fail(job=job, message=_(
                "The job was interrupted (the server stopped or restarted); nothing was "
                "stored. Start it again."))


def job_claim(*, worker: str) -> Job | None:
    """The oldest queued job, now running for `worker`; None when the queue is empty.
    Two workers asking at once never get the same job: PostgreSQL skips rows another
    transaction has locked, SQLite's conditional UPDATE changes a row only while it is
    still queued."""
    _stale_fail()
    queued = Job.objects.filter(state=JobState.QUEUED).order_by("created_at", "pk")
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            job = queued.select_for_update(skip_locked=True).first()
            return _started(job, worker) if job is not None else None
    for pk in queued.values_list("pk", flat=True)[:20]:
        with transaction.atomic():
            now = timezone.now()
            if Job.objects.filter(pk=pk, state=JobState.QUEUED).update(
                    state=JobState.RUNNING, worker=worker, started_at=now, heartbeat_at=now):
                return _started(Job.objects.get(pk=pk), worker)
    return None


def _started(job: Job, worker: str) -> Job:
    now = timezone.now()
    job.state, job.worker, job.started_at, job.heartbeat_at = (
        JobState.RUNNING, worker[:100], job.started_at or now, now)
    job.save(update_fields=["state", "worker", "started_at", "heartbeat_at"])
    audit_record(actor=None, action="job.start", target=job,
                 note=job.worker)
    return job


def job_progress(*, job: Job, done: int, total: int) -> None:
    """Record `done` of `total` steps (and that the worker is alive)."""
    total = max(total, 0)
    done = min(max(done, 0), total)
    now = timezone.now()
    Job.objects.filter(pk=job.pk, state=JobState.RUNNING).update(
        done=done, total=total, heartbeat_at=now)
    job.done, job.total, job.heartbeat_at = done, total, now


def _ended(job: Job, *, state: str, message: str, result: dict[str, Any]) -> Job:
    job.state, job.message, job.result = state, message, result
    job.content = b""  # the input is not kept once the job has used it
    job.finished_at = timezone.now()
    if state == JobState.DONE:
        job.total = max(job.total, 1)
        job.done = job.total
    job.save(update_fields=["state", "message", "result", "content", "finished_at", "done",
                            "total"])
    audit_record(actor=None, action=f"job.{'finish' if state == JobState.DONE else 'fail'}",
                 target=job, note=message[:500])
    return job


@transaction.atomic
def job_finish(*, job: Job, outcome: Outcome) -> Job:
    return _ended(job, state=JobState.DONE, message=outcome.message, result=outcome.result)


@transaction.atomic
def job_fail(*, job: Job, message: str, result: dict[str, Any] | None = None) -> Job:
    return _ended(job, state=JobState.FAILED, message=message, result=result or {})
