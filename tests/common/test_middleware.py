"""While the database does not answer, every page is the project's 503 page, and it recovers by itself."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from responses.invitations.services import invitations_create
from responses.models import Answer, Response
from tests.factories import AssessmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def assert_unavailable_page(response) -> None:
    assert response.status_code == 503
    html = response.content.decode()
    assert "try again in a minute" in html
    assert "Nothing you saved is lost" in html
    assert "bootstrap.min.css" in html
    assert "Traceback" not in html and "OperationalError" not in html and "shutting down" not in html
    assert response["Retry-After"] == "30"
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_an_anonymous_page_is_the_503_page_and_comes_back_by_itself(client, taxonomy, database_outage):
    """The landing page needs the database: 503 page while it is down, the page itself once it is back."""
    database_outage.begin()
    assert_unavailable_page(client.get(reverse("taxonomy:home")))
    database_outage.end()
    assert client.get(reverse("taxonomy:home")).status_code == 200


def test_a_logged_in_page_is_the_503_page(client, database_outage):
    """Loading the session (in the database) fails before the view runs: the 503 page, not a 500."""
    client.force_login(UserFactory())
    database_outage.begin()
    assert_unavailable_page(client.get(reverse("assessments:index")))
    database_outage.end()
    assert client.get(reverse("assessments:index")).status_code == 200


def test_a_form_post_is_the_503_page_and_writes_nothing(client, taxonomy, database_outage):
    """Pressing Start while the database is down: the 503 page, no response created; pressing it again works."""
    token = invitations_create(assessment=AssessmentFactory(), count=1)[0]
    url = reverse("responses:invitation:start", kwargs={"token": token})
    database_outage.begin()
    assert_unavailable_page(client.post(url))
    database_outage.end()
    assert not Response.objects.exists()
    assert client.post(url).status_code == 302
    assert Response.objects.count() == 1 and not Answer.objects.exists()


def test_an_error_page_that_needs_the_database_is_the_503_page(database_outage):
    """A logged-in 404 renders a page with the user on it, outside the view: the 500 handler gives the 503 page."""
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    database_outage.begin()
    assert_unavailable_page(client.get("/no-such-page/"))


def test_a_login_while_the_database_is_down_is_the_503_page_and_counts_no_failure(client, database_outage):
    """Login throttling reads and writes the database: the 503 page, and the attempt is not counted as a failure."""
    user = UserFactory()
    database_outage.begin()
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": "wrong"})
    assert_unavailable_page(response)
    database_outage.end()
    assert not AccessAttempt.objects.exists()


def test_the_log_line_names_the_view_not_the_path_with_its_token(client, taxonomy, database_outage, caplog):
    """An invitation token is a credential: the middleware's warning names the URL, never the path with the token."""
    token = invitations_create(assessment=AssessmentFactory(), count=1)[0]
    database_outage.begin()
    with caplog.at_level("WARNING", logger="common.middleware"):
        client.get(reverse("responses:invitation:start", kwargs={"token": token}))
    ours = " ".join(r.getMessage() for r in caplog.records if r.name == "common.middleware")
    assert "responses:invitation:start" in ours
    assert token not in ours
