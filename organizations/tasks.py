"""Background tasks (django-tasks): run by ``manage.py db_worker``, never inside a request."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django_tasks import task

from organizations.mail import member_invitation_send


@task()
def send_member_invitation(invitation_id: int, language: str | None = None) -> str:
    """Send one queued member invitation (organizations.mail.member_invitation_send), in ``language``."""
    with translation.override(language or settings.LANGUAGE_CODE):
        return member_invitation_send(invitation_id=invitation_id)
