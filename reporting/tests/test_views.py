"""The pages: inbox, report form (save, submit, inline check, conflict), review queue,
periods, completeness, history; list pages in a bounded number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from orgunits.models import OrgUnit, OrgUnitKind
from orgunits.selectors import orgunit_graph
from reporting.models import ConflictCopy, DataValue, Period, ReportRequest, ReportState, TaskAnswer
from reporting.selectors import units_obliged_on
from reporting.services import period_open, report_save, report_submit
from reporting.tests.conftest import complete_payload, report_of


def _url(report, name="reporting:report"):
    return reverse(name, args=[report.period.code, report.org_unit.code])


def _form_data(report, values, answers, action="save"):
    data = {"version": str(report.version), "action": action}
    for code, value in values.items():
        if value is True:
            data[f"v:{code}"] = "true"
        elif isinstance(value, float):
            data[f"v:{code}"] = str(value).replace(".", ",")  # decimal comma
        else:
            data[f"v:{code}"] = str(value)
    for ref, answer in answers.items():
        for name, text in answer.items():
            data[f"t:{ref}:{name}"] = text
    return data


def test_inbox_lists_open_requests_with_days_left(client, reporter, period, plan,
                                                  django_assert_max_num_queries):
    period_open(plan=plan, code="2023", actor=None, notify=False)
    client.force_login(reporter)
    with django_assert_max_num_queries(8):
        html = client.get(reverse("reporting:inbox")).content.decode()
    assert "6 tháng đầu năm 2022" in html and "Năm 2023" in html
    assert "quá hạn" in html  # 2022S1 is long overdue


def test_report_form_shows_tasks_and_unit_values(client, reporter, sct_report):
    client.force_login(reporter)
    html = client.get(_url(sct_report)).content.decode()
    assert "IV.1.1" in html and "IV.16.1" in html
    assert 'name="v:supermarkets-total"' in html and 'name="t:IV.1.1:status"' in html
    assert "Nộp báo cáo" in html


def test_save_then_submit_through_the_form(client, reporter, sct_report):
    client.force_login(reporter)
    values, answers = complete_payload(sct_report)
    values["supermarkets-total"] = "1.200"  # Vietnamese thousands separator
    values["supermarkets-eco-packaging"] = "800"
    response = client.post(_url(sct_report), _form_data(sct_report, values, answers, "submit"))
    assert response.status_code == 302
    sct_report.refresh_from_db()
    assert sct_report.state == ReportState.SUBMITTED
    assert DataValue.objects.get(request=sct_report,
                                 element__code="supermarkets-total").numeric == 1200


def test_a_bad_value_shows_next_to_the_field_and_nothing_is_stored(client, reporter,
                                                                   sct_report):
    client.force_login(reporter)
    response = client.post(_url(sct_report), {
        "version": "1", "action": "save", "v:supermarkets-total": "mười hai",
        "v:zones-total": "5", "t:IV.1.1:status": "completed"})
    assert response.status_code == 422
    html = response.content.decode()
    # Letters in a number field: "phải là số", not a message about decimals.
    assert ("«Số siêu thị, trung tâm thương mại trên địa bàn»: phải là số, viết như "
            "1.234.567,5") in html
    assert 'value="mười hai"' in html  # what the user typed is kept
    assert not DataValue.objects.filter(request=sct_report).exists()


def test_submit_with_problems_saves_but_lists_them(client, reporter, sct_report):
    client.force_login(reporter)
    response = client.post(_url(sct_report), {"version": "1", "action": "submit",
                                              "v:zones-total": "5"})
    assert response.status_code == 422
    sct_report.refresh_from_db()
    assert sct_report.state == ReportState.DRAFT and sct_report.version == 2
    assert "bắt buộc" in response.content.decode()


def test_stale_form_shows_the_conflict_with_both_versions(client, reporter, coordinator,
                                                          sct_report):
    report_save(report=sct_report, actor=coordinator, version=1,
                values={"supermarkets-total": 20})
    client.force_login(reporter)
    response = client.post(_url(sct_report), {"version": "1", "action": "save",
                                              "v:supermarkets-total": "25"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "conflict-" in html and "25" in html and "20" in html
    copy = ConflictCopy.objects.get()
    response = client.post(reverse("reporting:conflict-resolve",
                                   args=["2022S1", "sct", copy.pk]), {"keep": "mine"})
    assert response.status_code == 302
    assert DataValue.objects.get(request=sct_report).value == "25"


def test_inline_check_of_one_field(client, reporter, sct_report):
    client.force_login(reporter)
    url = _url(sct_report, "reporting:check")
    bad = client.post(url, {"field": "supermarkets-total", "v:supermarkets-total": "-4"},
                      HTTP_HX_REQUEST="true")
    assert bad.status_code == 200 and "field-error" in bad.content.decode()
    good = client.post(url, {"field": "supermarkets-total", "v:supermarkets-total": "4"})
    assert "field-error" not in good.content.decode()
    part = client.post(url, {"field": "supermarkets-eco-packaging",
                             "v:supermarkets-eco-packaging": "9", "v:supermarkets-total": "4"})
    assert "field-error" in part.content.decode()
    assert client.post(url, {"field": "nope"}).status_code == 204


def test_review_queue_accept_and_return(client, reporter, coordinator, period, plan,
                                        django_assert_max_num_queries):
    report = report_of(period, "sct")
    values, answers = complete_payload(report)
    report = report_save(report=report, actor=reporter, version=1, values=values,
                         answers=answers)
    report_submit(report=report, actor=reporter)
    client.force_login(coordinator)
    with django_assert_max_num_queries(8):
        html = client.get(reverse("reporting:review")).content.decode()
    assert "Sở Công Thương" in html
    response = client.post(_url(report, "reporting:return"), {"reason": ""})
    assert response.status_code == 422
    response = client.post(_url(report, "reporting:return"), {"reason": "Bổ sung IV.1.3"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.RETURNED


def test_periods_page_opens_a_period(client, coordinator, plan, django_assert_max_num_queries):
    client.force_login(coordinator)
    html = client.get(reverse("reporting:periods")).content.decode()
    # the periods that can be opened are offered with their deadlines, not typed
    assert '<option value="2024S1">6 tháng đầu năm 2024, hạn nộp 14/06/2024</option>' in html
    assert '<option value="2024S2"' not in html and 'name="code" value=' not in html
    # first a confirmation saying what will happen; nothing opened yet
    response = client.post(reverse("reporting:periods"), {"code": "2024s1"})
    html = response.content.decode()
    assert response.status_code == 200 and not Period.objects.filter(code="2024S1").exists()
    units = len(units_obliged_on(plan=plan, day=dt.date(2024, 6, 14)))
    assert f"{units} đơn vị nhận yêu cầu báo cáo" in html and "14/06/2024" in html
    response = client.post(reverse("reporting:periods"), {"code": "2024S1", "confirmed": "on"})
    assert response.status_code == 302 and response.url.endswith("/periods/2024S1/")
    assert ReportRequest.objects.filter(period__code="2024S1").count() == units
    with django_assert_max_num_queries(8):
        html = client.get(reverse("reporting:periods")).content.decode()
    assert "6 tháng đầu năm 2024" in html and '<option value="2024S1"' not in html
    bad = client.post(reverse("reporting:periods"), {"code": "2024S2"})
    assert bad.status_code == 422 and "field-error" in bad.content.decode()
    bad = client.post(reverse("reporting:periods"), {"code": "1999"})
    assert bad.status_code == 422


def test_period_and_completeness_pages(client, coordinator, period, plan,
                                       django_assert_max_num_queries):
    period_open(plan=plan, code="2022", actor=None, notify=False)
    client.force_login(coordinator)
    # 11 (the rates in one aggregate, the page's rows in one more), and 3 to count the
    # obliged units not yet asked (offered to the coordinator)
    with django_assert_max_num_queries(14):
        html = client.get(reverse("reporting:period", args=["2022S1"])).content.decode()
    assert "Hạ Long" in html and "chưa nộp" in html
    orgunit_graph()  # org units are read once per process, as on a running server
    with django_assert_max_num_queries(11):  # whatever the number of units and periods
        html = client.get(reverse("reporting:completeness")).content.decode()
    assert "2022S1" in html and "Hạ Long" in html
    assert client.get(reverse("reporting:period", args=["2099S1"])).status_code == 404


def test_adhoc_request_page(client, coordinator, plan):
    client.force_login(coordinator)
    assert client.get(reverse("reporting:adhoc-new")).status_code == 200
    due = (dt.date.today() + dt.timedelta(days=5)).strftime("%d/%m/%Y")
    data = {"title": "Số liệu nhanh", "instructions": "", "due_date": due,
            "group": "departments", "q-TOTAL_FORMS": "2", "q-INITIAL_FORMS": "0",
            "q-0-name": "Số cơ sở", "q-0-value_type": "integer", "q-1-name": "",
            "q-1-value_type": "text"}
    response = client.post(reverse("reporting:adhoc-new"), data)
    assert response.status_code == 302
    code = response.url.rstrip("/").rsplit("/", 1)[-1]
    assert code.startswith("AH-")
    bad = client.post(reverse("reporting:adhoc-new"), {**data, "due_date": "01/01/2001"})
    assert bad.status_code == 422
    choice = client.post(reverse("reporting:adhoc-new"), {**data, "q-0-value_type": "choice",
                                                          "q-0-choices": "chỉ một"})
    assert choice.status_code == 422 and "ít nhất hai phương án" in choice.content.decode()


def test_history_shows_who_changed_what(client, reporter, coordinator, sct_report):
    report_save(report=sct_report, actor=reporter, version=1, values={"supermarkets-total": 7})
    client.force_login(coordinator)
    html = client.get(_url(sct_report, "reporting:history")).content.decode()
    assert reporter.username in html and "Số siêu thị" in html and ">7 cơ sở<" in html


@pytest.mark.parametrize(("path", "status"), [
    ("/reporting/r/2022S1/sct/", 200), ("/reporting/r/2022S1/sct/history/", 200),
    ("/reporting/r/2022S1/nope/", 404), ("/reporting/r/ZZZ/sct/", 404),
    ("/reporting/r/2022S2/sct/", 404), ("/reporting/r/2022S1/sct%00/", 404),
    ("/reporting/r/2022S1/nope/history/", 404)])
def test_garbage_addresses_are_404_not_500(client, coordinator, period, path, status):
    client.force_login(coordinator)
    assert client.get(path).status_code == status


@pytest.mark.parametrize(("data", "message"), [
    ({}, "Biểu mẫu không đầy đủ; hãy tải lại trang."),
    ({"version": "x"}, "Biểu mẫu không đầy đủ; hãy tải lại trang."),
    ({"version": "99999999999999"}, "Biểu mẫu không đầy đủ; hãy tải lại trang."),
    ({"version": "1", "v:supermarkets-total": "9" * 40},
     "«Số siêu thị, trung tâm thương mại trên địa bàn»: số quá lớn<"),
    ({"version": "1", "t:IV.1.1:status": "<script>"},
     "Nhiệm vụ IV.1.1: tình trạng không hợp lệ."),
    ({"version": "1", "t:IV.1.1:results": "x" * 30000},
     "«Kết quả nhiệm vụ IV.1.1»: tối đa 20000 ký tự (hiện có 30000)"),
    ({"version": "1", "t:IV.1.1:results": "a\x00b", "c:zones-total": "\x00",
      "v:zones-total": "\x00"},
     "«Số khu kinh tế, khu công nghiệp, cụm công nghiệp, làng nghề trên địa bàn»: phải là "
     "số, viết như 1.234.567,5"),
])
def test_garbage_posts_are_refused_with_the_reason(client, reporter, sct_report, data,
                                                   message):
    client.force_login(reporter)
    response = client.post(_url(sct_report), data)
    assert response.status_code == 422
    assert message in response.content.decode()
    sct_report.refresh_from_db()
    assert sct_report.version == 1
    assert not DataValue.objects.filter(request=sct_report).exists()


def test_nul_characters_are_dropped_from_texts(client, reporter, sct_report):
    client.force_login(reporter)
    response = client.post(_url(sct_report), {"version": "1", "t:IV.1.1:results": "a\x00b",
                                              "c:zones-total": "\x00"})
    assert response.status_code == 302
    assert TaskAnswer.objects.get(request=sct_report, task__ref="IV.1.1").results == "ab"
    assert not DataValue.objects.filter(request=sct_report).exists()


def test_a_check_without_a_field_answers_nothing(client, reporter, sct_report):
    client.force_login(reporter)
    assert client.post(_url(sct_report, "reporting:check"), {}).status_code == 204


def test_a_conflict_keeps_only_the_authors_own_edits(client, reporter, coordinator,
                                                     sct_report):
    report_save(report=sct_report, actor=coordinator, version=1, values={"zones-total": 71})
    client.force_login(reporter)
    # The reporter's form was loaded at version 1: zones-total was empty then.
    response = client.post(_url(sct_report), {
        "version": "1", "action": "save",
        "v:zones-total": "", "o:v:zones-total": "",
        "v:supermarkets-total": "1.500", "o:v:supermarkets-total": "",
        "t:IV.1.1:results": "Đã làm\r\n", "o:t:IV.1.1:results": "",
        "t:IV.1.2:results": "", "o:t:IV.1.2:results": ""})
    assert response.status_code == 409
    copy = ConflictCopy.objects.get()
    assert copy.payload["values"] == {"supermarkets-total": {"value": "1500"}}  # as stored
    assert copy.payload["answers"] == {"IV.1.1": {"results": "Đã làm"}}
    html = response.content.decode()
    assert "1.500 cơ sở" in html  # the refused value, shown as a reader reads it
    client.post(reverse("reporting:conflict-resolve", args=["2022S1", "sct", copy.pk]),
                {"keep": "mine"})
    stored = dict(DataValue.objects.filter(request=sct_report)
                  .values_list("element__code", "value"))
    assert stored == {"zones-total": "71", "supermarkets-total": "1500"}


def test_the_report_page_costs_a_bounded_number_of_queries(client, reporter, sct_report,
                                                           django_assert_max_num_queries):
    values, answers = complete_payload(sct_report)
    report_save(report=sct_report, actor=reporter, version=1, values=values, answers=answers)
    client.force_login(reporter)
    with django_assert_max_num_queries(20):
        response = client.get(_url(sct_report))
    assert response.status_code == 200


def test_period_page_asks_the_units_not_yet_asked(client, coordinator, reporter, plan,
                                                  django_assert_max_num_queries):
    period, first = period_open(plan=plan, code="2022", actor=None, notify=False)
    url = reverse("reporting:period", args=["2022"])
    client.force_login(coordinator)
    assert "period-units-add" not in client.get(url).content.decode()  # nobody is missing
    for n in (1, 2, 3):
        OrgUnit.objects.create(code=f"dn-moi-{n}", name=f"Công ty Mới {n}",
                               kind=OrgUnitKind.ENTERPRISE)
    orgunit_graph()  # org units are read once per process (and again after a change)
    with django_assert_max_num_queries(14):
        html = client.get(url).content.decode()
    # the confirmation dialog says how many units get a request and the deadline
    assert ('data-confirm="3 đơn vị chưa được yêu cầu sẽ nhận yêu cầu báo cáo kỳ năm 2022 '
            'và thư điện tử; hạn nộp 14/12/2022.') in html
    assert reverse("reporting:period-units-add", args=["2022"]) in html
    # a reporter and a viewer are not offered it, nor may they post
    client.force_login(reporter)
    assert client.post(reverse("reporting:period-units-add", args=["2022"])).status_code == 403
    client.force_login(coordinator)
    response = client.post(reverse("reporting:period-units-add", args=["2022"]), follow=True)
    assert response.redirect_chain[-1][0] == url
    assert "3 đơn vị đã được yêu cầu báo cáo kỳ năm 2022" in response.content.decode()
    assert period.requests.count() == len(first) + 3
    # asked again with nothing missing: said so, nothing added
    response = client.post(reverse("reporting:period-units-add", args=["2022"]), follow=True)
    assert "đã có yêu cầu báo cáo" in response.content.decode()
    assert period.requests.count() == len(first) + 3
