"""Read and write the responses CSV of contract §3.

::

    respondent,benefit,dimension,value
    r001,social-media/internal/improved-feedback,importance,4
    r001,social-media/internal/improved-feedback,realization,

Reading validates every row against an :class:`ImportContext` (the benefit
paths, the assessment's questionnaire, the respondents it already has) and
stops at the first bad row with ``FILE:LINE: what is wrong``; nothing is
written here, so an import is all or nothing. Writing streams
``values_list`` tuples straight into ``csv.writer``: no model instance per
row, since exports run to hundreds of thousands of rows.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from assessments.models import Assessment
from assessments.selectors import assessment_questions
from responses.models import Answer, Response
from responses.services import Rating
from taxonomy.scales import SCALE_MAX, SCALE_MIN, Dimension
from taxonomy.selectors import benefit_paths, benefits_in_tree_order

HEADER = ("respondent", "benefit", "dimension", "value")
MAX_RESPONDENT_LENGTH = Response._meta.get_field("respondent").max_length
# PostgreSQL refuses NUL in text, and no identifier needs a control character.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
# Exact strings accepted as a rating; anything else ("4.5", "x", "0") is refused.
VALUES = {str(v): v for v in range(SCALE_MIN, SCALE_MAX + 1)}
DIMENSIONS = frozenset(Dimension.values)
# Rows are written to the output in chunks of this many.
WRITE_CHUNK = 5000


class ResponsesCSVError(Exception):
    """Invalid responses CSV; ``str()`` is ``FILE:LINE: message``."""

    def __init__(self, filename: str, line: int, message: str) -> None:
        self.filename = filename
        self.line = line
        self.message = message
        # Line 0: about the file as a whole (it cannot be read).
        super().__init__(f"{filename}:{line}: {message}" if line else f"{filename}: {message}")


@dataclass(frozen=True)
class ImportContext:
    """What rows are checked against: read from the database before parsing."""

    benefit_ids: dict[str, int]  # every path, active or not
    questions: frozenset[tuple[int, str]]  # (benefit id, dimension) the assessment asks
    respondents: frozenset[str]  # already in the assessment


def import_context(assessment: Assessment | None) -> ImportContext:
    """The context for importing into ``assessment`` (None: one not created yet); 3 queries.

    A frozen assessment accepts the questions of its snapshot; any other the
    live active questions, which it is about to freeze.
    """
    # An assessment not created yet will ask the live questions, like any unfrozen one.
    asked = assessment_questions(assessment=assessment or Assessment()).values_list("benefit_id", "dimension")
    respondents = (
        Response.objects.filter(assessment=assessment).values_list("respondent", flat=True) if assessment else []
    )
    return ImportContext(benefit_ids=benefit_paths(), questions=frozenset(asked), respondents=frozenset(respondents))


def _decode(data: bytes, filename: str) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ResponsesCSVError(filename, line, "not valid UTF-8 (save the file as UTF-8)") from exc
    # Spreadsheets often write a byte-order mark; it is not part of the header.
    return text.removeprefix("\ufeff")


def parse_responses(
    data: bytes,
    context: ImportContext,
    filename: str = "<string>",
    progress: Callable[[Iterable], Iterable] | None = None,
) -> dict[str, list[Rating]]:
    """Validate the CSV ``data``; return each respondent's ratings, in file order.

    Raises :class:`ResponsesCSVError` at the first bad row. ``progress``
    wraps the row iterator (a progress bar), if given.
    """
    reader = csv.reader(io.StringIO(_decode(data, filename), newline=""))

    def error(message: str) -> ResponsesCSVError:
        return ResponsesCSVError(filename, reader.line_num, message)

    try:
        header = next(reader, None)
        if header is None:
            raise ResponsesCSVError(filename, 1, f"empty file: expected the header {','.join(HEADER)}")
        if tuple(h.strip().lower() for h in header) != HEADER:
            raise error(f"bad header {','.join(header)!r}: expected {','.join(HEADER)}")

        benefit_ids = context.benefit_ids
        questions = context.questions
        existing = context.respondents
        by_respondent: dict[str, list[Rating]] = {}
        seen: dict[tuple[str, int, str], int] = {}
        rows = progress(reader) if progress else reader
        for row in rows:
            if len(row) != 4:
                if not row or row == [""]:
                    continue  # a blank line
                raise error(f"expected 4 fields (respondent,benefit,dimension,value), got {len(row)}")
            respondent, path, dimension, value = row
            respondent = respondent.strip()
            if not respondent:
                raise error("empty respondent")
            if len(respondent) > MAX_RESPONDENT_LENGTH:
                raise error(f"respondent is longer than {MAX_RESPONDENT_LENGTH} characters")
            benefit_id = benefit_ids.get(path)
            if benefit_id is None:
                path = path.strip()
                benefit_id = benefit_ids.get(path)
                if benefit_id is None:
                    raise error(f"unknown benefit path {path!r}")
            if dimension not in DIMENSIONS:
                dimension = dimension.strip()
                if dimension not in DIMENSIONS:
                    raise error(f"unknown dimension {dimension!r} (expected importance or realization)")
            if (benefit_id, dimension) not in questions:
                raise error(f"{path} has no {dimension} question in this assessment's questionnaire")
            if value:
                rating = VALUES.get(value)
                if rating is None:
                    rating = VALUES.get(value.strip())
                    if rating is None:
                        raise error(f"value {value!r} is not a whole number from {SCALE_MIN} to {SCALE_MAX} or empty")
            else:
                rating = None
            key = (respondent, benefit_id, dimension)
            if key in seen:
                raise error(f"duplicate answer: {respondent} {path} {dimension} is already on line {seen[key]}")
            seen[key] = reader.line_num
            ratings = by_respondent.get(respondent)
            if ratings is None:
                if respondent in existing:
                    raise error(f"respondent {respondent!r} is already in this assessment")
                if CONTROL_CHARACTERS.search(respondent):
                    raise error(f"respondent {respondent!r} contains a control character")
                ratings = by_respondent[respondent] = []
            ratings.append(Rating(benefit_id, dimension, rating))
    except csv.Error as exc:
        raise error(f"malformed CSV: {exc}") from exc
    return by_respondent


def read_responses_file(
    path: str | Path, context: ImportContext, progress: Callable[[Iterable], Iterable] | None = None
) -> dict[str, list[Rating]]:
    """Read and validate a responses CSV file; errors name the file as given."""
    filename = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ResponsesCSVError(filename, 0, f"cannot read the file: {exc.strerror or exc}") from exc
    return parse_responses(data, context, filename, progress)


def _quote(field: str) -> str:
    """One CSV field as ``csv.writer`` would write it (quoted only when needed)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow([field])
    return buffer.getvalue()


def export_lines(assessment: Assessment) -> Iterator[str]:
    """Every submitted answer of ``assessment`` as CSV text, one chunk per respondent.

    Order: respondent, then taxonomy order, importance before realization.
    Only answered dimensions appear; "Don't know" is an empty value. Each
    respondent and path is quoted once, not once per row: this runs over
    hundreds of thousands of rows.
    """
    tree = benefits_in_tree_order(include_inactive=True)
    paths = {b.pk: _quote(b.path) for b in tree}
    position = {b.pk: i for i, b in enumerate(tree)}
    values = {None: ""} | {v: str(v) for v in VALUES.values()}
    rows = (
        Answer.objects.filter(response__assessment=assessment, response__submitted_on__isnull=False)
        # The (assessment, respondent) and (response, benefit) unique indexes give this order without a sort.
        .order_by("response__respondent", "benefit_id")
        .values_list(
            "response__respondent",
            "benefit_id",
            "importance",
            "realization",
            "importance_answered",
            "realization_answered",
        )
        .iterator(chunk_size=WRITE_CHUNK)
    )
    current, group = None, []

    def chunk() -> str:
        who = _quote(current)
        # Within a respondent, rows come by benefit id; taxonomy order reads better.
        group.sort(key=lambda r: position[r[1]])
        lines = []
        for _, benefit_id, imp, real, imp_answered, real_answered in group:
            if imp_answered:
                lines.append(f"{who},{paths[benefit_id]},importance,{values[imp]}\n")
            if real_answered:
                lines.append(f"{who},{paths[benefit_id]},realization,{values[real]}\n")
        return "".join(lines)

    for row in rows:
        if row[0] != current:
            if group:
                yield chunk()
            current, group = row[0], []
        group.append(row)
    if group:
        yield chunk()


def write_responses(assessment: Assessment, out: TextIO) -> int:
    """Write the assessment's submitted answers as CSV to ``out``; return the number of rows."""
    out.write(",".join(HEADER) + "\n")
    count = 0
    pending: list[str] = []
    for text in export_lines(assessment):
        count += text.count("\n")
        pending.append(text)
        if len(pending) >= 100:
            out.write("".join(pending))
            pending.clear()
    out.write("".join(pending))
    return count
