"""Forms of the reporting pages. The report form itself is generated from the plan (its
fields are named `v:<code>`, `c:<code>` and `t:<task ref>:<field>`); `report_post_parse`
turns a POST into what `services.report_save` takes."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from orgunits.models import AGENCY_KINDS, COMMUNE_LEVEL_KINDS, DISTRICT_LEVEL_KINDS, OrgUnit
from plans.models import ValueType
from reporting.selectors import adhoc_units, units_chosen, units_matching
from reporting.services import TASK_TEXT_FIELDS

DATE_INPUTS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"]


def _changed(data: QueryDict, name: str) -> bool:
    """Whether the field was edited: the form carries each field's original under `o:`
    (a field without one counts as edited)."""
    original = data.get(f"o:{name}")
    if original is None:
        return True
    return _lines(data.get(name, "")) != _lines(original)


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


def report_post_parse(data: QueryDict, *, codes: list[str], refs: list[str]
                      ) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The values and task answers edited in a POST of the report form: only what the
    author changed, so that a refused save (an edit conflict) holds the author's own
    edits and applying it later does not undo someone else's."""
    values: dict[str, Any] = {}
    for code in codes:
        item: dict[str, Any] = {}
        if f"v:{code}" in data and _changed(data, f"v:{code}"):
            item["value"] = data.get(f"v:{code}", "")
        if f"c:{code}" in data and _changed(data, f"c:{code}"):
            item["comment"] = data.get(f"c:{code}", "")
        if item:
            values[code] = item
    answers: dict[str, dict[str, Any]] = {}
    for ref in refs:
        item = {}
        for name in ("status", *TASK_TEXT_FIELDS):
            field = f"t:{ref}:{name}"
            if field in data and _changed(data, field):
                item[name] = _lines(data.get(field, ""))
        if item:
            answers[ref] = item
    return values, answers


def version_parse(data: QueryDict) -> int | None:
    raw = data.get("version", "")
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


class PeriodOpenForm(forms.Form):
    """Which period to open: one of those the plan asks for whose data window has begun
    and that is not open yet, each shown with its deadline. `confirmed` is set by the
    confirmation step, which says what opening will do."""

    code = forms.ChoiceField(label=_("Period"))
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, openable: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Choose a period"))] + [
            (spec.code, _("%(period)s, due %(date)s") % {
                "period": label, "date": date_format(spec.due_date, "SHORT_DATE_FORMAT")})
            for spec, label in openable]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))


RECIPIENT_GROUPS = [
    ("obliged", _("Every unit that reports under the plan")),
    ("departments", _("Departments and the State Bank branch")),
    ("local", _("District- or commune-level People's Committees")),
    ("chosen", _("Only the units chosen below")),
]


class AdhocForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    instructions = forms.CharField(label=_("Instructions"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 3}))
    due_date = forms.DateField(
        label=_("Deadline"), input_formats=DATE_INPUTS,
        widget=forms.DateInput(format="%d/%m/%Y",
                               attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric",
                                      "autocomplete": "off"}))
    group = forms.ChoiceField(label=_("Send to"), choices=RECIPIENT_GROUPS, initial="obliged",
                              widget=forms.RadioSelect)
    # thousands of units at national scale: the page lists only those chosen and those a
    # search found (htmx as one types, or the "Find" button without JavaScript)
    units = forms.ModelMultipleChoiceField(
        label=_("Units"), queryset=OrgUnit.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    unit_search = forms.CharField(label=_("Find units by name"), required=False,
                                  max_length=200)
    include_plan_questions = forms.BooleanField(
        label=_("Also ask the tasks and values of the periodic report"), required=False)

    def __init__(self, *args: Any, obliged: list[OrgUnit] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.obliged = obliged or []
        units = adhoc_units()
        field = cast(forms.ModelMultipleChoiceField, self.fields["units"])
        field.queryset = units
        ids = self.data.getlist("units") if isinstance(self.data, QueryDict) else []
        self.chosen = units_chosen(ids)
        field.choices = [(u.pk, u.name) for u in self.chosen]

    def units_found(self) -> list[OrgUnit]:
        """The units the search field names, beside those already chosen."""
        text = str(self.data.get("unit_search", "") if self.is_bound else "")
        chosen = {u.pk for u in self.chosen}
        return [u for u in units_matching(text) if u.pk not in chosen]

    def recipients(self) -> list[OrgUnit]:
        group = self.cleaned_data.get("group")
        chosen = list(self.cleaned_data.get("units") or [])
        if group == "obliged":
            return self.obliged
        if group == "departments":
            return [u for u in self.obliged if u.kind in AGENCY_KINDS]
        if group == "local":
            return [u for u in self.obliged
                    if u.kind in DISTRICT_LEVEL_KINDS | COMMUNE_LEVEL_KINDS]
        return chosen


class AdhocQuestionForm(forms.Form):
    name = forms.CharField(label=_("Question"), max_length=300, required=False)
    value_type = forms.ChoiceField(label=_("Answer"), choices=ValueType.choices,
                                   initial=ValueType.TEXT)
    unit = forms.CharField(label=_("Unit"), max_length=40, required=False)
    choices = forms.CharField(label=_("Options (for a choice: separated by ;)"),
                              max_length=2000, required=False)
    required = forms.BooleanField(label=_("Required"), required=False)

    def as_question(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if not data.get("name"):
            return None
        return {"name": data["name"], "value_type": data["value_type"],
                "unit": data.get("unit", ""), "required": data.get("required", False),
                "choices": [c.strip() for c in (data.get("choices") or "").split(";")
                            if c.strip()]}


AdhocQuestionFormSet = forms.formset_factory(AdhocQuestionForm, extra=5, max_num=30,
                                             absolute_max=30)
