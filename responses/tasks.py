"""Background tasks (django-tasks): run by ``manage.py db_worker``, never inside a request or a command."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django_tasks import task

from responses.mail.services import email_send, emails_enqueue


@task()
def send_invitation_email(email_id: int, language: str | None = None) -> str:
    """Send one queued invitation or reminder e-mail (responses.mail.services.email_send), in ``language``."""
    with translation.override(language or settings.LANGUAGE_CODE):
        return email_send(email_id=email_id)


@task()
def queue_invitation_emails(email_ids: list[int], language: str | None = None) -> int:
    """Queue one send per e-mail of a large batch: the request that made them only queued this."""
    emails_enqueue(email_ids, language)
    return len(email_ids)
