"""The organisation-unit file loader: idempotence, edits in place, and rejected files."""

from __future__ import annotations

import datetime as dt
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from common.datafile import DataFileError
from common.models import AuditEvent
from orgunits.models import OrgUnit, Succession
from orgunits.services import orgunits_load, orgunits_load_files
from orgunits.tests.helpers import (
    SUCCESSIONS_2025,
    UNITS_2020,
    UNITS_2025,
    line_of,
    load_reference,
    snapshot,
)

FILE_2020, FILE_2025 = (Path(p) for p in settings.SCP_ORGUNIT_FILES)

pytestmark = pytest.mark.django_db


def test_real_files_load_with_expected_totals():
    load_reference()
    # 40 (2020) + 60 (2021-2025); other tests may add more
    assert OrgUnit.objects.count() >= UNITS_2020 + UNITS_2025 == 100
    some = ["quang-ninh", "sct", "nhnn-kv", "dk-co-to"]
    assert OrgUnit.objects.filter(code__in=some).count() == 4
    assert Succession.objects.filter(date="2025-07-01").count() == 58
    assert OrgUnit.objects.get(code="quang-ninh").official_code == "22"
    assert OrgUnit.objects.get(code="skhdt").valid_to.isoformat() == "2025-03-01"
    assert OrgUnit.objects.get(code="stc").valid_to is None  # absorbed skhdt, continues
    assert not Succession.objects.filter(predecessor__code="stc", successor__code="stc").exists()


def test_loading_twice_changes_nothing():
    load_reference()
    before = snapshot()
    reports = load_reference()
    assert [r.file for r in reports] == [str(FILE_2020), str(FILE_2025)]
    for report in reports:
        assert report.units.created == report.units.updated == 0
        assert report.successions.created == report.successions.updated == 0
        assert report.changes == []
        assert not report.changed
    assert reports[0].units.unchanged == UNITS_2020 == 40
    assert reports[1].units.unchanged == UNITS_2025 == 60
    assert reports[1].successions.unchanged == SUCCESSIONS_2025 == 74
    assert snapshot() == before  # no new audit rows either


def test_reloading_the_2020_file_alone_keeps_2025_closures():
    load_reference()
    before = snapshot()
    report = orgunits_load(path=FILE_2020, actor=None)
    assert report.units.unchanged == UNITS_2020 and not report.changed
    assert snapshot() == before
    assert OrgUnit.objects.get(code="skhdt").valid_to.isoformat() == "2025-03-01"


EARLY = """\
units:
  - code: t-province
    name: Tỉnh Thử
    kind: province
  - code: t-dept-a
    name: Sở A
    kind: department
    parent: t-province
  - code: t-dept-b
    name: Sở B
    kind: department
    parent: t-province
  - code: t-district
    name: Huyện Thử
    kind: district
    parent: t-province
"""

LATER = """\
units:
  - code: t-ward-1
    name: Phường Một
    kind: ward
    parent: t-province
    valid_from: 2025-07-01
  - code: t-ward-2
    name: Phường Hai
    kind: ward
    parent: t-province
    valid_from: 2025-07-01
successions:
  - from: [t-dept-a, t-dept-b]
    to: [t-dept-b]
    date: 2025-03-01
    kind: merge
  - from: t-district
    to: [t-ward-1, {unit: t-ward-2, share: 0.25}]
    date: 2025-07-01
    kind: split
"""


def _write(tmp_path: Path) -> tuple[Path, Path]:
    early, later = tmp_path / "early.yaml", tmp_path / "later.yaml"
    early.write_text(EARLY, encoding="utf-8")
    later.write_text(LATER, encoding="utf-8")
    return early, later


def test_first_load_creates_then_a_later_file_closes_and_audits(tmp_path):
    early, later = _write(tmp_path)
    audits = AuditEvent.objects.count()
    r1 = orgunits_load(path=early, actor=None)
    assert (r1.units.created, r1.units.updated, r1.successions.created) == (4, 0, 0)
    assert {c.action for c in r1.changes} == {"created"}
    assert OrgUnit.objects.get(code="t-dept-a").valid_to is None
    r2 = orgunits_load(path=later, actor=None)
    assert (r2.units.created, r2.successions.created) == (2, 3)
    # The later file closes units of the earlier one: updates in the later file's report.
    closed = {c.key: c.changes for c in r2.changes
              if c.model == "unit" and c.action == "updated"}
    assert r2.units.updated == len(closed) == 2
    assert [(c.field, c.old, c.new) for c in closed["t-dept-a"]] == [
        ("valid_to", None, dt.date(2025, 3, 1))
    ]
    assert closed["t-district"][0].new == dt.date(2025, 7, 1)
    assert OrgUnit.objects.get(code="t-dept-b").valid_to is None  # absorbed a, continues
    assert not Succession.objects.filter(predecessor__code="t-dept-b").exists()
    assert Succession.objects.get(successor__code="t-ward-2").share == Decimal("0.25")
    new = AuditEvent.objects.order_by("id")[audits:]
    assert len(new) == 4 + 2 + 3 + 2
    assert {a.action for a in new} == {"orgunit.created", "orgunit.updated",
                                       "succession.created"}
    # Loading the earlier file again on its own does not reopen what the later one closed.
    again = orgunits_load(path=early, actor=None)
    assert again.units.unchanged == 4 and not again.changed
    assert OrgUnit.objects.get(code="t-dept-a").valid_to == dt.date(2025, 3, 1)


def test_loading_both_files_together_creates_units_already_closed(tmp_path):
    early, later = _write(tmp_path)
    r1, r2 = orgunits_load_files(paths=[early, later], actor=None)
    assert (r1.units.created, r2.units.created, r2.units.updated) == (4, 2, 0)
    dept_a = next(c for c in r1.changes if c.key == "t-dept-a")
    fields = {c.field: (c.old, c.new) for c in dept_a.changes}
    assert dept_a.action == "created"
    assert fields["valid_to"] == (None, dt.date(2025, 3, 1))  # created already closed


def test_edited_file_updates_in_place(tmp_path):
    load_reference()
    text_2020 = FILE_2020.read_text(encoding="utf-8")
    edited_2020 = tmp_path / "qn-2020.yaml"
    edited_2020.write_text(
        text_2020.replace('name_en: "Department of Industry and Trade"',
                          'name_en: "Department of Industry & Trade"')
        .replace('    short_name: "SCT"\n',
                 '    short_name: "SCT"\n    email: "sct@example.org"\n'),
        encoding="utf-8",
    )
    text_2025 = FILE_2025.read_text(encoding="utf-8")
    edited_2025 = tmp_path / "qn-2025.yaml"
    edited_2025.write_text(
        text_2025.replace("  - from: h-co-to\n    to: [dk-co-to]",
                          "  - from: h-co-to\n    to: [{unit: dk-co-to, share: 1}]"),
        encoding="utf-8",
    )
    audits = AuditEvent.objects.count()
    sct = OrgUnit.objects.get(code="sct")
    reports = orgunits_load_files(paths=[edited_2020, edited_2025], actor=None)
    r2020, r2025 = reports
    assert r2020.file == str(edited_2020)
    assert (r2020.units.created, r2020.units.updated, r2020.units.unchanged) == (
        0, 1, UNITS_2020 - 1)
    [change] = r2020.changes
    assert (change.model, change.key, change.action) == ("unit", "sct", "updated")
    fields = {c.field: (c.old, c.new) for c in change.changes}
    assert fields == {
        "name_en": ("Department of Industry and Trade", "Department of Industry & Trade"),
        "email": ("", "sct@example.org"),
    }
    assert "name_en: 'Department of Industry and Trade' → 'Department of Industry & Trade'" in (
        "\n".join(r2020.lines())
    )
    assert (r2025.successions.updated, r2025.successions.unchanged) == (1, SUCCESSIONS_2025 - 1)
    [schange] = r2025.changes
    assert schange.key == "h-co-to → dk-co-to"
    assert [(c.field, c.old, c.new) for c in schange.changes] == [("share", None, Decimal("1"))]
    sct.refresh_from_db()
    assert sct.name_en == "Department of Industry & Trade" and sct.email == "sct@example.org"
    assert sct.pk == OrgUnit.objects.get(code="sct").pk  # in place, same row
    assert Succession.objects.get(predecessor__code="h-co-to").share == Decimal("1")
    new_audits = AuditEvent.objects.order_by("id")[audits:]
    assert [(a.action, a.target_repr) for a in new_audits] == [
        ("orgunit.updated", "Sở Công Thương"),
        ("succession.updated", str(Succession.objects.get(predecessor__code="h-co-to"))),
    ]
    assert new_audits[0].changes[0]["field"] in {"name_en", "email"}
    # Loading the edited files again is a no-op.
    again = orgunits_load_files(paths=[edited_2020, edited_2025], actor=None)
    assert not any(r.changed for r in again)


# --------------------------------------------------------------------------- bad files

VALID_HEAD = """\
units:
  - code: new-unit-ok
    name: "Đơn vị mới"
    kind: department
    parent: ubnd-quang-ninh
  - code: sct
    name: "Sở Công Thương (changed, must not be stored)"
    kind: department
    parent: ubnd-quang-ninh
"""

BAD_CASES = {
    "tasks-on-a-merge": (
        VALID_HEAD + """\
successions:
  - from: new-unit-ok
    to: [sct]
    date: 2026-01-01
    kind: merge
    tasks: ["141/KH-UBND IV.1.1"]
""",
        "successions[0].tasks", "tasks: [",
    ),
    "task-without-plan": (
        VALID_HEAD + """\
successions:
  - from: new-unit-ok
    to: [sct]
    date: 2026-01-01
    kind: transfer
    tasks: [IV.1.1]
""",
        "successions[0].tasks[0]", "tasks: [IV.1.1]",
    ),
    "unknown-kind": (
        VALID_HEAD + """\
  - code: bad-kind
    name: "X"
    kind: ministery
""",
        "units[2].kind", "kind: ministery",
    ),
    "unknown-parent": (
        VALID_HEAD + """\
  - code: orphan
    name: "X"
    kind: ward
    parent: tp-ha-lon
""",
        "units[2].parent", "parent: tp-ha-lon",
    ),
    "unknown-successor": (
        VALID_HEAD + """\
successions:
  - from: new-unit-ok
    to: [sct, no-such-unit]
    date: 2026-01-01
    kind: merge
""",
        "successions[0].to[1]", "to: [sct, no-such-unit]",
    ),
    "unknown-predecessor": (
        VALID_HEAD + """\
successions:
  - from: [new-unit-ok, ghost]
    to: [sct]
    date: 2026-01-01
    kind: merge
""",
        "successions[0].from[1]", "from: [new-unit-ok, ghost]",
    ),
    "closes-before-opening": (
        VALID_HEAD + """\
  - code: short-lived
    name: "X"
    kind: ward
    valid_from: 2025-07-01
    valid_to: 2025-06-30
""",
        "units[2].valid_to", "valid_to: 2025-06-30",
    ),
    "succession-before-opening": (
        VALID_HEAD + """\
successions:
  - from: p-ha-tu
    to: [sct]
    date: 2025-01-01
    kind: transfer
""",
        "successions[0].date", "date: 2025-01-01",
    ),
    "successor-opens-later": (
        VALID_HEAD + """\
successions:
  - from: new-unit-ok
    to: [p-ha-tu]
    date: 2024-01-01
    kind: merge
""",
        "successions[0].to[0]", "to: [p-ha-tu]",
    ),
    "share-above-one": (
        VALID_HEAD + """\
successions:
  - from: new-unit-ok
    to:
      - unit: sct
        share: 1.5
    date: 2026-01-01
    kind: split
""",
        "successions[0].to[0].share", "share: 1.5",
    ),
    "share-zero": (
        VALID_HEAD + """\
successions:
  - from: new-unit-ok
    to:
      - {unit: sct, share: 0}
    date: 2026-01-01
    kind: split
""",
        "successions[0].to[0].share", "{unit: sct, share: 0}",
    ),
    "duplicate-code": (
        VALID_HEAD + """\
  - code: new-unit-ok
    name: "Again"
    kind: department
""",
        "units[2].code", "  - code: new-unit-ok", 2,
    ),
    "unquoted-official-code": (
        VALID_HEAD + """\
  - code: p-test
    name: "X"
    kind: ward
    official_code: 06652
""",
        "units[2].official_code", "official_code: 06652",
    ),
    "unknown-key": (
        VALID_HEAD + """\
  - code: typo
    name: "X"
    kind: ward
    prent: quang-ninh
""",
        "units[2].prent", "prent: quang-ninh",
    ),
    "bad-date": (
        VALID_HEAD + """\
  - code: bad-date
    name: "X"
    kind: ward
    valid_from: 2025-13-01
""",
        "units[2].valid_from", "valid_from: 2025-13-01",
    ),
    "invalid-yaml": (
        VALID_HEAD + """\
  - code: broken
    name: "unterminated
    kind: ward
""",
        "", "kind: ward\n",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_file_is_rejected_naming_file_key_and_line(tmp_path, case):
    load_reference()
    text, key, needle, *nth = BAD_CASES[case]
    path = tmp_path / f"{case}.yaml"
    path.write_text(text, encoding="utf-8")
    before = snapshot()
    with pytest.raises(DataFileError) as caught:
        orgunits_load(path=path, actor=None)
    message = str(caught.value)
    if case == "invalid-yaml":
        # PyYAML reports the problem where the scanner gave up: at or after the bad line.
        fault = caught.value.faults[0]
        assert fault.file == str(path)
        assert fault.line is not None and fault.line >= line_of(text, 'name: "unterminated')
        assert f"{path}:{fault.line}" in message
    else:
        line = line_of(text, needle.rstrip("\n"), nth=nth[0] if nth else 1)
        assert f"{path}:{line}: {key}:" in message, message
        assert any(f.path == key and f.line == line for f in caught.value.faults)
    assert isinstance(caught.value, ValueError)
    assert snapshot() == before  # nothing stored: not the valid unit, not the sct edit
    assert not OrgUnit.objects.filter(code="new-unit-ok").exists()


def test_duplicate_code_across_files_is_rejected(tmp_path):
    load_reference()
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text(VALID_HEAD, encoding="utf-8")
    second.write_text("units:\n  - code: new-unit-ok\n    name: X\n    kind: ward\n",
                      encoding="utf-8")
    before = snapshot()
    with pytest.raises(DataFileError) as caught:
        orgunits_load_files(paths=[first, second], actor=None)
    assert f"{second}:2: units[0].code:" in str(caught.value)
    assert str(first) in str(caught.value)  # points at the first definition
    assert snapshot() == before


def test_one_bad_file_among_several_loads_nothing(tmp_path):
    load_reference()
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(VALID_HEAD, encoding="utf-8")
    bad.write_text("units:\n  - code: x-bad\n    name: X\n    kind: nope\n", encoding="utf-8")
    before = snapshot()
    with pytest.raises(DataFileError):
        orgunits_load_files(paths=[good, bad], actor=None)
    assert snapshot() == before


def test_missing_file_is_an_orgunit_file_error(tmp_path):
    with pytest.raises(DataFileError, match=r"missing\.yaml"):
        orgunits_load(path=tmp_path / "missing.yaml", actor=None)


def test_conflicting_closures_are_rejected(tmp_path):
    load_reference()
    path = tmp_path / "conflict.yaml"
    text = textwrap.dedent("""\
        units:
          - code: a-unit
            name: A
            kind: department
            valid_to: 2026-02-01
          - code: b-unit
            name: B
            kind: department
        successions:
          - from: a-unit
            to: [b-unit]
            date: 2026-01-01
            kind: merge
        """)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        orgunits_load(path=path, actor=None)
    assert f"{path}:5: units[0].valid_to:" in str(caught.value)
    assert not OrgUnit.objects.filter(code="a-unit").exists()


def test_new_file_may_close_stored_units_and_the_report_says_so(tmp_path):
    load_reference()
    path = tmp_path / "2030.yaml"
    path.write_text(textwrap.dedent("""\
        units:
          - code: s-new
            name: Sở Mới
            kind: department
            parent: ubnd-quang-ninh
            valid_from: 2030-01-01
        successions:
          - from: [sct, sngv]
            to: [{unit: s-new, share: 0.5}]
            date: 2030-01-01
            kind: merge
        """), encoding="utf-8")
    report = orgunits_load(path=path, actor=None)
    assert report.units.created == 1 and report.units.updated == 2
    assert report.successions.created == 2
    updated = {c.key: c.changes for c in report.changes if c.action == "updated"}
    assert [(c.field, c.old, str(c.new)) for c in updated["sct"]] == [
        ("valid_to", None, "2030-01-01")
    ]
    assert OrgUnit.objects.get(code="sngv").valid_to.isoformat() == "2030-01-01"


def test_a_transfer_of_tasks_is_stored_and_does_not_close(tmp_path):
    load_reference()
    path = tmp_path / "transfer.yaml"
    path.write_text(VALID_HEAD.replace("(changed, must not be stored)", "") + """\
successions:
  - from: new-unit-ok
    to: [sct]
    date: 2026-01-01
    kind: transfer
    tasks: ["141/KH-UBND IV.1.1"]
    note: "Chuyển nhiệm vụ."
    note_en: "Task moved."
""", encoding="utf-8")
    orgunits_load(path=path, actor=None)
    row = Succession.objects.get(predecessor__code="new-unit-ok")
    assert row.tasks == ["141/KH-UBND IV.1.1"]
    assert (row.note, row.note_en) == ("Chuyển nhiệm vụ.", "Task moved.")
    assert OrgUnit.objects.get(code="new-unit-ok").valid_to is None
