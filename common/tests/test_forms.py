"""`common.forms.QuickSelect` writes the HTML Django's own select template writes."""

from __future__ import annotations

import pytest
from django import forms
from django.test import SimpleTestCase

from common.forms import QuickSelect

CHOICES = [
    ("", "—"),
    ("Xi măng & clinker", [("cement", "Xi măng <PCB40>"), ("clinker", 'Clinker "đen"')]),
    ("coal", "Than"),
    ("Điện", [("kwh", "kWh"), ("mwh", "MWh")]),
    (7, "Số bảy"),
]

CASES = [
    ("", {}),
    ("clinker", {"id": "id_lines-0-item", "aria-label": "Sản phẩm"}),
    ("coal", {"required": True, "disabled": False}),
    (7, {}),
    (None, {"aria-describedby": "help"}),
    ("không có", {}),
]


class QuickSelectTests(SimpleTestCase):
    def test_it_writes_what_django_s_select_writes(self) -> None:
        for value, attrs in CASES:
            with self.subTest(value=value, attrs=attrs):
                quick = QuickSelect(choices=CHOICES, attrs={"class": "x"})
                django_s = forms.Select(choices=CHOICES, attrs={"class": "x"})
                self.assertHTMLEqual(quick.render("item", value, attrs=dict(attrs)),
                                     django_s.render("item", value, attrs=dict(attrs)))

    def test_a_value_listed_twice_is_selected_once_and_a_multiple_select_selects_all(
            self) -> None:
        twice = [("a", "A"), ("g", [("a", "A again"), ("b", "B")])]
        html = QuickSelect(choices=twice).render("x", "a")
        self.assertEqual(html.count(" selected"), 1)
        multiple = forms.SelectMultiple(choices=twice)
        quick = QuickSelect(choices=twice)
        quick.allow_multiple_selected = True
        self.assertHTMLEqual(quick.render("x", ["a", "b"]), multiple.render("x", ["a", "b"]))

    def test_labels_and_values_are_escaped(self) -> None:
        html = QuickSelect(choices=[('"><script>', "<b>x</b>")]).render("x", "")
        self.assertNotIn("<script>", html)
        self.assertNotIn("<b>", html)


@pytest.mark.parametrize("value", ["cement", "kwh"])
def test_a_bound_field_renders_with_its_id_and_choice(value: str) -> None:
    class F(forms.Form):
        item = forms.ChoiceField(choices=CHOICES, widget=QuickSelect, required=False)

    html = str(F({"item": value})["item"])
    assert 'id="id_item"' in html
    assert f'<option value="{value}" selected>' in html
