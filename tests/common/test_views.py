"""The health check, and the 500 handler that tells a database outage from a bug."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, OperationalError
from django.test import RequestFactory
from django.urls import reverse

from common.views import server_error

pytestmark = pytest.mark.django_db


def test_healthz_is_ok_in_plain_text_while_the_database_answers(client):
    """200 ``ok`` as text/plain, never cached; the session is never read and no cookie is set."""
    response = client.get(reverse("common:healthz"))
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")


def test_healthz_is_503_while_the_database_does_not_answer_and_200_again_after(client, database_outage):
    """While every query fails it answers 503; once the database is back, 200 again with nothing restarted."""
    database_outage.begin()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/plain")
    database_outage.end()
    assert client.get("/healthz").status_code == 200


def test_healthz_over_plain_http_is_not_redirected(client, settings):
    """With the HTTPS redirect on, a load balancer's plain-HTTP probe still gets its answer, not a 301."""
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get(reverse("taxonomy:home")).status_code == 301


def test_healthz_answers_get_and_head_only(client):
    """A probe reads; anything else is refused before the database is asked."""
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_server_error_gives_the_503_page_for_a_database_that_does_not_answer():
    """An error outside a view that says the database is unreachable is a 503 with a Retry-After, not a 500."""
    request = RequestFactory().get("/")
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Nothing you saved is lost" in response.content.decode()


def test_server_error_stays_a_500_for_any_other_database_error():
    """A broken query is a bug, not an outage: retrying would not help, so it keeps the 500 page."""
    request = RequestFactory().get("/")
    try:
        raise IntegrityError("duplicate key")
    except IntegrityError:
        response = server_error(request)
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
