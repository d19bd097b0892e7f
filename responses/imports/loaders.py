"""Read and write the responses CSV of contract §3.

::

    respondent,benefit,dimension,value
    r001,social-media/internal/improved-feedback,importance,4
    r001,social-media/internal/improved-feedback,realization,

Reading streams the file and validates every row against an
:class:`ImportContext` (the benefit paths, the assessment's questionnaire,
the respondents it already has), keeping a few bytes per respondent and
question (:class:`ParsedResponses`), and stops at the first bad row with
``FILE:LINE: what is wrong``; nothing is written here, so an import is all
or nothing. Writing streams
``values_list`` tuples straight into ``csv.writer``: no model instance per
row, since exports run to hundreds of thousands of rows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TextIO

from django.core.exceptions import ValidationError

from assessments.models import Assessment
from assessments.selectors import assessment_questions
from common.validators import validate_plain_text
from responses.models import Answer, Response
from responses.respond.services import Rating
from taxonomy.scales import SCALE_MAX, SCALE_MIN, Dimension
from taxonomy.selectors import benefit_paths, benefits_in_tree_order

HEADER = ("respondent", "benefit", "dimension", "value")


MAX_RESPONDENT_LENGTH = Response._meta.get_field("respondent").max_length


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


class ParsedResponses(Mapping[str, list[Rating]]):
    """The validated ratings of a responses CSV: respondent -> their ratings, respondents in file order.

    Compact, since files run to millions of rows: each respondent holds one
    byte per question the assessment asks (0 unanswered, 1 to 5 the rating,
    ``DONT_KNOW``), and the ratings are built on access from a table of
    shared :class:`Rating` objects (they are immutable), in questionnaire
    order.
    """

    def __init__(self, questions: list[tuple[int, str]]) -> None:
        self.questions = questions
        self._codes: dict[str, bytearray] = {}
        self._table = [
            [None, *(Rating(b, d, v) for v in range(SCALE_MIN, SCALE_MAX + 1)), Rating(b, d, None)]
            for b, d in questions
        ]
        self.rating_count = 0

    def __getitem__(self, respondent: str) -> list[Rating]:
        table = self._table
        return [table[i][code] for i, code in enumerate(self._codes[respondent]) if code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._codes)

    def __len__(self) -> int:
        return len(self._codes)


# The code of "Don't know" in ParsedResponses (0 is "not answered", 1 to 5 the ratings).
DONT_KNOW = SCALE_MAX + 1


VALUE_CODES = {"": DONT_KNOW, **VALUES}


Opener = Callable[[], BinaryIO]


def _text(open_binary: Opener) -> TextIO:
    # Streamed, never read whole: "utf-8-sig" drops a spreadsheet's byte-order mark;
    # newline="" lets the csv module see line ends inside quoted fields.
    return io.TextIOWrapper(open_binary(), encoding="utf-8-sig", newline="")


def _undecodable_line(open_binary: Opener) -> int:
    """The line of the first byte that is not UTF-8 (the text is decoded ahead of the rows, in blocks)."""
    with open_binary() as raw:
        for number, line in enumerate(raw, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return 1


def _first_line_of(open_binary: Opener, context: ImportContext, key: tuple[str, int, str]) -> int:
    """The line where the answer ``key`` (respondent, benefit id, dimension) first appears; read again, for a
    duplicate's message, rather than kept for every row."""
    with _text(open_binary) as text:
        reader = csv.reader(text)
        for row in reader:
            if len(row) == 4:
                respondent, path, dimension, _ = row
                found = (respondent.strip(), context.benefit_ids.get(path.strip()), dimension.strip())
                if found == key:
                    return reader.line_num
    return 0


def _parse(
    open_binary: Opener,
    context: ImportContext,
    filename: str,
    progress: Callable[[Iterable], Iterable] | None,
) -> ParsedResponses:
    questions = sorted(context.questions)
    parsed = ParsedResponses(questions)
    position = {q: i for i, q in enumerate(questions)}
    # The common case in one lookup: an exact path and dimension the assessment asks.
    exact = {
        (path, dimension): position[(benefit_id, dimension)]
        for path, benefit_id in context.benefit_ids.items()
        for dimension in DIMENSIONS
        if (benefit_id, dimension) in position
    }
    benefit_ids = context.benefit_ids
    existing = context.respondents
    codes_of = parsed._codes
    count = 0
    with _text(open_binary) as text:
        reader = csv.reader(text)

        def error(message: str) -> ResponsesCSVError:
            return ResponsesCSVError(filename, reader.line_num, message)

        def question(path: str, dimension: str) -> int:
            """The position of the question a row names not exactly, or the error that says why."""
            path, dimension = path.strip(), dimension.strip()
            benefit_id = benefit_ids.get(path)
            if benefit_id is None:
                raise error(f"unknown benefit path {path!r}")
            if dimension not in DIMENSIONS:
                raise error(f"unknown dimension {dimension!r} (expected importance or realization)")
            if (benefit_id, dimension) not in position:
                raise error(f"{path} has no {dimension} question in this assessment's questionnaire")
            return position[(benefit_id, dimension)]

        def new_respondent(respondent: str) -> bytearray:
            if not respondent:
                raise error("empty respondent")
            if len(respondent) > MAX_RESPONDENT_LENGTH:
                raise error(f"respondent is longer than {MAX_RESPONDENT_LENGTH} characters")
            if respondent in existing:
                raise error(f"respondent {respondent!r} is already in this assessment")
            try:
                validate_plain_text(respondent)
            except ValidationError as exc:
                raise error(f"respondent {respondent!r}: {exc.messages[0]}") from exc
            codes = codes_of[respondent] = bytearray(len(questions))
            return codes

        try:
            header = next(reader, None)
            if header is None:
                raise ResponsesCSVError(filename, 1, f"empty file: expected the header {','.join(HEADER)}")
            if tuple(h.strip().lower() for h in header) != HEADER:
                raise error(f"bad header {','.join(header)!r}: expected {','.join(HEADER)}")
            for row in progress(reader) if progress else reader:
                if len(row) != 4:
                    if not row or row == [""]:
                        continue  # a blank line
                    raise error(f"expected 4 fields (respondent,benefit,dimension,value), got {len(row)}")
                respondent, path, dimension, value = row
                codes = codes_of.get(respondent)
                if codes is None:
                    respondent = respondent.strip()
                    codes = codes_of.get(respondent)
                    if codes is None:
                        codes = new_respondent(respondent)
                slot = exact.get((path, dimension))
                if slot is None:
                    slot = question(path, dimension)
                code = VALUE_CODES.get(value)
                if code is None:
                    code = VALUES.get(value.strip())
                    if code is None:
                        raise error(f"value {value!r} is not a whole number from {SCALE_MIN} to {SCALE_MAX} or empty")
                if codes[slot]:
                    benefit_id, dimension = questions[slot]
                    first = _first_line_of(open_binary, context, (respondent, benefit_id, dimension))
                    raise error(f"duplicate answer: {respondent} {path.strip()} {dimension} is already on line {first}")
                codes[slot] = code
                count += 1
        except UnicodeDecodeError as exc:
            line = _undecodable_line(open_binary)
            raise ResponsesCSVError(filename, line, "not valid UTF-8 (save the file as UTF-8)") from exc
        except csv.Error as exc:
            raise error(f"malformed CSV: {exc}") from exc
    parsed.rating_count = count
    return parsed


def parse_responses(
    data: bytes,
    context: ImportContext,
    filename: str = "<string>",
    progress: Callable[[Iterable], Iterable] | None = None,
) -> ParsedResponses:
    """Validate the CSV ``data``; return each respondent's ratings (a mapping, respondents in file order).

    Raises :class:`ResponsesCSVError` at the first bad row. ``progress``
    wraps the row iterator (a progress bar), if given.
    """
    return _parse(lambda: io.BytesIO(data), context, filename, progress)


def read_responses_file(
    path: str | Path, context: ImportContext, progress: Callable[[Iterable], Iterable] | None = None
) -> ParsedResponses:
    """Read and validate a responses CSV file, streamed; errors name the file as given.

    The file is read row by row and each respondent kept as a few bytes per
    question, so memory grows with the number of respondents, not of rows.
    """
    filename = str(path)
    try:
        Path(path).open("rb").close()
    except OSError as exc:
        raise ResponsesCSVError(filename, 0, f"cannot read the file: {exc.strerror or exc}") from exc
    return _parse(lambda: Path(path).open("rb"), context, filename, progress)


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
