from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running the system: request context and structured logs, body-size limits, the
    health endpoint, backups and restore, the production server command."""

    name = "ops"
    verbose_name = _("Operations")
