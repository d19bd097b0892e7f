"""The addresses an owner gives for e-mailed invitations: pasted lines or a CSV with segment columns.

Checked whole before anything is queued; the first bad line is reported with
its number, and an address given twice is refused, so nobody gets two links.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, pgettext

from assessments.models import Assessment, Segment
from assessments.selectors import assessment_segments, segment_option_ids
from common.validators import email_normalize


class EmailListError(ValueError):
    """A bad row: ``line`` is the file's line number (1 is the header)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"{line}: {message}")
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Recipient:
    email: str
    segment_values: dict[str, str] = field(default_factory=dict)
    audience: str = ""


def recipients_parse(text: str, *, assessment: Assessment, csv_only: bool = False) -> list[Recipient]:
    """The rows of an address file: header ``email`` then invitation segment keys (and ``audience``).

    A text without the ``email`` header is read as a pasted list, one
    address per line (commas and semicolons also separate). Raises
    :class:`EmailListError` at the first bad row; nothing is created here.
    """
    lines = text.lstrip("\ufeff").splitlines()
    first = lines[0].strip().lower() if lines else ""
    if first.split(",")[0].strip() != "email":
        if csv_only:
            raise EmailListError(1, gettext("the header must start with the column email"))
        return _pasted(lines)
    segments = assessment_segments(assessment=assessment, source=Segment.Source.INVITATION)
    reader = csv.reader(io.StringIO("\n".join(lines)))
    header = [h.strip() for h in next(reader)]
    keys = header[1:]
    known = {s.key for s in segments} | {"audience"}
    for key in keys:
        if key not in known:
            expected = ", ".join(sorted(known - {"audience"})) or pgettext("no invitation segments", "none")
            raise EmailListError(
                1,
                gettext("unknown column %(column)s: the assessment's invitation segments are %(expected)s")
                % {"column": repr(key), "expected": expected},
            )
    if len(set(keys)) != len(keys):
        raise EmailListError(1, gettext("a column is repeated"))
    seen: dict[str, int] = {}
    recipients = []
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise EmailListError(
                line,
                gettext("expected %(expected)s values, found %(found)s") % {"expected": len(header), "found": len(row)},
            )
        email = _address(row[0], line, seen)
        values = {k: v.strip() for k, v in zip(keys, row[1:], strict=True) if k != "audience"}
        try:
            segment_option_ids(segments, values)
        except ValueError as exc:
            raise EmailListError(line, str(exc)) from None
        audience = dict(zip(keys, row[1:], strict=True)).get("audience", "").strip()
        if audience not in ("", "both", "internal", "external"):
            raise EmailListError(
                line,
                gettext("audience %(audience)s is not internal, external, both or empty")
                % {"audience": repr(audience)},
            )
        recipients.append(Recipient(email, {k: v for k, v in values.items() if v}, audience))
    if not recipients:
        raise EmailListError(1, gettext("no addresses after the header"))
    return recipients


def _pasted(lines: list[str]) -> list[Recipient]:
    seen: dict[str, int] = {}
    recipients = []
    for number, text in enumerate(lines, start=1):
        for part in text.replace(";", ",").split(","):
            if part.strip():
                recipients.append(Recipient(_address(part, number, seen)))
    if not recipients:
        raise EmailListError(1, gettext("no addresses: give one per line"))
    return recipients


def _address(value: str, line: int, seen: dict[str, int]) -> str:
    try:
        email = email_normalize(value)
    except ValidationError as exc:
        raise EmailListError(line, exc.messages[0]) from None
    key = email.lower()
    if key in seen:
        raise EmailListError(
            line, gettext("%(email)s is repeated (first on line %(line)s)") % {"email": email, "line": seen[key]}
        )
    seen[key] = line
    return email
