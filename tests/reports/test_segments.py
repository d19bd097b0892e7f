"""The segment report (contract section 7): release rules by hand, the figures per group, every output."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from assessments.models import Assessment, Segment
from assessments.services import segment_create
from common.commands import InputError
from organizations.models import Membership
from reports.release import GroupRef, SegmentLayout, release_groups
from reports.renderers import SEGMENT_CSV_FIELDS, render_segment_csv, render_segment_json, render_segment_text
from reports.segments import segment_for_key, segment_report
from responses.imports.services import responses_import
from responses.invitations.services import invitations_create
from responses.models import Invitation, InvitationSegmentValue, Response, ResponseSegmentValue
from responses.respond.services import Rating
from taxonomy.selectors import benefit_paths
from tests.factories import AssessmentFactory, MembershipFactory, UserFactory
from tests.reports.helpers import FEEDBACK

pytestmark = pytest.mark.django_db


# --- The release rules, by hand ----------------------------------------------------------------


def suppressed_groups(sizes: list[int], k: int) -> list[bool]:
    """Section 6's step 1 with one segment whose groups have ``sizes``: which are hidden."""
    layout = [SegmentLayout(values=tuple(range(len(sizes))))]
    released = release_groups(layout, {(i,): n for i, n in enumerate(sizes)}, k) or ()
    return [GroupRef(0, i, i) not in released for i in range(len(sizes))]


@pytest.mark.parametrize(
    ("sizes", "k", "hidden"),
    [
        ([12, 9, 0], 5, [False, False, True]),  # an empty group is hidden, and hides nobody else: 0 in all
        ([12, 3, 8], 5, [False, True, True]),  # 3 alone would follow by subtraction: the smallest shown goes too
        ([12, 3, 8, 8], 5, [False, True, False, True]),  # a tie between 8 and 8: the later one goes
        ([6, 2, 2, 9], 5, [True, True, True, False]),  # 2 + 2 = 4 < 5: the next smallest (6) goes too
        ([6, 2, 2, 9, 0], 5, [True, True, True, False, True]),  # an empty group changes nothing
        ([5, 5], 5, [False, False]),  # exactly k is shown
        ([4, 20], 5, [True, True]),  # 4 hidden, then the only other group too
        ([1, 1, 1], 3, [True, True, True]),  # everything hidden
        ([3, 3, 0], 3, [False, False, True]),
    ],
)
def test_release_rules_by_hand(sizes, k, hidden):
    """With one segment, the release rule is section 7's: the old rule's results."""
    assert suppressed_groups(sizes, k) == hidden


@given(sizes=st.lists(st.integers(0, 30), min_size=1, max_size=9), k=st.integers(3, 10))
def test_hidden_groups_hold_zero_or_at_least_k_unless_all_are_hidden(sizes, k):
    """Whatever the sizes: no group below k is shown, and the hidden ones together are 0 or at least k."""
    hidden = suppressed_groups(sizes, k)
    assert all(h for n, h in zip(sizes, hidden, strict=True) if n < k)
    total = sum(n for n, h in zip(sizes, hidden, strict=True) if h)
    assert all(hidden) or total == 0 or total >= k


# --- Fixtures: Acme, a closed assessment with a department segment ---------------------------


def department_assessment(groups: dict[str | None, list[tuple[int, int]]], *, source="invitation", **kwargs):
    """{option value or None: [(importance, realization) of Improved Feedback per respondent]}; closed."""
    assessment = AssessmentFactory(organization__name="Acme", title="Baseline 2026", **kwargs)
    segment_create(
        assessment=assessment,
        key="department",
        label="Department",
        source=source,
        options=["Sales", "Engineering", "Support"],
    )
    feedback = benefit_paths()[FEEDBACK]
    ratings, options = {}, {}
    chosen = {o.value: o.pk for o in Segment.objects.get(assessment=assessment).options.all()}
    for value, pairs in groups.items():
        for i, (imp, real) in enumerate(pairs):
            respondent = f"{value or 'none'}-{i}"
            ratings[respondent] = [Rating(feedback, "importance", imp), Rating(feedback, "realization", real)]
            if value:
                options[respondent] = [chosen[value]]
    responses_import(assessment=assessment, ratings_by_respondent=ratings, segment_options=options)
    Assessment.objects.filter(pk=assessment.pk).update(status="closed")
    assessment.refresh_from_db()
    return assessment


def report_of(assessment):
    return segment_report(assessment=assessment, segment=segment_for_key(assessment=assessment, key="department"))


def command(*args: str) -> str:
    out = io.StringIO()
    call_command(
        "gap_report", "--organization", "Acme", "--assessment", "Baseline 2026", *args, stdout=out, stderr=io.StringIO()
    )
    return out.getvalue()


def test_each_group_has_its_own_figures(taxonomy):
    """Sales (5 people) and Engineering (6) are shown with their own means; Support (0) and Not stated hidden."""
    assessment = department_assessment({"sales": [(5, 1)] * 5, "engineering": [(4, 3)] * 3 + [(2, 2)] * 3})
    data = json.loads(render_segment_json(report_of(assessment)))
    assert data["segment"] == {"key": "department", "label": "Department"} and data["min_group_size"] == 5
    sales, engineering, support, not_stated = data["groups"]
    assert [g["value"] for g in data["groups"]] == ["sales", "engineering", "support", None]
    assert not_stated["label"] == "Not stated"
    assert (sales["suppressed"], sales["respondents"]) == (False, 5)
    feedback = next(b for b in sales["benefits"] if b["path"] == FEEDBACK)
    assert (feedback["importance"]["mean"], feedback["realization"]["mean"], feedback["gap"]) == (5.0, 1.0, 4.0)
    assert feedback["paired"]["n"] == 5 and sales["overall"]["under_realized"] == 1
    feedback = next(b for b in engineering["benefits"] if b["path"] == FEEDBACK)
    assert (feedback["importance"]["mean"], feedback["gap"]) == (3.0, 0.5)
    for hidden in (support, not_stated):
        assert hidden["suppressed"] is True
        assert (hidden["respondents"], hidden["invited"], hidden["response_rate"]) == (None, None, None)
        assert (hidden["benefits"], hidden["cells"], hidden["overall"]) == ([], [], None)


def test_a_small_group_hides_the_next_smallest(taxonomy):
    """Support has 2: alone it would follow by subtraction, so Engineering (the smallest shown) is hidden too."""
    assessment = department_assessment({"sales": [(5, 1)] * 7, "engineering": [(4, 4)] * 5, "support": [(1, 5)] * 2})
    groups = {g.value: g for g in report_of(assessment).groups}
    assert not groups["sales"].suppressed
    assert groups["engineering"].suppressed and groups["support"].suppressed
    text = command("--segment", "department", "--format", "text")
    assert "Engineering: fewer than 5 respondents" in text and "Support: fewer than 5 respondents" in text
    assert " 2 respondents" not in text


def test_not_stated_is_a_group(taxonomy):
    assessment = department_assessment({"sales": [(5, 1)] * 5, None: [(3, 3)] * 5})
    groups = report_of(assessment).groups
    assert (groups[-1].value, groups[-1].suppressed, groups[-1].respondents) == (None, False, 5)


def test_a_suppressed_assessment_hides_every_group(taxonomy):
    """Below k in all (4), or still open under after-close: no group is shown."""
    assessment = department_assessment({"sales": [(5, 1)] * 4})
    assert all(g.suppressed for g in report_of(assessment).groups)
    Assessment.objects.filter(pk=assessment.pk).update(status="open")
    assessment.refresh_from_db()
    report = report_of(assessment)
    assert report.reason == "not-closed" and all(g.suppressed for g in report.groups)


def test_response_rates_are_shown_only_for_groups_of_k_invitations(taxonomy):
    """Sales: 10 invitations, 5 submitted: 50%. Engineering: 4 invitations (< k): no rate. Respondent segments: none."""
    assessment = department_assessment({"sales": [(5, 1)] * 5, "engineering": [(4, 3)] * 5})
    Assessment.objects.filter(pk=assessment.pk).update(status="open")
    invitations_create(assessment=assessment, count=10, segment_values={"department": "sales"})
    invitations_create(assessment=assessment, count=4, segment_values={"department": "engineering"})
    Invitation.objects.filter(
        pk__in=list(Invitation.objects.filter(segment_values__option__value="sales").values_list("pk", flat=True)[:5])
    ).update(submitted=True)
    Assessment.objects.filter(pk=assessment.pk).update(status="closed")
    assessment.refresh_from_db()
    groups = {g.value: g for g in report_of(assessment).groups}
    assert (groups["sales"].invited, groups["sales"].response_rate) == (10, 0.5)
    assert (groups["engineering"].invited, groups["engineering"].response_rate) == (None, None)


def test_a_respondent_segment_has_no_response_rate(taxonomy):
    assessment = department_assessment({"sales": [(5, 1)] * 5}, source="respondent")
    assert report_of(assessment).groups[0].invited is None


def test_command_outputs_are_the_renderers_bytes(taxonomy):
    assessment = department_assessment({"sales": [(5, 1)] * 5, "engineering": [(4, 3)] * 5})
    report = report_of(assessment)
    assert command("--segment", "department") == render_segment_json(report)
    assert command("--segment", "department", "--format", "csv") == render_segment_csv(report)
    assert command("--segment", "department", "--format", "text") == render_segment_text(report)
    rows = list(csv.DictReader(io.StringIO(render_segment_csv(report))))
    assert list(rows[0]) == list(SEGMENT_CSV_FIELDS)
    assert len(rows) == 2 * 61 and {r["segment_value"] for r in rows} == {"sales", "engineering"}


def test_unknown_segment_is_a_clear_error(taxonomy):
    department_assessment({"sales": [(5, 1)] * 5})
    with pytest.raises(InputError, match="has no segment 'team'.*department"):
        command("--segment", "team")


@pytest.mark.parametrize("groups", [2, 8])
def test_query_count_does_not_depend_on_the_number_of_groups(taxonomy, django_assert_num_queries, groups):
    assessment = AssessmentFactory(organization__name="Acme", title="Many")
    segment = segment_create(
        assessment=assessment, key="team", label="Team", source="invitation", options=[f"T{i}" for i in range(groups)]
    )
    feedback = benefit_paths()[FEEDBACK]
    options = list(segment.options.all())
    ratings = {f"r{i}": [Rating(feedback, "importance", 4)] for i in range(5 * groups)}
    responses_import(
        assessment=assessment,
        ratings_by_respondent=ratings,
        segment_options={f"r{i}": [options[i % groups].pk] for i in range(5 * groups)},
    )
    Assessment.objects.filter(pk=assessment.pk).update(status="closed")
    assessment.refresh_from_db()
    segment = segment_for_key(assessment=assessment, key="team")
    # Counts, the segments, respondents and raters per signature, the segment's joint distributions,
    # the questionnaire, the maturity targets, invitations and the organization's name: 12 whatever the groups.
    with django_assert_num_queries(12):
        report = segment_report(assessment=assessment, segment=segment)
    assert [g.respondents for g in report.groups[:-1]] == [5] * groups


# --- Values reach the response -----------------------------------------------------------------


def test_an_invitations_value_is_copied_onto_its_response_and_survives_submit(client, taxonomy):
    from responses.respond.services import response_start, response_submit

    assessment = AssessmentFactory()
    segment_create(assessment=assessment, key="department", label="Department", source="invitation", options=["A", "B"])
    token = invitations_create(assessment=assessment, count=1, segment_values={"department": "b"})[0]
    invitation = Invitation.objects.get()
    assert InvitationSegmentValue.objects.get(invitation=invitation).option.value == "b"
    response, _ = response_start(assessment=assessment, invitation=invitation)
    response_submit(response=response)
    response.refresh_from_db()
    assert response.invitation_id is None
    assert ResponseSegmentValue.objects.get(response=response).option.value == "b"
    assert token


def test_respondent_segments_are_asked_on_the_intro_page(client, taxonomy):
    assessment = AssessmentFactory()
    segment_create(
        assessment=assessment, key="role", label="Your role", source="respondent", options=["Manager", "Staff"]
    )
    token = invitations_create(assessment=assessment, count=2)
    url = reverse("responses:invitation:start", kwargs={"token": token[0]})
    intro = client.get(url).content.decode()
    assert "Your role" in intro and "Prefer not to say" in intro
    client.post(url, {"segment-role": "staff"})
    assert ResponseSegmentValue.objects.get().option.value == "staff"
    other = reverse("responses:invitation:start", kwargs={"token": token[1]})
    client.post(other, {"segment-role": ""})  # prefer not to say: not stated
    assert Response.objects.count() == 2 and ResponseSegmentValue.objects.count() == 1
    assert client.post(other.replace(token[1], token[1]), {"segment-role": "ceo"}).status_code in (302, 400)


def test_invite_command_takes_segment_values(taxonomy):
    assessment = AssessmentFactory(organization__name="Acme", title="Baseline 2026")
    segment_create(
        assessment=assessment, key="department", label="Department", source="invitation", options=["Sales", "Ops"]
    )
    out = io.StringIO()
    call_command(
        "invite",
        organization="Acme",
        assessment="Baseline 2026",
        count="3",
        segment=["department=ops"],
        stdout=out,
        stderr=io.StringIO(),
    )
    assert len(out.getvalue().split()) == 3
    assert InvitationSegmentValue.objects.filter(option__value="ops").count() == 3
    with pytest.raises(InputError, match="no option 'hr'"):
        call_command(
            "invite",
            organization="Acme",
            assessment="Baseline 2026",
            count="1",
            segment=["department=hr"],
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert Invitation.objects.count() == 3


def test_the_page_shows_groups_and_never_a_hidden_groups_number(client, taxonomy):
    assessment = department_assessment({"sales": [(5, 1)] * 7, "engineering": [(4, 4)] * 5, "support": [(1, 5)] * 2})
    user = UserFactory()
    MembershipFactory(user=user, organization=assessment.organization, role=Membership.Role.ANALYST)
    client.force_login(user)
    url = reverse("reports:report", args=[assessment.organization.slug, assessment.slug])
    html = client.get(url, {"segment": "department"}).content.decode()
    groups = html.split('id="groups"')[1].split('<details id="')[0]
    assert "Sales</strong>: 7 respondents" in groups
    assert "Engineering</strong>: fewer than 5 respondents" in groups
    assert "Support</strong>: fewer than 5 respondents" in groups
    assert ">Engineering</th>" not in groups and ">Support</th>" not in groups
    download = client.get(
        reverse("reports:json", args=[assessment.organization.slug, assessment.slug]), {"segment": "department"}
    )
    assert download.content.decode() == command("--segment", "department")
