"""Validators for text that leaves the app in files and terminals."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@")

# Control characters (Cc), format characters (Cf: zero-width joiners and the
# bidi overrides that make a name read differently from how it sorts),
# line and paragraph separators and lone surrogates.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def validate_plain_text(value: str) -> None:
    """Refuse text that a spreadsheet would run or a terminal would interpret.

    Refusing it where it comes in, once, means that no CSV, text table or log
    line has to defuse it on the way out.
    """
    if value[:1] in FORMULA_STARTS:
        raise ValidationError(
            _("It cannot start with “%(start)s”: a spreadsheet would run it as a formula."),
            code="formula",
            params={"start": value[0]},
        )
    for character in value:
        if unicodedata.category(character) in REFUSED_CATEGORIES:
            raise ValidationError(
                _("It holds an invisible or control character (U+%(code)s): remove it."),
                code="control_character",
                params={"code": f"{ord(character):04X}"},
            )


def formula_safe(value: str) -> str:
    """A CSV cell a spreadsheet shows as text: one that would start a formula gets a leading apostrophe.

    For values that were never checked by :func:`validate_plain_text`, such as
    usernames (an address may start with "-" or "+", and an admin may type
    anything): refused at input would lock their owners out.
    """
    return "'" + value if value[:1] in (*FORMULA_STARTS, "\t", "\r") else value


def plain_text_field(field: str, value: str) -> None:
    """:func:`validate_plain_text` as an error of ``field``: for a value about to be looked up.

    PostgreSQL refuses a NUL in a query parameter, so a lookup by such a
    value must be refused before it reaches the database.
    """
    try:
        validate_plain_text(value)
    except ValidationError as exc:
        raise ValidationError({field: exc}) from None


# --- E-mail addresses ---

# Scripts that one language writes together: a Japanese name mixes kanji and kana, a Korean one hangul and hanja.
_SCRIPT_FAMILIES = {"HIRAGANA": "CJK", "KATAKANA": "CJK", "HANGUL": "CJK", "BOPOMOFO": "CJK", "IDEOGRAPHIC": "CJK"}


def _scripts(part: str) -> set[str]:
    """The scripts of the letters of ``part``, by the first word of each letter's Unicode name."""
    scripts = set()
    for character in part:
        if not unicodedata.category(character).startswith("L"):
            continue  # digits, hyphens, dots, marks: shared by every script
        word = unicodedata.name(character, "UNKNOWN").split()[0]
        scripts.add(_SCRIPT_FAMILIES.get(word, word))
    return scripts


def _idna_decoded(label: str) -> str:
    if label.startswith("xn--"):
        try:
            return label.encode("ascii").decode("idna")
        except UnicodeError:
            return label
    return label


def email_normalize(value: str) -> str:
    """The address as it is stored everywhere: Unicode NFKC, the domain lower-cased; ``ValidationError`` if refused.

    Refused besides what Django's validator refuses: a domain that is
    ``localhost``, a single label or an IP literal (the service would relay
    to its own network), and a part (the local part or one domain label)
    that mixes scripts, as a Cyrillic "а" among Latin letters does to make an
    address look like another.
    """
    from django.core.validators import validate_email

    address = unicodedata.normalize("NFKC", value.strip())
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        raise ValidationError(_("'%(value)s' is not a valid e-mail address"), code="invalid", params={"value": address})
    domain = domain.lower()
    address = f"{local}@{domain}"
    bare = domain.rstrip(".")
    if bare.startswith("[") or bare.replace(".", "").isdigit() or ":" in bare:
        raise ValidationError(
            _("“%(value)s”: an address at an IP address is not accepted; give one at a domain name."),
            code="ip_literal",
            params={"value": address},
        )
    if bare == "localhost" or bare.endswith(".localhost") or "." not in bare:
        raise ValidationError(
            _("“%(value)s”: the domain must be a public one with a dot, like example.org."),
            code="local_domain",
            params={"value": address},
        )
    for part in [local, *bare.split(".")]:
        if len(_scripts(_idna_decoded(part))) > 1:
            raise ValidationError(
                _("“%(value)s” mixes alphabets in “%(part)s” (as look-alike addresses do): type it in one alphabet."),
                code="mixed_scripts",
                params={"value": address, "part": part},
            )
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError(
            _("'%(value)s' is not a valid e-mail address"), code="invalid", params={"value": address}
        ) from None
    return address


def validate_email_address(value: str) -> None:
    """:func:`email_normalize` as a field validator (the normalized form is the caller's to store)."""
    email_normalize(value)


# --- Subjects and message texts of e-mails ---


def validate_subject(value: str) -> None:
    """Refuse any control character in an e-mail subject: CR or LF would start a header of their own."""
    for character in value:
        if unicodedata.category(character) == "Cc":
            raise ValidationError(
                _("The subject holds a control character (U+%(code)s): write it on one line."),
                code="control_character",
                params={"code": f"{ord(character):04X}"},
            )


def validate_message_text(value: str) -> None:
    """Refuse control characters in a message text other than line breaks and tabs."""
    for character in value:
        if unicodedata.category(character) == "Cc" and character not in "\n\r\t":
            raise ValidationError(
                _("The message holds a control character (U+%(code)s): remove it."),
                code="control_character",
                params={"code": f"{ord(character):04X}"},
            )


# --- Segment keys ---

SEGMENT_KEY_MAX = 50
# Columns of the files that carry segment keys: a segment named so would be read as the column.
RESERVED_SEGMENT_KEYS = frozenset({"email", "audience", "respondent"})


def validate_segment_key(value: str) -> None:
    """The one rule for segment keys: a lowercase slug of at most 50 characters, not a file's own column.

    Anything else is refused as it is, never changed into something that
    passes: a key that silently became another would not match its file.
    """
    import re

    if not re.fullmatch(r"[a-z0-9]+(?:[-_][a-z0-9]+)*", value or ""):
        raise ValidationError(
            _("“%(value)s” is not a segment key: use lowercase letters, digits, - and _ (like department)."),
            code="segment_key",
            params={"value": value},
        )
    if len(value) > SEGMENT_KEY_MAX:
        raise ValidationError(
            _("The segment key “%(value)s” is longer than %(max)s characters."),
            code="segment_key_length",
            params={"value": value, "max": SEGMENT_KEY_MAX},
        )
    if value in RESERVED_SEGMENT_KEYS:
        raise ValidationError(
            _("“%(value)s” cannot be a segment key: it is a column of the files already."),
            code="segment_key_reserved",
            params={"value": value},
        )


def validate_language(value: str) -> None:
    """One of the languages the site offers (``settings.LANGUAGES``)."""
    from django.conf import settings

    codes = [code for code, _name in settings.LANGUAGES]
    if value not in codes:
        raise ValidationError(
            _("“%(value)s” is not one of the languages offered: %(codes)s."),
            code="language",
            params={"value": value, "codes": ", ".join(codes)},
        )
