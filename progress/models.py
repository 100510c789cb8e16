"""What progress stores: the coordinator's assessment of a qualitative target (e.g.
II.2.2.1 "effective enforcement"), with its justification; and the consumption summary,
per enterprise and year, that the live index sums (progress.summary): rewritten in the
transaction of every change of an enterprise's figures, read through the registry's
acceptance rule, so it holds no state of its own. Every number is computed on request
(progress.selectors)."""

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


class RecordPart(models.Model):
    """What one whole-year consumption record brings to the index, converted and
    attributed (docs/progress-method.md, section 3): its energy use (toe), whether it has
    any series (output and an input), and the items left out for want of a conversion.
    The sector is the enterprise's (rewritten when it changes)."""

    record = models.OneToOneField("registry.ConsumptionRecord", verbose_name=_("record"),
                                  on_delete=models.CASCADE, related_name="+")
    enterprise = models.ForeignKey("registry.Enterprise", verbose_name=_("enterprise"),
                                   on_delete=models.CASCADE, related_name="+")
    sector = models.ForeignKey("plans.Sector", verbose_name=_("sector"),
                               on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    energy = models.FloatField(_("energy (toe)"))
    observed = models.BooleanField(_("has series"))
    fallback = models.BooleanField(_("shared by output for want of its principal product"))
    unconverted = models.TextField(_("items without a conversion"), blank=True)

    class Meta:
        verbose_name = _("record in the consumption index")
        verbose_name_plural = _("records in the consumption index")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"],
                                    name="recordpart_unique_year"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.year}"


class LinkPart(models.Model):
    """One enterprise's part in one group's link of `year` on the year before: the sums
    over its series present in both records (`methods.LinkSums`) and the series left out
    (product and reason, one per line). It counts only while both records count."""

    enterprise = models.ForeignKey("registry.Enterprise", verbose_name=_("enterprise"),
                                   on_delete=models.CASCADE, related_name="+")
    sector = models.ForeignKey("plans.Sector", verbose_name=_("sector"),
                               on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    group = models.CharField(_("group of inputs"), max_length=40)
    before = models.ForeignKey("registry.ConsumptionRecord", verbose_name=_("earlier record"),
                               on_delete=models.CASCADE, related_name="+")
    after = models.ForeignKey("registry.ConsumptionRecord", verbose_name=_("later record"),
                              on_delete=models.CASCADE, related_name="+")
    before_weighted = models.FloatField(_("Σ earlier consumption × ratio"))
    after_weighted = models.FloatField(_("Σ later consumption × ratio"))
    before_total = models.FloatField(_("Σ earlier consumption"))
    after_total = models.FloatField(_("Σ later consumption"))
    series = models.PositiveIntegerField(_("series in the link"))
    left_out = models.TextField(_("series left out"), blank=True)

    class Meta:
        verbose_name = _("enterprise's part in a link of the consumption index")
        verbose_name_plural = _("enterprises' parts in links of the consumption index")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year", "group"],
                                    name="linkpart_unique_group_year"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.year} {self.group}"


class SectorTotals(models.Model):
    """A sector's sums for the live index, summed from the summary over the records that
    count (`progress.summary.summary_sums`), every year: what the overview reads instead
    of every enterprise's parts. Valid while `computed_generation` equals `generation`;
    whatever changes the sector's parts or which of its records count (figures, a
    report's state, a designation) raises `generation` in the same transaction, and the
    next read sums that sector again."""

    sector = models.OneToOneField("plans.Sector", verbose_name=_("sector"), primary_key=True,
                                  on_delete=models.CASCADE, related_name="+")
    generation = models.PositiveBigIntegerField(_("generation"), default=0)
    computed_generation = models.PositiveBigIntegerField(_("generation summed"), null=True,
                                                         blank=True)
    sums = models.JSONField(_("sums by year"), default=dict, blank=True)

    class Meta:
        verbose_name = _("sector's totals in the consumption index")
        verbose_name_plural = _("sectors' totals in the consumption index")

    def __str__(self) -> str:
        return f"{self.sector_id} ({self.generation})"


class SummaryBasis(models.Model):
    """The conversion factors and principal products the summary was built with (a
    fingerprint): while they differ from the current ones, the index is computed from
    the raw figures instead."""

    key = models.CharField(_("key"), max_length=20, unique=True)
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    built_at = models.DateTimeField(_("built at"), auto_now=True)

    class Meta:
        verbose_name = _("basis of the consumption summary")
        verbose_name_plural = _("bases of the consumption summary")

    def __str__(self) -> str:
        return self.fingerprint


STATUS_LABELS = {
    **dict(AssessedStatus.choices),
    methods.NOT_ENOUGH_DATA: _("Not enough data"),
}
