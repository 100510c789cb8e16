"""The one data-file reader: faults name the file, key path and line; values are read by
common.parsing (data-file numbers as a program writes them)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation

from common.datafile import DataFile, DataFileError


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _file(tmp_path: Path, text: str) -> DataFile:
    path = tmp_path / "data.yaml"
    path.write_text(text, encoding="utf-8")
    return DataFile.read(path)


def test_values_and_faults_with_lines(tmp_path):
    f = _file(tmp_path, """\
units:
  - code: a
    share: "0.25"
    opened: 2025-07-01
    closed: 31/12/2025
    name: "  Hạ Long\\u0000 "
  - code: 7
    share: "0,25"
    opened: 2025-13-01
    flag: maybe
""")
    first, second = f.data["units"]
    assert f.number(first, ("units", 0), "share") == Decimal("0.25")
    assert f.date(first, ("units", 0), "opened") == dt.date(2025, 7, 1)
    assert f.date(first, ("units", 0), "closed") == dt.date(2025, 12, 31)
    assert f.text(first, ("units", 0), "name") == "Hạ Long"
    assert not f.faults
    assert f.text(second, ("units", 1), "code") == ""
    assert f.number(second, "units[1]", "share") is None
    assert f.date(second, ("units", 1), "opened") is None
    assert f.flag(second, ("units", 1), "flag") is False
    f.text(second, ("units", 1), "name", required=True)
    assert [(x.path, x.line) for x in f.faults] == [
        ("units[1].code", 7), ("units[1].share", 8), ("units[1].opened", 9),
        ("units[1].flag", 10), ("units[1].name", 7)]
    with pytest.raises(DataFileError) as caught:
        f.raise_faults()
    message = str(caught.value)
    assert message.startswith(f"{f.file}: 5 errors, nothing was loaded:")
    assert f"  - {f.file}:8: units[1].share: must be a number written for a program" in message


def test_invalid_yaml_and_a_missing_file_name_the_line(tmp_path):
    with pytest.raises(DataFileError) as caught:
        _file(tmp_path, "a: 1\nb: [unclosed\n")
    assert caught.value.faults[0].line == 3 and "\n" not in str(caught.value)
    with pytest.raises(DataFileError, match="cannot read the file"):
        DataFile.read(tmp_path / "missing.yaml")
