"""The section page's list of steps: every section, how much of it is answered, and which one is open.

Written here rather than in a template loop, like the matrix's rows
(:mod:`responses.respond.layout`): the list is on every section page and a
template spent a dozen variable lookups per step on it. Every value is
escaped as autoescape would (``conditional_escape``), so the HTML is the
same as the template made.
"""

from __future__ import annotations

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext, pgettext


def steps_nav(progress: list[dict], number: int) -> SafeString:
    """The ``<nav>`` of steps for the page of section ``number``; ``progress`` as the view's ``_progress`` gives it."""
    # Each gettext outside an f-string: xgettext does not read calls inside one, and would drop the text.
    label = conditional_escape(gettext("Sections"))
    here = conditional_escape(gettext("answered, current section"))
    answered_word = conditional_escape(pgettext("step count", "answered"))
    parts = [f'<nav class="hp-steps" aria-label="{label}">\n  <ol class="hp-steps-list">\n    ']
    for row in progress:
        done = " hp-step-done" if row["done"] else ""
        current = row["number"] == number
        if current:
            parts.append(f'\n    <li class="hp-step hp-step-current{done}" aria-current="step">')
        else:
            parts.append(f'\n    <li class="hp-step{done}">')
        parts.append(
            f'\n      <span class="hp-step-num" aria-hidden="true">{"✓" if row["done"] else row["number"]}</span>'
            f'\n      <span class="hp-step-name">{conditional_escape(row["section"].title)}</span>'
            f'\n      <span class="hp-step-count">'
            f'<span class="hp-step-answered">{row["answered"]}</span>/{row["total"]}'
            f'<span class="visually-hidden"> {here if current else answered_word}</span></span>\n    </li>\n    '
        )
    parts.append("\n  </ol>\n</nav>\n")
    return SafeString("".join(parts))
