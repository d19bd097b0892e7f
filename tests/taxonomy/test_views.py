"""The landing page."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static

from taxonomy.models import Benefit

pytestmark = pytest.mark.django_db


def test_landing_page_shows_every_benefit_name(client, taxonomy):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    for name in Benefit.objects.values_list("name", flat=True):
        assert name.replace("'", "&#x27;") in html, name
    assert "Social Media" in html and "External" in html


def test_landing_page_uses_no_cdn(client, taxonomy):
    html = client.get("/").content.decode()
    assert "cdn." not in html and "https://" not in html.split("<footer")[0]


def test_landing_page_query_count_is_fixed(client, taxonomy, django_assert_num_queries):
    with django_assert_num_queries(3):
        client.get("/")


def test_favicon_ico_redirects_to_the_packaged_icon(client):
    """Pages that name no icon (the admin's) make browsers ask for /favicon.ico: no 404 for it."""
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == static("favicon.svg")
    assert finders.find("favicon.svg")  # a file the app ships
