"""A unit's report as an official document: the number and symbol, date, signatory and
position of the signed letter the unit sends (Decree 30/2020/NĐ-CP), and the signed scan
as a PDF, kept beside the report in the system."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.models import TimeStampedModel

MAX_SCAN_BYTES = 10 * 1024 * 1024


class OfficialDocument(TimeStampedModel):
    """The official letter behind one unit's report: "Báo cáo số 125/BC-STNMT ngày
    05/12/2024, Phó Giám đốc Nguyễn Văn A ký". The scan is stored in the database (at most
    10 MB): one backup holds everything, and no file server is needed on the intranet."""

    request = models.OneToOneField(
        "reporting.ReportRequest",
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="official_document",
    )
    number = models.CharField(_("number and symbol"), max_length=60)
    issued_on = models.DateField(_("date of the document"))
    signatory = models.CharField(_("signed by"), max_length=120)
    position = models.CharField(_("position of the signatory"), max_length=120)
    scan = models.BinaryField(_("signed scan (PDF)"), null=True, blank=True, editable=False)
    scan_name = models.CharField(_("scan file name"), max_length=200, blank=True)
    scan_size = models.PositiveIntegerField(_("scan size (bytes)"), default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("official document")
        verbose_name_plural = _("official documents")
        ordering = ["-issued_on", "number"]
        constraints = [
            models.CheckConstraint(condition=~Q(number=""),
                                   name="officialdocument_number_given"),
            models.CheckConstraint(condition=Q(scan_size__lte=MAX_SCAN_BYTES),
                                   name="officialdocument_scan_bounded"),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.issued_on:%d/%m/%Y})"

    @property
    def has_scan(self) -> bool:
        return self.scan_size > 0
