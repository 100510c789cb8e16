"""The "Excel template" section of report pages: download the template, import it back."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from reporting.sections import ExtraSection, section_register


def register() -> None:
    section_register(ExtraSection(
        key="excel-template", title=_("Excel template"),
        template="exchange/_template_section.html",
        applies=lambda report: True, context=lambda report: {}))
