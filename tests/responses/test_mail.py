"""E-mailed invitations and reminders (contract §11): the command, the worker, a real SMTP server."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from assessments.models import Assessment, Segment
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
    from responses.mail.services import invitation_resend

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


# --- Limits (contract §11) ---


def test_a_request_over_the_per_request_limit_queues_nothing_and_says_what_may_still_go(tmp_path, survey, settings):
    settings.EMAIL_MAX_PER_REQUEST = 3
    with pytest.raises(InputError, match=r"more than the 3 one request may queue.*5,000 e-mails may still go today"):
        invite(tmp_path, "email\na@example.org\nb@example.org\nc@example.org\nd@example.org\n")
    assert not Invitation.objects.exists() and not InvitationEmail.objects.exists()
    _, err = invite(tmp_path, "email\na@example.org\nb@example.org\nc@example.org\n")  # exactly the limit
    assert "Queued 3 invitation e-mails" in err


def test_every_email_of_the_organization_counts_against_the_day(tmp_path, survey, smtp, settings):
    """Invitations, reminders and member invitations share one daily count; exactly the limit is allowed."""
    from organizations.services import member_invitation_create

    settings.EMAIL_MAX_PER_DAY = 4
    invite(tmp_path, "email\na@example.org\nb@example.org\n")
    member_invitation_create(
        organization=survey.organization, email="m@example.org", role="analyst", invited_by=None, base_url=""
    )
    run_worker()
    age(3)
    with pytest.raises(InputError, match=r"only 1 e-mail may still go today \(at most 4 in any 24 hours\)"):
        remind()  # two reminders due, one left
    assert InvitationEmail.objects.count() == 2
    _, err = invite(tmp_path, "email\nc@example.org\n")  # the fourth: exactly the limit
    assert "Queued 1 invitation e-mail" in err
    with pytest.raises(ValidationError, match="0 e-mails may still go today"):
        member_invitation_create(
            organization=survey.organization, email="n@example.org", role="analyst", invited_by=None, base_url=""
        )


def test_another_organization_has_its_own_day(tmp_path, survey, settings):
    settings.EMAIL_MAX_PER_DAY = 1
    invite(tmp_path, "email\na@example.org\n")
    other = AssessmentFactory(organization=OrganizationFactory(name="Other"), title="Pulse")
    from responses.mail.recipients import Recipient
    from responses.mail.services import invitations_email

    assert invitations_email(
        assessment=other, recipients=[Recipient("b@example.org")], subject="S", message="M", base_url="https://x.org"
    ) == (1, 0)


def test_a_large_batch_is_queued_by_the_worker_not_in_the_request(tmp_path, survey, smtp):
    """Past 50 e-mails the request queues one task, which queues a send per e-mail: the request stays short."""
    from django_tasks_db.models import DBTaskResult

    addresses = [f"p{n}@example.org" for n in range(60)]
    invite(tmp_path, "email\n" + "\n".join(addresses) + "\n")
    assert list(DBTaskResult.objects.values_list("task_path", flat=True)) == ["responses.tasks.queue_invitation_emails"]
    run_worker()
    assert len(smtp.messages) == 60 and len({m["To"] for m in smtp.messages}) == 60


def test_a_large_batch_does_not_hold_up_another_organizations_few(tmp_path, survey, smtp):
    """The batch's sends go behind every other e-mail: another organization's invitation is sent first."""
    from django.core.management import call_command as run
    from django_tasks_db.models import DBTaskResult

    from responses.mail.recipients import Recipient
    from responses.mail.services import invitations_email_batch

    invite(tmp_path, "email\n" + "\n".join(f"p{n}@example.org" for n in range(60)) + "\n")
    run("db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0", "--max-tasks", "1")
    assert DBTaskResult.objects.filter(status="READY").count() == 60  # the batch's sends, queued by the worker
    other = AssessmentFactory(organization=OrganizationFactory(name="Globex"), title="Pulse")
    invitations_email_batch(
        assessment=other, recipients=[Recipient("g@example.org")], subject="S", message="M", base_url="https://x.org"
    )
    run("db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0", "--max-tasks", "1")
    assert [m["To"] for m in smtp.messages] == ["g@example.org"]


# --- Addresses, subjects and messages refused (contract §11) ---


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("root@localhost", "public one with a dot"),
        ("root@intranet", "public one with a dot"),
        ("root@[127.0.0.1]", "IP address"),
        ("root@10.0.0.1", "IP address"),
        ("p\u0430ypal@example.org", "mixes alphabets"),  # a Cyrillic "а" among Latin letters
        ("ann@ex\u0430mple.org", "mixes alphabets"),
    ],
)
def test_refused_addresses_are_a_file_line_error_and_create_nothing(tmp_path, survey, address, why):
    with pytest.raises(InputError, match=rf"emails.csv:3: .*{why}"):
        invite(tmp_path, f"email\nok@example.org\n{address}\n")
    assert not Invitation.objects.exists()


def test_addresses_are_stored_nfkc_with_the_domain_lower_cased(tmp_path, survey):
    invite(tmp_path, "email\nＡnn@Example.ORG\n")  # a full-width "Ａ"
    assert Invitation.objects.get().email == "Ann@example.org"


@pytest.mark.parametrize(
    ("option", "value", "why"),
    [
        ("--subject", "Hello\r\nBcc: all@example.org", "subject holds a control character"),
        ("--subject", "Hello\tthere", "subject holds a control character"),
        ("--message", "Hello\x1b[31m", "message holds a control character"),
        ("--message", "Hello\x00", "message holds a control character"),
    ],
)
def test_control_characters_in_the_subject_or_message_are_refused_by_the_command(tmp_path, survey, option, value, why):
    (tmp_path / "emails.csv").write_text("email\nann@example.org\n", encoding="utf-8")
    args = ["--subject", value] if option == "--subject" else ["--message", str(tmp_path / "m.txt")]
    (tmp_path / "m.txt").write_text(value, encoding="utf-8", newline="")
    with pytest.raises(InputError, match=f"{option}: The {why}"):
        call_command(
            "invite", "--organization", "Acme", "--assessment", "Pulse", "--emails", str(tmp_path / "emails.csv"),
            "--base-url", "https://hp.example.org", *args, stderr=io.StringIO(),
        )  # fmt: skip
    assert not InvitationEmail.objects.exists()


def test_line_breaks_and_tabs_in_a_message_are_fine(tmp_path, survey, smtp):
    (tmp_path / "m.txt").write_text("Dear all,\r\n\tplease answer.\n", encoding="utf-8", newline="")
    (tmp_path / "emails.csv").write_text("email\nann@example.org\n", encoding="utf-8")
    call_command(
        "invite", "--organization", "Acme", "--assessment", "Pulse", "--emails", str(tmp_path / "emails.csv"),
        "--base-url", "https://hp.example.org", "--message", str(tmp_path / "m.txt"), stderr=io.StringIO(),
    )  # fmt: skip
    run_worker()
    assert "please answer." in text_part(smtp.messages[0])


# --- Failures (contract §11) ---


def test_a_permanent_refusal_fails_at_once_with_the_reason(tmp_path, survey, smtp):
    """A 5xx reply is final: failed after one attempt, the reason kept, never left queued or sending."""
    invite(tmp_path, "email\nann@example.org\n")
    smtp.reject = "550 5.1.1 no such mailbox"
    run_worker()
    email = InvitationEmail.objects.get()
    assert (email.status, email.attempts) == ("failed", 1) and "550" in email.reason
    assert "no such mailbox" in Invitation.objects.get().failed_reason


def test_a_header_the_message_cannot_carry_fails_and_is_not_left_sending(tmp_path, survey, smtp):
    """A subject stored before the rule (with a line break) fails the send for good: it never stays "sending"."""
    invite(tmp_path, "email\nann@example.org\n")
    InvitationEmail.objects.update(subject="Hello\nBcc: all@example.org")
    run_worker()
    email = InvitationEmail.objects.get()
    assert email.status == "failed" and "BadHeaderError" in email.reason and smtp.messages == []


def test_temporary_failures_are_tried_five_times_in_all(tmp_path, survey, smtp):
    invite(tmp_path, "email\nann@example.org\n")
    smtp.refuse = 4
    run_worker()
    email = InvitationEmail.objects.get()
    assert (email.status, email.attempts) == ("sent", 5) and len(smtp.messages) == 1


# --- The opt-out token (contract §11) ---


def test_the_opt_out_link_has_its_own_token_and_the_survey_token_is_in_no_header(tmp_path, survey, smtp, client):
    from tests.responses.mail_helpers import opt_out_token

    invite(tmp_path, "email\nann@example.org\n")
    run_worker()
    message = smtp.messages[0]
    survey_token, opt_out = link_token(message), opt_out_token(message)
    assert survey_token != opt_out
    assert all(survey_token not in str(value) for value in message.values())
    assert opt_out in message["List-Unsubscribe"]
    assert client.get(f"/i/{opt_out}/").status_code == 404  # the opt-out token opens no survey
    assert client.get(f"/i/{survey_token}/opt-out/").status_code == 404  # nor the survey token a new opt-out
    assert client.post(f"/i/{opt_out}/opt-out/").status_code == 200
    assert Invitation.objects.get().opted_out_at is not None


def test_opt_out_links_sent_before_the_opt_out_token_keep_working(tmp_path, survey, client):
    """The migration gives every token already e-mailed (the old opt-out links carried it) an opt-out of its own."""
    import importlib

    from django.apps import apps

    from common.tokens import hash_token, new_token
    from responses.models import InvitationOptOutToken

    migration = importlib.import_module("responses.migrations.0016_opt_out_tokens_and_email_reasons")
    invite(tmp_path, "email\nann@example.org\n")
    old = new_token()
    InvitationToken.objects.create(invitation=Invitation.objects.get(), token_hash=hash_token(old))
    migration.sent_links_keep_opting_out(apps, None)
    assert InvitationOptOutToken.objects.filter(token_hash=hash_token(old)).exists()
    assert client.post(f"/i/{old}/opt-out/").status_code == 200
    assert Invitation.objects.get().opted_out_at is not None


# --- Drafts, revocations and closing (contract §19) ---


def test_emails_to_a_draft_are_held_and_go_when_it_opens(tmp_path, survey, smtp):
    from assessments.models import Assessment

    Assessment.objects.filter(pk=survey.pk).update(status="draft", opens_at=None)
    _, err = invite(tmp_path, "email\nann@example.org\nbob@example.org\n")
    assert "a draft: they are held, and go out when it opens" in err
    run_worker()
    assert smtp.messages == [] and set(InvitationEmail.objects.values_list("status", flat=True)) == {"queued"}
    run_worker()  # held, not churned: nothing goes while it is a draft
    assert smtp.messages == []
    Assessment.objects.filter(pk=survey.pk).update(status="open")
    run_worker()
    assert sorted(m["To"] for m in smtp.messages) == ["ann@example.org", "bob@example.org"]
    run_worker()
    assert len(smtp.messages) == 2


def test_queued_emails_of_a_closed_assessment_end_cancelled_with_the_reason(tmp_path, survey, smtp):
    from assessments.models import Assessment

    Assessment.objects.filter(pk=survey.pk).update(status="draft")
    invite(tmp_path, "email\nann@example.org\n")
    Assessment.objects.filter(pk=survey.pk).update(status="closed")
    run_worker()
    email = InvitationEmail.objects.get()
    assert (email.status, email.reason) == ("cancelled", "assessment closed") and smtp.messages == []


def test_a_closed_assessment_refuses_invite_emails(tmp_path, survey):
    from assessments.models import Assessment

    Assessment.objects.filter(pk=survey.pk).update(status="closed")
    with pytest.raises(InputError, match="is closed"):
        invite(tmp_path, "email\nann@example.org\n")
    assert not Invitation.objects.exists()


def test_revoking_frees_the_address_to_be_invited_again_with_new_segment_values(tmp_path, survey, smtp):
    from responses.invitations.services import invitation_revoke

    Invitation.objects.all().delete()
    invite(tmp_path, "email,department\nann@example.org,sales\n")
    first = Invitation.objects.get()
    invitation_revoke(invitation=first)
    email = InvitationEmail.objects.get()
    assert (email.status, email.reason) == ("cancelled", "invitation revoked")
    _, err = invite(tmp_path, "email,department\nann@example.org,it\n")
    assert "Queued 1 invitation e-mail" in err and "skipped 0" in err
    again = Invitation.objects.exclude(pk=first.pk).get()
    assert list(again.segment_values.values_list("option__value", flat=True)) == ["it"]
    run_worker()
    assert len(smtp.messages) == 1


def test_send_again_is_one_email_with_a_new_link_and_counts_as_a_reminder(tmp_path, survey, smtp):
    from responses.mail.services import NotRemindableError, invitation_send_again

    invite(tmp_path, "email\nann@example.org\n")
    run_worker()
    invitation = Invitation.objects.get()
    for _ in range(3):  # the same day: no wait needed
        invitation_send_again(invitation=invitation, base_url="https://hp.example.org")
        run_worker()
    assert len({link_token(m) for m in smtp.messages}) == 4
    with pytest.raises(NotRemindableError, match="3 reminders"):
        invitation_send_again(invitation=invitation, base_url="https://hp.example.org")
    assert "Queued 0 reminders" in remind("--min-days", "0")


MINUTES = re.compile(r"Open the survey \(about (\d+) minutes\)")


def intro_minutes(client, token: str, *query: str) -> int:
    page = client.get(f"/i/{token}/" + "".join(query))
    assert page.status_code == 200
    return page.context["minutes"]


def test_the_emails_say_the_minutes_the_intro_says_with_benefits_per_respondent(tmp_path, survey, smtp, client):
    """A shortened survey is shorter in its invitation and its reminder too, not the whole questionnaire's length."""
    Assessment.objects.filter(pk=survey.pk).update(benefits_per_respondent=5)
    invite(tmp_path, "email\nann@example.org\n")
    run_worker()
    age(4)
    remind()
    run_worker()
    first, reminder = smtp.messages
    expected = intro_minutes(client, link_token(first))
    assert expected < 13  # the whole questionnaire's 122 questions take about 13
    for message in (first, reminder):
        assert int(MINUTES.search(text_part(message)).group(1)) == expected
        assert f"(about {expected} minutes)" in html_part(message)


def test_the_emails_say_the_minutes_the_intro_says_for_an_audience(tmp_path, survey, smtp, client):
    """An invitation for the internal sections only says how long those take."""
    invite(tmp_path, "email,audience\nann@example.org,internal\nbob@example.org,\n")
    run_worker()
    minutes = {m["To"]: int(MINUTES.search(text_part(m)).group(1)) for m in smtp.messages}
    tokens = {m["To"]: link_token(m) for m in smtp.messages}
    assert minutes["ann@example.org"] == intro_minutes(client, tokens["ann@example.org"])
    assert minutes["bob@example.org"] == intro_minutes(client, tokens["bob@example.org"]) == 13
    assert minutes["ann@example.org"] < minutes["bob@example.org"]


def test_a_reminder_to_a_started_response_says_the_minutes_of_what_it_was_assigned(tmp_path, survey, smtp, client):
    """Once started, the intro counts the response's own benefits; its reminder says the same."""
    Assessment.objects.filter(pk=survey.pk).update(benefits_per_respondent=3)
    invite(tmp_path, "email,audience\nann@example.org,external\n")
    run_worker()
    token = link_token(smtp.messages[0])
    assert client.post(f"/i/{token}/").status_code == 302
    age(4)
    remind()
    run_worker()
    reminder = smtp.messages[-1]
    assert int(MINUTES.search(text_part(reminder)).group(1)) == intro_minutes(client, link_token(reminder), "?about=1")


def test_the_preview_says_the_minutes_of_a_shortened_survey(survey):
    """The owner's preview says what a respondent of both scopes is told, with benefits_per_respondent."""
    from responses.mail.services import preview_text

    Assessment.objects.filter(pk=survey.pk).update(benefits_per_respondent=5)
    survey.refresh_from_db()
    assert "(about 13 minutes)" not in preview_text(assessment=survey, message="Hello.")
    assert "(about 2 minutes)" in preview_text(assessment=survey, message="Hello.")
