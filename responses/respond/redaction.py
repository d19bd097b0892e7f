"""Redaction of respondents' comments (contract section 15), before anything is stored.

A comment is free text shown word for word to the report's readers, so what
could name or reach a person is replaced:

- e-mail addresses by ``[e-mail]``;
- web addresses (text starting with ``http://``, ``https://`` or ``www.``,
  up to the next whitespace) by ``[link]``;
- telephone numbers (a run of digits, optionally after a ``+``, with single
  separators among space . - ( ) between them, holding 7 or more digits) by
  ``[phone]``, the whole run;
- the organization's members' first names, last names, full names and
  usernames, as whole words, in any case and with accents folded, by
  ``[name]``.

The rules lean towards removing too much: a date such as 2026-01-15 holds
8 digits and becomes ``[phone]``, and a member called Will turns every
"will" into ``[name]``. A reader loses a word; a respondent never loses
their anonymity.

The text is first normalized (NFKC, so full-width letters and digits are
the plain ones), and invisible format characters (zero-width spaces and
joiners, bidi overrides) are removed: they would otherwise split a name or
an address so that no rule sees it, while looking the same on the page.
Line breaks are kept as ``\\n``; other control characters go.

Pure functions, no database: the caller passes the names
(:func:`member_names` builds them from the members' rows).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from organizations.models import Membership

EMAIL = "[e-mail]"


PHONE = "[phone]"


LINK = "[link]"


NAME = "[name]"


# A phone number needs this many digits; fewer is a count, a year, a room.
PHONE_MIN_DIGITS = 7


# Placeholders while the later rules run: private-use characters, which the
# input cannot carry (they are removed first) and no rule matches.
_MARKS = {EMAIL: "\ue000", LINK: "\ue001", PHONE: "\ue002", NAME: "\ue003"}


_UNMARK = {mark: label for label, mark in _MARKS.items()}


_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


# Local part: the characters an address may have (plus signs, dots, tags...); the domain: one label or more.
_EMAIL_RE = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)*", re.UNICODE)


# A link runs to the next whitespace; "www." starts one only at the start of a word ("awww." is no link).
_LINK_RE = re.compile(r"(?:https?://|(?<![\w.])www\.)\S*", re.IGNORECASE)


# Between two digits: one separator, or a parenthesis next to a space, as in "+1 (555) 123-4567".
_PHONE_SEP = r"(?:[ .\-()]|\) | \()"


_PHONE_RE = re.compile(rf"(?:\+|\()?\d(?:{_PHONE_SEP}?\d)*")


_DIGIT = re.compile(r"\d")


_WORD = re.compile(r"\w+")


# Between the words of a full name in the text: a space, a hyphen, an apostrophe... but not a sentence.
_NAME_GAP = re.compile(r"[^\w\ue000-\uf8ff]{1,3}")


def normalize(text: str) -> str:
    """NFKC, ``\\n`` line breaks, no invisible format or control characters (tabs become spaces)."""
    text = unicodedata.normalize("NFKC", text.replace("\r\n", "\n").replace("\r", "\n"))
    out = []
    for character in text:
        if character in "\n":
            out.append(character)
        elif character == "\t":
            out.append(" ")
        elif unicodedata.category(character) in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp"):
            continue
        else:
            out.append(character)
    return "".join(out)


def fold(text: str) -> str:
    """Lower case without accents: "José" and "JOSE" both fold to "jose"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class Names:
    """The names to remove, each as its folded words: ("jean", "luc", "picard")."""

    words: frozenset[tuple[str, ...]]
    longest: int

    @classmethod
    def of(cls, names: Iterable[str]) -> Names:
        words = set()
        for name in names:
            tokens = tuple(_WORD.findall(fold(normalize(name))))
            if tokens:
                words.add(tokens)
        return cls(frozenset(words), max((len(w) for w in words), default=0))


def member_names(rows: Iterable[tuple[str, str, str]]) -> Names:
    """The names of members given as (first name, last name, username) rows: each alone, and the full name.

    The full name also written as one word ("AnnaSmith"), as it is once an
    invisible character between the two is removed.
    """
    names: list[str] = []
    for first, last, username in rows:
        first, last = first or "", last or ""
        names.extend([first, last, f"{first} {last}", f"{first}{last}" if first and last else "", username or ""])
    return Names.of(names)


def _folded_with_map(text: str) -> tuple[str, list[int], list[int]]:
    """``text`` folded character by character, and where each folded character came from in ``text``.

    A character may fold to several ("ß" to "ss") or to none (a combining
    accent, which then belongs to the character before it), so the folded
    text is not aligned with the original: ``starts[i]`` and ``ends[i]`` are
    the original span of folded character ``i``.
    """
    folded: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for index, character in enumerate(text):
        piece = fold(character)
        if not piece:
            if ends:
                ends[-1] = index + 1
            continue
        for c in piece:
            folded.append(c)
            starts.append(index)
            ends.append(index + 1)
    return "".join(folded), starts, ends


def _redact_names(text: str, names: Names) -> str:
    if not names.words:
        return text
    folded, starts, ends = _folded_with_map(text)
    tokens = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(folded)]
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        matched = 0
        for length in range(min(names.longest, len(tokens) - i), 0, -1):
            run = tokens[i : i + length]
            # The words of a full name must follow each other closely ("Jean-Luc Picard"), not across a sentence.
            if all(_NAME_GAP.fullmatch(folded[a[1] : b[0]]) for a, b in zip(run, run[1:], strict=False)) and (
                tuple(t[2] for t in run) in names.words
            ):
                matched = length
                break
        if matched:
            first, last = tokens[i], tokens[i + matched - 1]
            spans.append((starts[first[0]], ends[last[1] - 1]))
            i += matched
        else:
            i += 1
    out = []
    position = 0
    for start, end in spans:
        out.append(text[position:start])
        out.append(_MARKS[NAME])
        position = end
    out.append(text[position:])
    return "".join(out)


def _phone(match: re.Match) -> str:
    run = match.group()
    if len(_DIGIT.findall(run)) < PHONE_MIN_DIGITS:
        return run
    return _MARKS[PHONE]


def redact(text: str, names: Names | None = None) -> str:
    """``text`` normalized, with addresses, links, phone numbers and ``names`` replaced (see the module docstring)."""
    text = _PRIVATE_USE.sub("", normalize(text))
    # A placeholder already there (typed, or redacted before) stays one, whatever the members are called.
    for label, mark in _MARKS.items():
        text = text.replace(label, mark)
    # Addresses first: "bob@www.example.com" is one address, not a name and a link.
    text = _EMAIL_RE.sub(_MARKS[EMAIL], text)
    text = _LINK_RE.sub(_MARKS[LINK], text)
    text = _PHONE_RE.sub(_phone, text)
    # Names last, and never inside a placeholder: a member called "Mail" leaves "[e-mail]" alone.
    text = _redact_names(text, names or Names(frozenset(), 0))
    return "".join(_UNMARK.get(c, c) for c in text)


def organization_member_names(*, organization_id: int) -> Names:
    """Who a comment must not name: the organization's members (one query)."""
    rows = Membership.objects.filter(organization_id=organization_id).values_list(
        "user__first_name", "user__last_name", "user__username"
    )
    return member_names(rows)
