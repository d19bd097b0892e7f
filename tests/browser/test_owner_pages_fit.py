"""No owner page and no report page is wider than a 390 px phone screen (contract section 19).

A wide table may scroll inside its own box; the page itself never scrolls
sideways: ``document.documentElement.scrollWidth <= 390``. The report is
checked folded and with every part opened.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from actions.services import action_create
from assessments.models import Assessment
from organizations.models import Membership
from taxonomy.models import Benefit
from tests.browser.helpers import log_in, open_report_details
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _owner_urls(organization, assessments, action) -> list[str]:
    org = organization.slug
    urls = [
        reverse("assessments:index"),
        reverse("organizations:new"),
        reverse("responses:overview", args=[org]),
        reverse("organizations:manage:members", args=[org]),
        reverse("assessments:manage:create", args=[org]),
        reverse("actions:list", args=[org]),
        reverse("actions:roadmap", args=[org]),
        reverse("actions:create", args=[org]),
        reverse("actions:edit", args=[org, action.pk]),
        reverse("actions:delete", args=[org, action.pk]),
        reverse("accounts:password_change"),
    ]
    for a in assessments:
        args = [org, a.slug]
        urls += [
            reverse("reports:report", args=args),
            reverse("reports:report", args=args) + "?segment=department",
            reverse("assessments:manage:edit", args=args),
            reverse("assessments:manage:segments", args=args),
            reverse("assessments:manage:next_round", args=args),
            reverse("responses:manage:invitations", args=args),
            reverse("responses:manage:email_invitations", args=args),
            reverse("responses:manage:reminders", args=args),
        ]
        if a.status == Assessment.Status.OPEN:
            urls.append(reverse("assessments:manage:close", args=args))
    return urls


def test_no_owner_or_report_page_is_wider_than_a_phone(live_server, phone_page, screenshot_dir):
    call_command("load_taxonomy", verbosity=0, stdout=io.StringIO(), stderr=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    assessments = list(Assessment.objects.select_related("organization").order_by("created_at"))
    organization = assessments[0].organization
    owner = UserFactory(username="owner-with-a-rather-long-address@example.org")
    MembershipFactory(user=owner, organization=organization, role=Membership.Role.OWNER)
    action = action_create(
        organization=organization,
        assessment=assessments[0],
        title="Monthly feedback sessions with every team, run by the team leads",
        benefits=Benefit.objects.filter(path="social-media/internal/improved-feedback"),
        owner_name="Dana",
    )
    log_in(phone_page, live_server.url, owner.username)
    too_wide = {}
    for path in _owner_urls(organization, assessments, action):
        response = phone_page.goto(live_server.url + path)
        assert response.ok, (path, response.status)
        if "/report/" in path:
            open_report_details(phone_page)
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            too_wide[path] = width
    phone_page.goto(live_server.url + reverse("responses:overview", args=[organization.slug]))
    phone_page.screenshot(path=str(screenshot_dir / "owner-overview-phone.png"), full_page=True)
    assert too_wide == {}
