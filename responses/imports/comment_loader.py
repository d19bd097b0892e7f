"""The comments file of ``import_responses --comments FILE`` (contract section 15).

``respondent,section,text``: ``section`` a ``concept/scope`` (the box after
that section) or empty (the last box). Every respondent must be in the
answers file; an empty text is no comment. Checked whole before anything is
saved; the first bad row is ``FILE:LINE: what is wrong``. The texts are
redacted when they are saved (``responses.imports.services.responses_import``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection
from pathlib import Path

from responses.imports.loaders import ResponsesCSVError
from responses.models import COMMENT_MAX_LENGTH

HEADER = ("respondent", "section", "text")


def parse_comments(
    data: bytes, filename: str, *, respondents: Collection[str], sections: Collection[str]
) -> dict[str, dict[str, str]]:
    """{respondent: {section: text}} of a comments file; ``sections`` are the valid ``concept/scope`` slugs."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ResponsesCSVError(filename, 0, "is not UTF-8 text") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None or tuple(h.strip().lower() for h in header) != HEADER:
            raise ResponsesCSVError(filename, 1, "the header must be respondent,section,text")
        comments: dict[str, dict[str, str]] = {}
        # A quoted text may span lines: the error names the line its row starts on.
        line = reader.line_num + 1
        for row in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(HEADER):
                raise ResponsesCSVError(filename, start, f"expected 3 fields, found {len(row)}")
            respondent, section, body = row[0].strip(), row[1].strip(), row[2]
            if respondent not in respondents:
                raise ResponsesCSVError(filename, start, f"respondent {respondent!r} is not in the answers file")
            if section and section not in sections:
                raise ResponsesCSVError(
                    filename,
                    start,
                    f"unknown section {section[:100]!r}: use concept/scope (e.g. social-media/internal), "
                    "or leave it empty for the last box",
                )
            boxes = comments.setdefault(respondent, {})
            if section in boxes:
                where = f"section {section!r}" if section else "the last box"
                raise ResponsesCSVError(filename, start, f"respondent {respondent!r} already has a comment in {where}")
            if len(body.replace("\r\n", "\n")) > COMMENT_MAX_LENGTH:
                raise ResponsesCSVError(
                    filename, start, f"the text is longer than {COMMENT_MAX_LENGTH:,} characters ({len(body):,})"
                )
            # Recorded even when empty, so that a second row for the same box is still refused.
            boxes[section] = body
    except csv.Error as exc:
        raise ResponsesCSVError(filename, reader.line_num, f"is not valid CSV ({exc})") from exc
    return {r: {s: t for s, t in boxes.items() if t.strip()} for r, boxes in comments.items()}


def read_comments_file(path: str | Path, **kwargs) -> dict[str, dict[str, str]]:
    filename = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ResponsesCSVError(filename, 0, f"cannot read the file: {exc.strerror or exc}") from exc
    return parse_comments(data, filename, **kwargs)
