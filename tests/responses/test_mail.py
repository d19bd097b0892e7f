"""E-mailed invitations and reminders (contract §11): the command, the worker, a real SMTP server."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from assessments.models import Segment
from assessments.services import segment_create
from common.commands import InputError
from responses.models import Invitation, InvitationEmail, InvitationToken, Response
from responses.selectors import invitation_for_token
from tests.factories import AssessmentFactory, OrganizationFactory
from tests.responses.mail_helpers import OPT_OUT, html_part, link_token, run_worker, text_part

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def survey(taxonomy):
    org = OrganizationFactory(name="Acme", slug="acme")
    assessment = AssessmentFactory(organization=org, title="Pulse", slug="pulse")
    segment_create(
        assessment=assessment,
        key="department",
        label="Department",
        source=Segment.Source.INVITATION,
        options=[("sales", "Sales"), ("it", "IT")],
    )
    return assessment


def invite(tmp_path, text: str) -> tuple[str, str]:
    path = tmp_path / "emails.csv"
    path.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "invite", "--organization", "Acme", "--assessment", "Pulse", "--emails", str(path),
        "--base-url", "https://hp.example.org", stdout=out, stderr=err,
    )  # fmt: skip
    return out.getvalue(), err.getvalue()


def remind(*extra: str) -> str:
    err = io.StringIO()
    call_command("send_reminders", "--organization", "Acme", "--assessment", "Pulse", *extra, stderr=err)
    return err.getvalue()


def age(days: float) -> None:
    """Every e-mail so far was sent ``days`` ago."""
    Invitation.objects.update(last_sent_at=timezone.now() - timedelta(days=days))


def test_invite_queues_and_only_the_worker_sends_one_email_per_address(tmp_path, survey, smtp, client):
    """No link on stdout, nothing sent by the command; the worker sends one e-mail each, whose link opens the form."""
    out, err = invite(tmp_path, "email,department\nann@example.org,sales\nbob@example.org,\n")
    assert out == "" and "Queued 2 invitation e-mails" in err
    assert smtp.messages == []
    run_worker()
    assert sorted(m["To"] for m in smtp.messages) == ["ann@example.org", "bob@example.org"]
    for message in smtp.messages:
        text, html = text_part(message), html_part(message)
        token = link_token(message)
        assert f"https://hp.example.org/i/{token}/" in html and "<img" not in html
        assert "closes" in text and "minutes" in text and "confidential" in text
        opt_out = OPT_OUT.search(text).group(0)
        assert message["List-Unsubscribe"].strip() == f"<{opt_out}>"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        page = client.get(f"/i/{token}/")
        assert page.status_code == 200 and b"Pulse" in page.content
    ann = Invitation.objects.get(email="ann@example.org")
    assert ann.emails_sent == 1 and ann.last_sent_at is not None
    assert list(ann.segment_values.values_list("option__value", flat=True)) == ["sales"]
    assert not InvitationToken.objects.filter(token_hash=link_token(smtp.to("ann@example.org")[0])).exists()


def test_an_address_already_invited_is_skipped_and_counted(tmp_path, survey, smtp):
    """A second file with an invited address (in another case) invites only the new ones."""
    invite(tmp_path, "email\nann@example.org\n")
    _, err = invite(tmp_path, "email\nANN@example.org\ncid@example.org\n")
    assert "Queued 1 invitation e-mail " in err and "skipped 1 address already invited" in err
    run_worker()
    assert len(smtp.to("ann@example.org")) == 1 and len(smtp.to("cid@example.org")) == 1


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("email\nann@example.org\nnot-an-address\n", "emails.csv:3: 'not-an-address' is not a valid e-mail address"),
        ("email\nann@example.org\nAnn@example.org\n", "emails.csv:3: Ann@example.org is repeated (first on line 2)"),
        ("email,floor\nann@example.org,2\n", "emails.csv:1: unknown column 'floor'"),
        ("email,department\nann@example.org,hr\n", "emails.csv:2: segment 'department' has no option 'hr'"),
        ("address\nann@example.org\n", "emails.csv:1: the header must start with the column email"),
        ("email,department\nann@example.org\n", "emails.csv:2: expected 2 values, found 1"),
    ],
)
def test_a_bad_row_names_its_line_and_creates_nothing(tmp_path, survey, text, where):
    """Each bad row is refused with FILE:LINE: what is wrong, and no invitation or e-mail exists after."""
    with pytest.raises(InputError) as exc:
        invite(tmp_path, text)
    assert str(exc.value).startswith(str(tmp_path / where))
    assert not Invitation.objects.exists() and not InvitationEmail.objects.exists()


def test_reminders_go_only_to_the_right_invitations_never_more_than_3_nor_early(tmp_path, survey, smtp, client):
    """Not submitted, not revoked, not opted out, last e-mail >= N days old, at most 3 reminders; new links."""
    invite(tmp_path, "email\nann@example.org\nbob@example.org\ncid@example.org\ndee@example.org\n")
    run_worker()
    first = link_token(smtp.to("ann@example.org")[0])
    # Ann starts a draft with her first link; Bob submits; Cid is revoked; Dee opts out.
    client.post(f"/i/{first}/")
    Invitation.objects.filter(email="bob@example.org").update(submitted=True)
    Invitation.objects.filter(email="cid@example.org").update(revoked_at=timezone.now())
    client.post(OPT_OUT.search(text_part(smtp.to("dee@example.org")[0])).group(0))
    assert "Queued 0 reminders" in remind()  # the e-mails are new: not before --min-days (3)
    age(2)
    assert "Queued 0 reminders" in remind()
    assert "Queued 1 reminder " in remind("--min-days", "2")
    run_worker()
    tokens = [link_token(m) for m in smtp.to("ann@example.org")]
    for _ in range(4):
        age(3)
        remind()
        run_worker()
    tokens = [link_token(m) for m in smtp.to("ann@example.org")]
    assert len(tokens) == 4 and len(set(tokens)) == 4  # the invitation and 3 reminders, each its own link
    assert [len(smtp.to(a)) for a in ("bob@example.org", "cid@example.org", "dee@example.org")] == [1, 1, 1]
    assert smtp.to("ann@example.org")[1]["Subject"].startswith("Reminder: ")
    draft = Response.objects.get()
    for token in tokens:  # every link leads to the same draft
        assert invitation_for_token(token).response == draft
        assert client.get(f"/i/{token}/").status_code == 302


def test_opt_out_get_changes_nothing_and_post_opts_out(tmp_path, survey, smtp, client):
    """A scanner's GET shows the confirmation only; the POST (a one-click POST, without CSRF token) opts out."""
    invite(tmp_path, "email\nann@example.org\n")
    run_worker()
    url = OPT_OUT.search(text_part(smtp.messages[0])).group(0).removeprefix("https://hp.example.org")
    page = client.get(url)
    assert page.status_code == 200 and b'<form method="post"' in page.content
    assert Invitation.objects.get().opted_out_at is None
    one_click = client.__class__(enforce_csrf_checks=True)
    assert one_click.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert Invitation.objects.get().opted_out_at is not None


def test_smtp_down_then_up_every_invitation_ends_sent_exactly_once(tmp_path, survey, smtp):
    """Refused sends are retried later; once the server answers, each address has exactly one message."""
    invite(tmp_path, "email\nann@example.org\nbob@example.org\n")
    smtp.refuse = 3  # both first attempts and one retry
    with override_settings(EMAIL_RETRY_SECONDS=3600):
        run_worker()
    # The retries wait: nothing is ready now, and nothing was sent.
    assert smtp.messages == [] and InvitationEmail.objects.filter(status="queued", attempts=1).count() == 2
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    run_worker()  # one more refusal, retried at once (the test's delay is 0), then both go
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    run_worker()
    assert sorted(m["To"] for m in smtp.messages) == ["ann@example.org", "bob@example.org"]
    assert set(Invitation.objects.values_list("emails_sent", flat=True)) == {1}
    run_worker()
    assert len(smtp.messages) == 2


def test_after_the_retries_the_invitation_is_failed_with_the_reason_and_can_be_resent(tmp_path, survey, smtp):
    """Five refused attempts (temporary: 451) mark it failed with the server's answer; a resend then delivers once."""
    from responses.mail import invitation_resend

    invite(tmp_path, "email\nann@example.org\n")
    smtp.refuse = 5
    run_worker()  # the test's retry delay is 0: five attempts in one run
    invitation = Invitation.objects.get()
    assert "451" in invitation.failed_reason and invitation.emails_sent == 0
    smtp.refuse = False
    assert invitation_resend(invitation=invitation, base_url="https://hp.example.org")
    run_worker()
    assert len(smtp.messages) == 1 and Invitation.objects.get().failed_reason == ""


@pytest.mark.parametrize("claimed", [False, True], ids=["before-claim", "after-claim"])
def test_a_worker_killed_mid_send_leaves_the_email_and_the_next_worker_sends_it_once(tmp_path, survey, smtp, claimed):
    """A task left "running" by a killed worker (before or after it claimed its e-mail): sent once by the next."""
    from django_tasks_db.models import DBTaskResult

    invite(tmp_path, "email\nann@example.org\n")
    DBTaskResult.objects.update(status="RUNNING", started_at=timezone.now() - timedelta(hours=1))
    if claimed:
        InvitationEmail.objects.update(status="sending", claimed_at=timezone.now() - timedelta(hours=1))
    err = run_worker()
    assert "Queued 1 e-mail again" in err
    assert len(smtp.messages) == 1
    run_worker()
    assert len(smtp.messages) == 1


def test_an_audience_column_limits_each_invitation(tmp_path, survey, smtp):
    """The file's audience column (empty: both) sets each invitation's audience."""
    invite(tmp_path, "email,audience\nann@example.org,internal\nbob@example.org,\n")
    audiences = dict(Invitation.objects.values_list("email", "audience"))
    assert audiences == {"ann@example.org": "internal", "bob@example.org": "both"}
