"""The one thing progress stores: the coordinator's assessment of a qualitative target
(e.g. II.2.2.1 "effective enforcement"), with its justification. Every number is computed
from accepted data on request (progress.selectors), so nothing else is kept."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from progress import methods


class AssessedStatus(models.TextChoices):
    ACHIEVED = methods.ACHIEVED, _("Achieved")
    ON_TRACK = methods.ON_TRACK, _("On track")
    AT_RISK = methods.AT_RISK, _("At risk")
    OFF_TRACK = methods.OFF_TRACK, _("Off track")
    NOT_ACHIEVED = methods.NOT_ACHIEVED, _("Not achieved")


class Assessment(models.Model):
    """The coordinator's assessment of a qualitative target for a year: a status and why."""

    target = models.ForeignKey("plans.Target", verbose_name=_("target"),
                               on_delete=models.CASCADE, related_name="assessments")
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(_("status"), max_length=16, choices=AssessedStatus.choices)
    justification = models.TextField(_("justification"))
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assessed by"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    assessed_at = models.DateTimeField(_("assessed at"))

    class Meta:
        verbose_name = _("assessment of a qualitative target")
        verbose_name_plural = _("assessments of qualitative targets")
        ordering = ["target", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["target", "year"], name="assessment_unique_year"),
            models.CheckConstraint(condition=Q(status__in=AssessedStatus.values),
                                   name="assessment_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.target.ref} {self.year}: {self.get_status_display()}"


STATUS_LABELS = {
    **dict(AssessedStatus.choices),
    methods.NOT_ENOUGH_DATA: _("Not enough data"),
}
