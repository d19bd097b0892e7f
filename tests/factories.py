"""factory_boy factories for the project's models."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from assessments.models import Assessment
from organizations.models import Membership, Organization
from responses.models import Response


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.django.Password("correct horse battery staple")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"organization-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Membership.Role.OWNER


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Assessment {n}")
    slug = factory.Sequence(lambda n: f"assessment-{n}")
    status = Assessment.Status.OPEN


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Response

    assessment = factory.SubFactory(AssessmentFactory)
    respondent = factory.Sequence(lambda n: f"r{n:04d}")
    started_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyFunction(timezone.now)

    class Params:
        # A submitted response, as submitting leaves it: a day, no link, no times.
        submitted = factory.Trait(
            submitted_on=factory.LazyFunction(timezone.localdate), started_at=None, updated_at=None
        )
