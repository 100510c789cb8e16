"""Keep the consumption summary (`progress.summary`) in step with what it is built from,
inside the transaction that changes it: an enterprise's figures, its sector, a sector's
principal product. A change of the unit table makes the summary's basis stale (the index
is then computed from the raw figures) until it is rebuilt after that commit."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from plans.models import Sector
from progress.consumption import factors_of
from progress.models import RecordPart
from progress.summary import (
    factors_cache_clear,
    sector_totals_invalidate,
    summary_current,
    summary_refresh,
)
from registry.conversion import UnitTable
from registry.models import ConsumptionRecord, Enterprise, FuelFactor, Item, MeasureUnit
from registry.signals import figures_changed
from reporting.models import ReportRequest
from reporting.signals import reports_changed


@receiver(figures_changed, sender=ConsumptionRecord)
def _figures_changed(sender: Any, enterprise_ids: list[int], **kwargs: Any) -> None:
    summary_refresh(enterprise_ids=enterprise_ids)


@receiver(post_save, sender=Enterprise)
def _enterprise_saved(sender: Any, instance: Enterprise, created: bool, **kwargs: Any) -> None:
    if created:  # no records yet
        return
    # the rows carry its sector; a record whose rule is the principal product falls back
    # to output shares in a sector whose principal it lacks
    if RecordPart.objects.filter(enterprise=instance).exclude(
            sector_id=instance.sector_id).exists():
        summary_refresh(enterprise_ids=[instance.pk])
    else:  # its reporting unit decides which of its records count
        sector_totals_invalidate(sector_ids=[instance.sector_id])


@receiver(post_delete, sender=Enterprise)
def _enterprise_deleted(sender: Any, instance: Enterprise, **kwargs: Any) -> None:
    sector_totals_invalidate(sector_ids=[instance.sector_id])


@receiver(post_delete, sender=ConsumptionRecord)
def _record_deleted(sender: Any, instance: ConsumptionRecord, **kwargs: Any) -> None:
    # its parts went with it (on_delete=CASCADE); the sector's totals summed them
    sector_totals_invalidate(sector_ids=Enterprise.objects.filter(
        pk=instance.enterprise_id).values_list("sector_id", flat=True))


@receiver(reports_changed, sender=ReportRequest)
def _reports_changed(sender: Any, report_ids: list[int], **kwargs: Any) -> None:
    """A report opened or changing state hides or shows its unit's records."""
    sector_totals_invalidate(sector_ids=Enterprise.objects.filter(
        reporting_unit__report_requests__in=report_ids).values_list("sector_id", flat=True))


@receiver(post_save, sender=ReportRequest)
def _report_saved(sender: Any, instance: ReportRequest, **kwargs: Any) -> None:
    _reports_changed(sender, report_ids=[instance.pk])


@receiver(post_delete, sender=ReportRequest)
def _report_deleted(sender: Any, **kwargs: Any) -> None:
    # rare (a period or unit removed), and the unit's enterprises may be detached already
    sector_totals_invalidate(sector_ids=None)


@receiver(post_save, sender=Sector)
def _sector_saved(sender: Any, instance: Sector, **kwargs: Any) -> None:
    summary_refresh(enterprise_ids=Enterprise.objects.filter(sector=instance)
                    .values_list("pk", flat=True))


def summary_rebuild_if_stale() -> None:
    table = UnitTable()
    if not summary_current(factors_of(table)):
        summary_refresh(enterprise_ids=None, table=table)


@receiver(post_save, sender=MeasureUnit)
@receiver(post_save, sender=FuelFactor)
@receiver(post_save, sender=Item)
@receiver(post_delete, sender=MeasureUnit)
@receiver(post_delete, sender=FuelFactor)
@receiver(post_delete, sender=Item)
@receiver(m2m_changed, sender=Item.kinds.through)
def _unit_table_changed(sender: Any, **kwargs: Any) -> None:
    factors_cache_clear()
    transaction.on_commit(summary_rebuild_if_stale)


def summary_after_migrate(sender: Any, **kwargs: Any) -> None:
    """Build the summary on a database migrated to it (or whose factors changed)."""
    summary_rebuild_if_stale()
