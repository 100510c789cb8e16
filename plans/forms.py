from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OnDateForm(forms.Form):
    """The date a page is seen at (who held which task on that day)."""

    on = forms.DateField(label=_("As of"), required=False,
                         widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}))

    def day(self):
        if self.is_valid() and self.cleaned_data.get("on"):
            return self.cleaned_data["on"]
        return timezone.localdate()
