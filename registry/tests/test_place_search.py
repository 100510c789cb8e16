"""Places are typed, not picked from every commune: the list filters and entry forms use a
search field the server completes (htmx), which also works as a plain text field. Pages
stay small with a national number of communes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from registry.models import Area
from registry.tests.conftest import unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def coord(client, coordinator):
    client.force_login(coordinator)
    return client


def test_list_and_form_pages_stay_small_with_3000_communes(coord, make_area, nation,
                                                           django_assert_max_num_queries):
    make_area("KCN Cái Lân", place="p-bai-chay")
    with django_assert_max_num_queries(12):
        listing = coord.get(reverse("registry:list", args=["areas"]))
    assert listing.status_code == 200
    assert len(listing.content) < 40_000
    assert "Xã Thử Nghiệm" not in listing.content.decode()
    form = coord.get(reverse("registry:create", args=["areas"]))
    assert form.status_code == 200 and len(form.content) < 40_000


def test_the_server_suggests_a_few_matching_places(coord, nation):
    url = reverse("registry:places-search")
    html = coord.get(url, {"name": "place", "place": "bai chay"}).content.decode()
    assert html.count("<option") >= 1 and 'value="Phường Bãi Cháy' in html
    many = coord.get(url, {"name": "later_place", "later_place": "THU NGHIEM"}).content.decode()
    assert many.count("<option") == 20
    assert coord.get(url, {"name": "place", "place": " "}).content.decode().strip() == ""


def test_the_filter_takes_a_typed_name_without_javascript(coord, make_area, nation):
    make_area("KCN Cái Lân", place="p-bai-chay")
    make_area("KCN Việt Hưng", place="p-viet-hung")
    url = reverse("registry:list", args=["areas"])
    for typed in ["Phường Bãi Cháy", "phuong bai chay", "p-bai-chay", str(unit("p-bai-chay").pk)]:
        html = coord.get(url, {"place": typed, "on": "01/08/2025"}).content.decode()
        assert "KCN Cái Lân" in html and "KCN Việt Hưng" not in html, typed
        assert 'value="Phường Bãi Cháy' in html, typed  # the field shows the place it read
    html = coord.get(url, {"place": "Thử Nghiệm 12"}).content.decode()
    assert "places match" in html or "nơi khớp" in html
    assert "KCN Cái Lân" not in html
    html = coord.get(url, {"place": "Sao Hỏa"}).content.decode()
    assert "KCN Cái Lân" not in html and "Sao Hỏa" in html


def test_an_entry_is_saved_with_a_typed_place(coord, nation):
    response = coord.post(reverse("registry:create", args=["areas"]), {
        "kind": "industrial_cluster", "name": "CCN Thử", "place": "Xã Thử Nghiệm 2999",
        "valid_from": "01/01/2026"})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Area.objects.get(name="CCN Thử").place.code == "xa-thu-2999"
