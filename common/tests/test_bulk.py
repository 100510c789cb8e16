"""Many rows stored at once (common.bulk) come back as `save()` leaves them, on either path:
COPY on PostgreSQL for many rows, bulk_create/bulk_update otherwise."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from common import bulk
from common.models import AuditEvent
from common.services import audit_event
from common.text import fold, sort_key
from orgunits.models import OrgUnit, OrgUnitKind


@pytest.fixture(params=["many", "few", "one"])
def size(request) -> int:
    """Enough rows for COPY (on PostgreSQL), too few, or one (a plain UPDATE)."""
    return {"many": bulk.COPY_FROM + 5, "few": 3, "one": 1}[request.param]


@pytest.mark.django_db
def test_new_rows_get_ids_dates_and_text_keys(size):
    units = [OrgUnit(code=f"xa-{i}", name=f"Xã Đông {i}", kind=OrgUnitKind.COMMUNE,
                     valid_from=dt.date(2025, 7, 1)) for i in range(size)]
    bulk.rows_insert(objs=units)
    assert all(u.pk and not u._state.adding for u in units)
    stored = OrgUnit.objects.get(pk=units[-1].pk)
    assert stored.name == f"Xã Đông {size - 1}" and stored.valid_from == dt.date(2025, 7, 1)
    assert stored.created_at and stored.updated_at
    assert stored.name_sort == sort_key(stored.name)
    assert fold("dong") in stored.search_text
    assert OrgUnit.objects.filter(code__startswith="xa-").count() == size


@pytest.mark.django_db
def test_audit_records_keep_their_changes(size, coordinator):
    changes = [{"field": "name", "old": 'say "hi"\\', "new": "Khu \t{A}"}]
    target = coordinator.org_unit
    bulk.rows_insert(objs=[audit_event(actor=coordinator, action="area.create",
                                       target=target, changes=changes) for _i in range(size)])
    events = AuditEvent.objects.filter(action="area.create")
    assert events.count() == size
    assert {e.changes[0]["old"] for e in events} == {'say "hi"\\'}
    assert all(e.occurred_at and e.actor_id == coordinator.pk for e in events)


@pytest.mark.django_db
def test_changed_rows_are_stored_with_their_keys_and_stamp(size):
    units = [OrgUnit(code=f"xa-{i}", name=f"Xã {i}", kind=OrgUnitKind.COMMUNE)
             for i in range(size)]
    bulk.rows_insert(objs=units)
    stamp = OrgUnit.objects.get(pk=units[0].pk).updated_at
    for unit in units:
        unit.name = f"Phường {unit.code}"
        unit.short_name = "P"
    bulk.rows_update(objs=units, fields=["name", "short_name"])
    stored = OrgUnit.objects.get(pk=units[0].pk)
    assert (stored.name, stored.short_name) == ("Phường xa-0", "P")
    assert stored.updated_at > stamp and stored.name_sort == sort_key("Phường xa-0")
    assert OrgUnit.objects.filter(name__startswith="Phường xa-", short_name="P").count() == size


@pytest.mark.django_db
def test_a_taken_unique_value_raises_integrity_error(size):
    OrgUnit.objects.create(code="xa-0", name="Xã 0", kind=OrgUnitKind.COMMUNE)
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.rows_insert(objs=[OrgUnit(code=f"xa-{i}", name="Xã", kind=OrgUnitKind.COMMUNE)
                               for i in range(size)])
    assert OrgUnit.objects.filter(code__startswith="xa-").count() == 1
