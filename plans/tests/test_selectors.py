"""Who holds which task on which day, across the 2025 reorganisation."""

from __future__ import annotations

import datetime as dt

from orgunits.models import COMMUNE_LEVEL_KINDS, DISTRICT_LEVEL_KINDS
from plans.models import DataElement
from plans.selectors import form_parts, plan_obligations_on, task_responsible_on


def _codes(units) -> set[str]:
    return {u.code for u in units}


def test_task_of_a_merged_department_passes_to_its_successor(plan):
    task = plan.tasks.get(ref="IV.2.1")
    assert _codes(task_responsible_on(task=task, day=dt.date(2024, 12, 31))) == {"stnmt"}
    assert _codes(task_responsible_on(task=task, day=dt.date(2025, 8, 1))) == {"snnmt"}


def test_planning_and_investment_task_passes_to_finance(plan):
    task = plan.tasks.get(ref="IV.3.1")
    assert _codes(task_responsible_on(task=task, day=dt.date(2021, 1, 1))) == {"skhdt"}
    assert _codes(task_responsible_on(task=task, day=dt.date(2026, 1, 1))) == {"stc"}


def test_lead_agency_task_is_unchanged_by_the_reorganisation(plan):
    task = plan.tasks.get(ref="IV.1.2")
    for day in (dt.date(2021, 3, 1), dt.date(2025, 8, 1), dt.date(2030, 12, 31)):
        assert _codes(task_responsible_on(task=task, day=day)) == {"sct"}


def test_iv16_binds_districts_before_july_2025_and_communes_after(plan):
    task = plan.tasks.get(ref="IV.16.2")
    before = task_responsible_on(task=task, day=dt.date(2025, 6, 30))
    after = task_responsible_on(task=task, day=dt.date(2025, 7, 1))
    assert sum(u.kind in DISTRICT_LEVEL_KINDS for u in before) == 13
    assert not any(u.kind in COMMUNE_LEVEL_KINDS for u in before)
    assert not any(u.kind in DISTRICT_LEVEL_KINDS for u in after)
    assert sum(u.kind in COMMUNE_LEVEL_KINDS for u in after) == 54
    # Departments keep the task too, merged ones through their successors.
    assert {"sct", "stc", "snv", "snnmt"} <= _codes(after)
    assert not {"skhdt", "stnmt"} & _codes(after)


def test_tasks_that_moved_in_2025_follow_their_transfer(plan):
    press, vocational = plan.tasks.get(ref="IV.7.1"), plan.tasks.get(ref="IV.8.1")
    before, after = dt.date(2025, 2, 28), dt.date(2025, 3, 1)
    assert _codes(task_responsible_on(task=press, day=before)) == {"stttt"}
    assert _codes(task_responsible_on(task=press, day=after)) == {"svhttdl"}
    assert _codes(task_responsible_on(task=vocational, day=before)) == {"sldtbxh"}
    assert _codes(task_responsible_on(task=vocational, day=after)) == {"sgddt"}
    obligations = {u.code: [t.ref for t in tasks]
                   for u, tasks in plan_obligations_on(plan=plan, day=after).items()}
    assert "IV.7.1" in obligations["svhttdl"] and "IV.7.1" not in obligations["skhcn"]
    assert "IV.8.1" in obligations["sgddt"] and "IV.8.1" not in obligations["snv"]
    # The rest of the merged departments' duties went with the merger.
    assert "IV.16.1" in obligations["skhcn"] and "IV.10.1" in obligations["skhcn"]


def test_obligations_cover_every_assignee_in_few_queries(plan, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):  # assignments, successions, the two groups
        obligations = plan_obligations_on(plan=plan, day=dt.date(2022, 6, 1))
    by_code = {u.code: tasks for u, tasks in obligations.items()}
    assert len(by_code["sct"]) == 6 + 3  # IV.1 and, as a department, IV.16
    assert [t.ref for t in by_code["nhnn-qn"]] == ["IV.14.1", "IV.14.2", "IV.16.1",
                                                     "IV.16.2", "IV.16.3"]
    assert [t.ref for t in by_code["tp-ha-long"]] == ["IV.16.1", "IV.16.2", "IV.16.3"]
    # 24 agencies: the 15 assignees of IV.1-IV.15, Nội vụ, Y tế, Tư pháp, Thanh tra, the
    # People's Committee's office (2021), Ban Dân tộc, the two economic zone boards and the
    # Media Centre; and 13 district-level units
    assert len(obligations) == 24 + 13
    assert [t.ref for t in by_code["bqlkkt"]] == ["IV.16.1", "IV.16.2", "IV.16.3"]
    assert "vp-ubnd" in by_code and "vp-dbqh-hdnd-ubnd" not in by_code


def data_element_list(*, plan_id: int):
    return form_parts(plan_id=plan_id)[0]


def test_a_plans_questions_are_read_once_and_again_only_after_a_change(
        plan, django_assert_num_queries):
    first = data_element_list(plan_id=plan.pk)
    assert [e.code for e in first] == list(
        plan.data_elements.order_by("order", "id").values_list("code", flat=True))
    wholes = set(plan.data_elements.filter(parts__isnull=False).values_list("code", flat=True))
    assert wholes
    with django_assert_num_queries(1):  # the fingerprint; the wholes come with their parts
        again = data_element_list(plan_id=plan.pk)
        assert {e.part_of.code for e in again if e.part_of_id} == wholes
    assert again is first
    element = first[0]
    changed = DataElement.objects.get(pk=element.pk)
    changed.name = "Câu hỏi đã sửa"
    changed.save()  # as the admin saves it
    assert data_element_list(plan_id=plan.pk)[0].name == "Câu hỏi đã sửa"
    assert element.name != "Câu hỏi đã sửa"  # the kept objects are not changed in place
    DataElement.objects.filter(pk=element.pk).delete()
    assert element.pk not in {e.pk for e in data_element_list(plan_id=plan.pk)}
    assert data_element_list(plan_id=0) == []
