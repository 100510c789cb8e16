"""`scp-monitor index compute`: the worked example as JSON numbers, and malformed CSVs
refused with the row and column named."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

EXAMPLE = ("year,product,output,consumption\n2020,A,100,200\n2020,B,50,50\n"
           "2021,A,110,209\n2021,B,60,57\n2022,A,120,216\n2022,B,40,36\n")


def _run(tmp_path, text: str, *args: str) -> str:
    path = tmp_path / "in.csv"
    path.write_text(text, encoding="utf-8")
    out = StringIO()
    call_command("index", "compute", str(path), *args, stdout=out)
    return out.getvalue()


def test_json_output_of_the_worked_example(tmp_path):
    data = json.loads(_run(tmp_path, EXAMPLE, "--format", "json"))
    assert data["odex"] == {"2020": 100.0, "2021": 95.0, "2022": 90.0}
    assert data["lmdi"]["additive"]["total"] == 2.0
    assert isinstance(data["lmdi"]["multiplicative"]["intensity"], float)
    assert data["lmdi"]["multiplicative"]["intensity"] == pytest.approx(0.900183)


def test_text_output(tmp_path):
    out = _run(tmp_path, EXAMPLE)
    assert "2022  90.00" in out and "intensity" in out


@pytest.mark.parametrize(("text", "message"), [
    ("", "row 1: the file is empty"),
    ("year,product,output\n2020,A,1\n", "row 1: missing column(s) consumption"),
    ("year,product,output,consumption\n2020,A,1,2\n20x0,A,1,2\n", "row 3, column year"),
    ("year,product,output,consumption\n2020,A,1,2\n2021,A,1;5,2\n", "row 3, column output"),
    ("year,product,output,consumption\n2020,A,1,-2\n", "row 2, column consumption: is negative"),
    ("year,product,output,consumption\n2020,,1,2\n", "row 2, column product: is empty"),
    ("year,product,output,consumption\n2020,A,1,2\n2020,A,1,2\n", "row 3, column product"),
    ("year,product,output,consumption\n2020,A,nan,2\n", "row 2, column output"),
    ("year,product,output,consumption\n", "no data rows"),
])
def test_malformed_csv_names_row_and_column(tmp_path, text, message):
    with pytest.raises(CommandError) as exc:
        _run(tmp_path, text)
    assert message in str(exc.value)


def test_unreadable_file_is_a_clear_error(tmp_path):
    path = tmp_path / "bin.csv"
    path.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("index", "compute", str(path))
