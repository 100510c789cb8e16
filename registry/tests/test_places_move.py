"""Moving registry entries recorded in abolished districts to the commune-level unit they
lie in: the preview (what goes where, what needs a choice), the audited move, the page and
the command."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import Role
from common.models import AuditEvent
from common.selectors import audit_events_for
from registry import services
from registry.models import Area
from registry.selectors import counts_by_place, place_moves_preview
from registry.specs import REGISTRIES
from registry.tests.conftest import unit

pytestmark = pytest.mark.django_db

AFTER = dt.date(2025, 8, 1)


@pytest.fixture
def entries(make_area, make_retailer):
    return {
        "named": make_area("KCN Cái Lân", place="tp-ha-long", later="p-bai-chay"),
        "split": make_area("KKT Móng Cái", kind="economic_zone", place="tp-mong-cai"),
        "whole": make_area("Làng nghề ngọc trai", kind="craft_village", place="h-van-don"),
        "already": make_area("CCN Hà Tu", kind="industrial_cluster", place="p-ha-tu",
                             opened=dt.date(2025, 8, 1)),
        "closed": make_area("KCN cũ", place="tp-cam-pha", closed=dt.date(2024, 1, 1)),
        "shop": make_retailer("Siêu thị Bãi Cháy", place="tp-ha-long", later="p-bai-chay"),
    }


def _by_name(moves):
    return {m.entry.name: m for m in moves}


def test_preview_says_where_each_entry_goes(entries, django_assert_max_num_queries):
    with django_assert_max_num_queries(len(REGISTRIES) + 2):
        moves = _by_name(place_moves_preview(day=AFTER))
    assert set(moves) == {"KCN Cái Lân", "KKT Móng Cái", "Làng nghề ngọc trai",
                          "Siêu thị Bãi Cháy"}
    assert moves["KCN Cái Lân"].target.code == "p-bai-chay"
    assert moves["Siêu thị Bãi Cháy"].key == f"retailers:{entries['shop'].pk}"
    assert moves["Làng nghề ngọc trai"].target.code == "dk-van-don"
    split = moves["KKT Móng Cái"]
    assert split.needs_choice and split.target is None
    assert {c.code for c in split.candidates} == {
        "p-mong-cai-1", "p-mong-cai-2", "p-mong-cai-3", "x-hai-son", "x-hai-ninh",
        "x-vinh-thuc"}
    # The day before the district level was abolished, nothing moves.
    assert place_moves_preview(day=dt.date(2025, 6, 30)) == []


def test_move_changes_the_place_with_history_and_keeps_earlier_counts(entries):
    spec = REGISTRIES["areas"]
    before_2023 = [(r.unit.code if r.unit else None, r.total)
                   for r in counts_by_place(spec=spec, day=dt.date(2023, 1, 1))]
    split = entries["split"]
    result = services.registry_places_move(
        day=AFTER, actor=None, choices={f"areas:{split.pk}": unit("p-mong-cai-1")})
    assert len(result.moved) == 4 and result.left == []
    places = {a.name: (a.place.code, a.later_place_id) for a in Area.objects.all()}
    assert places["KCN Cái Lân"] == ("p-bai-chay", None)
    assert places["KKT Móng Cái"] == ("p-mong-cai-1", None)
    assert places["Làng nghề ngọc trai"] == ("dk-van-don", None)
    assert places["KCN cũ"] == ("tp-cam-pha", None)  # closed before the districts were
    event = audit_events_for(obj=entries["named"]).first()  # as recorded, codes and all
    assert event.action == "area.update" and event.note
    assert {c["field"]: (c["old"], c["new"]) for c in event.changes} == {
        "place": ("tp-ha-long", "p-bai-chay"), "later_place": ("p-bai-chay", None)}
    # Counting as of an earlier day follows the new places back to the old districts.
    assert [(r.unit.code if r.unit else None, r.total)
            for r in counts_by_place(spec=spec, day=dt.date(2023, 1, 1))] == before_2023
    after = counts_by_place(spec=spec, day=AFTER)
    assert all(r.unit is not None for r in after)
    # A second run finds nothing left to move and records nothing.
    events = AuditEvent.objects.count()
    assert services.registry_places_move(day=AFTER, actor=None).moved == []
    assert AuditEvent.objects.count() == events


def test_a_unit_formed_from_several_keeps_the_recorded_district(entries, make_area):
    # xã Tiên Yên took in part of Bình Liêu: an entry moved there keeps h-tien-yen as its
    # recorded place (so 2024 counts stay under Tiên Yên) and gets x-tien-yen after.
    market = make_area("CCN Yên Than", kind="industrial_cluster", place="h-tien-yen")
    services.registry_places_move(
        day=AFTER, actor=None, choices={f"areas:{market.pk}": unit("x-tien-yen"),
                                        f"areas:{entries['split'].pk}": unit("x-hai-son")})
    market.refresh_from_db()
    assert (market.place.code, market.later_place.code) == ("h-tien-yen", "x-tien-yen")
    spec = REGISTRIES["areas"]
    assert "Huyện Tiên Yên" in {r.unit.name for r in counts_by_place(
        spec=spec, day=dt.date(2024, 1, 1)) if r.unit}
    assert "Xã Tiên Yên" in {r.unit.name for r in counts_by_place(spec=spec, day=AFTER)
                             if r.unit}
    assert not [m for m in place_moves_preview(day=AFTER) if m.entry.pk == market.pk]


def test_an_entry_of_a_split_place_without_a_choice_stays(entries):
    result = services.registry_places_move(day=AFTER, actor=None)
    assert [m.entry.name for m in result.left] == ["KKT Móng Cái"]
    entries["split"].refresh_from_db()
    assert entries["split"].place.code == "tp-mong-cai"


def test_a_choice_outside_the_candidates_is_refused_and_nothing_moves(entries):
    split = entries["split"]
    with pytest.raises(ValidationError) as caught:
        services.registry_places_move(day=AFTER, actor=None,
                                      choices={f"areas:{split.pk}": unit("p-bai-chay"),
                                               "areas:999999": unit("p-ha-tu")})
    errors = caught.value.message_dict
    assert set(errors) == {f"areas:{split.pk}", "areas:999999"}
    assert "Phường Móng Cái 1" in errors[f"areas:{split.pk}"][0]
    entries["named"].refresh_from_db()
    assert entries["named"].place.code == "tp-ha-long"  # rolled back with the rest


def test_only_coordinators_move(entries, make_user):
    reporter = make_user(Role.REPORTER, "tp-ha-long")
    with pytest.raises(PermissionDenied):
        services.registry_places_move(day=AFTER, actor=reporter)


def test_the_page_previews_and_moves(client, entries, make_user):
    client.force_login(make_user(Role.COORDINATOR, "sct"))
    url = reverse("registry:places-move")
    page = client.get(url, {"on": "01/08/2025"})
    body = page.content.decode()
    assert page.status_code == 200
    assert "KKT Móng Cái" in body and f'name="choice-areas:{entries["split"].pk}"' in body
    assert "Phường Bãi Cháy" in body and "Đặc khu Vân Đồn" in body
    assert len(page.content) < 60_000
    response = client.post(url, {"on": "01/08/2025",
                                 f"choice-areas:{entries['split'].pk}":
                                 unit("x-hai-son").pk})
    assert response.status_code == 302
    entries["split"].refresh_from_db()
    assert entries["split"].place.code == "x-hai-son"
    # A tampered choice is an error on the page, not a 500; nothing moves.
    entries["named"].refresh_from_db()
    other = make_area_in(entries)
    response = client.post(url, {"on": "01/08/2025", f"choice-areas:{other.pk}": "abc"})
    assert response.status_code == 200
    other.refresh_from_db()
    assert other.place.code == "tp-uong-bi"


def make_area_in(entries):
    return services.area_save(data={"kind": "industrial_cluster", "name": "CCN Uông Bí",
                                    "place": unit("tp-uong-bi"),
                                    "valid_from": dt.date(2012, 1, 1)}, actor=None)


def test_the_command_previews_and_moves(entries):
    out = io.StringIO()
    call_command("places", "preview", "--on", "2025-08-01", stdout=out)
    text = out.getvalue()
    assert "tp-ha-long" in text and "→ p-bai-chay" in text
    assert f"areas:{entries['split'].pk}" in text and "? p-mong-cai-1" in text
    assert text.splitlines()[-1] == "4 to move, 1 of them need a choice (?)"
    out = io.StringIO()
    call_command("places", "move", "--on", "2025-08-01", "--choose",
                 f"areas:{entries['split'].pk}=x-vinh-thuc", stdout=out)
    assert out.getvalue().strip() == "4 moved, 0 left in a divided place"
    entries["split"].refresh_from_db()
    assert entries["split"].place.code == "x-vinh-thuc"
    with pytest.raises(CommandError):
        call_command("places", "move", "--on", "2025-08-01", "--choose", "areas:1=nowhere")
    with pytest.raises(CommandError):
        call_command("places", "preview", "--on", "yesterday")
