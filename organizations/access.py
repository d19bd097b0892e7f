"""The one way a page finds the organization its URL names: only where the user has the access it needs."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.shortcuts import get_object_or_404

from organizations.models import Organization
from organizations.selectors import Access, organizations_for_user


def organization_for(user: AbstractBaseUser | AnonymousUser, slug: str, *, access: Access) -> Organization:
    """The organization with ``slug`` if ``user`` has ``access`` there; else Http404.

    Not 403: an organization the user may not see answers as if it did not exist, so a URL
    tells nobody which organizations there are.
    """
    return get_object_or_404(organizations_for_user(user=user, access=access), slug=slug)


def has_access(user: AbstractBaseUser | AnonymousUser, organization_id: int, *, access: Access) -> bool:
    """Whether ``user`` has ``access`` in the organization (1 query): may a page offer them an owner's link."""
    return organizations_for_user(user=user, access=access).filter(pk=organization_id).exists()
