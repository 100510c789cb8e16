from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgressConfig(AppConfig):
    name = "progress"
    verbose_name = _("Progress against the targets")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from progress import receivers

        post_migrate.connect(receivers.summary_after_migrate, sender=self)
