"""Background tasks (django-tasks): run by ``manage.py db_worker``, never inside a request or a command."""

from __future__ import annotations

from django_tasks import task

from responses.mail.services import email_send, emails_enqueue


@task()
def send_invitation_email(email_id: int) -> str:
    """Send one queued invitation or reminder e-mail (responses.mail.services.email_send)."""
    return email_send(email_id=email_id)


@task()
def queue_invitation_emails(email_ids: list[int]) -> int:
    """Queue one send per e-mail of a large batch: the request that made them only queued this."""
    emails_enqueue(email_ids)
    return len(email_ids)
