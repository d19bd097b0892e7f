"""``manage.py db_worker [--batch]``: django-tasks-db's worker, which first queues again what a killed worker left."""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Command as WorkerCommand

from organizations.mail import member_invitations_requeue
from responses.mail import emails_requeue


class Command(WorkerCommand):
    help = WorkerCommand.help + " Queued e-mails that no task will send (a killed worker's) are queued again first."

    def handle(self, *args, **options):
        requeued = emails_requeue() + member_invitations_requeue()
        if requeued:
            self.stderr.write(f"Queued {requeued} e-mail{'s' if requeued != 1 else ''} again that no task was sending.")
        return super().handle(*args, **options)
