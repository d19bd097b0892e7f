from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from organizations.access import organization_for
from organizations.models import Membership
from organizations.selectors import MANAGE_ACCESS, REPORT_ACCESS
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_organization_for_finds_the_organization_where_the_user_has_the_access():
    membership = MembershipFactory(role=Membership.Role.OWNER)
    found = organization_for(membership.user, membership.organization.slug, access=MANAGE_ACCESS)
    assert found == membership.organization


def test_organization_for_is_a_404_where_the_role_is_not_enough():
    analyst = MembershipFactory(role=Membership.Role.ANALYST)
    assert organization_for(analyst.user, analyst.organization.slug, access=REPORT_ACCESS) == analyst.organization
    with pytest.raises(Http404):
        organization_for(analyst.user, analyst.organization.slug, access=MANAGE_ACCESS)


def test_organization_for_is_a_404_for_another_organization_an_unknown_slug_and_anonymous():
    membership = MembershipFactory(role=Membership.Role.OWNER)
    other = OrganizationFactory()
    for user, slug in ((membership.user, other.slug), (membership.user, "nowhere"), (AnonymousUser(), other.slug)):
        with pytest.raises(Http404):
            organization_for(user, slug, access=MANAGE_ACCESS)


def test_organization_for_reads_with_one_query(django_assert_num_queries):
    membership = MembershipFactory(role=Membership.Role.OWNER, user=UserFactory())
    with django_assert_num_queries(1):
        organization_for(membership.user, membership.organization.slug, access=MANAGE_ACCESS)
