"""Excel imports are all or nothing and list every problem by sheet, row and column;
exports can be imported again."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import load_workbook

from accounts.models import Role
from common.models import AuditEvent
from registry import excel, services
from registry.models import (
    Area,
    AwarenessActivity,
    ConsumptionLine,
    ConsumptionRecord,
    Enterprise,
    PackagingPractice,
)
from registry.specs import REGISTRIES
from registry.tests.conftest import tax_code, unit, xlsx

pytestmark = pytest.mark.django_db

AREA_HEADER = ["code", "kind", "name", "place", "later_place", "area_ha", "valid_from",
               "valid_to"]


def _area_rows(bad_row: list | None = None) -> list[list]:
    rows = [
        AREA_HEADER,
        ["kcn-cai-lan", "industrial_park", "KCN Cái Lân", "tp-ha-long", "p-bai-chay", 78,
         dt.datetime(1996, 1, 1), None],
        ["kcn-viet-hung", "Khu công nghiệp", "KCN Việt Hưng", "Thành phố Hạ Long", "",
         "300,93", "01/06/2008", ""],
        ["ccn-yen-tho", "industrial_cluster", "CCN Yên Thọ", "tx-dong-trieu", None, 34.6,
         "2015-03-01", None],
    ]
    if bad_row:
        rows.append(bad_row)
    return rows


def test_a_good_file_is_imported_and_a_second_time_changes_nothing(coordinator):
    from django.utils import translation

    content = xlsx(_area_rows())
    with translation.override("vi"):  # "300,93" typed as text: a decimal comma
        result = excel.registry_import(slug="areas", content=content, actor=coordinator)
    assert (result.created, result.updated, result.rows) == (3, 0, 3)
    park = Area.objects.get(code="kcn-viet-hung")
    assert park.kind == "industrial_park" and str(park.area_ha) == "300.93"
    assert park.valid_from == dt.date(2008, 6, 1)
    assert Area.objects.get(code="kcn-cai-lan").later_place.code == "p-bai-chay"
    with translation.override("vi"):
        again = excel.registry_import(slug="areas", content=content, actor=coordinator)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_one_bad_row_rejects_the_file_and_stores_nothing(coordinator):
    before = AuditEvent.objects.count()
    bad = ["kcn-x", "industrial_park", "KCN X", "tp-ha-long", None, None,
           "01/01/2020", "01/01/2019"]  # closes before it opens
    with pytest.raises(excel.ImportRejected) as exc:
        excel.registry_import(slug="areas", content=xlsx(_area_rows(bad), "areas"),
                              actor=coordinator)
    problems = exc.value.problems
    assert len(problems) == 1
    p = problems[0]
    assert (p.sheet, p.row, p.column) == ("areas", 5, "Closed on")
    assert "close before it opens" in p.message
    assert not Area.objects.exists()
    assert AuditEvent.objects.count() == before


def test_every_problem_is_listed_by_row_and_column(coordinator):
    rows = [
        AREA_HEADER,
        ["", "park", "KCN A", "tp-ha-long", None, None, "01/01/2020", None],      # kind
        ["", "industrial_park", "", "nowhere", None, "-3", "32/13/2020", None],   # 4 problems
        ["", "industrial_park", "KCN C", "sct", "p-bai-chay", None, "01/01/2020", None],
        ["", "industrial_park", "KCN D", "tp-ha-long", "p-mong-cai-1", None, "01/01/2020", None],
    ]
    with pytest.raises(excel.ImportRejected) as exc:
        excel.registry_import(slug="areas", content=xlsx(rows), actor=coordinator)
    found = {(p.row, p.column) for p in exc.value.problems}
    assert (2, "Kind") in found
    assert {(3, "Name"), (3, "Place (as recorded)"), (3, "Opened on")} <= found
    assert (4, "Place (as recorded)") in found
    assert (5, "Place after a split") in found
    assert not Area.objects.exists()


def test_a_duplicate_within_the_file_is_caught(coordinator, plan):
    code = tax_code(300)
    rows = [["tax_code", "name", "sector", "place", "valid_from"],
            [code, "CTCP Than A", "coal", "tp-cam-pha", "01/01/2010"],
            [tax_code(310), "Công ty cổ phần Than A", "coal", "tp-cam-pha", "01/01/2010"],
            [code[:9] + str((int(code[9]) + 1) % 10), "Than B", "Than", "tp-cam-pha",
             "01/01/2010"]]
    with pytest.raises(excel.ImportRejected) as exc:
        excel.registry_import(slug="enterprises", content=xlsx(rows), actor=coordinator)
    found = {(p.row, p.column) for p in exc.value.problems}
    assert found == {(3, "Name"), (4, "Tax code")}
    assert not Enterprise.objects.exists()


def test_headers_are_checked(coordinator):
    with pytest.raises(excel.ImportRejected) as exc:
        excel.registry_import(slug="areas", content=xlsx([["name", "colour"], ["A", "red"]]),
                              actor=coordinator)
    text = " ".join(str(p) for p in exc.value.problems)
    assert "colour" in text and "Kind" in text and "Place" in text


def test_not_a_workbook(coordinator):
    with pytest.raises(excel.ImportRejected) as exc:
        excel.registry_import(slug="areas", content=b"name,kind\nA,B", actor=coordinator)
    assert "Excel" in exc.value.problems[0].message


def test_only_coordinators_import(make_user):
    with pytest.raises(PermissionDenied):
        excel.registry_import(slug="areas", content=xlsx(_area_rows()),
                              actor=make_user(Role.REPORTER, "tp-ha-long"))


@pytest.mark.parametrize("slug", list(REGISTRIES))
def test_export_then_import_round_trips(slug, coordinator, make_area, make_retailer,
                                        make_enterprise):
    make_area("KCN Cái Lân", later="p-bai-chay")
    make_retailer("Vincom")
    e = make_enterprise("Than Hà Tu")
    services.scp_model_save(data={"kind": "cleaner_production", "name": "SXSH", "enterprise": e,
                                  "place": unit("tp-ha-long"), "valid_from": dt.date(2022, 1, 1)},
                            actor=None)
    services.st_enterprise_save(data={"name": "KHCN", "certificate_number": "01",
                                      "certificate_date": dt.date(2021, 1, 1),
                                      "place": unit("tp-uong-bi")}, actor=None)
    spec = REGISTRIES[slug]
    entries = list(spec.model._default_manager.all())
    content = excel.registry_export(spec=spec, entries=entries).content()
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames[0] == spec.sheet and book[spec.sheet].max_row == 2
    result = excel.registry_import(slug=slug, content=content, actor=coordinator)
    assert (result.created, result.unchanged) == (0, 1)


def test_activities_import(coordinator, make_area):
    make_area("KCN A", code="kcn-a")
    make_area("KCN B", code="kcn-b")
    rows = [["date", "organiser", "title", "areas", "participants"],
            ["15/05/2022", "sct", "Hội nghị SXTDBV", "kcn-a; kcn-b", 120],
            ["16/05/2022", "Sở Công Thương", "Tập huấn", "kcn-a", None]]
    result = excel.activities_import(content=xlsx(rows), actor=coordinator)
    assert result.created == 2
    assert AwarenessActivity.objects.get(title="Hội nghị SXTDBV").areas.count() == 2
    rows.append(["17/05/2022", "sct", "Khác", "kcn-zzz", -1])
    with pytest.raises(excel.ImportRejected) as exc:
        excel.activities_import(content=xlsx(rows), actor=coordinator)
    assert {(p.row, p.column) for p in exc.value.problems} == {
        (4, "Reached (codes, separated by ;)"), (4, "Participants")}
    assert AwarenessActivity.objects.count() == 2


def test_packaging_import(coordinator, make_retailer):
    r = make_retailer("GO!")
    rows = [["retailer", "since", "basis", "evidence"],
            [r.code, "01/03/2021", "Kiểm tra", "Biên bản kiểm tra số 12"],
            [r.code, "01/03/2022", "declared", "overlapping"]]
    with pytest.raises(excel.ImportRejected) as exc:
        excel.packaging_import(content=xlsx(rows), actor=coordinator)
    assert [(p.row, p.column) for p in exc.value.problems] == [(3, "Since")]
    assert not PackagingPractice.objects.exists()
    excel.packaging_import(content=xlsx(rows[:2]), actor=coordinator)
    assert PackagingPractice.objects.get().basis == "inspected"


def _figure_rows(e1, e2):
    return [["tax_code", "year", "period", "item", "quantity", "unit"],
            [e1.tax_code, 2023, "year", "coal", 1200000, "t"],
            [e1.tax_code, 2023, "year", "diesel", 4500000, "l"],
            [e1.tax_code, 2023, "year", "electricity", "52.000.000", "kWh"],
            [e2.tax_code, 2023, "h1", "cement", 1100000, "t"],
            [e2.tax_code, 2023, "h1", "coal-fuel-3-4", 120000, "t"]]


def test_figures_import_and_its_refusals(coordinator, make_enterprise, units_loaded):
    e1 = make_enterprise("Than A")
    e2 = make_enterprise("Xi măng B", sector="cement")
    rows = _figure_rows(e1, e2)
    result = excel.figures_import(content=xlsx(rows), actor=coordinator)
    assert result.created == 2
    assert ConsumptionRecord.objects.get(enterprise=e2).period == "h1"
    assert ConsumptionLine.objects.count() == 5
    bad = [list(r) for r in rows]
    bad[2][5] = "kWh"            # diesel in kWh: wrong kind
    bad[4][4] = -5               # negative output
    bad.append([e2.tax_code, 2024, "q3", "cement", 1, "t"])            # bad period
    bad.append(["0000000000", 2024, "year", "cement", 1, "t"])          # unknown enterprise
    bad.append([e1.tax_code, 2024, "year", "diesel", 10, "l"])          # consumption, no output
    with pytest.raises(excel.ImportRejected) as exc:
        excel.figures_import(content=xlsx(bad), actor=coordinator)
    found = {(p.row, p.column) for p in exc.value.problems}
    assert {(3, "Unit"), (5, "Quantity"), (7, "Period (year, first half, second half)"),
            (8, "Tax code"), (9, None)} <= found
    assert ConsumptionLine.objects.count() == 5  # the first import untouched
    assert ConsumptionRecord.objects.get(enterprise=e1).version == 1


def test_figures_import_is_for_coordinators(make_user, make_enterprise, units_loaded):
    e1, e2 = make_enterprise(), make_enterprise()
    designation = services.enterprise_designate(enterprise=e1, actor=None)
    with pytest.raises(PermissionDenied):
        excel.figures_import(content=xlsx(_figure_rows(e1, e2)), actor=designation.user)


@pytest.mark.parametrize("name", ["=1+1", '=HYPERLINK("http://x","y")', "+SUM(1)", "@A1",
                                  "-2+3"])
def test_names_starting_like_a_formula_are_exported_as_text_and_come_back(
        name, coordinator, make_area, client):
    make_area(name, code="kcn-f")
    client.force_login(coordinator)
    response = client.get("/registry/areas/export.xlsx")
    assert response.status_code == 200
    content = response.getvalue()
    ws = load_workbook(io.BytesIO(content))["areas"]
    cell = ws.cell(row=2, column=3)
    assert (cell.value, cell.data_type) == (name, "s")
    Area.objects.filter(code="kcn-f").update(name="changed")
    result = excel.registry_import(slug="areas", content=content, actor=coordinator)
    assert result.updated == 1 and Area.objects.get(code="kcn-f").name == name


def test_the_problems_listed_are_capped_and_counted(coordinator):
    rows = [AREA_HEADER] + [["", "park", "", "nowhere", None, None, "x", None]] * 500
    with pytest.raises(excel.ImportRejected) as exc:
        excel.registry_import(slug="areas", content=xlsx(rows), actor=coordinator)
    assert len(exc.value.problems) == excel.MAX_PROBLEMS and exc.value.total == 2000
    assert exc.value.messages[-1] == "… and 1700 more problems."


def test_a_wide_header_is_refused_with_one_problem(coordinator):
    from common.xlsx import LIMITS

    content = xlsx([[f"col{i}" for i in range(LIMITS.columns + 1)]])
    with pytest.raises(excel.ImportRejected) as exc:
        excel.registry_import(slug="areas", content=content, actor=coordinator)
    assert [p.message for p in exc.value.problems] == [
        f"The sheet has more than {LIMITS.columns} columns."]


def test_every_problem_of_a_row_is_listed(coordinator):
    rows = [AREA_HEADER, ["kcn-x", "industrial_park", "KCN X", "tp-ha-long", None, "-3",
                          "32/13/2020", None],
            ["kcn-y", "industrial_park", "KCN Y", "tp-ha-long", "tp-cam-pha", None,
             "ngày mai", None]]
    with pytest.raises(excel.ImportRejected) as exc:
        excel.registry_import(slug="areas", content=xlsx(rows), actor=coordinator)
    found = {(p.row, p.column) for p in exc.value.problems}
    # a bad date and a negative area; a bad date and a place that did not take over
    assert found == {(2, "Opened on"), (2, "Area (ha)"), (3, "Opened on"),
                     (3, "Place after a split")}


def test_rows_of_one_file_are_checked_against_each_other(coordinator):
    rows = [["code", "kind", "name", "place", "valid_from", "zone"],
            ["kkt-a", "economic_zone", "KKT A", "tp-ha-long", "01/01/2010", None],
            ["kcn-a", "industrial_park", "KCN A", "tp-ha-long", "01/01/2010", "kkt-a"],
            ["kcn-a", "industrial_park", "KCN A bis", "tp-ha-long", "01/01/2010", None],
            ["", "industrial_park", "KCN B", "tp-ha-long", "01/01/2010", None],
            ["", "industrial_park", "KCN B", "tp-ha-long", "01/01/2010", None]]
    with pytest.raises(excel.ImportRejected) as exc:
        excel.registry_import(slug="areas", content=xlsx(rows), actor=coordinator)
    assert [(p.row, p.column, p.message) for p in exc.value.problems] == [
        (4, "Code", "Also in row 3 of this file.")]
    del rows[3]
    result = excel.registry_import(slug="areas", content=xlsx(rows), actor=coordinator)
    assert result.created == 4
    assert Area.objects.get(code="kcn-a").zone.code == "kkt-a"
    assert sorted(Area.objects.filter(name="KCN B").values_list("code", flat=True)) == [
        "kcn-b", "kcn-b-2"]


def test_a_long_file_is_stored_as_saving_each_row_would(coordinator):
    # enough rows for the bulk path (COPY on PostgreSQL): ids, sort and search keys, an
    # audit record per entry; imported again with new names, one update each
    from common.bulk import COPY_FROM
    from common.text import fold, sort_key

    n = COPY_FROM + 5
    header = ["code", "kind", "name", "place", "valid_from", "zone"]

    def rows(name: str) -> list[list]:  # the parks lie in a zone of the same file
        return [header, ["kkt-a", "economic_zone", "KKT A", "tp-ha-long", "01/01/2010", None]
                ] + [[f"kcn-{i}", "industrial_park", f"{name} {i}", "tp-ha-long",
                      "01/01/2015", "kkt-a"] for i in range(n)]

    result = excel.registry_import(slug="areas", content=xlsx(rows("KCN Đông Mai")),
                                   actor=coordinator)
    assert (result.created, result.rows) == (n + 1, n + 1)
    assert Area.objects.filter(zone__code="kkt-a").count() == n
    park = Area.objects.get(code="kcn-7")
    assert park.name_sort == sort_key("KCN Đông Mai 7") and fold("dong mai") in park.search_text
    created = AuditEvent.objects.filter(action="area.create", target_id=str(park.pk)).get()
    assert {"field": "name", "old": None, "new": "KCN Đông Mai 7"} in created.changes
    again = excel.registry_import(slug="areas", content=xlsx(rows("KCN Cái Lân")),
                                  actor=coordinator)
    assert (again.created, again.updated, again.unchanged) == (0, n, 1)
    park.refresh_from_db()
    assert park.name == "KCN Cái Lân 7" and fold("cai lan") in park.search_text
    assert park.updated_at > park.created_at
    assert AuditEvent.objects.filter(action="area.update").count() == n
