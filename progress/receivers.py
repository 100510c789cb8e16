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
from progress.summary import summary_current, summary_refresh
from registry.conversion import UnitTable
from registry.models import ConsumptionRecord, Enterprise, FuelFactor, Item, MeasureUnit
from registry.signals import figures_changed


@receiver(figures_changed, sender=ConsumptionRecord)
def _figures_changed(sender: Any, enterprise_ids: list[int], **kwargs: Any) -> None:
    summary_refresh(enterprise_ids=enterprise_ids)


@receiver(post_save, sender=Enterprise)
def _enterprise_saved(sender: Any, instance: Enterprise, created: bool, **kwargs: Any) -> None:
    # the rows carry its sector; a record whose rule is the principal product falls back
    # to output shares in a sector whose principal it lacks
    if not created and RecordPart.objects.filter(enterprise=instance).exclude(
            sector_id=instance.sector_id).exists():
        summary_refresh(enterprise_ids=[instance.pk])


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
    transaction.on_commit(summary_rebuild_if_stale)


def summary_after_migrate(sender: Any, **kwargs: Any) -> None:
    """Build the summary on a database migrated to it (or whose factors changed)."""
    summary_rebuild_if_stale()
