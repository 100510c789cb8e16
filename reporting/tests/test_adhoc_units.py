"""The ad-hoc request's units are found by typing, not picked from every unit: the page
stays small with a national number of communes, and works without JavaScript."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from orgunits.models import OrgUnit
from reporting.models import Period

pytestmark = pytest.mark.django_db


@pytest.fixture
def coord(client, coordinator):
    client.force_login(coordinator)
    return client


def _data(**extra):
    due = (dt.date.today() + dt.timedelta(days=5)).strftime("%d/%m/%Y")
    return {"title": "Rà soát nhanh", "instructions": "", "due_date": due, "group": "chosen",
            "q-TOTAL_FORMS": "1", "q-INITIAL_FORMS": "0", "q-0-name": "Số cơ sở",
            "q-0-value_type": "integer", **extra}


def test_the_form_stays_small_with_3000_communes(coord, plan, nation,
                                                 django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = coord.get(reverse("reporting:adhoc-new"))
    assert response.status_code == 200 and len(response.content) < 40_000
    assert "Xã Thử Nghiệm" not in response.content.decode()


def test_the_search_shows_ticked_units_and_a_few_matches(coord, plan, nation):
    ticked = OrgUnit.objects.get(code="xa-thu-7")
    html = coord.get(reverse("reporting:adhoc-units"),
                     {"unit_search": "thu nghiem", "units": [ticked.pk]}).content.decode()
    assert html.count('type="checkbox"') == 21 and html.count("checked") == 1
    assert f'value="{ticked.pk}" checked' in html


def test_without_javascript_find_shows_units_then_the_request_goes_to_those_ticked(
        coord, plan, nation):
    found = coord.post(reverse("reporting:adhoc-new"), _data(unit_search="so tai chinh",
                                                             find="1"))
    assert found.status_code == 200 and not Period.objects.filter(kind="adhoc").exists()
    assert "Sở Tài chính" in found.content.decode()
    units = [OrgUnit.objects.get(code="stc"), OrgUnit.objects.get(code="xa-thu-2999")]
    sent = coord.post(reverse("reporting:adhoc-new"), _data(units=[u.pk for u in units]))
    assert sent.status_code == 302
    period = Period.objects.get(kind="adhoc")
    assert set(period.requests.values_list("org_unit__code", flat=True)) == {
        "stc", "xa-thu-2999"}
