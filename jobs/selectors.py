"""The queue's reads."""

from __future__ import annotations

from typing import Any

from jobs.models import Job


def job_visible(*, user: Any, pk: int) -> Job | None:
    """The job if `user` may see it (its owner; coordinators and administrators see every
    job), else None: the page answers 404 alike for a job that is not there and one that
    is someone else's."""
    if not getattr(user, "is_authenticated", False):
        return None
    jobs = Job.objects.defer("content")
    if not user.is_coordinator:
        jobs = jobs.filter(owner=user)
    return jobs.filter(pk=pk).first()
