"""Property-based tests (Hypothesis): whatever arrives, a clear error, never a 500, never a partial write.

Two ways data gets in from outside: the respondent's section form (any POST
body) and ``import_responses`` (any file). Example counts are modest so CI
stays fast; raise them with ``HP_HYPOTHESIS_EXAMPLES=500``.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlencode

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.db import connections
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.models import Assessment
from assessments.selectors import assessment_questionnaire
from assessments.services import assessment_get_or_create
from organizations.models import Organization
from organizations.services import organization_get_or_create
from responses.invitations.services import invitations_create
from responses.models import Answer, Response
from responses.respond.services import response_revision, response_start
from responses.selectors import invitation_for_token
from taxonomy.selectors import benefit_paths
from tests.responses.form_helpers import section_url

EXAMPLES = int(os.environ.get("HP_HYPOTHESIS_EXAMPLES", "40"))
# The database fixtures are function-scoped on purpose: each test gets one
# database and every example checks what it changed against a snapshot.
PROFILE = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
pytestmark = pytest.mark.django_db

SCALE = ["1", "2", "3", "4", "5", "dk"]
# A form's charset: none (UTF-8), UTF-8 spelled several ways, ones Django refuses for a form body, and nonsense.
UTF8_CHARSETS = [None, "utf-8", "UTF-8"]
charsets = st.sampled_from([*UTF8_CHARSETS, "utf-16", "utf-32", "latin-1", "ascii", "cp1252", "bogus-charset", ""])


def form_content_type(charset: str | None) -> str:
    return "application/x-www-form-urlencoded" + ("" if charset is None else f"; charset={charset}")


# Text with the characters that break things: NUL, quotes, separators, newlines, non-BMP, surrogates aside.
nasty_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("\x00\r\n\t,;\"'<>&=%+ \u00e9\u200b\ufeff\U0001f600-_/q0123456789")),
        st.characters(blacklist_categories=("Cs",)),
    ),
    max_size=40,
)


# --- The section form ------------------------------------------------------------------


@pytest.fixture
def respondent(taxonomy):
    org, _ = organization_get_or_create(name="Prop Org")
    assessment, _ = assessment_get_or_create(organization=org, title="Properties")
    token = invitations_create(assessment=assessment, count=1)[0]
    response, _ = response_start(assessment=assessment, invitation=invitation_for_token(token))
    questionnaire = assessment_questionnaire(assessment=assessment)
    fields = {
        s.index + 1: [f"q-{b.id}-{q.dimension}" for b in s.benefits for q in b.questions]
        for s in questionnaire.sections
    }
    return token, response, fields


def _as_fields(rows) -> dict[str, str]:
    """Stored answer rows as the form's field names and radio values."""
    out = {}
    for benefit_id, imp, real, imp_answered, real_answered in rows:
        if imp_answered:
            out[f"q-{benefit_id}-importance"] = "dk" if imp is None else str(imp)
        if real_answered:
            out[f"q-{benefit_id}-realization"] = "dk" if real is None else str(real)
    return out


def snapshot(response: Response) -> tuple:
    response.refresh_from_db()
    answers = sorted(
        Answer.objects.filter(response=response).values_list(
            "benefit_id", "importance", "realization", "importance_answered", "realization_answered"
        )
    )
    return response.updated_at, response.current_section, response.submitted_on, tuple(answers)


@st.composite
def section_posts(draw, fields: dict[int, list[str]]):
    """A POST body for a section page: what the page would send, that with one thing wrong, or anything."""
    number = draw(st.sampled_from(sorted(fields)))
    chosen = draw(st.lists(st.sampled_from(fields[number]), unique=True, max_size=len(fields[number])))
    page = [
        ("section", str(number)),
        ("revision", "CURRENT"),
        ("action", draw(st.sampled_from(["next", "back", "save"]))),
    ]
    answers = [(name, draw(st.sampled_from([*SCALE, ""]))) for name in chosen]
    mode = draw(st.sampled_from(["page", "page", "one-wrong", "one-wrong", "wild"]))
    if mode == "page":
        return number, page + answers
    if mode == "one-wrong":
        other = [f for n, names in fields.items() if n != number for f in names]
        wrong = draw(
            st.sampled_from(["drop", "value", "other-section", "unknown", "repeat", "section", "stale", "huge", "many"])
        )
        pairs = page + answers
        if wrong == "drop":
            del pairs[draw(st.integers(0, 2))]
        elif wrong == "value" and answers:
            pairs[3] = (pairs[3][0], draw(nasty_text.filter(lambda v: v not in SCALE and v != "")))
        elif wrong == "other-section" and other:
            pairs.append((draw(st.sampled_from(other)), draw(st.sampled_from(SCALE))))
        elif wrong == "unknown":
            pairs.append((draw(nasty_text.filter(lambda k: k not in fields[number])), draw(nasty_text)))
        elif wrong == "repeat" and answers:
            pairs.append((answers[0][0], draw(st.sampled_from(SCALE))))
        elif wrong == "section":
            pairs[0] = ("section", draw(st.one_of(nasty_text, st.integers().map(str))))
        elif wrong == "stale":
            pairs[1] = ("revision", draw(nasty_text))
        elif wrong == "huge":
            # Past DATA_UPLOAD_MAX_MEMORY_SIZE, or just long.
            pairs.append(
                (
                    draw(st.sampled_from(["revision", "junk", *fields[number][:1]])),
                    "9" * draw(st.sampled_from([10_000, 3_000_000])),
                )
            )
        elif wrong == "many":
            pairs += [(f"f{i}", "x") for i in range(1100)]  # past DATA_UPLOAD_MAX_NUMBER_FIELDS
        return number, pairs
    # Anything at all, built from the page's own names and garbage.
    names = st.one_of(st.sampled_from(["section", "revision", "action", *fields[number]]), nasty_text)
    values = st.one_of(st.sampled_from([*SCALE, "next", str(number), "CURRENT"]), nasty_text)
    return number, draw(st.lists(st.tuples(names, values), max_size=12))


def test_section_form_any_post_gives_a_clear_answer_and_saves_all_or_nothing(respondent):
    """Any POST body in any charset: a redirect (all saved, exactly as sent), or a 400/409 page (nothing saved);
    never a 500. A body that says it is not UTF-8 is a 400."""
    token, response, fields = respondent
    client = Client(raise_request_exception=True)

    @PROFILE
    @given(post=section_posts(fields), charset=charsets)
    def check(post, charset):
        number, pairs = post
        before = snapshot(response)
        pairs = [(k, response_revision(response) if (k, v) == ("revision", "CURRENT") else v) for k, v in pairs]
        body = urlencode(pairs).encode()
        result = client.generic("POST", section_url(token, number), data=body, content_type=form_content_type(charset))
        after = snapshot(response)
        assert result.status_code in (302, 400, 409), result.status_code
        if charset not in UTF8_CHARSETS and charset.lower() in ("utf-16", "utf-32", "latin-1", "ascii", "cp1252"):
            assert result.status_code == 400
        if result.status_code != 302:
            assert after == before, "a refused POST changed the response"
            if len(result.content) < 1_000_000:
                text = result.content.decode()
                assert "Nothing was saved" in text or "not on the scale" in text or "could not be understood" in text
            return
        # Accepted: exactly the page's own questions, each with a value on the scale, all stored;
        # every other stored answer is as it was.
        was, now = _as_fields(before[3]), _as_fields(after[3])
        given_values = {k: v for k, v in pairs if k.startswith("q-") and v != ""}
        for name, value in given_values.items():
            assert name in fields[number] and now[name] == value
        assert {k: v for k, v in now.items() if k not in given_values} == {
            k: v for k, v in was.items() if k not in given_values
        }

    check()


def test_any_post_url_in_any_charset_gives_a_page_never_a_500(respondent):
    """Every kind of POST URL, with the CSRF check on as in production, in any charset: never a 500; a form body
    that says it is not UTF-8 gets the project's own 400 page."""
    token, _, _ = respondent
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")
    csrf = client.cookies["csrftoken"].value
    urls = [
        "/accounts/login/",
        "/accounts/logout/",
        "/accounts/password/",
        "/admin/login/",
        section_url(token, 1),
        f"/i/{token}/",
        "/o/prop-org/properties/respond/",
        "/o/prop-org/manage/members/",
        "/i/unknown/",
    ]

    @PROFILE
    @given(url=st.sampled_from(urls), charset=charsets, extra=nasty_text)
    def check(url, charset, extra):
        body = urlencode([("csrfmiddlewaretoken", csrf), ("username", extra), ("action", "next")]).encode()
        result = client.generic("POST", url, data=body, content_type=form_content_type(charset))
        assert result.status_code != 500
        if charset not in UTF8_CHARSETS and charset.lower() in ("utf-16", "utf-32", "latin-1", "ascii", "cp1252"):
            assert result.status_code == 400
            assert "This request could not be understood" in result.content.decode()

    check()


@pytest.mark.parametrize("path", ["/i/%00/", "/i/" + "A" * 5000 + "/", "/i/x/section/" + "9" * 5000 + "/"])
def test_garbage_in_the_url_is_a_404(client, taxonomy, path):
    """Tokens of any length or byte and absurd section numbers: a 404 page, not a 500."""
    assert client.get(path).status_code == 404
    assert client.post(path, {"action": "next"}).status_code in (403, 404)


# --- The CSV importer ------------------------------------------------------------------

FILE_LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+): \S")


@pytest.fixture
def paths(taxonomy) -> list[str]:
    return sorted(benefit_paths())


def _csv_field(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if re.search(r'[",\r\n]', value) else value


@st.composite
def csv_files(draw, paths: list[str]) -> bytes:
    """Bytes of a would-be responses CSV: valid rows mixed with garbage, in some encoding."""
    kind = draw(st.sampled_from(["bytes", "rows", "rows", "rows"]))
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    header = draw(
        st.sampled_from(["respondent,benefit,dimension,value"] * 6 + ["respondent,benefit,dimension", "", "\ufeffx"])
    )
    lines = [header] if header else []
    valid_row = st.tuples(
        st.sampled_from(["r001", "r002", "Zoë", "r 3"]),
        st.sampled_from(paths),
        st.sampled_from(["importance", "realization"]),
        st.sampled_from(["1", "2", "3", "4", "5", ""]),
    )
    # Mostly valid, one field garbage: gets past the early checks to the later ones.
    mixed_row = st.tuples(
        st.one_of(st.sampled_from(["r001", "r002"]), nasty_text),
        st.one_of(st.sampled_from(paths), nasty_text),
        st.one_of(st.sampled_from(["importance", "realization"]), nasty_text),
        st.one_of(st.sampled_from(["1", "5", "", " 3", "0", "6", "4.0"]), nasty_text),
    )
    # Only the respondent is odd (NUL, newlines, quotes): it is the one free-text field that gets stored.
    odd_respondent_row = st.tuples(
        nasty_text, st.sampled_from(paths), st.sampled_from(["importance", "realization"]), st.just("3")
    )
    garbage_row = st.lists(nasty_text, min_size=0, max_size=6)
    rows = st.one_of(valid_row, valid_row, mixed_row, odd_respondent_row, garbage_row)
    for row in draw(st.lists(rows, max_size=8)):
        lines.append(",".join(_csv_field(str(f)) for f in row))
    text = draw(st.sampled_from(["\n", "\r\n"])).join(lines)
    encoding = draw(st.sampled_from(["utf-8"] * 5 + ["utf-8-sig", "latin-1", "utf-16", "cp1252"]))
    return text.encode(encoding, errors="replace")


def test_import_any_file_gives_file_line_error_and_saves_nothing(paths, tmp_path):
    """Any bytes: either a full import, or `FILE:LINE: what is wrong` and nothing saved at all."""
    target = tmp_path / "answers.csv"

    @PROFILE
    @given(data=csv_files(paths))
    def check(data):
        target.write_bytes(data)
        before = (Organization.objects.count(), Assessment.objects.count(), Response.objects.count())
        answers_before = Answer.objects.count()
        title = f"Import {before[1]}"
        try:
            call_command("import_responses", str(target), organization="Imp Org", assessment=title, verbosity=0)
        except CommandError as exc:
            match = FILE_LINE.match(str(exc))
            assert match, f"not FILE:LINE: {exc}"
            assert match["file"] == str(target)
            # The csv module ends a line at a lone "\r" too, as bytes.splitlines() does.
            assert 1 <= int(match["line"]) <= len(data.splitlines()) + 2
            assert (Organization.objects.count(), Assessment.objects.count(), Response.objects.count()) == before
            assert Answer.objects.count() == answers_before
            return
        # Accepted: every data row became exactly one stored answer.
        rows = sum(1 for line in data.decode("utf-8-sig").splitlines()[1:] if line.strip())
        assert Answer.objects.count() - answers_before <= rows
        imported = Response.objects.filter(assessment__title=title)
        assert all(r.is_submitted for r in imported)

    check()


def test_import_from_the_command_line_exits_non_zero_with_file_line(tmp_path, taxonomy, capsys, monkeypatch):
    """As run from a shell: exit status 1, the bare `FILE:LINE: message` on stderr, nothing saved."""
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"respondent,benefit,dimension,value\nr1,social-media/internal/nope,importance,4\n")
    argv = ["manage.py", "import_responses", str(bad), "--organization", "X", "--assessment", "Y"]
    # run_from_argv closes every connection when it ends, as a process would; the test's own must survive.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(argv).execute()
    assert exit_info.value.code == 1
    assert capsys.readouterr().err.strip() == f"{bad}:2: unknown benefit path 'social-media/internal/nope'"
    assert not Organization.objects.filter(name="X").exists()
