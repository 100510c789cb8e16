"""The figures form's messages land where they name (registry.forms.figure_errors_place),
on the enterprise page and in the report's figures section alike."""

from __future__ import annotations

from registry.forms import AllocationForm, LineForm, figure_errors_place


def _row() -> LineForm:
    form = LineForm(data={"item": "", "quantity": "", "unit": "", "product": ""})
    assert form.is_valid()
    return form


def test_messages_go_to_the_row_field_the_row_the_rule_or_above():
    kept = [_row(), _row()]
    allocation = AllocationForm(data={"allocation": ""})
    rest = figure_errors_place(errors={
        "lines.1.product": ["sản phẩm không có"], "lines.0": ["dòng thiếu đơn vị"],
        "allocation": ["quy tắc không dùng được"], "lines.7.unit": ["dòng không có"],
        "note": ["ghi chú quá dài"]}, kept=kept, allocation=allocation)
    assert kept[1].errors == {"product": ["sản phẩm không có"]}
    assert kept[0].non_field_errors() == ["dòng thiếu đơn vị"]
    assert allocation.errors == {"allocation": ["quy tắc không dùng được"]}
    assert rest == ["dòng không có", "ghi chú quá dài"]
