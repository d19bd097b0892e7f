"""The one way a page finds the assessment its URL names: only where the user has the access it needs."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import Http404

from assessments.models import Assessment
from assessments.selectors import assessment_for_user
from organizations.selectors import Access


def assessment_for(
    user: AbstractBaseUser | AnonymousUser, org_slug: str, assessment_slug: str, *, access: Access
) -> Assessment:
    """The assessment the slugs name if ``user`` has ``access`` to it; else Http404.

    Not 403: an assessment the user may not see answers as if it did not exist.
    """
    assessment = assessment_for_user(user=user, org_slug=org_slug, assessment_slug=assessment_slug, access=access)
    if assessment is None:
        raise Http404("No such assessment.")
    return assessment
