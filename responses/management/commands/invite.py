"""``manage.py invite --organization ORG --assessment TITLE --count N [--audience A] [--base-url URL]``.

Contract sections 3 and 12.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

from assessments.models import Audience
from common.commands import ContractCommand, InputError, field_input_error
from organizations.services import EmailLimitError
from responses.invitations.exports import invitation_path
from responses.invitations.services import AssessmentClosedError, invitations_create_by_name
from responses.mail.recipients import EmailListError
from responses.mail.services import email_text_check, invitations_email_by_name

# A batch far larger than any organization invites at once is more likely a typo.
MAX_COUNT = 100_000


def _count(value: str) -> int:
    try:
        count = int(value)
    except (TypeError, ValueError):
        raise InputError(f"--count: {value!r} is not a whole number; give how many invitations to create") from None
    if not 1 <= count <= MAX_COUNT:
        raise InputError(f"--count: {count} is out of range; give a number from 1 to {MAX_COUNT}")
    return count


def _audience(value: str | None) -> str:
    if value is None:
        return Audience.BOTH
    if value not in Audience.values:
        raise InputError(f"--audience: {value!r} is not an audience; give internal, external or both")
    return value


def _base_url(value: str | None) -> str:
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise InputError(f"--base-url: {value!r} is not an http(s) URL like https://survey.example.org")
    return value.rstrip("/")


def _segments(pairs: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise InputError(f"--segment: {pair!r} is not KEY=VALUE, e.g. --segment department=sales")
        if key.strip() in values:
            raise InputError(f"--segment: {key.strip()!r} is given twice")
        values[key.strip()] = value.strip()
    return values


class Command(ContractCommand):
    help = (
        "Create N single-use invitation links for an assessment and print one link per line "
        "(a path, or an absolute URL with --base-url). Creates the organization and the assessment "
        "(open) when missing. Messages go to standard error."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--organization", required=True, metavar="ORG", help="exact organization name")
        parser.add_argument("--assessment", required=True, metavar="TITLE", help="exact assessment title")
        way = parser.add_mutually_exclusive_group(required=True)
        # Parsed here rather than by argparse so a bad value gets this command's own clear message.
        way.add_argument("--count", metavar="N", help="how many invitations (1 to 100000)")
        way.add_argument(
            "--emails",
            metavar="FILE",
            help="CSV (UTF-8), header email then invitation segment keys: one invitation e-mailed to each address",
        )
        parser.add_argument(
            "--base-url",
            metavar="URL",
            help="print absolute links, e.g. https://survey.example.org (with --emails: the site the e-mailed "
            "links point to; default DJANGO_SITE_URL)",
        )
        parser.add_argument("--subject", help="with --emails: the e-mail's subject (default: a sentence of its own)")
        parser.add_argument(
            "--message",
            metavar="FILE",
            help="with --emails: a text file, the e-mail's message (default: purpose, "
            "time, confidentiality, closing date)",
        )
        parser.add_argument(
            "--audience",
            metavar="AUDIENCE",
            help="internal or external: its respondents see only that scope's sections (default: both); "
            "with --emails, an audience column instead",
        )
        parser.add_argument(
            "--segment",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="the group of every link, in an invitation segment of the assessment (repeatable)",
        )
        parser.add_argument(
            "--previous",
            metavar="TITLE",
            help="the assessment's previous round: an earlier assessment of the same organization",
        )

    def handle(
        self,
        *args,
        organization: str,
        assessment: str,
        count: str | None,
        base_url: str | None,
        segment: list[str],
        audience: str | None = None,
        previous: str | None = None,
        emails: str | None = None,
        subject: str | None = None,
        message: str | None = None,
        **options,
    ) -> None:
        if emails is not None:
            if audience:
                raise InputError("--audience goes with --count; with --emails, give an audience column")
            return self._emails(organization, assessment, emails, base_url, subject, message, segment)
        n = _count(count)
        base = _base_url(base_url)
        values = _segments(segment)
        scope = _audience(audience)
        if not organization.strip() or not assessment.strip():
            raise InputError("--organization and --assessment must not be empty")
        try:
            target, created, tokens = invitations_create_by_name(
                organization=organization,
                assessment=assessment,
                count=n,
                segment_values=values,
                audience=scope,
                previous=previous,
            )
        except AssessmentClosedError as exc:
            raise InputError(str(exc)) from exc
        except ValueError as exc:
            raise InputError(f"--segment: {exc}") from exc
        except ValidationError as exc:
            raise field_input_error(exc, "previous", "--previous") or exc from exc
        for token in tokens:
            self.stdout.write(base + invitation_path(token))
        if created:
            self.stderr.write(f"Created the assessment {target} (open).")
        only = "" if scope == Audience.BOTH else f" ({scope} sections only)"
        self.stderr.write(f"Created {n} invitation{'s' if n != 1 else ''} for {target}{only}.")
        if not target.is_open:
            self.stderr.write(
                f"Note: {target} is not open ({target.get_status_display().lower()}); "
                "the links show a 'not taking answers' page until it opens."
            )

    def _emails(self, organization, assessment, path, base_url, subject, message_path, segment) -> None:
        """One invitation and one queued e-mail per address of the file; the links go only into the e-mails."""
        if segment:
            raise InputError("--segment goes with --count; with --emails, give each address's groups as columns")
        base = _base_url(base_url or settings.SITE_URL)
        if not base:
            raise InputError("--base-url: give the site's address (or set DJANGO_SITE_URL) so the e-mails' links work")
        text = _read(path, "--emails")
        message = _read(message_path, "--message") if message_path else None
        if not organization.strip() or not assessment.strip():
            raise InputError("--organization and --assessment must not be empty")
        try:
            email_text_check(subject=subject or "", message=message or "")
        except ValidationError as exc:
            option = "--subject" if exc.message.startswith("The subject") else "--message"
            raise InputError(f"{option}: {exc.messages[0]}") from None
        try:
            target, created, new, skipped = invitations_email_by_name(
                organization=organization,
                assessment=assessment,
                text=text,
                subject=subject,
                message=message,
                base_url=base,
            )
        except EmailListError as exc:
            raise InputError(f"{path}:{exc}") from exc
        except (AssessmentClosedError, EmailLimitError) as exc:
            raise InputError(str(exc)) from exc
        if created:
            self.stderr.write(f"Created the assessment {target} (open).")
        self.stderr.write(
            f"Queued {new} invitation e-mail{'s' if new != 1 else ''} for {target}; "
            f"skipped {skipped} address{'es' if skipped != 1 else ''} already invited. "
            + (
                "The assessment is a draft: they are held, and go out when it opens."
                if target.status == target.Status.DRAFT
                else "A worker (manage.py db_worker) sends them."
            )
        )


def _read(path: str, option: str) -> str:
    try:
        with open(path, encoding="utf-8", newline="") as f:
            return f.read()
    except OSError as exc:
        raise InputError(f"{option}: cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}:1: not UTF-8 text; save the file as CSV UTF-8") from None
