"""Background jobs: work started from a page that takes longer than a request should (an
Excel import of thousands of rows), run by a worker while the page shows its progress."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class JobState(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Job(models.Model):
    """One piece of work of a registered kind (`jobs.kinds`), asked for by `owner`.

    Queued with its input (`content`, the uploaded file, and `params`); a worker claims it
    (`running`), records `done` of `total` steps as it goes, and ends it `done` or `failed`
    with `message` (in the owner's language, `language`) and `result` (for an import: its
    tally, or every problem with sheet, row and column). The input is dropped when the job
    ends. `heartbeat_at` moves with every progress report: a running job whose heartbeat
    stopped long ago lost its worker (`jobs.services.job_claim` fails it)."""

    kind = models.CharField(_("kind"), max_length=40)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("asked by"),
                              on_delete=models.CASCADE, related_name="jobs")
    org_unit = models.ForeignKey("orgunits.OrgUnit", verbose_name=_("unit"), null=True,
                                 blank=True, on_delete=models.SET_NULL, related_name="+")
    language = models.CharField(_("language"), max_length=10)
    state = models.CharField(_("state"), max_length=10, choices=JobState.choices,
                             default=JobState.QUEUED)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    content = models.BinaryField(_("input file"), blank=True, default=b"")
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    done = models.PositiveIntegerField(_("steps done"), default=0)
    total = models.PositiveIntegerField(_("steps in all"), default=0)
    message = models.TextField(_("message"), blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    worker = models.CharField(_("worker"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last progress at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "created_at"], name="job_state_created")]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=JobState.values),
                                   name="job_state_valid"),
            models.CheckConstraint(condition=Q(done__lte=F("total")),
                                   name="job_done_within_total"),
            models.CheckConstraint(
                condition=Q(state__in=[JobState.QUEUED, JobState.RUNNING],
                            finished_at__isnull=True)
                | Q(state__in=[JobState.DONE, JobState.FAILED], finished_at__isnull=False),
                name="job_finished_when_ended"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.get_state_display()})"

    @property
    def is_active(self) -> bool:
        """Still waiting or running: its page keeps asking for news."""
        return self.state in (JobState.QUEUED, JobState.RUNNING)

    @property
    def percent(self) -> int:
        return (100 * self.done) // self.total if self.total else 0
