"""The segments file of ``import_responses --segments SEGFILE`` (contract section 7).

``respondent,<key>,<key>...``, one row per respondent of the answers file,
values an option's value or label (any case) or empty (not stated). A key the assessment lacks
becomes an ``invitation`` segment, its options in order of first appearance.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.text import slugify

from assessments.models import MAX_SEGMENTS, Segment, SegmentOption
from assessments.selectors import segment_option_for
from common.validators import validate_segment_key
from responses.imports.loaders import ResponsesCSVError

# The longest option value the table holds: longer is a FILE:LINE error, never a database one.
OPTION_VALUE_MAX = SegmentOption._meta.get_field("value").max_length


@dataclass
class SegmentPlan:
    """What a segments file asks for: new segments and each respondent's options."""

    new_segments: dict[str, list[str]] = field(default_factory=dict)  # key -> option values, in order
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # respondent -> {key: option value}


def parse_segments(
    data: bytes, filename: str, *, respondents: Collection[str], segments: Iterable[Segment], frozen: bool
) -> SegmentPlan:
    """Validate a segments file against the answers file's ``respondents`` and the assessment's ``segments``.

    Every error is ``SEGFILE:LINE: what is wrong`` and nothing is kept.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ResponsesCSVError(filename, 0, "is not UTF-8 text") from exc
    defined = {s.key: s for s in segments}
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header or header[0].strip().lower() != "respondent" or len(header) < 2:
        raise ResponsesCSVError(filename, 1, "the header must be respondent,<segment key>,<segment key>...")
    keys = [k.strip() for k in header[1:]]
    plan = SegmentPlan()
    for key in keys:
        try:
            validate_segment_key(key)
        except ValidationError as exc:
            raise ResponsesCSVError(filename, 1, exc.messages[0]) from None
        if keys.count(key) > 1:
            raise ResponsesCSVError(filename, 1, f"segment key {key!r} is repeated")
        if key not in defined:
            if frozen:
                raise ResponsesCSVError(
                    filename, 1, f"unknown segment {key!r}: the assessment has answers, so its segments are fixed"
                )
            plan.new_segments[key] = []
    if len(defined) + len(plan.new_segments) > MAX_SEGMENTS:
        raise ResponsesCSVError(filename, 1, f"an assessment has at most {MAX_SEGMENTS} segments")
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise ResponsesCSVError(filename, line, f"expected {len(header)} fields, found {len(row)}")
        respondent = row[0].strip()
        if respondent not in respondents:
            raise ResponsesCSVError(filename, line, f"respondent {respondent!r} is not in the answers file")
        if respondent in plan.values:
            raise ResponsesCSVError(filename, line, f"respondent {respondent!r} is repeated")
        chosen: dict[str, str] = {}
        for key, cell in zip(keys, row[1:], strict=True):
            value = cell.strip()
            if not value:
                continue
            if key in defined:
                option = segment_option_for(defined[key], value)
                if option is None:
                    raise ResponsesCSVError(filename, line, f"segment {key!r} has no option {value!r}")
                value = option.value
            else:
                if slugify(value) != value:
                    raise ResponsesCSVError(filename, line, f"option {value!r} is not a slug")
                if len(value) > OPTION_VALUE_MAX:
                    raise ResponsesCSVError(
                        filename, line, f"option {value[:20]!r}... is longer than {OPTION_VALUE_MAX} characters"
                    )
                if value not in plan.new_segments[key]:
                    plan.new_segments[key].append(value)
            chosen[key] = value
        plan.values[respondent] = chosen
    for key, options in plan.new_segments.items():
        if not options:
            raise ResponsesCSVError(filename, 1, f"segment {key!r} has no value in any row")
    return plan


def read_segments_file(path: str | Path, **kwargs) -> SegmentPlan:
    filename = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ResponsesCSVError(filename, 0, f"cannot read the file: {exc.strerror or exc}") from exc
    return parse_segments(data, filename, **kwargs)
