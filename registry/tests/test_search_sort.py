"""Search ignores case and diacritics, names sort in the Vietnamese alphabet: the one list
filter serves the page and the API alike, on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.services import token_create
from registry.selectors import places_matching

pytestmark = pytest.mark.django_db

NAMES = ["KCN Cái Lân", "Cụm công nghiệp Đông Hải", "Hoành Bồ", "Hà An", "Mông Dương",
         "Mạo Khê", "Việt Hưng", "Vàng Danh", "Quảng Tân", "Quảng Đức"]
IN_ORDER = ["Cụm công nghiệp Đông Hải", "Hà An", "Hoành Bồ", "KCN Cái Lân", "Mạo Khê",
            "Mông Dương", "Quảng Đức", "Quảng Tân", "Vàng Danh", "Việt Hưng"]


@pytest.fixture
def areas(make_area):
    return [make_area(name, kind="industrial_cluster") for name in NAMES]


@pytest.fixture
def api_get(client, coordinator):
    _token, raw = token_create(user=coordinator, name="t", actor=coordinator)
    return lambda params: client.get("/api/v1/registry/areas", params,
                                     HTTP_AUTHORIZATION=f"Bearer {raw}").json()


def _page_names(client, params):
    html = client.get(reverse("registry:list", args=["areas"]), params).content.decode()
    return [n for n in re.findall(r"<a [^>]*href=\"/registry/areas/\d+/\"[^>]*>([^<]+)</a>", html)]


@pytest.mark.parametrize(("query", "found"), [
    ("CÁI LÂN", ["KCN Cái Lân"]), ("cai lan", ["KCN Cái Lân"]), ("Cái lân", ["KCN Cái Lân"]),
    ("dong hai", ["Cụm công nghiệp Đông Hải"]), ("ĐÔNG HẢI", ["Cụm công nghiệp Đông Hải"]),
    ("cụm DONG", ["Cụm công nghiệp Đông Hải"]), ("quang", ["Quảng Đức", "Quảng Tân"]),
    ("lan dong", []),
])
def test_search_ignores_case_and_diacritics(client, coordinator, areas, api_get, query, found):
    assert [r["name"] for r in api_get({"q": query})["results"]] == found
    client.force_login(coordinator)
    assert _page_names(client, {"q": query}) == found


def test_names_sort_in_the_vietnamese_alphabet(client, coordinator, areas, api_get):
    assert [r["name"] for r in api_get({"page_size": 50})["results"]] == IN_ORDER
    assert [r["name"] for r in api_get({"sort": "-name"})["results"]] == IN_ORDER[::-1]
    client.force_login(coordinator)
    assert _page_names(client, {"sort": "name"}) == IN_ORDER
    # pagination follows the same order, from the database
    second = api_get({"page_size": 4, "page": 2})["results"]
    assert [r["name"] for r in second] == IN_ORDER[4:8]


def test_renaming_refreshes_the_keys(make_area, api_get):
    from registry.services import area_save

    area = make_area("Cái Lân", kind="industrial_cluster", code="a-1")
    area_save(entry=area, data={"name": "Đông Mai"}, actor=None)
    assert [r["name"] for r in api_get({"q": "dong mai"})["results"]] == ["Đông Mai"]
    assert api_get({"q": "cai lan"})["results"] == []


def test_place_suggestions_follow_the_alphabet(plan):
    names = [u.name for u in places_matching("h", limit=200)]
    assert names
    # Hạ Long comes before Hoành Bồ (a before o), not after it as code points would have it
    halong = next(i for i, n in enumerate(names) if n.endswith("Hạ Long"))
    hoanhbo = next(i for i, n in enumerate(names) if n.endswith("Hoành Bồ"))
    assert halong < hoanhbo
