"""The one reader of the `index compute` CSV (columns year,product,output,consumption;
one row per product and year). Plain Python: faults name the row and the column."""

from __future__ import annotations

import csv
import io
import math

from progress.methods import Observation

COLUMNS = ("year", "product", "output", "consumption")
MAX_ROWS = 1_000_000


class IndexCsvError(ValueError):
    """A CSV that cannot be read; the message names the row and the column."""


def index_csv_read(text: str) -> list[Observation]:
    """Observations from the CSV text. Numbers are written with a decimal point (the CSV's
    separator is the comma); outputs and consumptions are not negative."""
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise IndexCsvError("row 1: the file is empty; expected the header "
                            + ",".join(COLUMNS)) from None
    except csv.Error as exc:
        raise IndexCsvError(f"row 1: {exc}") from None
    names = [h.strip().lower() for h in header]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise IndexCsvError(f"row 1: missing column(s) {', '.join(missing)}; the header must "
                            f"name {','.join(COLUMNS)}")
    where = {c: names.index(c) for c in COLUMNS}
    out: list[Observation] = []
    seen: set[tuple[int, str]] = set()
    row_no = 1
    try:
        for row_no, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if row_no > MAX_ROWS:
                raise IndexCsvError(f"row {row_no}: more than {MAX_ROWS} rows")
            cells = {c: (row[i].strip() if i < len(row) else "") for c, i in where.items()}
            year_text = cells["year"]
            if not year_text.isdigit() or not 1900 <= int(year_text) <= 2200:
                raise IndexCsvError(f"row {row_no}, column year: '{year_text[:40]}' is not "
                                    "a year (1900-2200)")
            product = cells["product"]
            if not product:
                raise IndexCsvError(f"row {row_no}, column product: is empty")
            numbers = {}
            for column in ("output", "consumption"):
                raw = cells[column]
                try:
                    value = float(raw)
                except ValueError:
                    value = math.nan
                if not raw or not math.isfinite(value):
                    raise IndexCsvError(f"row {row_no}, column {column}: '{raw[:40]}' is not "
                                        "a number (write it with a decimal point, e.g. 1234.5)")
                if value < 0:
                    raise IndexCsvError(f"row {row_no}, column {column}: is negative")
                numbers[column] = value
            key = (int(year_text), product)
            if key in seen:
                raise IndexCsvError(f"row {row_no}, column product: '{product[:40]}' appears "
                                    f"twice in {year_text}")
            seen.add(key)
            out.append(Observation(int(year_text), product, numbers["output"],
                                   numbers["consumption"]))
    except csv.Error as exc:
        raise IndexCsvError(f"row {row_no}: {exc}") from None
    if not out:
        raise IndexCsvError("row 2: no data rows after the header")
    return out
