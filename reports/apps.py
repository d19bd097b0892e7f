from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Gap reports")

    def ready(self) -> None:
        # The actions roadmap shows each cell's maturity: asked from below (common.roadmap), answered here.
        from common.roadmap import register_roadmap_maturity
        from reports.roadmap import roadmap_maturity

        register_roadmap_maturity(roadmap_maturity)
