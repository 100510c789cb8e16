"""The worker: runs a queued job in its owner's language, records progress as it goes,
records a failure with a Vietnamese message and stores nothing of a refused import;
`scp-monitor worker` stops after its job on SIGTERM; the serving process's thread runs
jobs when no worker is configured."""

from __future__ import annotations

import io
import os
import signal
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from accounts.models import Role
from jobs.kinds import JobFailed, Outcome
from jobs.models import Job, JobState
from jobs.services import job_enqueue
from jobs.tests.conftest import echo
from jobs.worker import DRAINER, jobs_kick, queue_drain
from registry import tasks
from registry.models import Area
from registry.tests.conftest import xlsx


@pytest.mark.django_db(transaction=True)  # the command closes stale connections
def test_the_worker_runs_a_job_and_records_progress(reference_data, make_user, test_kind):
    seen: list[tuple[int, int, str]] = []

    def run(*, content: bytes, params: dict[str, Any], actor: Any, on_progress: Any
            ) -> Outcome:
        on_progress(40, 100)
        row = Job.objects.get(kind="test.run")  # what the page reads meanwhile
        seen.append((row.done, row.total, row.state))
        return Outcome(f"{actor.username}: {params['n']}")

    owner = make_user(Role.COORDINATOR, "sct")
    job = job_enqueue(kind=test_kind(run), actor=owner, params={"n": 7})
    call_command("worker", "--once", stdout=io.StringIO())
    assert seen == [(40, 100, JobState.RUNNING)]
    job.refresh_from_db()
    assert (job.state, job.message, job.done, job.total) == (
        JobState.DONE, f"{owner.username}: 7", 100, 100)


def test_a_refusal_and_an_unexpected_error_fail_in_vietnamese(make_user, test_kind):
    calls = {"n": 0}

    def run(**kwargs: Any) -> Outcome:
        calls["n"] += 1
        if calls["n"] == 1:
            raise JobFailed("bị từ chối", {"problems": [{"sheet": "A", "row": 2,
                                                         "column": "B", "message": "sai"}]})
        raise RuntimeError("boom")

    owner = make_user(Role.COORDINATOR, "sct")
    refused = job_enqueue(kind=test_kind(run), actor=owner)
    broken = job_enqueue(kind="test.run", actor=owner)
    assert queue_drain() == 2
    refused.refresh_from_db()
    broken.refresh_from_db()
    assert (refused.state, refused.message) == (JobState.FAILED, "bị từ chối")
    assert refused.result["problems"][0]["row"] == 2
    assert broken.state == JobState.FAILED
    assert broken.message.startswith("Công việc dừng vì một lỗi không lường trước")


def test_a_refused_import_stores_nothing_and_lists_each_problem(make_user, plan):
    coordinator = make_user(Role.COORDINATOR, "sct")
    rows = [["kind", "name", "place", "valid_from"]]
    rows += [["industrial_cluster", f"CCN {n}", "tp-uong-bi", "01/01/2020"] for n in range(30)]
    rows[12][2] = "khong-co"
    rows[20][3] = "31/02/2020"
    job = job_enqueue(kind=tasks.IMPORT_KIND, actor=coordinator, content=xlsx(rows),
                      params={"what": "registry", "slug": "areas"})
    queue_drain()
    job.refresh_from_db()
    assert job.state == JobState.FAILED and not Area.objects.exists()
    assert job.message == "Tệp không được nhập: 2 lỗi. Không có dữ liệu nào được lưu."
    assert [(p["row"], p["column"]) for p in job.result["problems"]] == [
        (13, "Địa bàn (như đã ghi)"), (21, "Ngày bắt đầu hoạt động")]
    again = job_enqueue(kind=tasks.IMPORT_KIND, actor=coordinator, content=xlsx(rows[:12]),
                        params={"what": "registry", "slug": "areas"})
    queue_drain()
    again.refresh_from_db()
    assert again.state == JobState.DONE and Area.objects.count() == 11
    assert (again.result["created"], again.done, again.total) == (11, 12, 12)


@pytest.mark.django_db(transaction=True)  # the command closes stale connections
def test_sigterm_lets_the_running_job_end_and_stops_the_worker(reference_data, make_user,
                                                               test_kind):
    def run(**kwargs: Any) -> Outcome:
        os.kill(os.getpid(), signal.SIGTERM)
        return Outcome("xong")

    owner = make_user(Role.COORDINATOR, "sct")
    first = job_enqueue(kind=test_kind(run), actor=owner)
    second = job_enqueue(kind="test.run", actor=owner)
    saved = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        call_command("worker", "--poll", "0.1", stdout=io.StringIO())
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)
    assert Job.objects.get(pk=first.pk).state == JobState.DONE
    assert Job.objects.get(pk=second.pk).state == JobState.QUEUED


@pytest.mark.django_db(transaction=True)
def test_without_a_worker_a_thread_of_the_server_runs_the_job(reference_data, make_user,
                                                              test_kind):
    job = job_enqueue(kind=test_kind(echo), actor=make_user(Role.COORDINATOR, "sct"),
                      content=b"abc")
    with override_settings(SCP_JOB_RUNNER="thread"):
        jobs_kick()
        DRAINER.join(20)
    job.refresh_from_db()
    assert (job.state, job.message) == (JobState.DONE, "xong abc")


def test_with_a_worker_configured_the_server_leaves_jobs_to_it(make_user, test_kind):
    job = job_enqueue(kind=test_kind(echo), actor=make_user(Role.COORDINATOR, "sct"))
    with override_settings(SCP_JOB_RUNNER="worker"):
        jobs_kick()
    assert DRAINER.thread is None
    job.refresh_from_db()
    assert job.state == JobState.QUEUED
