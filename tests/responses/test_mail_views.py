"""The owners' e-mail pages: invite by e-mail (preview, then send), reminders, resend."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from responses.models import Invitation, InvitationEmail

pytestmark = pytest.mark.django_db

URL = "/o/acme/manage/assessments/baseline/invitations/"


def test_paste_preview_then_send_queues_one_email_per_new_address(manager, assessment, taxonomy):
    """The preview shows the e-mail and how many go, creating nothing; send queues them; nothing is sent here."""
    Invitation.objects.create(assessment=assessment, token_hash="x" * 64, email="old@example.org")
    form = manager.get(URL + "email/")
    assert form.status_code == 200 and "Acme is measuring" in form.context["form"].initial["message"]
    data = {
        "addresses": "ann@example.org\nbob@example.org, old@example.org",
        "subject": "Your views",
        "message": "Please answer.",
        "preview": "1",
    }
    preview = manager.post(URL + "email/", data)
    assert preview.status_code == 200
    assert len(preview.context["new"]) == 2 and preview.context["skipped"] == 1
    text = preview.context["preview"]
    assert "Please answer." in text and "(their own link)" in text and "minutes" in text and "confidential" in text
    assert Invitation.objects.count() == 1
    sent = manager.post(
        URL + "email/", {"text": data["addresses"], "subject": "Your views", "message": "Hi", "send": "1"}
    )
    assert sent.status_code == 302
    assert set(Invitation.objects.exclude(email="old@example.org").values_list("email", flat=True)) == {
        "ann@example.org",
        "bob@example.org",
    }
    assert InvitationEmail.objects.filter(status="queued", number=1).count() == 2


def test_a_bad_line_comes_back_with_its_number_and_nothing_is_created(manager, assessment, taxonomy):
    """A bad address in an uploaded CSV: 400, FILE:LINE in the message, no invitation."""
    upload = SimpleUploadedFile("people.csv", b"email\nann@example.org\nnope\n", content_type="text/csv")
    page = manager.post(URL + "email/", {"file": upload, "subject": "S", "message": "M", "send": "1"})
    assert page.status_code == 400
    assert page.context["form"].non_field_errors() == ["people.csv:3: 'nope' is not a valid e-mail address"]
    assert "people.csv:3:" in page.content.decode()
    assert not Invitation.objects.exists()


def test_reminders_page_says_how_many_then_queues_them(manager, assessment, taxonomy):
    """GET counts the due reminders and changes nothing; POST queues exactly those."""
    old = timezone.now() - timedelta(days=4)
    for i, last in enumerate([old, old, timezone.now()]):
        Invitation.objects.create(
            assessment=assessment, token_hash=str(i) * 64, email=f"p{i}@example.org", emails_sent=1, last_sent_at=last
        )
    page = manager.get(URL + "reminders/")
    assert page.context["due"] == 2 and not InvitationEmail.objects.exists()
    assert manager.post(URL + "reminders/").status_code == 302
    assert InvitationEmail.objects.filter(number=2).count() == 2


def test_a_failed_invitation_shows_its_reason_and_can_be_resent(manager, assessment, taxonomy):
    """The list shows failed with the server's answer; Resend queues the e-mail again and clears it."""
    invitation = Invitation.objects.create(
        assessment=assessment, token_hash="f" * 64, email="ann@example.org", failed_reason="SMTPDataError: 451"
    )
    page = manager.get(URL)
    assert "SMTPDataError: 451" in page.content.decode() and page.context["counts"]["failed"] == 1
    assert manager.post(URL + f"{invitation.pk}/resend/").status_code == 302
    assert InvitationEmail.objects.filter(invitation=invitation, status="queued").count() == 1
    assert Invitation.objects.get().failed_reason == ""


def _send(manager, **data):
    fields = {"text": "ann@example.org\nbob@example.org", "subject": "Your views", "message": "Hi", "send": "1"}
    return manager.post(URL + "email/", {**fields, **data})


def test_over_the_daily_limit_the_page_queues_nothing_and_says_how_many_may_go(manager, assessment, taxonomy, settings):
    settings.EMAIL_MAX_PER_DAY = 1
    page = _send(manager)
    assert page.status_code == 400
    assert page.context["form"].non_field_errors() == [
        "That is 2 e-mails, but only 1 e-mail may still go today (at most 1 in any 24 hours): nothing was queued."
    ]
    assert not Invitation.objects.exists() and not InvitationEmail.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("subject", "Hi\r\nBcc: all@example.org"), ("subject", "Hi\x00"), ("message", "Hi\x1b[2J"), ("message", "\x07")],
)
def test_control_characters_are_refused_by_the_form(manager, assessment, taxonomy, field, value):
    page = _send(manager, **{field: value})
    assert page.status_code == 400 and "control character" in str(page.context["form"].errors[field])
    assert not Invitation.objects.exists()


def test_a_draft_says_the_emails_are_held_before_and_after_sending(manager, assessment, taxonomy):
    assessment.status = "draft"
    assessment.save()
    assert "the e-mails are held, and go out when you open it" in manager.get(URL + "email/").content.decode()
    sent = _send(manager)
    assert sent.status_code == 302
    page = manager.get(URL)
    text = page.content.decode()
    assert "they are held, and go out when you open the assessment" in text
    assert text.count("E-mail held until the assessment opens") == 2


@pytest.mark.parametrize(
    ("status", "words"),
    [("draft", "1 invitation e-mail queued; it is held, and goes out when you open the assessment."),
     ("open", "1 invitation e-mail queued; it goes out in the next minutes.")],
)  # fmt: skip
def test_one_email_is_told_of_in_the_singular(manager, assessment, taxonomy, status, words):
    assessment.status = status
    assessment.save()
    assert _send(manager, text="ann@example.org").status_code == 302
    assert words in manager.get(URL).content.decode()


def test_a_closed_assessment_form_says_so_truthfully(manager, assessment, taxonomy):
    assessment.status = "closed"
    assessment.save()
    page = _send(manager)
    assert page.status_code == 400
    assert "closed: it takes no more answers" in str(page.context["form"].non_field_errors())
    assert "reopen" not in page.content.decode()


def test_the_invitations_page_says_why_an_email_was_dropped_or_failed(manager, assessment, taxonomy):
    revoked = Invitation.objects.create(assessment=assessment, token_hash="r" * 64, email="r@example.org")
    InvitationEmail.objects.create(
        invitation=revoked,
        number=1,
        subject="S",
        message="M",
        base_url="",
        status="cancelled",
        reason="assessment closed",
    )
    Invitation.objects.create(
        assessment=assessment, token_hash="f" * 64, email="f@example.org", failed_reason="SMTPRecipientsRefused: 550"
    )
    text = manager.get(URL).content.decode()
    assert "E-mail cancelled: assessment closed" in text and "SMTPRecipientsRefused: 550" in text


def test_the_reminders_page_lets_the_owner_choose_the_days(manager, assessment, taxonomy):
    """0 to 30 days since the last e-mail (default 3); 0 reminds those e-mailed today."""
    Invitation.objects.create(
        assessment=assessment, token_hash="t" * 64, email="t@example.org", emails_sent=1, last_sent_at=timezone.now()
    )
    assert manager.get(URL + "reminders/").context["due"] == 0
    assert manager.get(URL + "reminders/?min_days=0").context["due"] == 1
    assert manager.get(URL + "reminders/?min_days=31").status_code == 400
    assert manager.post(URL + "reminders/", {"min_days": "31"}).status_code == 400
    assert not InvitationEmail.objects.exists()
    assert manager.post(URL + "reminders/", {"min_days": "0"}).status_code == 302
    assert InvitationEmail.objects.filter(number=2).count() == 1


def test_send_again_per_invitation(manager, assessment, taxonomy):
    invitation = Invitation.objects.create(
        assessment=assessment, token_hash="s" * 64, email="s@example.org", emails_sent=1, last_sent_at=timezone.now()
    )
    assert "Send again" in manager.get(URL).content.decode()
    assert manager.post(URL + f"{invitation.pk}/send-again/").status_code == 302
    assert InvitationEmail.objects.filter(invitation=invitation, status="queued").count() == 1
    # An e-mail on its way: no second one, and the page no longer offers it.
    manager.post(URL + f"{invitation.pk}/send-again/")
    assert InvitationEmail.objects.count() == 1 and "Send again" not in manager.get(URL).content.decode()
