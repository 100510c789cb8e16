"""`scp-monitor orgunits load|show`."""

from __future__ import annotations

import io
import json

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from orgunits.tests.helpers import (
    SUCCESSIONS_2025,
    UNITS_2020,
    UNITS_2025,
    load_reference,
    snapshot,
)

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("orgunits", *args, stdout=out)
    return out.getvalue()


def test_load_prints_the_report():
    load_reference()
    out = run("load", *map(str, settings.SCP_ORGUNIT_FILES))
    lines = out.splitlines()
    assert lines == [
        f"{settings.SCP_ORGUNIT_FILES[0]}: units 0 created, 0 updated, {UNITS_2020} unchanged; "
        "successions 0 created, 0 updated, 0 unchanged",
        f"{settings.SCP_ORGUNIT_FILES[1]}: units 0 created, 0 updated, {UNITS_2025} unchanged; "
        f"successions 0 created, 0 updated, {SUCCESSIONS_2025} unchanged",
    ]


def test_load_bad_file_fails_with_the_message(tmp_path):
    load_reference()
    bad = tmp_path / "bad.yaml"
    bad.write_text("units:\n  - code: x-y\n    name: X\n    kind: ward\n    parent: nowhere\n",
                   encoding="utf-8")
    before = snapshot()
    with pytest.raises(CommandError) as caught:
        run("load", str(bad))
    assert f"{bad}:5: units[0].parent:" in str(caught.value)
    assert snapshot() == before


def test_show_json_on_a_day():
    load_reference()
    data = json.loads(run("show", "--on", "2025-08-01", "--format", "json"))
    codes = {u["code"] for u in data}
    assert "stc" in codes and "skhdt" not in codes and "tp-ha-long" not in codes
    assert sum(1 for u in data if u["kind"] in {"ward", "commune", "special_zone"}) == 54


def test_show_text():
    load_reference()
    out = run("show", "--on", "2020-08-06")
    assert "→ 2025-03-01: stc" in next(x for x in out.splitlines() if x.startswith("skhdt "))
    assert not any(line.startswith("p-ha-tu ") for line in out.splitlines())
    # every 2020 unit, and the 2020 office and Vân Đồn board opened before the plan
    assert out.splitlines()[-1] == f"{UNITS_2020} unit(s)"


def test_show_rejects_a_bad_date():
    with pytest.raises(CommandError):
        run("show", "--on", "yesterday")
