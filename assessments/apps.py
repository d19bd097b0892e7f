from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Assessments")

    def ready(self) -> None:
        from assessments import selectors, services
        from common.usage import register_in_use_check, register_organization_eraser
        from taxonomy.models import Benefit, Question

        register_in_use_check(Benefit, selectors.benefits_in_frozen_questionnaires)
        register_in_use_check(Question, selectors.questions_in_frozen_questionnaires)
        register_organization_eraser(services.assessments_erase)
