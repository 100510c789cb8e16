"""Property tests of the registry entry service beyond the input layer: random text,
number and date fields given to `area_save` are either stored exactly as they read back
(text as the input layer keeps it) or refused with a ValidationError keyed by exactly the
fields at fault, nothing stored. What is right or wrong is worked out here from the
model's declared limits, not by the code under test."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.models import AuditEvent
from common.parsing import text_clean
from orgunits.models import OrgUnit
from registry.models import Area
from registry.services import area_save

ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=300)  # control characters too
LINES = st.text(st.characters(codec="utf-8"), max_size=600)
HECTARES = st.decimals(min_value=Decimal("-1e13"), max_value=Decimal("1e13"),
                       allow_nan=False, allow_infinity=False, places=None) | st.none()
DAYS = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))


def _hectares_wrong(value: Decimal | None) -> bool:
    """area_ha is a DecimalField(max_digits=12, decimal_places=2), never negative; digits
    count as written (1,000 has three decimal places)."""
    if value is None:
        return False
    _sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    if exponent >= 0:
        total, places = len(digits) + (exponent if digits != (0,) else 0), 0
    else:
        places = -exponent
        total = max(len(digits), places)
    return value < 0 or total > 12 or places > 2 or total - places > 10


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(name=ANY_TEXT, activity=ANY_TEXT, address=ANY_TEXT, note=LINES, source=LINES,
       area_ha=HECTARES, valid_from=DAYS, valid_to=DAYS | st.none())
def test_an_entry_is_stored_as_read_back_or_refused_on_exactly_the_wrong_fields(
        plan, coordinator, name, activity, address, note, source, area_ha, valid_from,
        valid_to):
    place = OrgUnit.objects.get(code="tp-ha-long")
    cleaned = {"name": text_clean(name, max_length=None),
               "activity": text_clean(activity, max_length=None),
               "address": text_clean(address, max_length=None),
               "note": text_clean(note, max_length=None, multiline=True),
               "source": text_clean(source, max_length=None, multiline=True)}
    wrong = {key for key in ("name", "activity", "address") if len(cleaned[key]) > 255}
    if not cleaned["name"]:
        wrong.add("name")
    if _hectares_wrong(area_ha):
        wrong.add("area_ha")
    if valid_to is not None and valid_to <= valid_from:
        wrong.add("valid_to")
    before = (Area.objects.count(), AuditEvent.objects.count())
    data: dict[str, Any] = {
        "code": "", "kind": "industrial_cluster", "name": name, "place": place,
        "later_place": None, "activity": activity, "address": address, "note": note,
        "source": source, "area_ha": area_ha, "valid_from": valid_from, "valid_to": valid_to}
    if wrong:
        with pytest.raises(ValidationError) as refused:
            area_save(data=data, actor=coordinator)
        assert set(refused.value.message_dict) == wrong
        assert (Area.objects.count(), AuditEvent.objects.count()) == before
        return
    saved = area_save(data=data, actor=coordinator)
    stored = Area.objects.get(pk=saved.pk)
    for key, value in cleaned.items():
        assert getattr(stored, key) == value, key
    assert stored.area_ha == area_ha
    assert (stored.valid_from, stored.valid_to) == (valid_from, valid_to)
    assert (Area.objects.count(), AuditEvent.objects.count()) == (before[0] + 1, before[1] + 1)
    stored.delete()  # the next example starts from the same registry
