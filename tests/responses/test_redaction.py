"""Redaction of comments (contract section 15): a table of hostile and tricky inputs."""

from __future__ import annotations

import pytest

from responses.respond.redaction import Names, member_names, normalize, redact

MEMBERS = member_names(
    [
        ("José", "Álvarez", "jalvarez"),
        ("Anna", "Smith", "asmith"),
        ("Jean-Luc", "O'Brien", "jl.obrien"),
        ("Mail", "Link", "phone"),  # names that are also the placeholders' words
        ("", "", "zoë_k"),
    ]
)


CASES = [
    # --- e-mail addresses ---
    ("write to anna@example.com please", "write to [e-mail] please"),
    ("first.last+tag@sub.example.co.uk.", "[e-mail]."),
    ("UPPER.Case@Example.COM", "[e-mail]"),
    ("a@b", "[e-mail]"),
    ("(bob_o'neil@mail-server.example)", "([e-mail])"),
    ("ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ", "[e-mail]"),  # full-width, folded by NFKC
    ("bob@www.example.com", "[e-mail]"),
    ("two: a@x.org,b@y.org", "two: [e-mail],[e-mail]"),
    ("@mention is no address", "@mention is no address"),
    # --- web addresses ---
    ("see https://intranet.example.com/people/anna?id=3 now", "see [link] now"),
    ("HTTP://EXAMPLE.COM", "[link]"),
    ("www.example.org/x", "[link]"),
    ("(www.example.org)", "([link]"),  # up to the next whitespace, the parenthesis included
    ("see:http://x.y", "see:[link]"),
    ("awww. so sweet", "awww. so sweet"),
    ("example.com alone", "example.com alone"),  # no scheme, no www: not a link by the rule
    ("ftp://files.example.com", "ftp://files.example.com"),
    # --- telephone numbers ---
    ("call 555-123-4567", "call [phone]"),
    ("call +44 20 7946 0958 today", "call [phone] today"),
    ("+1 (555) 123-4567", "[phone]"),
    ("(555) 123-4567", "[phone]"),
    ("06.12.34.56.78", "[phone]"),
    ("0612345678", "[phone]"),
    ("١٢٣٤٥٦٧٨", "[phone]"),  # Arabic-Indic digits
    ("５５５１２３４", "[phone]"),  # full-width digits
    ("123 4567", "[phone]"),
    ("123456", "123456"),  # six digits: not a phone number
    ("room 12, floor 3, 2026", "room 12, floor 3, 2026"),
    ("1 2 3 4 5 6 7", "[phone]"),
    ("12--34567", "12--34567"),  # a double separator breaks the run: 2 and 5 digits
    ("2026-01-15", "[phone]"),  # eight digits: removed, on purpose
    # --- members' names ---
    ("Ask José about it", "Ask [name] about it"),
    ("ask jose about it", "ask [name] about it"),
    ("ASK JOSÉ", "ASK [name]"),
    ("Jose\u0301 said", "[name] said"),  # a combining accent, decomposed
    ("alvarez and ÁLVAREZ", "[name] and [name]"),
    ("José Álvarez was there", "[name] was there"),  # the full name at once
    ("jalvarez wrote it", "[name] wrote it"),
    ("Annabel and Hannah", "Annabel and Hannah"),  # names inside other words stay
    ("anna's team", "[name]'s team"),
    ("Anna\u200bSmith", "[name]"),  # a zero-width space does not hide the full name
    ("An\u200bna came", "[name] came"),
    ("Smith, Anna", "[name], [name]"),
    ("Jean-Luc O'Brien", "[name]"),
    ("jean-luc", "[name]"),
    ("Luc alone", "Luc alone"),  # a part of a first name is not the first name
    ("jl.obrien", "[name]"),
    ("zoe_k and ZOË_K", "[name] and [name]"),
    ("zoë", "zoë"),
    ("mail me: anna@example.com", "[name] me: [e-mail]"),
    ("the link www.x.org", "the [name] [link]"),
    ("my phone is 555 1234 567", "my [name] is [phone]"),
    ("josé@exämple.de", "[e-mail]"),  # non-ASCII address
    ("Www.Example.com/path?q=1", "[link]"),
    ("+49 (0) 30 1234567", "[phone]"),
    ("Tel:+1-800-555-0199.", "Tel:[phone]."),
    ("O’Brien and o'brien", "[name] and [name]"),  # a curly apostrophe too
    ("JOSÉ ÁLVAREZ", "[name]"),
    ("Álvarez-José", "[name]-[name]"),
    ("josé\nálvarez", "[name]"),  # a full name across a line break
    ("José. Álvarez", "[name]"),  # close enough to be one full name: gone either way
    ("Anna smith", "[name]"),
    ("smithsonian", "smithsonian"),
    # --- everything at once, and what must stay ---
    (
        "Anna Smith (anna.smith@acme.com, +33 6 12 34 56 78) posted https://t.co/x",
        "[name] ([e-mail], [phone]) posted [link]",
    ),
    ("[name] [e-mail] typed by hand", "[name] [e-mail] typed by hand"),
    ("private \ue000 use", "private  use"),
    ("line one\r\nline two\rthree", "line one\nline two\nthree"),
    ("tab\there\x07", "tab here"),
    ("<script>alert(1)</script>", "<script>alert(1)</script>"),  # stored as text; escaped when shown
    ('=HYPERLINK("x")', '=HYPERLINK("x")'),  # defused in CSV, not here
    ("", ""),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_redaction(text, expected):
    assert redact(text, MEMBERS) == expected


def test_without_names_only_addresses_numbers_and_links_go():
    assert redact("Anna: anna@x.org, 5551234567, www.x.org") == "Anna: [e-mail], [phone], [link]"


def test_empty_names_are_ignored():
    names = member_names([("", "", "bob")])
    assert names.words == frozenset({("bob",)})
    assert redact("nothing here", names) == "nothing here"
    assert Names.of(["  ", "--"]).words == frozenset()


def test_redaction_is_idempotent():
    for text, _ in CASES:
        once = redact(text, MEMBERS)
        assert redact(once, MEMBERS) == once


def test_normalize_keeps_line_breaks_only():
    assert normalize("a\u202eb\u200dc\nd\x00") == "abc\nd"
