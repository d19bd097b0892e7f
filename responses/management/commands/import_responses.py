"""``manage.py import_responses FILE --organization ORG --assessment TITLE``: contract §3."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from tqdm import tqdm

from assessments.models import Assessment
from assessments.selectors import assessment_by_name, assessment_segments
from common.commands import ContractCommand, InputError, RawStream, field_input_error
from responses.imports.comment_loader import read_comments_file
from responses.imports.loaders import ResponsesCSVError, import_context, read_responses_file
from responses.imports.segment_loader import read_segments_file
from responses.imports.services import responses_import_by_name
from responses.selectors import comment_sections

# Seconds before the bar appears: a short import finishes without one.
PROGRESS_DELAY = 0.5


class Command(ContractCommand):
    help = (
        "Import submitted responses from a CSV file (respondent,benefit,dimension,value), all or nothing. "
        "Creates the organization and the assessment when missing; an assessment created so is closed "
        "(its answers were collected elsewhere) unless --open. A closed assessment takes no import."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="UTF-8 CSV with the header respondent,benefit,dimension,value")
        parser.add_argument("--organization", required=True, metavar="ORG", help="exact organization name")
        parser.add_argument("--assessment", required=True, metavar="TITLE", help="exact assessment title")
        parser.add_argument(
            "--open", action="store_true", dest="keep_open", help="leave a new assessment open for more answers"
        )
        parser.add_argument(
            "--segments", metavar="SEGFILE", help="CSV respondent,<segment key>...: each respondent's groups"
        )
        parser.add_argument(
            "--comments",
            metavar="FILE",
            help="CSV respondent,section,text: comments (section concept/scope, empty for the last box), redacted",
        )
        parser.add_argument(
            "--previous",
            metavar="TITLE",
            help="the assessment's previous round: an earlier assessment of the same organization",
        )

    def handle(
        self,
        *args,
        file: str,
        organization: str,
        assessment: str,
        keep_open: bool,
        segments: str | None = None,
        previous: str | None = None,
        comments: str | None = None,
        **options,
    ) -> None:
        existing = assessment_by_name(organization=organization, title=assessment)
        if existing is not None and existing.status == Assessment.Status.CLOSED:
            raise InputError(
                f"{file}: {existing} is closed, so it takes no more answers; import into a new assessment instead"
            )
        # Before reading what may be a large file; the import checks the whole rule again.
        if previous is not None and assessment_by_name(organization=organization, title=previous) is None:
            raise InputError(f"--previous: {organization} has no assessment “{previous}” to be the previous round.")
        # A bar only for a person watching a terminal; a pipe or a log stays clean.
        show_bar = self.stderr.isatty()

        def progress(rows):
            return tqdm(
                rows,
                desc="Reading",
                unit=" rows",
                file=RawStream(self.stderr),
                delay=PROGRESS_DELAY,
                disable=not show_bar,
            )

        try:
            ratings = read_responses_file(file, import_context(existing), progress=progress)
        except ResponsesCSVError as exc:
            raise InputError(str(exc)) from exc
        if not ratings:
            self.stderr.write(f"{file}: no answers to import; nothing changed.")
            return
        plan = None
        if segments:
            try:
                plan = read_segments_file(
                    segments,
                    respondents=ratings.keys(),
                    segments=assessment_segments(assessment=existing) if existing else [],
                    frozen=bool(existing and existing.questions_frozen_at),
                )
            except ResponsesCSVError as exc:
                raise InputError(str(exc)) from exc
        boxes = None
        if comments:
            try:
                boxes = read_comments_file(comments, respondents=ratings.keys(), sections=comment_sections())
            except ResponsesCSVError as exc:
                raise InputError(str(exc)) from exc
        try:
            target, count = responses_import_by_name(
                organization=organization,
                assessment=assessment,
                ratings_by_respondent=ratings,
                keep_open=keep_open,
                segment_values=plan.values if plan else None,
                new_segments=plan.new_segments if plan else None,
                previous=previous,
                comments=boxes,
            )
        except ValidationError as exc:
            raise field_input_error(exc, "previous", "--previous") or exc from exc
        state = target.get_status_display().lower()
        said = f", {sum(len(b) for b in boxes.values())} comments" if boxes else ""
        self.stderr.write(f"Imported {len(ratings)} responses ({count} answers{said}) into {target} ({state}).")
        if target.previous is not None:
            self.stderr.write(f"Its previous round is {target.previous.title}.")
