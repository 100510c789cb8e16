"""`scp-monitor plan load` and `plan show --format json`."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from orgunits.models import DISTRICT_LEVEL_KINDS


def _run(*args) -> str:
    out = StringIO()
    call_command("plan", *args, stdout=out)
    return out.getvalue()


def test_plan_show_json_lists_tasks_assignees_and_district_successors(plan):
    data = json.loads(_run("show", "--format", "json"))
    tasks = data["tasks"]
    assert len(tasks) == 40
    assert tasks[0]["ref"] == "IV.1.1" and tasks[-1]["ref"] == "IV.16.3"
    assert {t["ref"]: t["lead"] for t in tasks}["IV.14.1"] == ["nhnn-qn"]
    assert set({t["ref"]: t["lead"] for t in tasks}["IV.16.1"]) == {
        "group:departments", "group:district_level"}
    districts = [u for u in data["org_units"] if u["kind"] in DISTRICT_LEVEL_KINDS]
    assert len({u["code"] for u in districts if u["valid_to"] in (None, "2025-07-01")
                or u["code"] == "tx-dong-trieu"}) >= 13
    closed = [u for u in districts if u["valid_to"] == "2025-07-01"]
    assert len(closed) == 13
    assert all(u["successors"] for u in closed)
    assert len(data["targets"]) == 13  # the 12 of II.2 and IV.10.1's 20 S&T enterprises


def test_plan_load_twice_reports_unchanged(plan):
    assert "unchanged" in _run("load", str(settings.SCP_PLAN_FILE))


def test_plan_load_of_a_bad_file_fails_with_the_message(plan):
    bad = sorted((Path(__file__).parent / "data" / "bad").glob("*.yaml"))[0]
    with pytest.raises(CommandError) as caught:
        _run("load", str(bad))
    assert str(bad) in str(caught.value)


def test_plan_file_read_without_org_units_says_to_load_them_first():
    from common.datafile import DataFileError
    from plans.loader import plan_file_read

    with pytest.raises(DataFileError) as caught:
        plan_file_read(settings.SCP_PLAN_FILE, known_units=set())
    message = str(caught.value)
    assert len(caught.value.faults) == 1 and "\n" not in message
    assert "load them first" in message and "scp-monitor reference load" in message


@pytest.mark.django_db(transaction=True)
def test_on_a_fresh_database_reference_load_loads_everything_in_order():
    from orgunits.models import OrgUnit
    from plans.models import Plan

    call_command("flush", interactive=False, verbosity=0)
    assert not OrgUnit.objects.exists()
    with pytest.raises(CommandError) as caught:
        _run("load", str(settings.SCP_PLAN_FILE))
    assert "\n" not in str(caught.value) and "reference load" in str(caught.value)
    out = StringIO()
    call_command("reference", "load", stdout=out)
    lines = out.getvalue().splitlines()
    assert any("141/KH-UBND" in line and "created" in line for line in lines)
    assert Plan.objects.filter(code="141/KH-UBND").exists()
    from registry.models import MeasureUnit

    assert MeasureUnit.objects.filter(code="toe").exists()
    out = StringIO()
    call_command("reference", "load", stdout=out)
    assert "141/KH-UBND: unchanged" in out.getvalue()
