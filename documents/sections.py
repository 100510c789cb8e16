"""The "official document" section of every report page: the letter's number, date,
signatory and signed scan, and the report as .docx and .pdf."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from reporting.sections import ExtraSection, section_register


def _context(report: Any) -> dict[str, Any]:
    from documents.forms import OfficialDocumentForm
    from documents.selectors import official_document_for

    document = official_document_for(report=report)
    return {"document": document,
            "form": OfficialDocumentForm(instance_values=document)}


def _joined(rows: Any) -> Any:
    return rows.select_related("official_document").defer("official_document__scan")


def register() -> None:
    section_register(ExtraSection(
        key="official-document", title=_("Official document"),
        template="documents/_official_section.html",
        applies=lambda report: True, context=_context, joined=_joined))
