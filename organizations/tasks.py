"""Background tasks (django-tasks): run by ``manage.py db_worker``, never inside a request."""

from __future__ import annotations

from django_tasks import task

from organizations.mail import member_invitation_send


@task()
def send_member_invitation(invitation_id: int) -> str:
    """Send one queued member invitation (organizations.mail.member_invitation_send)."""
    return member_invitation_send(invitation_id=invitation_id)
