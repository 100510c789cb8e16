"""The plan loader: Plan 141 complete, idempotent, edits in place, bad files rejected whole."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from common.datafile import DataFileError
from common.models import AuditEvent
from plans.loader import parse_range
from plans.models import Assignment, DataElement, Plan, Section, Target, Task
from plans.services import plan_load

DATA = Path(__file__).parent / "data"


def _snapshot() -> tuple:
    return (
        list(Plan.objects.values_list("code", "title", "content_hash").order_by("code")),
        list(Task.objects.values_list("ref", "text", "title_en").order_by("plan", "ref")),
        list(Target.objects.values_list("ref", "minimum_value").order_by("plan", "ref")),
        Assignment.objects.count(), DataElement.objects.count(), Section.objects.count(),
    )


def test_plan_141_is_loaded_whole(plan):
    assert plan.code == "141/KH-UBND"
    assert plan.lead_agency.code == "sct"
    assert plan.tasks.count() == 40
    assert plan.targets.filter(milestone__code="2025").count() == 6
    assert plan.targets.filter(milestone__code="2030").count() == 7  # with IV.10.1
    refs = list(plan.tasks.values_list("ref", flat=True))
    assert refs[0] == "IV.1.1" and refs[-1] == "IV.16.3"
    material = plan.targets.get(ref="II.2.1.1")
    assert (material.minimum_value, material.stretch_value) == (Decimal(5), Decimal(8))
    assert material.direction == "decrease"
    assert material.sectors.count() == 8
    models_target = plan.targets.get(ref="II.2.1.3")
    assert (models_target.minimum_value, models_target.stretch_value) == (1, 2)
    assert {r.kind for r in plan.reporting_rules.all()} == {"semiannual", "annual", "adhoc"}
    semiannual = plan.reporting_rules.get(kind="semiannual")
    assert (semiannual.due_month, semiannual.due_day) == (6, 15)


def test_loading_the_same_file_twice_changes_nothing(plan):
    before, events = _snapshot(), AuditEvent.objects.count()
    report = plan_load(path=settings.SCP_PLAN_FILE, actor=None)
    assert not report.changed
    assert _snapshot() == before
    assert AuditEvent.objects.count() == events


def test_an_edited_file_updates_in_place_and_reports_what_changed(plan, tmp_path):
    data = yaml.safe_load(Path(settings.SCP_PLAN_FILE).read_text(encoding="utf-8"))
    data["task_blocks"][0]["tasks"][0]["title_en"] = "A new English title"
    data["targets"][1]["value"] = 75
    data["task_blocks"][1]["tasks"][0]["coordinate"] = ["sct"]
    edited = tmp_path / "edited.yaml"
    edited.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    task_ids = dict(Task.objects.filter(plan=plan).values_list("ref", "id"))

    report = plan_load(path=edited, actor=None)

    assert report.created == [] and report.deleted == []
    text = "\n".join(report.updated)
    assert ("task IV.1.1: title_en: 'Build and run the provincial SCP plan 2021-2030; yearly "
            "p...' → 'A new English title'") in report.updated
    assert f"target {data['targets'][1]['ref']}: minimum_value" in text
    assert "task IV.2.1: assignments changed" in text
    assert Task.objects.get(plan=plan, ref="IV.1.1").title_en == "A new English title"
    assert plan.targets.get(ref=data["targets"][1]["ref"]).minimum_value == 75
    # Updated in place: the same rows, not new ones.
    assert dict(Task.objects.filter(plan=plan).values_list("ref", "id")) == task_ids
    assert AuditEvent.objects.filter(action="plan.load", target_id=str(plan.pk)).exists()


def test_a_task_removed_from_the_file_is_removed_and_reported(plan, tmp_path):
    data = yaml.safe_load(Path(settings.SCP_PLAN_FILE).read_text(encoding="utf-8"))
    removed = data["task_blocks"][15]["tasks"].pop()
    edited = tmp_path / "edited.yaml"
    edited.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    report = plan_load(path=edited, actor=None)
    assert f"task {removed['ref']}" in report.deleted
    assert not plan.tasks.filter(ref=removed["ref"]).exists()


def test_a_second_plan_loads_beside_plan_141_without_code_change(plan):
    report = plan_load(path=DATA / "second-plan.yaml", actor=None)
    other = report.plan
    assert other.code != plan.code
    assert other.tasks.count() > 0 and other.targets.count() > 0
    assert plan.tasks.count() == 40  # Plan 141 untouched
    ranged = other.targets.exclude(stretch_value=None).first()
    assert ranged is not None and ranged.stretch_value >= ranged.minimum_value


@pytest.mark.parametrize("bad", sorted((DATA / "bad").glob("*.yaml")), ids=lambda p: p.stem)
def test_a_bad_file_is_rejected_whole_naming_file_and_place(plan, bad):
    before = _snapshot()
    with pytest.raises(DataFileError) as caught:
        plan_load(path=bad, actor=None)
    message = str(caught.value)
    assert str(bad) in message
    assert caught.value.faults, "the error lists its faults"
    assert all(f.line is not None or f.path for f in caught.value.faults)
    assert _snapshot() == before


def _write_plan(tmp_path: Path, mutate) -> Path:
    data = yaml.safe_load((DATA / "second-plan.yaml").read_text(encoding="utf-8"))
    mutate(data)
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("mutate", "key", "words"),
    [
        (lambda d: d["task_blocks"][0]["tasks"][0].update(lead=["no-such-unit"]),
         "task_blocks[0].tasks[0].lead[0]", "no-such-unit"),
        (lambda d: d["targets"][0].pop("milestone"), "targets[0].milestone", "required"),
        (lambda d: d["targets"][0].update(milestone="2099"), "targets[0].milestone", "2099"),
        (lambda d: d["targets"][0].update(kind="quantitative", value="8-5", direction="increase"),
         "targets[0].value", "minimum above"),
        (lambda d: d["targets"][0].update(kind="quantitative", value="năm - tám",
                                          direction="increase"), "targets[0].value", "range"),
        (lambda d: d["task_blocks"][0]["tasks"][0].update(recurrence="sometimes"),
         "task_blocks[0].tasks[0].recurrence", "sometimes"),
        (lambda d: d.update(indicators=[{"code": "x", "name": "X",
                                         "formula": 'registry("nope")'}]),
         "indicators[0].formula", "unknown registry measure"),
        (lambda d: d.update(indicators=[{"code": "x", "name": "X",
                                         "formula": '100 * answer("no-such-question")'}]),
         "indicators[0].formula", "no question has the code 'no-such-question'"),
        (lambda d: d.update(indicators=[{"code": "x", "name": "X", "formula": "1",
                                         "compare": '__import__("os")'}]),
         "indicators[0].compare", "unknown function '__import__'"),
        (lambda d: d.update(indicators=[{"code": "x", "name": "X", "formula": "x.y + 1"}]),
         "indicators[0].formula", "is not allowed"),
        (lambda d: (d["targets"][0].update(indicator="missing"),
                    d.update(indicators=[{"code": "x", "name": "X", "formula": "1"}])),
         "targets[0].indicator", "no indicator has the code 'missing'"),
    ],
)
def test_each_fault_names_its_key_and_line(plan, tmp_path, mutate, key, words):
    path = _write_plan(tmp_path, mutate)
    with translation.override("en"), pytest.raises(DataFileError) as caught:
        plan_load(path=path, actor=None)
    faults = {f.path: f for f in caught.value.faults}
    assert key in faults, caught.value
    assert words in faults[key].message
    assert faults[key].line is not None and faults[key].line > 1
    assert not Plan.objects.filter(code=yaml.safe_load(path.read_text())["plan"]["code"]).exists()


def test_invalid_yaml_names_the_line(plan, tmp_path):
    path = tmp_path / "broken.yaml"
    shutil.copy(DATA / "second-plan.yaml", path)
    with path.open("a", encoding="utf-8") as f:
        f.write("\nextra: [unclosed\n")
    with pytest.raises(DataFileError) as caught:
        plan_load(path=path, actor=None)
    assert caught.value.faults[0].line is not None
    assert str(path) in str(caught.value)


@given(low=st.integers(0, 10_000), extra=st.integers(0, 10_000))
def test_parse_range_reads_min_and_stretch(low, extra):
    assert parse_range(f"{low} - {low + extra}") == (Decimal(low), Decimal(low + extra))
    assert parse_range(f"{low} đến {low + extra}") == (Decimal(low), Decimal(low + extra))
    if extra:
        with pytest.raises(ValueError):
            parse_range(f"{low + extra}-{low}")
