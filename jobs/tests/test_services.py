"""The queue: a job is claimed once (also by two workers at once on PostgreSQL), its
progress is recorded, its end is audited and drops its input; a silent running job is
failed."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Role
from common.models import AuditEvent
from jobs.kinds import Outcome
from jobs.models import Job, JobState
from jobs.services import job_claim, job_enqueue, job_fail, job_finish, job_progress
from jobs.tests.conftest import echo


def test_enqueue_claim_progress_finish(make_user, test_kind):
    owner = make_user(Role.REPORTER, "sct")
    job = job_enqueue(kind=test_kind(echo), actor=owner, content=b"abc", filename="a.xlsx",
                      params={"x": 1})
    assert (job.state, job.org_unit.code, job.language) == (JobState.QUEUED, "sct", "vi")
    claimed = job_claim(worker="w1")
    assert claimed is not None and claimed.pk == job.pk and claimed.state == JobState.RUNNING
    assert job_claim(worker="w2") is None  # never twice
    job_progress(job=claimed, done=5, total=3)  # clamped to the total
    assert Job.objects.values_list("done", "total").get(pk=job.pk) == (3, 3)
    job_finish(job=claimed, outcome=Outcome("xong", {"rows": 3}))
    job.refresh_from_db()
    assert (job.state, job.message, job.result) == (JobState.DONE, "xong", {"rows": 3})
    assert bytes(job.content) == b"" and job.finished_at is not None
    assert list(AuditEvent.objects.filter(scope=f"jobs.job:{job.pk}").order_by("pk")
                .values_list("action", flat=True)) == ["job.enqueue", "job.start", "job.finish"]


def test_enqueue_refuses_an_unknown_kind(make_user):
    with pytest.raises(ValueError):
        job_enqueue(kind="nothing", actor=make_user(Role.COORDINATOR, "sct"))
    assert not Job.objects.exists()


def test_claim_takes_the_oldest_first(make_user, test_kind):
    owner = make_user(Role.COORDINATOR, "sct")
    first = job_enqueue(kind=test_kind(echo), actor=owner)
    second = job_enqueue(kind="test.run", actor=owner)
    assert [job_claim(worker="w").pk, job_claim(worker="w").pk] == [first.pk, second.pk]


def test_a_silent_running_job_is_failed_in_its_owners_language(make_user, test_kind):
    owner = make_user(Role.COORDINATOR, "sct")
    job = job_enqueue(kind=test_kind(echo), actor=owner)
    job_claim(worker="w")
    Job.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - dt.timedelta(hours=1))
    assert job_claim(worker="w") is None
    job.refresh_from_db()
    assert job.state == JobState.FAILED and "không có dữ liệu nào được lưu" in job.message


def test_fail_keeps_the_problems(make_user, test_kind):
    job = job_enqueue(kind=test_kind(echo), actor=make_user(Role.COORDINATOR, "sct"),
                      content=b"x")
    job_fail(job=job_claim(worker="w"), message="hỏng", result={"problems": [1]})
    job.refresh_from_db()
    assert (job.state, job.result, bytes(job.content)) == (JobState.FAILED,
                                                            {"problems": [1]}, b"")


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="row locks skipped by another transaction: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_at_once_get_the_job_once(reference_data, make_user, test_kind,
                                                       monkeypatch):
    """Worker A holds the job's row locked (its claim not yet committed) while B asks:
    B is not blocked and does not get it (SKIP LOCKED); then both ask together, with a
    barrier, for a second job: exactly one gets it."""
    from jobs import services

    owner = make_user(Role.COORDINATOR, "sct")
    kind = test_kind(echo)
    job_enqueue(kind=kind, actor=owner)
    locked, release = threading.Event(), threading.Event()
    started = services._started
    results: dict[str, object] = {}

    def slow_start(job, worker):
        if worker == "a":
            locked.set()
            release.wait(10)
        return started(job, worker)

    monkeypatch.setattr(services, "_started", slow_start)

    def claim(name: str) -> None:
        try:
            results[name] = job_claim(worker=name)
        finally:
            connection.close()

    a = threading.Thread(target=claim, args=("a",))
    a.start()
    assert locked.wait(10)
    claim("b")  # answers at once although A's transaction holds the row
    release.set()
    a.join(10)
    assert results["b"] is None and results["a"] is not None

    job_enqueue(kind=kind, actor=owner)
    barrier = threading.Barrier(2)

    def together(name: str) -> None:
        barrier.wait(10)
        claim(name)

    threads = [threading.Thread(target=together, args=(n,)) for n in ("c", "d")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert sorted(r is not None for r in (results["c"], results["d"])) == [False, True]
    assert Job.objects.filter(state=JobState.RUNNING).count() == 2
