"""``manage.py send_reminders --organization ORG --assessment TITLE [--min-days N]``: contract §11."""

from __future__ import annotations

from django.conf import settings

from assessments.selectors import assessment_by_name
from common.commands import ContractCommand, InputError
from organizations.services import EmailLimitError
from responses.mail.services import DEFAULT_MIN_DAYS, MAX_REMINDERS, reminders_queue


def _min_days(value: str) -> int:
    try:
        days = int(value)
    except (TypeError, ValueError):
        raise InputError(f"--min-days: {value!r} is not a whole number of days") from None
    if not 0 <= days <= 365:
        raise InputError(f"--min-days: {days} is out of range; give a number of days from 0 to 365")
    return days


class Command(ContractCommand):
    help = (
        "Queue one reminder to each e-mailed invitation not submitted, revoked or opted out, with fewer than "
        f"{MAX_REMINDERS} reminders, whose last e-mail is at least N days old (default {DEFAULT_MIN_DAYS}). "
        "A worker (manage.py db_worker) sends them, each with a new link."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--organization", required=True, metavar="ORG", help="exact organization name")
        parser.add_argument("--assessment", required=True, metavar="TITLE", help="exact assessment title")
        parser.add_argument("--min-days", default=str(DEFAULT_MIN_DAYS), metavar="N", help="days since the last e-mail")
        parser.add_argument("--base-url", metavar="URL", help="the site the links point to (default DJANGO_SITE_URL)")

    def handle(self, *args, organization: str, assessment: str, min_days: str, base_url: str | None, **options):
        days = _min_days(min_days)
        target = assessment_by_name(organization=organization, title=assessment)
        if target is None:
            raise InputError(f"no assessment {assessment!r} in an organization {organization!r}")
        base = (base_url or settings.SITE_URL).rstrip("/")
        if not base:
            raise InputError("--base-url: give the site's address (or set DJANGO_SITE_URL) so the e-mails' links work")
        if not target.is_open:
            raise InputError(f"{target} is not open: it takes no answers, so no reminders go")
        try:
            count = reminders_queue(assessment=target, min_days=days, base_url=base)
        except EmailLimitError as exc:
            raise InputError(str(exc)) from exc
        self.stderr.write(f"Queued {count} reminder{'s' if count != 1 else ''} for {target}.")
