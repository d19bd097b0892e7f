"""Moving the models out of the assessments app keeps every row and the report.

A database made before the move (Organization, Membership, Invitation,
Response and Answer in the assessments app) is built with the historical
models, filled, then migrated forward; the rows, their links and the gap
report must come through intact. Runs on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from assessments.models import Assessment
from organizations.models import Membership, Organization
from reports.selectors import gap_figures, gap_report
from responses.models import Answer, Invitation, Participation, Response

OLD_NODES = [("taxonomy", "0001_initial"), ("assessments", "0003_answer_drop_redundant_key_indexes")]
# The old nodes, with the new apps not yet there.
BEFORE = [*OLD_NODES, ("organizations", None), ("responses", None)]

# Two respondents' (importance, realization) of two benefits; None is "Don't know".
RATINGS = {
    "r1": {"a": (5, 2), "b": (4, None)},
    "r2": {"a": (3, 2), "b": (2, 1)},
}


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


def _fill_old_database(apps) -> None:
    user = apps.get_model("auth", "User").objects.create(username="olivia")
    org = apps.get_model("assessments", "Organization").objects.create(name="Acme", slug="acme")
    apps.get_model("assessments", "Membership").objects.create(user=user, organization=org, role="owner")
    concept = apps.get_model("taxonomy", "Concept").objects.create(slug="social-media", name="Social Media")
    scope = apps.get_model("taxonomy", "Scope").objects.create(slug="internal", name="Internal")
    benefit_model, question_model = apps.get_model("taxonomy", "Benefit"), apps.get_model("taxonomy", "Question")
    benefits = {}
    for order, slug in enumerate(("a", "b")):
        benefits[slug] = benefit_model.objects.create(
            concept=concept,
            scope=scope,
            name=slug.upper(),
            slug=slug,
            order=order,
            path=f"social-media/internal/{slug}",
        )
        for dimension in ("importance", "realization"):
            question_model.objects.create(benefit=benefits[slug], dimension=dimension, text=f"{slug} {dimension}?")
    assessment = apps.get_model("assessments", "Assessment").objects.create(
        organization=org, title="Baseline", slug="baseline", status="open"
    )
    invitation = apps.get_model("assessments", "Invitation").objects.create(assessment=assessment, token_hash="0" * 64)
    response_model, answer_model = apps.get_model("assessments", "Response"), apps.get_model("assessments", "Answer")
    for respondent, ratings in RATINGS.items():
        response = response_model.objects.create(
            assessment=assessment,
            respondent=respondent,
            invitation=invitation if respondent == "r1" else None,
            user=user if respondent == "r2" else None,
            submitted_at="2026-05-01T10:00:00Z",
        )
        for slug, (importance, realization) in ratings.items():
            answer_model.objects.create(
                response=response,
                benefit=benefits[slug],
                importance=importance,
                realization=realization,
                importance_answered=True,
                realization_answered=True,
            )
    # A draft: kept, and still not counted.
    draft = response_model.objects.create(assessment=assessment, respondent="draft")
    answer_model.objects.create(response=draft, benefit=benefits["a"], importance=1, importance_answered=True)


@pytest.mark.django_db(transaction=True)
def test_an_old_database_migrates_with_every_row_and_the_same_report():
    executor = _migrate(BEFORE)
    _fill_old_database(executor.loader.project_state(OLD_NODES).apps)
    executor.loader.build_graph()
    _migrate(executor.loader.graph.leaf_nodes())

    org = Organization.objects.get(name="Acme")
    assert Membership.objects.get(organization=org).user.username == "olivia"
    assessment = Assessment.objects.get(organization=org, title="Baseline")
    assert Invitation.objects.filter(assessment=assessment).count() == 1
    # Submitted responses were made anonymous: the invitation and the member keep only that they took part.
    submitted = Response.objects.filter(assessment=assessment, submitted_on__isnull=False)
    assert submitted.count() == 2
    for response in submitted:
        assert (response.invitation_id, response.user_id, response.started_at, response.updated_at) == (None,) * 4
        assert response.submitted_on.isoformat() == "2026-05-01"
        assert response.respondent.startswith("w-")  # no longer r1 / r2, which named the way in
    assert Invitation.objects.get(assessment=assessment).submitted
    assert Participation.objects.get(assessment=assessment).user.username == "olivia"
    assert Response.objects.filter(assessment=assessment).count() == 3
    assert Assessment.objects.get(pk=assessment.pk).results == Assessment.Results.LIVE  # what it showed before
    assert Answer.objects.count() == 5
    # The answers now carry their assessment and whether they are submitted.
    assert set(Answer.objects.values_list("assessment_id", flat=True)) == {assessment.pk}
    assert Answer.objects.filter(submitted=True).count() == 4
    assert not Answer.objects.get(response__respondent="draft").submitted

    # Two respondents are below any minimum group size: the report is withheld, its figures unchanged.
    assert gap_report(assessment=assessment).reason == "below-minimum"
    report = gap_figures(assessment=assessment)
    assert report.respondents == 2
    a, b = report.by_path["social-media/internal/a"], report.by_path["social-media/internal/b"]
    assert (a.importance.mean, a.realization.mean, a.gap) == (4.0, 2.0, 2.0)
    assert (b.importance.mean, b.realization.mean, b.realization.n) == (3.0, 1.0, 1)
    assert a.paired.n == 2 and a.paired.mean == 2.0

    # Permissions follow the models: their content types moved with them.
    assert ContentType.objects.get_for_model(Organization).app_label == "organizations"
    assert not ContentType.objects.filter(app_label="assessments", model="answer").exists()
