"""The admin pages for units and successions still work with the loaded data."""

from __future__ import annotations

import pytest

from orgunits.models import OrgUnit, Succession
from orgunits.tests.helpers import load_reference

pytestmark = pytest.mark.django_db


def test_admin_pages(admin_client):
    load_reference()
    unit = OrgUnit.objects.get(code="tp-ha-long")
    succession = Succession.objects.filter(predecessor=unit).first()
    for url in (
        "/admin/orgunits/orgunit/",
        "/admin/orgunits/orgunit/?kind=ward",
        f"/admin/orgunits/orgunit/{unit.pk}/change/",
        "/admin/orgunits/succession/",
        f"/admin/orgunits/succession/{succession.pk}/change/",
        "/admin/autocomplete/?app_label=orgunits&model_name=succession"
        "&field_name=successor&term=Hà",
    ):
        assert admin_client.get(url).status_code == 200, url
