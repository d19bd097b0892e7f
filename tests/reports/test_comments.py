"""The report's comments (contract section 15): release, order, hidden comments, JSON, CSV, page, command."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from assessments.models import Assessment
from assessments.services import segment_create
from organizations.models import Membership
from reports.comments import render_comments_csv, report_comments
from reports.renderers import render_json, render_segment_json
from reports.segments import segment_report
from reports.selectors import gap_report
from responses.imports.services import responses_import
from responses.models import Comment
from responses.respond.services import Rating
from responses.services import comment_hide
from taxonomy.selectors import benefit_paths
from tests.factories import AssessmentFactory, MembershipFactory, ResponseFactory, UserFactory

pytestmark = pytest.mark.django_db

FEEDBACK = "social-media/internal/improved-feedback"
CELL = "social-media/internal"
SECTIONS = [
    "social-media/internal",
    "social-media/external",
    "social-collaboration/internal",
    "social-collaboration/external",
    "social-networking/internal",
    "social-networking/external",
    None,
]


def make(respondents: int, boxes_by_section: dict[str, int] | None = None, *, k: int = 5, **kwargs) -> Assessment:
    """A closed assessment of Acme with ``respondents`` who rated one benefit; ``comments``: {section: how many}."""
    assessment = AssessmentFactory(
        organization__name="Acme",
        organization__slug="acme",
        title="Baseline",
        slug="baseline",
        min_group_size=k,
        **kwargs,
    )
    benefit = benefit_paths()[FEEDBACK]
    ratings = {f"r{i:03d}": [Rating(benefit, "importance", 4)] for i in range(respondents)}
    boxes: dict[str, dict[str, str]] = {}
    for section, count in (boxes_by_section or {}).items():
        for i in range(count):
            boxes.setdefault(f"r{i:03d}", {})[section] = f"comment {i} on {section or 'the rest'}"
    responses_import(assessment=assessment, ratings_by_respondent=ratings, comments=boxes)
    Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.CLOSED)
    assessment.refresh_from_db()
    return assessment


def section(report, key):
    return next(s for s in report.comments.sections if s.section == key)


def test_nine_commenters_show_nothing_ten_show_everything(taxonomy):
    report = gap_report(assessment=make(20, {CELL: 9, "": 10}))
    assert not section(report, CELL).shown and section(report, CELL).texts == ()
    last = section(report, None)
    assert last.shown and len(last.texts) == 10
    data = json.loads(render_json(report))
    assert [s["section"] for s in data["comments"]] == SECTIONS
    assert data["comments"][0] == {"section": CELL, "shown": False, "texts": []}
    assert data["comments"][-1]["shown"] and len(data["comments"][-1]["texts"]) == 10
    # Neither the JSON nor anything else says how many commented where comments are not shown.
    assert set(data["comments"][0]) == {"section", "shown", "texts"}


def test_k_above_ten_is_the_threshold(taxonomy):
    report = gap_report(assessment=make(30, {CELL: 11, "": 12}, k=12))
    assert report.comments.threshold == 12
    assert not section(report, CELL).shown
    assert section(report, None).shown


def test_hidden_comments_are_not_shown_exported_or_counted(taxonomy):
    assessment = make(20, {CELL: 11, "": 10})
    hidden = Comment.objects.get(section=CELL, text="comment 3 on social-media/internal")
    assert comment_hide(comment=hidden, reason="Names a manager")
    last = Comment.objects.get(section="", text="comment 0 on the rest")
    comment_hide(comment=last, reason="Abusive")
    report = gap_report(assessment=assessment)
    texts = section(report, CELL).texts
    assert section(report, CELL).shown and len(texts) == 10 and hidden.text not in texts
    # Nine left in the last box: below the threshold once the hidden one no longer counts.
    assert not section(report, None).shown
    assert sorted(h.reason for h in report.comments.hidden) == ["Abusive", "Names a manager"]
    assert hidden.text not in render_json(report)
    assert hidden.text not in render_comments_csv(report.comments)
    hidden.refresh_from_db()
    assert hidden.hidden_reason == "Names a manager" and hidden.hidden_on is not None
    assert not comment_hide(comment=hidden, reason="again")  # hidden once, the first reason kept


def test_hiding_needs_a_reason(taxonomy):
    assessment = make(10, {CELL: 10})
    comment = Comment.objects.filter(response__assessment=assessment).first()
    with pytest.raises(Exception, match="reason"):
        comment_hide(comment=comment, reason="   ")
    comment.refresh_from_db()
    assert not comment.hidden


@pytest.mark.parametrize(
    "kwargs",
    [
        {"respondents": 4},  # fewer than k: the report is suppressed
        {"respondents": 12, "results": Assessment.Results.AFTER_CLOSE, "reopen": True},  # not closed yet
        {"respondents": 12, "comments_on": False},  # asks for no comments
    ],
)
def test_no_comments_when_suppressed_or_not_asked(taxonomy, kwargs):
    respondents = kwargs["respondents"]
    assessment = make(
        respondents,
        {CELL: respondents},
        comments=kwargs.get("comments_on", True),
        results=kwargs.get("results", "after-close"),
    )
    if kwargs.get("reopen"):
        Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.OPEN)
        assessment.refresh_from_db()
    report = gap_report(assessment=assessment)
    assert report.comments is None
    assert json.loads(render_json(report))["comments"] is None
    assert render_comments_csv(report.comments) == "section,text\n"


def test_the_order_is_random_but_fixed_and_never_the_arrival_order(taxonomy):
    assessment = make(40, {CELL: 40})
    first = section(gap_report(assessment=assessment), CELL).texts
    assert first == section(gap_report(assessment=assessment), CELL).texts
    arrival = tuple(
        Comment.objects.filter(response__assessment=assessment, section=CELL)
        .order_by("pk")
        .values_list("text", flat=True)
    )
    assert sorted(first) == sorted(arrival) and first != arrival


def test_comments_are_never_given_by_segment(taxonomy):
    assessment = AssessmentFactory(organization__name="Acme", title="Baseline", results="live")
    segment = segment_create(assessment=assessment, key="team", label="Team", source="invitation", options=[("a", "A")])
    option = segment.options.get().pk
    benefit = benefit_paths()[FEEDBACK]
    responses_import(
        assessment=assessment,
        ratings_by_respondent={f"r{i}": [Rating(benefit, "importance", 4)] for i in range(20)},
        segment_options={f"r{i}": [option] for i in range(20)},
        comments={f"r{i}": {CELL: f"words {i}"} for i in range(20)},
    )
    assert section(gap_report(assessment=assessment), CELL).shown
    by_segment = render_segment_json(segment_report(assessment=assessment, segment=segment))
    assert "comments" not in by_segment and "words 1" not in by_segment


def test_the_selector_takes_one_query(taxonomy, django_assert_num_queries):
    assessment = make(12, {CELL: 12, "": 3})
    cells = gap_report(assessment=assessment).cells
    with django_assert_num_queries(1):
        comments = report_comments(assessment=assessment, cells=cells, suppressed=False)
    assert len(comments.sections) == 7
    with django_assert_num_queries(0):
        assert report_comments(assessment=assessment, cells=cells, suppressed=True) is None


def test_a_drafts_comment_does_not_count(taxonomy):
    assessment = make(12, {CELL: 9})
    Comment.objects.create(response=ResponseFactory(assessment=assessment), section=CELL, text="a draft's words")
    report = gap_report(assessment=assessment)
    assert not section(report, CELL).shown and "a draft's words" not in render_json(report)


# --- CSV and export_comments ---------------------------------------------------------------


def test_csv_is_formula_safe_and_in_the_shown_order(taxonomy):
    assessment = make(12, {"": 12})
    Comment.objects.filter(response__assessment=assessment, text="comment 0 on the rest").update(text="=HYPERLINK(1)")
    Comment.objects.filter(response__assessment=assessment, text="comment 1 on the rest").update(text="-minus\nline")
    report = gap_report(assessment=assessment)
    rows = list(csv.reader(io.StringIO(render_comments_csv(report.comments))))
    assert rows[0] == ["section", "text"]
    assert [r[1] for r in rows[1:]] == ["'" + t if t[:1] in "=-" else t for t in section(report, None).texts]
    assert ["", "'=HYPERLINK(1)"] in rows and ["", "'-minus\nline"] in rows


def test_export_comments_command(taxonomy, tmp_path):
    assessment = make(12, {CELL: 12})
    out, err = io.StringIO(), io.StringIO()
    call_command("export_comments", "--organization", "Acme", "--assessment", "Baseline", stdout=out, stderr=err)
    expected = render_comments_csv(gap_report(assessment=assessment).comments)
    assert out.getvalue() == expected and expected.count("\n") == 13
    target = tmp_path / "c.csv"
    call_command("export_comments", "--organization", "Acme", "--assessment", "Baseline", "-o", str(target), stderr=err)
    assert target.read_text(encoding="utf-8") == expected
    assert "Wrote 12 comments" in err.getvalue()


def test_export_comments_of_a_suppressed_report_is_the_header_alone(taxonomy):
    make(3, {CELL: 3})
    out, err = io.StringIO(), io.StringIO()
    call_command("export_comments", "--organization", "Acme", "--assessment", "Baseline", stdout=out, stderr=err)
    assert out.getvalue() == "section,text\n" and "suppressed" in err.getvalue()


# --- The page, the download and the owners' page -----------------------------------------


def login(client, assessment, role=Membership.Role.OWNER):
    user = UserFactory()
    MembershipFactory(user=user, organization=assessment.organization, role=role)
    client.force_login(user)
    return user


def test_the_page_shows_comments_as_plain_text(client, taxonomy):
    assessment = make(12, {CELL: 12, "": 5})
    Comment.objects.filter(
        response__assessment=assessment, section=CELL, text="comment 0 on social-media/internal"
    ).update(text="<script>alert(1)</script> see [link] or http://x.example")
    login(client, assessment, Membership.Role.ANALYST)
    page = client.get(reverse("reports:report", args=["acme", "baseline"])).content.decode()
    assert 'id="comments"' in page and 'id="comment-search"' in page and "js/comment-search.js" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert 'href="http://x.example' not in page
    assert "Fewer than 10 people commented here" in page
    assert "No comment is hidden." in page
    # The analyst reads; only owners get the link to hide.
    assert reverse("reports:comments", args=["acme", "baseline"]) not in page


def test_the_download_gives_the_shown_comments(client, taxonomy):
    assessment = make(12, {CELL: 12})
    login(client, assessment, Membership.Role.ANALYST)
    response = client.get(reverse("reports:comments_csv", args=["acme", "baseline"]))
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode() == render_comments_csv(gap_report(assessment=assessment).comments)


def test_an_owner_hides_a_comment_with_a_reason(client, taxonomy):
    assessment = make(12, {CELL: 12})
    login(client, assessment)
    url = reverse("reports:comments", args=["acme", "baseline"])
    page = client.get(url).content.decode()
    target = Comment.objects.filter(response__assessment=assessment).order_by("pk").first()
    assert target.text in page
    # No reason: refused, nothing hidden.
    assert client.post(url, {"comment": target.pk, "reason": " "}).status_code == 400
    target.refresh_from_db()
    assert not target.hidden
    response = client.post(url, {"comment": target.pk, "reason": "Names someone"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.hidden_reason == "Names someone"
    report_page = client.get(reverse("reports:report", args=["acme", "baseline"])).content.decode()
    assert "1 comment hidden by the organization" in report_page
    # 11 left, still at least 10: shown, without the hidden one.
    assert "· 11 comments" in report_page and target.text not in report_page


def test_a_comment_the_page_does_not_show_cannot_be_hidden_from_it(client, taxonomy):
    assessment = make(12, {CELL: 5})
    login(client, assessment)
    comment = Comment.objects.filter(response__assessment=assessment).first()
    url = reverse("reports:comments", args=["acme", "baseline"])
    assert client.post(url, {"comment": comment.pk, "reason": "x"}).status_code == 404
    comment.refresh_from_db()
    assert not comment.hidden


# --- The admin -------------------------------------------------------------------------------


@pytest.fixture
def staff(client):
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    return client


def test_the_admin_lists_comments_without_their_text(staff, taxonomy):
    make(12, {CELL: 12, "": 3})
    page = staff.get(reverse("admin:responses_comment_changelist")).content.decode()
    assert "Comment #" in page and "comment 0 on" not in page


def test_the_admin_shows_a_text_only_when_the_report_does(staff, taxonomy):
    assessment = make(12, {CELL: 12, "": 3})
    shown = Comment.objects.get(section=CELL, text="comment 0 on social-media/internal")
    unshown = Comment.objects.get(response__assessment=assessment, section="", text="comment 0 on the rest")
    page = staff.get(reverse("admin:responses_comment_change", args=[shown.pk])).content.decode()
    assert shown.text in page
    page = staff.get(reverse("admin:responses_comment_change", args=[unshown.pk])).content.decode()
    assert unshown.text not in page and "Not shown: the report does not release this comment" in page


def test_the_admin_hides_a_comment_with_a_reason(staff, taxonomy):
    assessment = make(12, {CELL: 12})
    comment = Comment.objects.filter(response__assessment=assessment).first()
    url = reverse("admin:responses_comment_change", args=[comment.pk])
    assert staff.post(url, {"reason": "Names a colleague"}).status_code == 302
    comment.refresh_from_db()
    assert comment.hidden_reason == "Names a colleague" and comment.hidden
