"""The respondent form's views, through the test client."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from assessments.models import Assessment
from assessments.selectors import assessment_questionnaire, questionnaires_forget
from assessments.services import assessment_get_or_create
from common.tokens import hash_token
from organizations.services import organization_get_or_create
from responses.invitations.services import invitations_create
from responses.models import Answer, Invitation, Response
from responses.respond.services import Rating, answers_save, response_submit
from taxonomy.models import Question
from tests.factories import MembershipFactory, UserFactory
from tests.responses.form_helpers import PAGES, answer_all, page_data, section_fields, section_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(taxonomy) -> Assessment:
    org, _ = organization_get_or_create(name="Acme")
    assessment, _ = assessment_get_or_create(organization=org, title="Baseline 2026")
    return assessment


@pytest.fixture
def token(assessment) -> str:
    return invitations_create(assessment=assessment, count=1)[0]


@pytest.fixture
def started(client, token) -> Response:
    """A respondent who opened the link and pressed Start."""
    client.post(reverse("responses:invitation:start", kwargs={"token": token}))
    return Response.objects.get(invitation__isnull=False)


def start_url(token: str) -> str:
    return reverse("responses:invitation:start", kwargs={"token": token})


def review_url(token: str) -> str:
    return reverse("responses:invitation:review", kwargs={"token": token})


def stored(response: Response) -> dict[tuple[int, str], tuple[bool, int | None]]:
    out = {}
    for a in Answer.objects.filter(response=response):
        for dim in ("importance", "realization"):
            if a.answered(dim):
                out[(a.benefit_id, dim)] = (True, a.value(dim))
    return out


# --- The whole flow ---------------------------------------------------------


def test_whole_flow_intro_six_sections_review_submit_thanks(client, assessment, token):
    """Intro, six sections saved in turn, review, submit, thank-you; answers stored, Don't know as NULL."""
    intro = client.get(start_url(token))
    assert intro.status_code == 200
    text = intro.content.decode()
    for phrase in ("What is measured", "Why", "min", "Importance", "Realization", "Who will see your answers"):
        assert phrase in text
    assert "4</span> Very important" in text

    start = client.post(start_url(token))
    assert start.status_code == 302 and start.url == section_url(token, 1)
    response = Response.objects.get(invitation__isnull=False)
    assert re.fullmatch(r"w-[0-9a-f]{16}", response.respondent)  # random: it names no link and no person

    for number in range(1, PAGES + 1):
        page = client.get(section_url(token, number))
        assert page.status_code == 200
        assert f"Section {number} of {PAGES}" in page.content.decode()
        value = "dk" if number == 2 else "3"
        saved = client.post(
            section_url(token, number), page_data(response, number, answer_all(assessment, number, value))
        )
        expected = section_url(token, number + 1) if number < PAGES else review_url(token)
        assert saved.status_code == 302 and saved.url == expected

    review = client.get(review_url(token))
    assert review.status_code == 200
    assert "122 of 122 questions answered" in review.content.decode()
    done = client.post(review_url(token), {"action": "submit"})
    assert done.status_code == 302 and done.url == reverse("responses:invitation:done", kwargs={"token": token})
    thanks = client.get(done.url)
    assert "Thank you" in thanks.content.decode()

    response.refresh_from_db()
    assert response.is_submitted
    # Submitted is anonymous: the link knows it was used, the response no longer knows the link.
    assert (response.invitation_id, response.user_id, response.started_at, response.updated_at) == (None,) * 4
    assert Invitation.objects.get(token_hash=hash_token(token)).submitted
    assert Answer.objects.filter(response=response).count() == 61
    section2 = {b.id for b in assessment_questionnaire(assessment=assessment).sections[1].benefits}
    for a in Answer.objects.filter(response=response):
        if a.benefit_id in section2:
            assert (a.importance, a.importance_answered, a.realization, a.realization_answered) == (
                None,
                True,
                None,
                True,
            )
        else:
            assert (a.importance, a.realization) == (3, 3)


def test_member_of_the_organization_answers_under_a_random_id(client, assessment):
    """A logged-in member opens /o/<org>/<assessment>/respond/; the draft is theirs, its id is random."""
    member = MembershipFactory(organization=assessment.organization, role="respondent").user
    client.force_login(member)
    url = reverse(
        "responses:member:start",
        kwargs={"org_slug": assessment.organization.slug, "assessment_slug": assessment.slug},
    )
    assert client.get(url).status_code == 200
    start = client.post(url)
    assert start.status_code == 302 and start.url.endswith("/respond/section/1/")
    response = Response.objects.get(user=member)
    assert response.respondent != member.username and response.invitation is None
    assert re.fullmatch(r"w-[0-9a-f]{16}", response.respondent)
    assert client.post(url).url == start.url  # starting again resumes the same response
    assert Response.objects.count() == 1


def test_non_member_gets_not_found_and_anonymous_is_sent_to_log_in(client, assessment):
    """Another organization's user sees a friendly 404; someone not logged in is asked to log in."""
    url = reverse(
        "responses:member:start",
        kwargs={"org_slug": assessment.organization.slug, "assessment_slug": assessment.slug},
    )
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "login" in anonymous.url
    client.force_login(UserFactory())
    outsider = client.get(url)
    assert outsider.status_code == 404
    assert "Assessment not found" in outsider.content.decode()


# --- Save and resume --------------------------------------------------------


def test_partial_answers_are_saved_and_reopening_the_link_resumes(client, assessment, token, started):
    """Save section 1 half answered; reopening the link goes to section 2, and section 1 shows the saved choice."""
    fields = section_fields(assessment, 1)
    client.post(section_url(token, 1), page_data(started, 1, {fields[0]: "5"}))
    assert len(stored(started)) == 1

    reopened = client.get(start_url(token))
    assert reopened.status_code == 302 and reopened.url == section_url(token, 2)
    page = client.get(section_url(token, 1)).content.decode()
    assert f'name="{fields[0]}" id="id_{fields[0]}_4" value="5" checked' in page
    assert "1</span> of 122 questions answered" in page


def test_back_saves_the_section_then_goes_back(client, assessment, token, started):
    """ "Back" keeps what was chosen on the page: it is saved before going to the previous section."""
    fields = section_fields(assessment, 2)
    back = client.post(section_url(token, 2), page_data(started, 2, {fields[0]: "2"}, action="back"))
    assert back.status_code == 302 and back.url == section_url(token, 1)
    assert list(stored(started).values()) == [(True, 2)]
    started.refresh_from_db()
    assert started.current_section == 0


def test_an_unanswered_question_on_the_page_keeps_its_earlier_answer(client, assessment, token, started):
    """Only what the page sends is written: a question left out of the POST is not cleared."""
    fields = section_fields(assessment, 1)
    client.post(section_url(token, 1), page_data(started, 1, {fields[0]: "5", fields[1]: "dk"}))
    client.post(section_url(token, 1), page_data(started, 1, {fields[1]: "1"}))
    assert sorted(v for v in stored(started).values()) == [(True, 1), (True, 5)]


# --- Bad input: clear message, no 500, nothing saved --------------------------


def assert_refused(result, response, message: str, status: int = 400) -> str:
    assert result.status_code == status
    text = result.content.decode()
    assert message in text
    assert 'role="alert"' in text
    assert stored(response) == {}
    return text


def test_value_outside_the_scale_re_renders_with_entered_values_and_a_message_beside_the_question(
    client, assessment, token, started
):
    """A 7 is refused beside its question (aria-invalid, described by the error), linked from the summary;
    the valid choices of the same POST are shown again but not saved."""
    fields = section_fields(assessment, 1)
    result = client.post(section_url(token, 1), page_data(started, 1, {fields[0]: "7", fields[1]: "4"}))
    text = assert_refused(result, started, "That answer is not on the scale")
    assert f'id="id_{fields[0]}-error"' in text
    assert f'aria-invalid="true" aria-describedby="id_{fields[0]}-error"' in text
    assert f'href="#id_{fields[0]}_0"' in text  # the summary links to the question
    assert f'name="{fields[1]}" id="id_{fields[1]}_3" value="4" checked' in text  # nothing typed is lost
    assert "<title>Error:" in text


@pytest.mark.parametrize("value", ["0", "-1", "4.5", "", "x" * 300, "DK"])
def test_odd_values_are_refused_without_saving(client, assessment, token, started, value):
    """Zero, negatives, decimals, junk: refused with a message (an empty value is simply "not answered")."""
    fields = section_fields(assessment, 1)
    result = client.post(section_url(token, 1), page_data(started, 1, {fields[0]: value}))
    if value == "":
        assert result.status_code == 302 and stored(started) == {}
    else:
        assert_refused(result, started, "not on the scale")


def test_a_question_of_another_section_is_refused(client, assessment, token, started):
    """Answers to a question the page does not show reject the whole POST (no partial write)."""
    mine = section_fields(assessment, 1)[0]
    other = section_fields(assessment, 3)[0]
    result = client.post(section_url(token, 1), page_data(started, 1, {mine: "4", other: "4"}))
    assert_refused(result, started, "questions that are not in this section")


def test_a_question_of_another_assessment_or_no_benefit_is_refused(client, assessment, token, started):
    """An unknown benefit id (another taxonomy, another assessment's snapshot) is refused the same way."""
    result = client.post(section_url(token, 1), page_data(started, 1, {"q-999999-importance": "4"}))
    assert_refused(result, started, "questions that are not in this section")


@pytest.mark.parametrize("missing", ["section", "revision", "action"])
def test_a_missing_hidden_field_is_refused(client, assessment, token, started, missing):
    data = page_data(started, 1, answer_all(assessment, 1))
    del data[missing]
    result = client.post(section_url(token, 1), data)
    assert_refused(result, started, "The page was incomplete")


def test_tampered_fields_are_refused(client, assessment, token, started):
    """Wrong section number, unknown field, unknown button, a question sent twice: refused, nothing saved."""
    url = section_url(token, 1)
    answers = answer_all(assessment, 1)
    cases = [
        ({**page_data(started, 1, answers), "section": "2"}, "belongs to another section"),
        ({**page_data(started, 1, answers), "section": "abc"}, "belongs to another section"),
        ({**page_data(started, 1, answers), "note": "hi"}, "fields it does not have"),
        ({**page_data(started, 1, answers), "action": "delete"}, "Unknown button"),
    ]
    for data, message in cases:
        assert_refused(client.post(url, data), started, message)
    data = page_data(started, 1, answers)
    first = next(iter(answers))
    body = "&".join(f"{k}={v}" for k, v in data.items()) + f"&{first}=2"
    result = client.post(url, body, content_type="application/x-www-form-urlencoded")
    assert_refused(result, started, "more than one answer to the same question")


def test_a_stale_page_never_overwrites_newer_answers(client, assessment, token, started):
    """A page loaded before another tab saved is refused (409) and keeps what was chosen; saving again goes through."""
    field = section_fields(assessment, 1)[0]
    old_page = page_data(started, 1, {field: "2"})
    client.post(section_url(token, 1), page_data(started, 1, {field: "5"}, action="save"))  # the other tab
    result = client.post(section_url(token, 1), old_page)
    assert result.status_code == 409
    text = result.content.decode()
    assert "changed in another window or tab" in text
    assert f'name="{field}" id="id_{field}_1" value="2" checked' in text
    assert list(stored(started).values()) == [(True, 5)]
    # The re-rendered page carries the fresh revision: saving it again is a deliberate choice.
    started.refresh_from_db()
    assert client.post(section_url(token, 1), page_data(started, 1, {field: "2"})).status_code == 302
    assert list(stored(started).values()) == [(True, 2)]


def test_a_replayed_post_of_the_same_answers_is_harmless(client, assessment, token, started):
    """A double click sends the same page twice: the second is a no-op that still moves on."""
    data = page_data(started, 1, answer_all(assessment, 1, "4"))
    assert client.post(section_url(token, 1), data).status_code == 302
    again = client.post(section_url(token, 1), data)
    assert again.status_code == 302 and again.url == section_url(token, 2)
    assert set(stored(started).values()) == {(True, 4)}


# --- Submit and after ---------------------------------------------------------


def test_submit_requires_every_question_and_names_what_is_missing(client, assessment, token, started):
    """With one question unanswered, submit is refused and the review names it, linking back to it."""
    questionnaire = assessment_questionnaire(assessment=assessment)
    ratings = [Rating(b.id, q.dimension, 3) for b in questionnaire.benefits for q in b.questions]
    last = ratings.pop()
    answers_save(response=started, ratings=ratings)
    result = client.post(review_url(token), {"action": "submit"})
    assert result.status_code == 400
    text = result.content.decode()
    benefit = next(b for b in questionnaire.benefits if b.id == last.benefit_id)
    assert "1 question still need" in text
    assert f"{benefit.name} — {last.dimension.capitalize()}" in text
    assert f"{section_url(token, PAGES)}?from=review#b-{benefit.id}" in text
    started.refresh_from_db()
    assert not started.is_submitted


def test_review_lists_answered_and_missing_per_section(client, assessment, token, started):
    fields = section_fields(assessment, 1)
    client.post(section_url(token, 1), page_data(started, 1, dict.fromkeys(fields, "1")))
    text = client.get(review_url(token)).content.decode()
    assert "All 4 answered" in text
    assert "0 of 10 answered" in text
    assert "Answer the rest" in text


def test_a_submitted_response_cannot_change(client, assessment, token, started):
    """After submit the link says so, sections are read-only, a replayed POST is refused (409), nothing changes."""
    field = section_fields(assessment, 1)[0]
    data = page_data(started, 1, {field: "4"})
    response_submit(response=started)
    for url in (start_url(token), section_url(token, 1), review_url(token)):
        page = client.get(url)
        assert page.status_code == 200 and "already submitted" in page.content.decode()
    replay = client.post(section_url(token, 1), data)
    assert replay.status_code == 409 and "Nothing from the page you just sent was saved" in replay.content.decode()
    assert client.post(review_url(token), {"action": "submit"}).status_code == 409
    assert client.post(start_url(token)).status_code == 409
    assert stored(started) == {}


def test_double_submit_from_two_tabs_submits_once(client, assessment, token, started):
    questionnaire = assessment_questionnaire(assessment=assessment)
    answers_save(
        response=started, ratings=[Rating(b.id, q.dimension, 2) for b in questionnaire.benefits for q in b.questions]
    )
    assert client.post(review_url(token), {"action": "submit"}).status_code == 302
    started.refresh_from_db()
    first = started.submitted_on
    assert client.post(review_url(token), {"action": "submit"}).status_code == 409
    started.refresh_from_db()
    assert started.submitted_on == first


# --- Closed assessments and bad links ---------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"status": "closed"}, "This assessment is closed"),
        ({"status": "draft"}, "not open yet"),
        ({"opens_at": timezone.now() + timedelta(days=2), "closes_at": None}, "not open yet"),
        ({"opens_at": timezone.now() - timedelta(days=9), "closes_at": timezone.now() - timedelta(days=1)}, "closed"),
    ],
)
def test_an_assessment_not_taking_answers_refuses_with_a_clear_page(client, assessment, token, changes, message):
    """Closed, draft, not yet open, past its closing date: every step refuses (403), nothing is created."""
    Assessment.objects.filter(pk=assessment.pk).update(**changes)
    for result in (
        client.get(start_url(token)),
        client.post(start_url(token)),
        client.get(section_url(token, 1)),
        client.post(section_url(token, 1), {"section": "1", "revision": "", "action": "next"}),
        client.get(review_url(token)),
    ):
        assert result.status_code == 403
        assert message in result.content.decode()
    assert not Response.objects.exists()


def test_closing_after_start_keeps_saved_answers_but_refuses_new_ones(client, assessment, token, started):
    field = section_fields(assessment, 1)[0]
    client.post(section_url(token, 1), page_data(started, 1, {field: "4"}, action="save"))
    Assessment.objects.filter(pk=assessment.pk).update(status="closed")
    result = client.post(section_url(token, 1), page_data(started, 1, {field: "1"}))
    assert result.status_code == 403
    assert "The answers you saved so far are kept" in result.content.decode()
    assert list(stored(started).values()) == [(True, 4)]


@pytest.mark.parametrize("bad", ["not-a-token", "x" * 500, "%00"])
def test_an_unknown_token_gets_a_friendly_not_found_page(client, assessment, bad):
    for url in (f"/i/{bad}/", f"/i/{bad}/section/1/", f"/i/{bad}/review/", f"/i/{bad}/done/"):
        result = client.get(url)
        assert result.status_code == 404
        assert "This link does not work" in result.content.decode()


def test_a_revoked_invitation_gets_the_same_page(client, assessment, token):
    from responses.models import Invitation

    Invitation.objects.update(revoked_at=timezone.now())
    result = client.get(start_url(token))
    assert result.status_code == 404 and "This link does not work" in result.content.decode()


def test_a_section_that_does_not_exist_is_a_friendly_404(client, token, started):
    for number in (0, PAGES + 1, 99):
        result = client.get(section_url(token, number))
        assert result.status_code == 404 and "There is no such section" in result.content.decode()


def test_section_and_review_before_starting_go_to_the_intro(client, token):
    assert client.get(section_url(token, 3)).url == start_url(token)
    assert client.get(review_url(token)).url == start_url(token)
    assert client.get(reverse("responses:invitation:done", kwargs={"token": token})).url == start_url(token)


# --- Accessibility markup ------------------------------------------------------------


def test_section_page_links_its_css_and_js_and_has_no_inline_style_or_script(client, token, started):
    text = client.get(section_url(token, PAGES)).content.decode()
    assert "css/form.css" in text and "js/form.js" in text
    assert "style=" not in text
    assert "<script>" not in text.replace(" ", "")
    assert text.count("<fieldset") == 22 and text.count("<legend") == 22


# --- Efficiency ------------------------------------------------------------------


def test_section_get_and_post_run_a_constant_number_of_queries(
    client, assessment, token, started, django_assert_num_queries
):
    """The smallest page (2 benefits) and the largest (a part of 11) cost the same number of queries, GET and POST."""
    # Freeze the wording first: the very first answer of an assessment pays a one-off snapshot.
    answers_save(
        response=started,
        ratings=[Rating(assessment_questionnaire(assessment=assessment).benefits[0].id, "importance", 3)],
    )
    for number in (1, PAGES):
        questionnaires_forget()
        with django_assert_num_queries(7):
            assert client.get(section_url(token, number)).status_code == 200
        # The frozen questionnaire is kept a minute (assessments.selectors): its 4 queries are not made again.
        with django_assert_num_queries(3):
            assert client.get(section_url(token, number)).status_code == 200
    for number in (1, PAGES):
        data = page_data(started, number, answer_all(assessment, number, "5"))
        questionnaires_forget()
        with django_assert_num_queries(15):
            assert client.post(section_url(token, number), data).status_code == 302


def test_a_response_to_an_assessment_with_no_questions_cannot_be_submitted(client, assessment, token, started):
    """Every question switched off after the start: the review refuses to submit an empty response, with a message."""
    Question.objects.update(is_active=False)
    result = client.post(review_url(token), {"action": "submit"})
    assert result.status_code == 400
    assert "asks no questions" in result.content.decode()
    started.refresh_from_db()
    assert not started.is_submitted
    with pytest.raises(ValidationError):
        response_submit(response=started)


def test_each_benefit_s_description_is_shown_and_describes_both_its_radio_groups(client, assessment, token, started):
    """Under each name its description (visible text), named by both fieldsets' aria-describedby; signs folded."""
    html = client.get(section_url(token, PAGES)).content.decode()
    section = assessment_questionnaire(assessment=assessment).paged().sections[PAGES - 1]
    assert len(section.benefits) == 11
    for benefit in section.benefits:
        desc_id = f"b-{benefit.id}-desc"
        assert f'<p class="hp-desc" id="{desc_id}">{escape(benefit.description)}</p>' in html
        groups = re.findall(rf'<fieldset class="hp-q" aria-describedby="{desc_id} id_(q-{benefit.id}-\w+)-text">', html)
        assert groups == [f"q-{benefit.id}-importance", f"q-{benefit.id}-realization"]
        row = html.split(f'id="b-{benefit.id}"', 1)[1].split('class="hp-questions"', 1)[0]
        assert "<details" in row and "<summary>What does this look like?</summary>" in row
        for item in benefit.indicators:
            assert f"<li>{escape(item)}</li>" in row


# --- Pages of at most 20 benefits; back to the review in one step ---


def test_the_longest_section_is_split_into_parts_and_the_intro_counts_pages(client, assessment, token):
    intro = client.get(start_url(token)).content.decode()
    assert f'hp-fact-value">{PAGES}</span>' in intro
    client.post(start_url(token))
    for number, part in ((PAGES - 1, 1), (PAGES, 2)):
        html = client.get(section_url(token, number)).content.decode()
        assert f"External social networking, part {part} of 2" in html
        assert html.count('class="hp-q"') <= 2 * 20


def test_a_fix_from_the_review_leads_back_to_the_review_in_one_step(client, assessment, token, started):
    """The review's links to what is missing open the page with "Save and back to the review", which returns."""
    for number in range(1, PAGES + 1):
        answers = answer_all(assessment, number)
        if number == 2:
            answers.popitem()
        client.post(section_url(token, number), page_data(started, number, answers))
    review = client.get(review_url(token)).content.decode()
    link = f"{section_url(token, 2)}?from=review"
    assert link in review
    page = client.get(link).content.decode()
    assert "Save and back to the review" in page
    assert "Save and back to the review" not in client.get(section_url(token, 2)).content.decode()
    saved = client.post(link, page_data(started, 2, answer_all(assessment, 2), action="review"))
    assert saved.status_code == 302 and saved.url == review_url(token)
    assert "all done" in client.get(review_url(token)).content.decode()


def test_respondent_pages_have_no_site_navigation_and_the_thanks_say_when_results_appear(
    client, assessment, token, started
):
    for url in (start_url(token) + "?about=1", section_url(token, 1), review_url(token)):
        html = client.get(url).content.decode()
        assert 'aria-label="Main"' not in html and "Log in" not in html and "Benefits</a>" not in html
    for number in range(1, PAGES + 1):
        client.post(section_url(token, number), page_data(started, number, answer_all(assessment, number)))
    client.post(review_url(token), {"action": "submit"})
    thanks = client.get(reverse("responses:invitation:done", kwargs={"token": token})).content.decode()
    assert "When results appear" in thanks and "once the assessment closes" in thanks
    assert "Log in" not in thanks


def test_a_section_that_does_not_exist_says_how_many_there_are(client, token, started):
    """The count comes from the questionnaire as this respondent is asked it, never a number in the template."""
    page = client.get(section_url(token, PAGES + 1))

    assert page.status_code == 404
    assert f"This assessment has {PAGES} sections." in page.content.decode()
