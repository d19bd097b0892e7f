from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResponsesConfig(AppConfig):
    name = "responses"
    verbose_name = _("Invitations and responses")

    def ready(self) -> None:
        from assessments.length import register_invited_counter
        from assessments.models import Assessment
        from common.usage import register_in_use_check, register_organization_eraser
        from organizations.models import Organization
        from responses import selectors, services
        from taxonomy.models import Benefit, Question

        register_in_use_check(Benefit, selectors.benefits_with_answers)
        register_in_use_check(Question, selectors.questions_with_answers)
        register_in_use_check(Organization, selectors.organizations_with_answers)
        register_in_use_check(Assessment, selectors.assessments_with_responses)
        register_organization_eraser(services.responses_erase)
        register_invited_counter(selectors.invitations_by_audience)
