"""The landing page."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.utils.html import escape

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


# --- Benefit pages ------------------------------------------------------------------


def test_landing_page_links_every_benefit_to_its_page(client, taxonomy):
    """Each name in the matrix links to /benefits/<path>/."""
    html = client.get("/").content.decode()
    for path in Benefit.objects.values_list("path", flat=True):
        assert f'href="/benefits/{path}/"' in html, path


def test_every_node_has_a_page_with_its_guidance_in_a_fixed_number_of_queries(
    client, taxonomy, django_assert_num_queries
):
    """All 61 pages render: name, concept and scope with their definitions, description, indicators, practices."""
    nodes = list(Benefit.objects.select_related("concept", "scope"))
    assert len(nodes) == 61
    for node in nodes:
        with django_assert_num_queries(3):
            response = client.get(f"/benefits/{node.path}/")
        assert response.status_code == 200, node.path
        page = response.context["page"]
        assert page.benefit.pk == node.pk
        html = response.content.decode()
        for text in (node.name, node.concept.definition, node.scope.description, node.description):
            assert escape(text) in html, (node.path, text)
        for item in (*node.indicators, *node.practices):
            assert escape(item) in html, (node.path, item)


def test_a_benefit_page_lists_its_sub_benefits_and_its_twin_in_the_other_scope(client, taxonomy):
    """Improved Relationships (internal networking): its two sub-benefits, and the external one."""
    response = client.get("/benefits/social-networking/internal/improved-relationships/")
    page = response.context["page"]
    assert [c.path for c in page.children] == [
        "social-networking/internal/improved-relationships/personal",
        "social-networking/internal/improved-relationships/professional",
    ]
    assert [(scope.slug, twin.path) for scope, twin in page.twins] == [
        ("external", "social-networking/external/improved-relationships")
    ]
    html = response.content.decode()
    assert 'href="/benefits/social-networking/internal/improved-relationships/personal/"' in html
    assert 'href="/benefits/social-networking/external/improved-relationships/"' in html


def test_a_sub_benefit_page_names_its_parent_and_finds_its_twin_by_the_same_slugs(client, taxonomy):
    """Personal under internal Improved Relationships: the parent in the breadcrumb, the external Personal as twin."""
    page = client.get("/benefits/social-networking/internal/improved-relationships/personal/").context["page"]
    assert [a.path for a in page.ancestors] == ["social-networking/internal/improved-relationships"]
    assert [twin.path for _, twin in page.twins] == ["social-networking/external/improved-relationships/personal"]


def test_a_benefit_without_a_twin_shows_none(client, taxonomy):
    """Improved Reach exists only externally: no 'other scope' section."""
    response = client.get("/benefits/social-networking/external/improved-reach/")
    assert response.context["page"].twins == ()
    assert "in the other scope" not in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "social-media/internal/no-such-benefit",
        "social-media/internal",
        "nowhere",
        "social-media/internal/improved-feedback/../improved-feedback",
    ],
)
def test_an_unknown_path_is_a_404(client, taxonomy, path):
    assert client.get(f"/benefits/{path}/").status_code == 404


def test_an_inactive_benefit_has_no_page(client, taxonomy):
    """A node removed from the taxonomy (kept inactive for old reports) is not offered as guidance."""
    Benefit.objects.filter(path="social-networking/external/improved-reach").update(is_active=False)
    assert client.get("/benefits/social-networking/external/improved-reach/").status_code == 404
