"""Comments in the respondent form, and how they follow their response (contract section 15)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from assessments.models import Assessment
from assessments.services import assessment_get_or_create
from common.commands import InputError
from organizations.services import organization_get_or_create
from responses.invitations.services import invitations_create
from responses.models import COMMENT_MAX_LENGTH, Comment, Response
from responses.respond.services import response_comments_save, response_submit, response_withdraw
from tests.factories import MembershipFactory, UserFactory
from tests.responses.form_helpers import PAGES, answer_all, page_data, section_fields, section_url

pytestmark = pytest.mark.django_db

CELL = "social-media/internal"


@pytest.fixture
def assessment(taxonomy) -> Assessment:
    org, _ = organization_get_or_create(name="Acme")
    assessment, _ = assessment_get_or_create(organization=org, title="Baseline 2026")
    # A member whose names a comment must not carry.
    MembershipFactory(
        organization=org,
        role="respondent",
        user=UserFactory(username="mdupont", first_name="Marie", last_name="Dupont"),
    )
    return assessment


@pytest.fixture
def token(assessment) -> str:
    return invitations_create(assessment=assessment, count=1)[0]


@pytest.fixture
def started(client, token) -> Response:
    client.post(reverse("responses:invitation:start", kwargs={"token": token}))
    return Response.objects.get(invitation__isnull=False)


def review_url(token: str) -> str:
    return reverse("responses:invitation:review", kwargs={"token": token})


def comments_of(response: Response) -> dict[str, str]:
    return dict(Comment.objects.filter(response=response).values_list("section", "text"))


def test_each_section_has_a_box_with_the_notice(client, token, started):
    page = client.get(section_url(token, 1)).content.decode()
    assert "What would help most here?" in page and 'name="comment"' in page
    assert f'maxlength="{COMMENT_MAX_LENGTH}"' in page
    assert "only once at least 10 people have commented on the same question" in page and "never by group" in page


def test_the_notice_gives_k_when_it_is_above_ten(client, assessment, token, started):
    Assessment.objects.filter(pk=assessment.pk).update(min_group_size=15)
    assert "at least 15 people" in client.get(section_url(token, 1)).content.decode()


def test_a_sections_comment_is_redacted_saved_with_the_draft_and_shown_again(client, assessment, token, started):
    text = "Ask marie DUPONT (marie.dupont@acme.example, +33 6 12 34 56 78) or see www.acme.example/wiki"
    data = page_data(started, 1, {**answer_all(assessment, 1), "comment": text}, action="save")
    assert client.post(section_url(token, 1), data).status_code == 302
    stored = "Ask [name] ([e-mail], [phone]) or see [link]"
    assert comments_of(started) == {CELL: stored}
    page = client.get(section_url(token, 1)).content.decode()
    assert stored in page and "marie" not in page.lower().split("what would help most here?")[1]
    # Emptying the box deletes the comment.
    client.post(section_url(token, 1), page_data(started, 1, {"comment": "  "}, action="save"))
    assert comments_of(started) == {}


def test_a_comment_over_2000_characters_is_refused_and_nothing_is_saved(client, assessment, token, started):
    fields = section_fields(assessment, 1)
    data = page_data(started, 1, {fields[0]: "5", "comment": "x" * (COMMENT_MAX_LENGTH + 1)})
    response = client.post(section_url(token, 1), data)
    assert response.status_code == 400
    assert "at most 2,000 characters" in response.content.decode()
    assert comments_of(started) == {} and not started.answers.exists()


def test_line_breaks_count_once_as_the_browser_counts_them(client, assessment, token, started):
    text = ("a" * 9 + "\r\n") * 180  # 1,800 characters in the browser, 1,980 with \r\n
    assert client.post(section_url(token, 1), page_data(started, 1, {"comment": text})).status_code == 302
    assert comments_of(started)[CELL] == ("a" * 9 + "\n") * 179 + "a" * 9


def test_the_review_page_has_the_last_box_saved_without_submitting(client, assessment, token, started):
    page = client.get(review_url(token)).content.decode()
    assert "Anything else?" in page and "never by group" in page
    response = client.post(review_url(token), {"action": "save", "comment": "Call me on 555 123 4567"})
    assert response.status_code == 302
    assert comments_of(started) == {"": "Call me on [phone]"}
    started.refresh_from_db()
    assert not started.is_submitted
    # Submitting with questions missing still keeps the box's text in the draft.
    response = client.post(review_url(token), {"action": "submit", "comment": "Later words"})
    assert response.status_code == 400
    assert comments_of(started) == {"": "Later words"}


def test_submitting_keeps_the_comments_without_a_link_to_the_person(client, assessment, token, started):
    for number in range(1, PAGES + 1):
        client.post(section_url(token, number), page_data(started, number, answer_all(assessment, number)))
    client.post(section_url(token, 2), page_data(started, 2, {"comment": "More training"}, action="save"))
    assert client.post(review_url(token), {"action": "submit", "comment": "Thanks"}).status_code == 302
    started.refresh_from_db()
    assert started.is_submitted and started.invitation is None and started.user is None
    assert comments_of(started) == {"social-media/external": "More training", "": "Thanks"}
    # A comment keeps no person, no invitation and no time of its own.
    fields = {f.name for f in Comment._meta.get_fields()}
    assert fields == {"id", "response", "section", "text", "hidden_reason", "hidden_on"}
    with pytest.raises(Exception, match="submitted"):
        response_comments_save(response=started, comments={"": "after"})


def test_withdrawing_deletes_the_comments(client, assessment, token, started):
    client.post(section_url(token, 1), page_data(started, 1, {"comment": "Some words"}))
    assert Comment.objects.count() == 1
    assert response_withdraw(response=started)
    assert not Comment.objects.exists()


def test_an_assessment_without_comments_has_no_box_and_refuses_one(client, assessment, token, started):
    Assessment.objects.filter(pk=assessment.pk).update(comments=False)
    assert 'name="comment"' not in client.get(section_url(token, 1)).content.decode()
    assert 'name="comment"' not in client.get(review_url(token)).content.decode()
    response = client.post(section_url(token, 1), page_data(started, 1, {"comment": "hello"}))
    assert response.status_code == 400 and not Comment.objects.exists()


def test_a_stale_page_does_not_overwrite_a_newer_comment(client, assessment, token, started):
    old = page_data(started, 1, {"comment": "first"})
    client.post(section_url(token, 1), page_data(started, 1, {"comment": "newer"}, action="save"))
    assert client.post(section_url(token, 1), old).status_code == 409
    assert comments_of(started) == {CELL: "newer"}


def test_the_anonymity_cut_keeps_the_comment_on_its_response(assessment, started):
    response_comments_save(response=started, comments={"": "Words"})
    # Submitting asks for answers; the cut itself is what this checks, so skip the form.
    Response.objects.filter(pk=started.pk).update(current_section=6)
    assert response_submit(response=started)
    comment = Comment.objects.get()
    assert comment.response_id == started.pk and comment.text == "Words"
    started.refresh_from_db()
    assert started.invitation_id is None and started.started_at is None and started.updated_at is None


# --- import_responses --comments ---------------------------------------------------------

HEADER = "respondent,benefit,dimension,value\n"
FEEDBACK = "social-media/internal/improved-feedback"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def answers(tmp_path: Path, respondents=("r1", "r2")) -> Path:
    return write(tmp_path, "answers.csv", HEADER + "".join(f"{r},{FEEDBACK},importance,4\n" for r in respondents))


def run_import(tmp_path: Path, comments: str) -> str:
    err = io.StringIO()
    call_command(
        "import_responses",
        str(answers(tmp_path)),
        "--organization",
        "Acme",
        "--assessment",
        "Imported",
        "--comments",
        str(write(tmp_path, "comments.csv", comments)),
        stderr=err,
    )
    return err.getvalue()


def test_import_with_comments_redacts_and_skips_empty_texts(taxonomy, tmp_path):
    org, _ = organization_get_or_create(name="Acme")
    MembershipFactory(organization=org, user=UserFactory(username="jdoe", first_name="John", last_name="Doe"))
    err = run_import(
        tmp_path,
        "respondent,section,text\n"
        'r1,social-media/internal,"John said: mail jdoe@acme.example\nor call 0612345678"\n'
        "r1,,Anything else from r1\n"
        "r2,social-networking/external,\n",
    )
    assert "2 comments" in err
    stored = dict(Comment.objects.values_list("section", "text"))
    assert stored == {
        "social-media/internal": "[name] said: mail [e-mail]\nor call [phone]",
        "": "Anything else from r1",
    }
    assert all(c.response.is_submitted for c in Comment.objects.all())


@pytest.mark.parametrize(
    ("rows", "line", "message"),
    [
        ("r1,social-media/internal,a\nr1,social-media/internal,b\n", 3, "already has a comment in section"),
        ("r1,,a\nr1,,b\n", 3, "already has a comment in the last box"),
        ("r1,,a\nr2,social-media/nowhere,b\n", 3, "unknown section"),
        ("r1,social-media,b\n", 2, "unknown section"),
        ("r9,,b\n", 2, "not in the answers file"),
        (f"r1,,a\nr2,,{'x' * 2001}\n", 3, "longer than 2,000 characters"),
        ('r1,,"two\nlines"\nr1,,again\n', 4, "already has a comment"),
        ("r1,,a,extra\n", 2, "expected 3 fields"),
    ],
)
def test_import_with_a_bad_comment_row_saves_nothing(taxonomy, tmp_path, rows, line, message):
    with pytest.raises(InputError) as exc:
        run_import(tmp_path, "respondent,section,text\n" + rows)
    assert str(exc.value).startswith(f"{tmp_path / 'comments.csv'}:{line}: ")
    assert message in str(exc.value)
    assert not Response.objects.exists() and not Comment.objects.exists() and not Assessment.objects.exists()


def test_import_with_a_bad_comments_header(taxonomy, tmp_path):
    with pytest.raises(InputError, match=r"comments.csv:1: the header must be respondent,section,text"):
        run_import(tmp_path, "respondent,text\nr1,a\n")


def test_the_intro_and_the_withdraw_page_say_what_happens_to_comments(client, assessment, token, started):
    intro = client.get(reverse("responses:invitation:start", kwargs={"token": token}) + "?about=1").content.decode()
    assert "shown word for word" in intro and "at least 10 people" in intro
    withdraw = client.get(reverse("responses:invitation:withdraw", kwargs={"token": token})).content.decode()
    assert "comments included" in withdraw


@pytest.mark.parametrize("members", [1, 40])
def test_saving_a_comment_costs_the_same_queries_whatever_the_number_of_members(
    client, assessment, token, started, members, django_assert_num_queries
):
    for i in range(members):
        MembershipFactory(organization=assessment.organization, user=UserFactory(first_name=f"First{i}"))
    client.post(section_url(token, 1), page_data(started, 1, {"comment": "warm-up"}))  # freezes the wording once
    data = page_data(started, 1, {"comment": "Ask First0 about it"}, action="save")
    # One query for all the members' names, whatever their number.
    with django_assert_num_queries(15):
        assert client.post(section_url(token, 1), data).status_code == 302
    assert comments_of(started) == {CELL: "Ask [name] about it"}
