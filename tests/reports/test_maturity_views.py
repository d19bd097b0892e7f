"""Maturity on the pages (contract section 14): the report's picture, the targets form, the roadmap, rounds, groups."""

from __future__ import annotations

import pytest
from django.urls import reverse

from actions.services import action_create
from assessments.models import Assessment, MaturityTarget
from assessments.selectors import assessment_maturity_targets
from assessments.services import maturity_targets_set, segment_create
from organizations.models import Membership
from responses.imports.services import responses_import
from responses.respond.services import Rating
from taxonomy.models import Benefit
from taxonomy.selectors import benefit_paths
from tests.factories import AssessmentFactory, MembershipFactory, OrganizationFactory, UserFactory
from tests.reports.helpers import BRAND, FEEDBACK, add_responses, assessment_with, columns

pytestmark = pytest.mark.django_db

RATINGS = {
    FEEDBACK: columns([5, 4, 3, 5, 3], [2, 2, 3, 2, 2]),  # 11/5: level 2
    BRAND: columns([5, 5, 5, 5, 5], [4, 4, 4, 5, 5]),  # 22/5: level 5
}


@pytest.fixture
def assessment(taxonomy):
    return assessment_with(RATINGS, status="closed")


def url(assessment: Assessment, name: str = "report") -> str:
    return reverse(f"reports:{name}", args=[assessment.organization.slug, assessment.slug])


def login(client, assessment: Assessment, role: str = Membership.Role.OWNER):
    user = UserFactory()
    MembershipFactory(user=user, organization=assessment.organization, role=role)
    client.force_login(user)
    return client


def test_the_report_opens_with_the_maturity_picture_and_words(client, assessment):
    maturity_targets_set(assessment=assessment, levels={("social-media", "internal"): 4})
    html = login(client, assessment, Membership.Role.ANALYST).get(url(assessment)).content.decode()
    assert html.index('id="maturity"') < html.index('id="findings"')
    assert '<svg class="maturity"' in html and 'role="img"' in html
    assert "Social media, internal: level 2 emerging" in html
    assert "target 4 managed: not reached; 1.2 to go" in html
    assert "Overall: level 3 defined" in html  # (11/5 + 22/5) / 2 = 33/10
    assert "What the levels mean" in html and "optimizing" in html
    # Analysts read; only owners get the link to the targets.
    assert url(assessment, "targets") not in html


def test_a_suppressed_report_has_no_maturity_section(client, taxonomy):
    assessment = assessment_with(RATINGS)  # open: results after close
    html = login(client, assessment).get(url(assessment)).content.decode()
    assert 'id="maturity"' not in html


def test_the_targets_form_shows_the_level_now_and_saves(client, assessment):
    owner = login(client, assessment)
    html = owner.get(url(assessment, "targets")).content.decode()
    assert "Social media, internal" in html and "2 <em>emerging</em>" in html
    data = {"social-media__internal": "4", "social-networking__external": "3", "social-media__external": ""}
    response = owner.post(url(assessment, "targets"), data)
    assert response.status_code == 302 and response["Location"].endswith("#maturity")
    assert assessment_maturity_targets(assessment=assessment) == {
        ("social-media", "internal"): 4,
        ("social-networking", "external"): 3,
    }
    html = owner.get(url(assessment)).content.decode()
    assert url(assessment, "targets") in html


def test_the_targets_form_refuses_a_level_outside_one_to_five_and_changes_nothing(client, assessment):
    maturity_targets_set(assessment=assessment, levels={("social-media", "internal"): 2})
    response = login(client, assessment).post(url(assessment, "targets"), {"social-media__internal": "7"})
    assert response.status_code == 400
    assert "Choose a level from 1 to 5, or no target." in response.content.decode()
    assert assessment_maturity_targets(assessment=assessment) == {("social-media", "internal"): 2}


@pytest.mark.parametrize("role", [Membership.Role.ANALYST, Membership.Role.RESPONDENT])
def test_only_owners_may_set_targets_even_of_a_closed_assessment(client, assessment, role):
    response = login(client, assessment, role).post(url(assessment, "targets"), {"social-media__internal": "4"})
    assert response.status_code == 404
    assert not MaturityTarget.objects.exists()


def test_the_targets_page_query_count_is_fixed(client, assessment, django_assert_num_queries):
    """Session and user, access, the cells, the saved targets and the report, however many targets.

    The second time the report's counts per signature are kept (nothing was submitted since): 2 fewer.
    """
    owner = login(client, assessment)
    with django_assert_num_queries(17):
        owner.get(url(assessment, "targets"))
    levels = {("social-media", "internal"): 4, ("social-media", "external"): 2, ("social-networking", "external"): 5}
    maturity_targets_set(assessment=assessment, levels=levels)
    with django_assert_num_queries(15):
        owner.get(url(assessment, "targets"))


def test_the_roadmap_shows_each_cells_level_target_and_actions(client, assessment):
    maturity_targets_set(
        assessment=assessment,
        levels={("social-media", "internal"): 4, ("social-media", "external"): 3, ("social-networking", "external"): 2},
    )
    action_create(
        organization=assessment.organization,
        title="Monthly feedback sessions",
        benefits=[Benefit.objects.get(path=FEEDBACK)],
        owner_name="Dana",
        assessment=assessment,
    )
    page = login(client, assessment, Membership.Role.ANALYST)
    html = page.get(reverse("actions:roadmap", args=[assessment.organization.slug])).content.decode()
    assert "Maturity by concept and scope: Baseline 2026" in html
    internal = html[html.index("Social media, internal") : html.index("Social media, external")]
    assert "2 emerging" in internal and "4 managed" in internal and "Monthly feedback sessions" in internal
    assert "No action planned yet" not in internal
    # Social networking, external: no rating, a target, no action: flagged.
    networking = html[html.index("Social networking, external") :]
    assert "No action planned yet" in networking[: networking.index("</li>")]
    # Social media, external: level 5 against target 3: reached, no flag.
    external = html[html.index("Social media, external") : html.index("Social collaboration, internal")]
    assert "Reached" in external and "No action planned yet" not in external


def test_the_roadmap_says_when_the_round_shows_no_figures(client, taxonomy):
    assessment = assessment_with(RATINGS)  # open: results after close, and nothing else to show
    page = login(client, assessment, Membership.Role.ANALYST)
    html = page.get(reverse("actions:roadmap", args=[assessment.organization.slug])).content.decode()
    assert "Results are shown once the assessment is closed" in html


def test_the_trend_part_shows_each_cells_maturity_in_every_round(client, taxonomy):
    acme = OrganizationFactory(name="Acme")
    rounds = []
    for i, values in enumerate([[1, 1, 1, 2, 2], [2, 2, 3, 2, 2], [4, 4, 4, 4, 5]]):
        a = AssessmentFactory(organization=acme, title=f"Round {i + 1}", previous=rounds[-1] if rounds else None)
        add_responses(a, {FEEDBACK: columns([5] * 5, values)}, prefix=f"{i}-")
        Assessment.objects.filter(pk=a.pk).update(status="closed")
        rounds.append(Assessment.objects.get(pk=a.pk))
    html = login(client, rounds[-1]).get(url(rounds[-1])).content.decode()
    table = html[html.index('id="maturity-rounds"') :]
    table = table[: table.index("</section>")]
    row = table[table.index("Social media, internal") :]
    row = row[: row.index("</tr>")]
    assert row.count("<td>") == 4  # three rounds and the last change
    assert "1 initial" in row and "2 emerging" in row and "5 optimizing" in row and "Rose" in row


def test_the_segment_part_shows_each_groups_levels_beside_the_whole(client, taxonomy):
    assessment = AssessmentFactory(organization__name="Acme", title="Teams")
    segment = segment_create(
        assessment=assessment, key="team", label="Team", source="invitation", options=["Sales", "Support"]
    )
    sales, support = segment.options.all()
    feedback = benefit_paths()[FEEDBACK]
    responses_import(
        assessment=assessment,
        ratings_by_respondent={
            f"r{i}": [Rating(feedback, "importance", 5), Rating(feedback, "realization", 2 if i < 5 else 4)]
            for i in range(10)
        },
        segment_options={f"r{i}": [(sales if i < 5 else support).pk] for i in range(10)},
    )
    Assessment.objects.filter(pk=assessment.pk).update(status="closed")
    html = login(client, assessment).get(url(assessment) + "?segment=team").content.decode()
    table = html[html.index('class="table table-sm report-table segment-maturity"') :]
    table = table[: table.index("</table>")]
    assert '<th scope="col">Sales</th>' in table and '<th scope="col">Support</th>' in table
    row = table[table.index("Social media, internal") :]
    assert "3 defined" in row[: row.index("</tr>")]  # all: 3.0
    assert "2 emerging" in row[: row.index("</tr>")] and "4 managed" in row[: row.index("</tr>")]


def test_a_cell_below_its_target_says_where_to_start(client, assessment):
    """Social media, internal (level 2) against target 4: its least realized benefit, FEEDBACK, and its practices."""
    maturity_targets_set(
        assessment=assessment, levels={("social-media", "internal"): 4, ("social-media", "external"): 3}
    )
    html = login(client, assessment, Membership.Role.ANALYST).get(url(assessment)).content.decode()
    steps = html[html.index('class="maturity-steps') :]
    steps = steps[: steps.index("</ul>")]
    assert "Social media, internal</strong>: its least realized benefit is Improved Feedback (realization 2.2)" in steps
    assert "Open every internal announcement to comments" in steps
    assert "Social media, external" not in steps  # level 5 against target 3: nothing to start
