from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Official documents")

    def ready(self) -> None:
        # The "official document" section of every report page (number, date, signatory,
        # signed scan; the report as .docx and .pdf).
        from documents.sections import register

        register()
