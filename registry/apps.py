from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        # The enterprise-figures section of enterprises' report forms.
        from registry import sections, tasks

        sections.register()
        # The Excel imports run as background jobs.
        tasks.register()
