"""The registry pages: they render in Vietnamese, list in a fixed number of queries, save
through the services and show their refusals on the form, and never answer 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role
from registry.demo import demo_load
from registry.models import Area, ConsumptionRecord, Enterprise, Retailer
from registry.specs import REGISTRIES
from registry.tests.conftest import tax_code, unit, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(plan):
    demo_load(actor=None)


@pytest.fixture
def coord_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client


def test_pages_need_sign_in(client, plan):
    for url in [reverse("registry:index"), reverse("registry:list", args=["areas"]),
                reverse("registry:activity-list"), reverse("registry:units")]:
        response = client.get(url)
        assert response.status_code == 302 and reverse("web:login") in response["Location"]


def test_index_shows_counts_as_of_a_day(viewer_client, demo):
    html = viewer_client.get(reverse("registry:index"), {"on": "31/12/2025"}).content.decode()
    assert "Sổ đăng ký" in html
    assert "70,6%" in html and "70.6%" not in html  # 24 of 34 reached by the end of 2025
    early = viewer_client.get(reverse("registry:index"), {"on": "01/01/2021"}).content.decode()
    assert "0,0%" in early and "0.0%" not in early


@pytest.mark.parametrize("slug", list(REGISTRIES))
def test_list_pages_in_fixed_queries(viewer_client, demo, slug, django_assert_max_num_queries):
    url = reverse("registry:list", args=[slug])
    with django_assert_max_num_queries(14):
        response = viewer_client.get(url)
    assert response.status_code == 200
    with django_assert_max_num_queries(16):
        response = viewer_client.get(url, {"on": "01/08/2025", "status": "all",
                                           "sort": "-name", "q": "a", "page": "2"})
    assert response.status_code == 200


def test_list_filters_by_place_on_a_day(viewer_client, demo):
    url = reverse("registry:list", args=["areas"])
    ward = unit("p-bai-chay")
    html = viewer_client.get(url, {"place": ward.pk, "on": "01/08/2025"}).content.decode()
    assert "Khu công nghiệp Cái Lân" in html and "Khu công nghiệp Việt Hưng" not in html
    html = viewer_client.get(url, {"place": unit("tp-ha-long").pk,
                                   "on": "01/01/2024"}).content.decode()
    assert "Khu công nghiệp Cái Lân" in html and "Khu công nghiệp Việt Hưng" in html
    # The demo moved its entries to their wards: seen in 2024, a ward shows the district
    # that held it then; after 1 July 2025, the place as recorded.
    assert "→ Thành phố Hạ Long" in html
    html = viewer_client.get(url, {"on": "01/08/2025"}).content.decode()
    assert "→ Thành phố Hạ Long" not in html and "Phường Bãi Cháy" in html


@pytest.mark.parametrize("params", [
    {"on": "32/13/2025"}, {"status": "nonsense"}, {"kind": "volcano"}, {"place": "abc"},
    {"page": "999"}, {"page": "-1"}, {"sort": "password"}, {"sector": "x"},
])
def test_bad_filters_do_not_break_the_list(viewer_client, demo, params):
    for slug in ["areas", "enterprises"]:
        response = viewer_client.get(reverse("registry:list", args=[slug]), params)
        assert response.status_code == 200


def test_detail_pages_show_history_and_specifics(coord_client, demo):
    area = Area.objects.get(code="kcn-cai-lan")
    html = coord_client.get(reverse("registry:detail", args=["areas", area.pk])).content.decode()
    assert "Hội nghị phổ biến Chương trình" in html and "area.create" not in html
    assert "Thêm khu, cụm công nghiệp hoặc làng nghề" in html
    retailer = Retailer.objects.get(code="tttm-ha-long-marine")
    html = coord_client.get(reverse("registry:detail", args=["retailers", retailer.pk])
                            ).content.decode()
    assert "BB-KT-2024-011" in html
    e = Enterprise.objects.get(tax_code="5710001007")
    html = coord_client.get(reverse("registry:detail", args=["enterprises", e.pk])).content.decode()
    assert "6 tháng đầu năm 2025" in html and "Nhập số liệu" in html
    assert "figures.create" not in html


def test_unknown_registry_and_entry_are_404(viewer_client, plan):
    assert viewer_client.get("/registry/volcanoes/").status_code == 404
    assert viewer_client.get(reverse("registry:detail", args=["areas", 999999])).status_code == 404


def test_create_an_entry_through_the_form(coord_client, plan):
    url = reverse("registry:create", args=["areas"])
    assert coord_client.get(url).status_code == 200
    response = coord_client.post(url, {
        "kind": "industrial_cluster", "name": "CCN Mới", "place": unit("tx-dong-trieu").pk,
        "valid_from": "01/02/2023"})
    area = Area.objects.get(name="CCN Mới")
    assert response.status_code == 302 and area.valid_from == dt.date(2023, 2, 1)


def test_a_refused_form_keeps_the_input_and_shows_the_reason(coord_client, plan):
    url = reverse("registry:create", args=["enterprises"])
    sector = plan.sectors.get(code="coal").pk
    response = coord_client.post(url, {
        "tax_code": "5710001008", "name": "Công ty X", "sector": sector,
        "place": unit("tp-ha-long").pk, "valid_from": "01/01/2020", "valid_to": "01/01/2019"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "5710001008" in html and "Công ty X" in html
    assert not Enterprise.objects.exists()


def test_edit_an_entry(coord_client, plan, make_area):
    area = make_area("KCN Cũ")
    url = reverse("registry:edit", args=["areas", area.pk])
    response = coord_client.post(url, {
        "code": area.code, "kind": "industrial_park", "name": "KCN Mới tên",
        "place": unit("tp-ha-long").pk, "later_place": unit("p-viet-hung").pk,
        "valid_from": "01/01/2010"})
    assert response.status_code == 302
    area.refresh_from_db()
    assert area.name == "KCN Mới tên" and area.later_place.code == "p-viet-hung"


def test_import_page_queues_the_file_and_its_job_page_lists_problems(coord_client, plan):
    """The upload goes to a background job (run at once under the test settings); its
    page lists every problem in Vietnamese, or the tally."""
    url = reverse("registry:import", args=["areas"])
    rows = [["code", "kind", "name", "place", "valid_from"],
            ["a", "industrial_park", "KCN A", "tp-ha-long", "01/01/2020"],
            ["b", "industrial_park", "KCN B", "nowhere", "01/01/2020"]]
    response = coord_client.post(url, {"file": SimpleUploadedFile("a.xlsx", xlsx(rows))})
    assert response.status_code == 302 and response.url.startswith("/jobs/")
    html = coord_client.get(response.url).content.decode()
    assert "Tệp không được nhập: 1 lỗi" in html and "nowhere" in html
    assert not Area.objects.exists()
    response = coord_client.post(url, {"file": SimpleUploadedFile("a.xlsx", xlsx(rows[:2]))})
    assert response.status_code == 302 and Area.objects.count() == 1
    assert "Đã nhập 1 dòng" in coord_client.get(response.url).content.decode()
    response = coord_client.post(url, {"file": SimpleUploadedFile("a.csv", b"x,y\n")})
    assert response.status_code == 302
    assert "xlsx" in coord_client.get(response.url).content.decode()


def test_export_downloads_a_workbook(viewer_client, demo):
    for name, args in [("registry:export", ["retailers"]), ("registry:activity-export", []),
                       ("registry:packaging-export", []), ("registry:figures-export", [])]:
        response = viewer_client.get(reverse(name, args=args))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert response.getvalue()[:2] == b"PK"
        csv_file = viewer_client.get(reverse(f"{name}-csv", args=args))
        assert csv_file["Content-Type"] == "text/csv; charset=utf-8"
        assert csv_file.getvalue().decode("utf-8").startswith("\ufeff")


def test_figures_form_saves_and_refuses(coord_client, plan, make_enterprise, units_loaded):
    e = make_enterprise()
    url = reverse("registry:figures-edit", args=[e.pk, 2024, "year"])
    assert coord_client.get(url).status_code == 200
    form = {"lines-TOTAL_FORMS": "3", "lines-INITIAL_FORMS": "0", "version": "0",
            "lines-0-item": "coal", "lines-0-quantity": "1.200.000", "lines-0-unit": "t",
            "lines-1-item": "diesel", "lines-1-quantity": "4.500.000,5", "lines-1-unit": "kWh",
            "lines-2-item": "", "lines-2-quantity": "", "lines-2-unit": ""}
    response = coord_client.post(url, form)
    assert response.status_code == 400 and not ConsumptionRecord.objects.exists()
    assert "kWh" in response.content.decode()
    form["lines-1-unit"] = "l"
    response = coord_client.post(url, form)
    assert response.status_code == 302
    record = ConsumptionRecord.objects.get()
    assert str(record.lines.get(item__code="diesel").quantity) == "4500000.5000"
    # the form shows what it stored in Vietnamese digits, products first
    html = coord_client.get(url).content.decode()
    assert html.index('value="1.200.000"') < html.index('value="4.500.000,5"')
    # a lone dot groups thousands in Vietnamese; a lone comma is the decimal comma
    form2 = form | {"version": "1", "lines-0-quantity": "4.661", "lines-1-quantity": "12,5"}
    assert coord_client.post(url, form2).status_code == 302
    record = ConsumptionRecord.objects.get()
    assert record.lines.get(item__code="coal").quantity == 4661
    assert str(record.lines.get(item__code="diesel").quantity) == "12.5000"
    # a stale version is refused with a message
    response = coord_client.post(url, form | {"version": "0", "lines-0-quantity": "5"})
    assert response.status_code == 400 and ConsumptionRecord.objects.get().version == 2
    response = coord_client.post(url, form | {"version": "2", "lines-0-quantity": "abc"})
    assert response.status_code == 400 and ConsumptionRecord.objects.get().version == 2


def test_figures_form_for_unknown_period_is_404(coord_client, plan, make_enterprise):
    e = make_enterprise()
    assert coord_client.get(f"/registry/enterprises/{e.pk}/figures/2024/q3/").status_code == 404
    assert coord_client.get(reverse("registry:figures-go", args=[e.pk]),
                            {"year": "2023", "period": "h1"})["Location"].endswith(
        "/figures/2023/h1/")


def test_designate_from_the_page(coord_client, plan, make_enterprise):
    e = make_enterprise()
    response = coord_client.post(reverse("registry:designate", args=[e.pk]),
                                 {"email": "x@example.invalid"}, follow=True)
    e.refresh_from_db()
    assert e.reporting_unit is not None
    assert f"dn-{e.tax_code}" in response.content.decode()


def test_packaging_and_activity_forms(coord_client, plan, make_retailer, make_area):
    r = make_retailer()
    url = reverse("registry:packaging-create", args=[r.pk])
    response = coord_client.post(url, {"since": "01/01/2010", "basis": "inspected"})
    assert response.status_code == 400  # before the retailer opened
    response = coord_client.post(url, {"since": "01/01/2022", "basis": "inspected"})
    assert response.status_code == 302 and r.packaging.count() == 1
    a = make_area()
    response = coord_client.post(reverse("registry:activity-create"), {
        "date": "05/05/2022", "organiser": unit("sct").pk, "title": "Tập huấn",
        "areas": [a.pk]})
    assert response.status_code == 302
    assert coord_client.get(reverse("registry:activity-list"),
                            {"year": "2022", "q": "Tập"}).status_code == 200


def test_units_page(viewer_client, units_loaded, plan):
    html = viewer_client.get(reverse("registry:units")).content.decode()
    assert "3505/BCT-KHCN" in html and "0,88" in html


def test_by_place_page(viewer_client, demo):
    html = viewer_client.get(reverse("registry:by-place"),
                             {"registry": "areas", "on": "01/08/2025"}).content.decode()
    assert "Phường Bãi Cháy" in html
    html = viewer_client.get(reverse("registry:by-place"),
                             {"registry": "nonsense", "on": "x"}).content.decode()
    assert "Phường Bãi Cháy" in html  # defaults: areas, today


def test_menu_entry(viewer_client, plan, make_user, client, make_enterprise):
    html = viewer_client.get(reverse("web:home")).content.decode()
    assert reverse("registry:index") in html


def test_tax_code_helper_makes_valid_codes():
    from registry.checks import tax_code_problem

    assert tax_code_problem(tax_code(1)) is None


def test_reporter_of_an_agency_reads(client, make_user, plan):
    client.force_login(make_user(Role.REPORTER, "tp-ha-long"))
    assert client.get(reverse("registry:list", args=["areas"])).status_code == 200
    assert client.get(reverse("registry:create", args=["areas"])).status_code == 403


def test_enterprise_list_filters_by_sector_and_reporting(viewer_client, demo, plan):
    url = reverse("registry:list", args=["enterprises"])
    html = viewer_client.get(url, {"reporting": "yes"}).content.decode()
    assert "3 cơ sở" in html and "Bia và Nước giải khát Hạ Long" in html
    cement = plan.sectors.get(code="cement").pk
    html = viewer_client.get(url, {"sector": cement, "status": "all"}).content.decode()
    assert "Xi măng Cẩm Phả" in html and "Than Hà Lầm" not in html
    html = viewer_client.get(url, {"q": "thăng long"}).content.decode()
    assert "Xi măng Thăng Long" in html and "Xi măng Cẩm Phả" not in html
