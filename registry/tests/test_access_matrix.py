"""Who may do what in the registries, walked as a matrix of role × operation × own/other
enterprise, through the pages and through the API. Each cell asserts the answer and, for
writes, whether anything was stored."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role
from registry import services
from registry.models import Area, ConsumptionRecord, Enterprise
from registry.tests.conftest import unit, xlsx

pytestmark = pytest.mark.django_db

ROLES = ["admin", "coordinator", "reporter", "viewer", "enterprise"]


@pytest.fixture
def world(plan, make_user, make_enterprise, units_loaded):
    own = make_enterprise("Than Một", place="tp-ha-long")
    other = make_enterprise("Than Hai", place="tp-cam-pha")
    own_user = services.enterprise_designate(enterprise=own, actor=None, password="pw").user
    services.enterprise_designate(enterprise=other, actor=None, password="pw")
    area = services.area_save(data={"kind": "industrial_park", "name": "KCN", "place":
                                    unit("tp-ha-long"), "valid_from": dt.date(2010, 1, 1)},
                              actor=None)
    users = {
        "admin": make_user(Role.ADMIN),
        "coordinator": make_user(Role.COORDINATOR, "sct"),
        "reporter": make_user(Role.REPORTER, "tp-ha-long"),
        "viewer": make_user(Role.VIEWER, "ubnd-quang-ninh"),
        "enterprise": own_user,
    }
    return {"own": Enterprise.objects.get(pk=own.pk), "other": Enterprise.objects.get(
        pk=other.pk), "area": area, "users": users}


def _login(client, world, role):
    client.force_login(world["users"][role])
    return client


READ = {"admin": 200, "coordinator": 200, "reporter": 200, "viewer": 200, "enterprise": 403}
WRITE = {"admin": 302, "coordinator": 302, "reporter": 403, "viewer": 403, "enterprise": 403}


@pytest.mark.parametrize("role", ROLES)
def test_read_registries(client, world, role):
    c = _login(client, world, role)
    for name, args in [("registry:list", ["areas"]), ("registry:list", ["retailers"]),
                       ("registry:detail", ["areas", world["area"].pk]),
                       ("registry:activity-list", []), ("registry:by-place", []),
                       ("registry:export", ["areas"])]:
        assert c.get(reverse(name, args=args)).status_code == READ[role], (role, name)
    index = c.get(reverse("registry:index"))
    assert index.status_code == (302 if role == "enterprise" else 200)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("which", ["own", "other"])
def test_see_an_enterprise(client, world, role, which):
    c = _login(client, world, role)
    e = world[which]
    expected = 403 if role == "enterprise" and which == "other" else 200
    assert c.get(reverse("registry:detail", args=["enterprises", e.pk])).status_code == expected
    api = c.get(f"/api/v1/registry/enterprises/{e.pk}/figures")
    assert api.status_code == expected
    api = c.get(f"/api/v1/registry/enterprises/{e.pk}")
    assert api.status_code == expected


def test_enterprise_user_lands_on_its_own_enterprise(client, world):
    c = _login(client, world, "enterprise")
    response = c.get(reverse("registry:list", args=["enterprises"]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("registry:detail",
                                                     args=["enterprises", world["own"].pk])
    assert "Than Hai" not in response.content.decode()
    nav = c.get(reverse("web:objectives")).content.decode()
    assert reverse("registry:mine") in nav and f'href="{reverse("registry:index")}"' not in nav


@pytest.mark.parametrize("role", ROLES)
def test_create_and_edit_entries(client, world, role):
    c = _login(client, world, role)
    response = c.post(reverse("registry:create", args=["areas"]), {
        "kind": "industrial_cluster", "name": f"CCN {role}", "place": unit("tp-uong-bi").pk,
        "valid_from": "01/01/2020"})
    assert response.status_code == WRITE[role]
    assert Area.objects.filter(name=f"CCN {role}").exists() == (WRITE[role] == 302)
    area = world["area"]
    response = c.post(reverse("registry:edit", args=["areas", area.pk]), {
        "code": area.code, "kind": "industrial_park", "name": "Renamed",
        "place": unit("tp-ha-long").pk, "valid_from": "01/01/2010"})
    assert response.status_code == WRITE[role]
    area.refresh_from_db()
    assert (area.name == "Renamed") == (WRITE[role] == 302)


@pytest.mark.parametrize("role", ROLES)
def test_api_create(client, world, role):
    c = _login(client, world, role)
    response = c.post("/api/v1/registry/areas", json.dumps({
        "kind": "craft_village", "name": f"Làng {role}", "place": "tx-dong-trieu",
        "valid_from": "2015-01-01"}), content_type="application/json")
    assert response.status_code == (201 if WRITE[role] == 302 else 403)
    assert Area.objects.filter(name=f"Làng {role}").exists() == (response.status_code == 201)


@pytest.mark.parametrize("role", ROLES)
def test_import(client, world, role):
    c = _login(client, world, role)
    rows = [["kind", "name", "place", "valid_from"],
            ["industrial_cluster", f"CCN nhập {role}", "tp-uong-bi", "01/01/2020"]]
    response = c.post(reverse("registry:import", args=["areas"]),
                      {"file": SimpleUploadedFile("a.xlsx", xlsx(rows))})
    assert response.status_code == WRITE[role]
    api = c.post("/api/v1/registry/import/areas",
                 {"file": SimpleUploadedFile("a.xlsx", xlsx(rows))})
    assert api.status_code == (200 if WRITE[role] == 302 else 403)
    assert Area.objects.filter(name=f"CCN nhập {role}").exists() == (WRITE[role] == 302)


FIGURES = {"lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "0", "version": "0",
           "lines-0-item": "coal", "lines-0-quantity": "100", "lines-0-unit": "t",
           "lines-1-item": "diesel", "lines-1-quantity": "300", "lines-1-unit": "l"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("which", ["own", "other"])
def test_edit_figures(client, world, role, which):
    c = _login(client, world, role)
    e = world[which]
    allowed = role in {"admin", "coordinator"} or (role == "enterprise" and which == "own")
    page = c.get(reverse("registry:figures-edit", args=[e.pk, 2024, "year"]))
    assert page.status_code == (200 if allowed else 403)
    response = c.post(reverse("registry:figures-edit", args=[e.pk, 2024, "year"]), FIGURES)
    assert response.status_code == (302 if allowed else 403)
    api = c.put(f"/api/v1/registry/enterprises/{e.pk}/figures/2023/year", json.dumps({
        "lines": [{"item": "coal", "quantity": "100", "unit": "t"}]}),
        content_type="application/json")
    assert api.status_code == (200 if allowed else 403)
    stored = set(ConsumptionRecord.objects.filter(enterprise=e).values_list("year", flat=True))
    assert stored == ({2023, 2024} if allowed else set())


@pytest.mark.parametrize("role", ROLES)
def test_designate(client, world, role, make_enterprise):
    c = _login(client, world, role)
    e = make_enterprise("Xi măng", sector="cement")
    c.post(reverse("registry:designate", args=[e.pk]), {})
    api = c.post(f"/api/v1/registry/enterprises/{e.pk}/designate", "{}",
                 content_type="application/json")
    e.refresh_from_db()
    if role in {"admin", "coordinator"}:
        assert e.reporting_unit is not None and api.status_code == 200
    else:
        assert e.reporting_unit is None and api.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_activities_and_packaging(client, world, role, make_retailer):
    c = _login(client, world, role)
    r = make_retailer()
    response = c.post(reverse("registry:packaging-create", args=[r.pk]),
                      {"since": "01/01/2022", "basis": "declared"})
    assert response.status_code == WRITE[role]
    response = c.post(reverse("registry:activity-create"), {
        "date": "01/03/2022", "organiser": unit("sct").pk, "title": f"HN {role}"})
    assert response.status_code == WRITE[role]
    assert r.packaging.exists() == (WRITE[role] == 302)


def test_anonymous_gets_nothing(client, world):
    assert client.get(reverse("registry:list", args=["areas"])).status_code == 302
    assert client.get("/api/v1/registry/areas").status_code == 401
    assert client.post("/api/v1/registry/areas", "{}",
                       content_type="application/json").status_code == 401


@pytest.mark.parametrize("role", ROLES)
def test_move_entries_to_their_new_place(client, world, role):
    c = _login(client, world, role)
    url = reverse("registry:places-move")
    page = c.get(url, {"on": "01/08/2025"})
    assert page.status_code == (200 if WRITE[role] == 302 else 403)
    area = world["area"]  # in tp-ha-long, split: needs a choice
    response = c.post(url, {"on": "01/08/2025", f"choice-areas:{area.pk}":
                            unit("p-bai-chay").pk})
    assert response.status_code == WRITE[role]
    area.refresh_from_db()
    assert (area.place.code == "p-bai-chay") == (WRITE[role] == 302)
