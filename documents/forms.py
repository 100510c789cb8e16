"""The official-document form of a report page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]


class OfficialDocumentForm(forms.Form):
    number = forms.CharField(label=_("Number and symbol"), max_length=60,
                             help_text=_("As on the signed letter, e.g. 125/BC-STNMT."))
    issued_on = forms.DateField(label=_("Date of the document"), input_formats=DATE_FORMATS,
                                widget=forms.DateInput(format="%d/%m/%Y",
                                                       attrs={"placeholder": "dd/mm/yyyy"}))
    signatory = forms.CharField(label=_("Signed by"), max_length=120)
    position = forms.CharField(label=_("Position of the signatory"), max_length=120,
                               help_text=_("e.g. Phó Giám đốc"))
    scan = forms.FileField(label=_("Signed scan (PDF, at most 10 MB)"), required=False,
                           widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}))
    remove_scan = forms.BooleanField(label=_("Remove the scan kept"), required=False)

    def __init__(self, *args: Any, instance_values: Any = None, **kwargs: Any) -> None:
        if instance_values is not None and "initial" not in kwargs:
            kwargs["initial"] = {"number": instance_values.number,
                                 "issued_on": instance_values.issued_on,
                                 "signatory": instance_values.signatory,
                                 "position": instance_values.position}
        super().__init__(*args, **kwargs)
