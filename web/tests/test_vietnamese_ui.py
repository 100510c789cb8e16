"""The main pages in Vietnamese, as each role, on the demo data: no English words from a
list and no raw codes (unit codes, action names, enum values) in what a person sees."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.models import Role, User
from orgunits.models import OrgUnit, OrgUnitKind
from registry.specs import REGISTRIES
from reporting.models import Period, ReportRequest
from web.tests.uiwalk import context, problems, visible_text


@pytest.fixture
def demo_world(plan):
    from django.conf import settings
    from django.utils.module_loading import import_string

    from accounts.demo import demo_load

    demo_load(actor=None)
    for dotted in settings.SCP_DEMO_LOADERS:
        import_string(dotted)(actor=None)


def role_users() -> dict[str, User]:
    enterprise = (User.objects.filter(role=Role.REPORTER, org_unit__kind=OrgUnitKind.ENTERPRISE)
                  .order_by("username").first())
    assert enterprise is not None, "the demo has an enterprise reporter"
    return {"admin": User.objects.get(username="admin"),
            "coordinator": User.objects.get(username="dieuphoi"),
            "viewer": User.objects.get(username="ubnd"),
            "agency reporter": User.objects.get(username="bc-sct"),
            "enterprise reporter": enterprise}


def main_pages(user: User) -> list[str]:
    pages = ["/", "/objectives/", "/plan/agencies/", "/plan/agencies/sct/", "/plan/tasks/",
             "/reporting/", "/reporting/review/", "/reporting/periods/",
             "/reporting/completeness/", "/registry/", "/registry/by-place/",
             "/registry/units/", "/registry/activities/", "/registry/mine/", "/profile/",
             "/khong-co-trang-nay/"]
    period = Period.objects.order_by("-due_date").first()
    if period is not None:
        pages.append(f"/reporting/periods/{period.code}/")
    reports = (ReportRequest.objects.select_related("period", "org_unit")
               .order_by("-period__due_date"))
    own = reports.filter(org_unit=user.org_unit).first() if user.org_unit_id else None
    report = own or reports.filter(state="accepted").first() or reports.first()
    if report is not None:
        pages += [f"/reporting/r/{report.period.code}/{report.org_unit.code}/",
                  f"/reporting/r/{report.period.code}/{report.org_unit.code}/history/"]
    for slug, spec in REGISTRIES.items():
        pages.append(f"/registry/{slug}/")
        entry = spec.model._default_manager.order_by("pk").first()
        if entry is not None:
            pages.append(f"/registry/{slug}/{entry.pk}/")
    return pages


@pytest.mark.django_db
def test_main_pages_show_no_english_and_no_codes(client, demo_world):
    unit_codes = {c for c in OrgUnit.objects.values_list("code", flat=True) if len(c) >= 3}
    found: list[str] = []
    for role, user in role_users().items():
        client.force_login(user)
        for path in main_pages(user):
            response = client.get(path, follow=True)
            assert response.status_code in {200, 403, 404}, (role, path, response.status_code)
            text = visible_text(response.content.decode())
            found += [f"{role} {path}: {context(text, p)}" for p in problems(text, unit_codes)]
    assert found == [], "\n".join(found)


def test_the_walk_catches_english_and_codes():
    html = ('<main><p>Lịch sử: area.create</p><p>Báo cáo với tư cách đơn vị dn-5710037998 '
            'tại h-van-don</p><td>economic_zone</td><button>Save</button>'
            '<input type="hidden" name="x" value="the"><script>var the = 1;</script>'
            '<input type="submit" value="Submit"><p>Ghi chú: chuyển từ tx-quang-yen</p>'
            '<a href="mailto:x">bc@example.invalid</a></main>')
    found = problems(visible_text(html), {"h-van-don", "tx-quang-yen"})
    assert found == ["English: 'economic_zone'", "English: 'Save'", "English: 'Submit'",
                     "unit code: 'h-van-don'", "unit code: 'tx-quang-yen'",
                     "unit code: 'dn-5710037998'",
                     "action: 'area.create'", "enum value: 'economic_zone'"]


@pytest.mark.django_db
def test_the_walk_fails_on_an_english_note_entered_in_the_data(client, plan, coordinator):
    """Notes, sources and history values are checked like the page's own words: an
    English note typed into a registry entry fails the walk of its page."""
    from registry.services import area_save

    entry = area_save(actor=coordinator, data={
        "code": "kcn-thu", "name": "Khu công nghiệp Thử", "kind": "industrial_park",
        "place": OrgUnit.objects.get(code="tp-ha-long"), "valid_from": dt.date(2010, 1, 1),
        "note": "Opening date assumed from the press release of the province"})
    client.force_login(coordinator)
    text = visible_text(client.get(f"/registry/areas/{entry.pk}/").content.decode())
    assert "Khu công nghiệp Thử" in text
    # the note itself, and its value in the entry's history
    note = ["English: 'from'", "English: 'the'", "English: 'of'", "English: 'the'"]
    assert problems(text, set()) == note * 2
