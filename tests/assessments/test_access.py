from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from assessments.access import assessment_for
from organizations.models import Membership
from organizations.selectors import MANAGE_ACCESS, REPORT_ACCESS
from tests.factories import AssessmentFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_assessment_for_finds_the_assessment_where_the_user_has_the_access():
    membership = MembershipFactory(role=Membership.Role.ANALYST)
    assessment = AssessmentFactory(organization=membership.organization)
    slugs = (membership.organization.slug, assessment.slug)
    assert assessment_for(membership.user, *slugs, access=REPORT_ACCESS) == assessment
    with pytest.raises(Http404, match="No such assessment"):
        assessment_for(membership.user, *slugs, access=MANAGE_ACCESS)


def test_assessment_for_is_a_404_for_another_organization_s_assessment_and_for_anonymous():
    membership = MembershipFactory(role=Membership.Role.OWNER)
    elsewhere = AssessmentFactory()
    with pytest.raises(Http404):
        assessment_for(membership.user, elsewhere.organization.slug, elsewhere.slug, access=MANAGE_ACCESS)
    # The right assessment slug under the wrong organization's slug finds nothing either.
    with pytest.raises(Http404):
        assessment_for(membership.user, membership.organization.slug, elsewhere.slug, access=MANAGE_ACCESS)
    with pytest.raises(Http404):
        assessment_for(AnonymousUser(), elsewhere.organization.slug, elsewhere.slug, access=REPORT_ACCESS)
