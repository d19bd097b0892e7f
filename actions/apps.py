from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionsConfig(AppConfig):
    name = "actions"
    verbose_name = _("Action plan")

    def ready(self) -> None:
        from actions import services
        from common.usage import register_organization_eraser

        register_organization_eraser(services.actions_erase)
