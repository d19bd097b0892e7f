"""Maturity in the report (contract section 14): its JSON, its CSV, with rounds, per segment group."""

from __future__ import annotations

import csv
import dataclasses
import io
import json

import pytest
from django.core.management import call_command

from assessments.models import Assessment
from assessments.services import assessment_start_next_round, maturity_targets_set, segment_create
from reports.figures import BenefitResult
from reports.maturity import CSV_FIELDS, figures_maturity
from reports.renderers import render_json, render_maturity_csv
from reports.segments import segment_for_key, segment_report
from reports.selectors import gap_report
from reports.statistics import Stats
from responses.imports.services import responses_import
from responses.respond.services import Rating
from taxonomy.selectors import benefit_paths
from tests.factories import AssessmentFactory, OrganizationFactory
from tests.reports.helpers import BRAND, FEEDBACK, PERSONAL, add_responses, assessment_with, columns

pytestmark = pytest.mark.django_db

# Five respondents rate both: realization 2, 2, 3, 2, 2 (mean 11/5, sd sqrt(0.2)) and 4, 4, 4, 5, 5 (mean 22/5).
RATINGS = {
    FEEDBACK: columns([5, 4, 3, 5, 3], [2, 2, 3, 2, 2]),
    BRAND: columns([5, 5, 5, 5, 5], [4, 4, 4, 5, 5]),
}


@pytest.fixture
def assessment(taxonomy):
    return assessment_with(RATINGS, status="closed")


def maturity_json(assessment) -> dict:
    return json.loads(render_json(gap_report(assessment=assessment)))["maturity"]


def test_the_report_json_carries_maturity_with_targets(assessment):
    maturity_targets_set(assessment=assessment, levels={("social-media", "internal"): 3})
    m = maturity_json(assessment)
    assert m["overall"]["score"] == pytest.approx(3.3)  # (11/5 + 22/5) / 2 = 33/10
    assert (m["overall"]["benefits"], m["overall"]["level"], m["overall"]["level_name"]) == (2, 3, "defined")
    assert [c["concept"] for c in m["concepts"]] == ["social-media", "social-collaboration", "social-networking"]
    assert [s["scope"] for s in m["scopes"]] == ["internal", "external"]
    assert len(m["cells"]) == 6
    internal, external = m["cells"][0], m["cells"][1]
    se = (0.2**0.5) / 5**0.5  # s / sqrt(n)
    assert internal["score"] == pytest.approx(2.2)
    assert internal["low"] == pytest.approx(2.2 - 1.96 * se) and internal["high"] == pytest.approx(2.2 + 1.96 * se)
    assert (internal["level"], internal["target"], internal["target_status"]) == (2, 3, "not-reached")
    assert internal["distance"] == pytest.approx(0.4)
    assert (external["target"], external["target_status"], external["distance"]) == (None, None, None)
    empty = m["cells"][2]  # social-collaboration/internal: nobody rated it
    assert (empty["benefits"], empty["score"], empty["level"]) == (0, None, None)
    assert "trend" not in m["overall"]  # no previous round


def test_a_suppressed_report_has_null_maturity_and_a_header_only_csv(taxonomy):
    assessment = assessment_with(RATINGS)  # open, results after close
    report = gap_report(assessment=assessment)
    assert report.to_json_dict()["maturity"] is None
    assert render_maturity_csv(report) == ",".join(CSV_FIELDS) + "\n"


def test_gap_report_maturity_csv(assessment):
    maturity_targets_set(assessment=assessment, levels={("social-media", "external"): 5})
    out = io.StringIO()
    call_command(
        "gap_report", "--organization", "Acme", "--assessment", "Baseline 2026", "--maturity", "--format", "csv",
        stdout=out, stderr=io.StringIO(),
    )  # fmt: skip
    text = out.getvalue()
    assert (
        text.splitlines()[0]
        == "kind,concept,scope,score,low,high,benefits,level,level_name,target,target_status,distance"
    )
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["kind"] for r in rows] == ["overall", *["concept"] * 3, *["scope"] * 2, *["cell"] * 6]
    assert rows[0]["concept"] == "" and rows[0]["level_name"] == "defined"
    ext = rows[7]
    assert (ext["concept"], ext["scope"], ext["score"], ext["level"], ext["target"]) == (
        "social-media",
        "external",
        "4.4",
        "5",
        "5",
    )
    assert ext["target_status"] == "uncertain" and float(ext["distance"]) == 0.0
    assert rows[8]["score"] == "" and rows[8]["benefits"] == "0"


def _round(organization, title, ratings, previous=None, status="closed") -> Assessment:
    a = AssessmentFactory(organization=organization, title=title, previous=previous)
    add_responses(a, ratings, prefix=f"{title}-")
    Assessment.objects.filter(pk=a.pk).update(status=status)
    return Assessment.objects.select_related("organization").get(pk=a.pk)


def test_trend_between_rounds_and_null_when_the_previous_is_suppressed(taxonomy):
    acme = OrganizationFactory(name="Acme")
    before = _round(acme, "2025", {FEEDBACK: columns([5] * 5, [1, 1, 1, 2, 2])})  # 7/5
    now = _round(acme, "2026", {FEEDBACK: columns([5] * 5, [4, 4, 4, 4, 5])}, previous=before)  # 21/5
    m = maturity_json(now)
    trend = m["cells"][0]["trend"]
    assert trend["score_before"] == pytest.approx(1.4)
    assert trend["change"] == pytest.approx(2.8)
    se_now, se_before = (0.2**0.5) / 5**0.5, (0.3**0.5) / 5**0.5
    half = 1.96 * (se_now**2 + se_before**2) ** 0.5
    assert (trend["low"], trend["high"]) == (pytest.approx(2.8 - half), pytest.approx(2.8 + half))
    assert trend["verdict"] == "rose"
    assert m["overall"]["trend"]["verdict"] == "rose"
    assert m["cells"][1]["trend"]["verdict"] == "insufficient"  # no score in either round
    # The history of the trend page: one maturity per earlier round.
    history = gap_report(assessment=now).rounds.maturity_history
    assert history[0].cell("social-media", "internal").score == pytest.approx(1.4)

    hidden = _round(acme, "2024", {FEEDBACK: columns([5] * 2, [1, 1])})  # 2 respondents: suppressed
    later = _round(acme, "2027", {FEEDBACK: columns([5] * 5, [4] * 5)}, previous=hidden)
    m = maturity_json(later)
    assert m["overall"]["trend"] is None and all(c["trend"] is None for c in m["cells"])


def test_an_earlier_round_counts_only_what_its_report_releases(taxonomy):
    """In the earlier round PERSONAL's realization has 3 ratings (< k = 5): withheld there, so not in its score."""
    acme = OrganizationFactory(name="Acme")
    ratings = {FEEDBACK: columns([5] * 5, [2] * 5), PERSONAL: {"x1": (5, 5), "x2": (5, 5), "x3": (5, 5)}}
    before = _round(acme, "2025", ratings)
    now = _round(acme, "2026", {FEEDBACK: columns([5] * 5, [3] * 5)}, previous=before)
    m = maturity_json(now)
    assert m["overall"]["trend"]["score_before"] == 2.0


def test_each_released_segment_group_carries_its_maturity(taxonomy):
    assessment = AssessmentFactory(organization__name="Acme", title="Teams")
    segment = segment_create(
        assessment=assessment, key="team", label="Team", source="invitation", options=["Sales", "Support"]
    )
    sales, support = segment.options.all()
    ratings = {FEEDBACK: columns([5] * 10, [2] * 5 + [4] * 5)}
    feedback = benefit_paths()[FEEDBACK]
    responses_import(
        assessment=assessment,
        ratings_by_respondent={
            f"r{i}": [Rating(feedback, "importance", 5), Rating(feedback, "realization", r)]
            for i, (_, r) in enumerate(ratings[FEEDBACK].values())
        },
        segment_options={f"r{i}": [(sales if i < 5 else support).pk] for i in range(10)},
    )
    Assessment.objects.filter(pk=assessment.pk).update(status="closed")
    assessment.refresh_from_db()
    maturity_targets_set(assessment=assessment, levels={("social-media", "internal"): 3})
    report = segment_report(assessment=assessment, segment=segment_for_key(assessment=assessment, key="team"))
    groups = report.to_json_dict()["groups"]
    assert [g["maturity"]["cells"][0]["score"] if g["maturity"] else None for g in groups] == [2.0, 4.0, None]
    assert groups[0]["maturity"]["cells"][0]["target"] == 3
    assert groups[1]["maturity"]["cells"][0]["target_status"] == "reached"
    assert groups[2]["suppressed"] and groups[2]["maturity"] is None


def test_start_the_next_round_copies_the_targets(assessment):
    maturity_targets_set(
        assessment=assessment, levels={("social-media", "internal"): 3, ("social-networking", "external"): 5}
    )
    created = assessment_start_next_round(assessment=assessment)
    targets = {
        (t.concept.slug, t.scope.slug): t.level for t in created.maturity_targets.select_related("concept", "scope")
    }
    assert targets == {("social-media", "internal"): 3, ("social-networking", "external"): 5}


def test_the_report_query_count_with_maturity(assessment, django_assert_num_queries):
    """The targets are one query, whatever their number; a suppressed report reads none (test_suppression)."""
    maturity_targets_set(
        assessment=assessment, levels={("social-media", "internal"): 3, ("social-media", "external"): 4}
    )
    with django_assert_num_queries(11):
        gap_report(assessment=assessment)


def test_the_text_report_gives_the_levels_in_words(assessment):
    maturity_targets_set(assessment=assessment, levels={("social-media", "internal"): 3})
    out = io.StringIO()
    call_command(
        "gap_report", "--organization", "Acme", "--assessment", "Baseline 2026", "--format", "text",
        stdout=out, stderr=io.StringIO(),
    )  # fmt: skip
    text = out.getvalue()
    assert "Maturity: Overall: level 3 defined" in text
    assert "  Social media, internal: level 2 emerging, target 3 defined: not reached; 0.4 to go" in text


@dataclasses.dataclass(frozen=True)
class WithheldResult(BenefitResult):
    """A report's benefit as the release rule hands it over when withheld: flagged, every figure None."""

    withheld: bool = True


def test_a_withheld_benefit_of_a_real_report_does_not_count(assessment):
    report = gap_report(assessment=assessment)
    empty = Stats(mean=None, n=None, sd=None, rwg=None, counts=())
    benefits = tuple(
        WithheldResult(**{**{f.name: getattr(b, f.name) for f in dataclasses.fields(b)}, "realization": empty})
        if b.path == BRAND
        else b
        for b in report.benefits
    )
    m = figures_maturity(dataclasses.replace(report, benefits=benefits), targets={})
    assert (m.overall.score, m.overall.benefits) == (pytest.approx(2.2), 1)  # FEEDBACK alone
    external = m.cell("social-media", "external")
    assert (external.benefits, external.score, external.level) == (0, None, None)
