"""The section page's list of steps (responses/respond/steps.py)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import translation

from responses.respond.steps import steps_nav


@dataclass
class FakeSection:
    title: str


def rows(*counts: tuple[int, int], titles: tuple[str, ...] = ()) -> list[dict]:
    out = []
    for i, (answered, total) in enumerate(counts):
        title = titles[i] if i < len(titles) else f"Section {i + 1}"
        out.append(
            {
                "section": FakeSection(title),
                "number": i + 1,
                "answered": answered,
                "total": total,
                "done": bool(total) and answered == total,
            }
        )
    return out


def items(html: str) -> list[str]:
    return [part.split("</li>")[0] for part in html.split("<li ")[1:]]


def test_every_section_is_a_step_and_the_open_one_is_the_current_step():
    html = steps_nav(rows((4, 4), (1, 10), (0, 20)), 2)
    assert html.startswith('<nav class="hp-steps" aria-label="Sections">')
    first, second, third = items(html)
    assert 'aria-current="step"' in second and "hp-step-current" in second
    assert "aria-current" not in first and "aria-current" not in third
    # The current step says so to a screen reader; the others only how much is answered.
    assert '<span class="visually-hidden"> answered, current section</span>' in second
    assert '<span class="visually-hidden"> answered</span>' in third


def test_a_fully_answered_section_shows_a_check_instead_of_its_number():
    first, second = items(steps_nav(rows((4, 4), (0, 0)), 2))
    assert "hp-step-done" in first and '<span class="hp-step-num" aria-hidden="true">✓</span>' in first
    # A section without questions is never "done": nothing in it was answered.
    assert "hp-step-done" not in second and '<span class="hp-step-num" aria-hidden="true">2</span>' in second
    assert '<span class="hp-step-answered">4</span>/4' in first


def test_titles_are_escaped():
    html = steps_nav(rows((0, 2), titles=('Tom & "Jerry" <b>',)), 1)
    assert '<span class="hp-step-name">Tom &amp; &quot;Jerry&quot; &lt;b&gt;</span>' in html
    assert "<b>" not in html


def test_the_words_are_in_the_readers_language():
    with translation.override("de"):
        html = steps_nav(rows((0, 2), (2, 2)), 1)
    assert 'aria-label="Abschnitte"' in html
    assert "beantwortet, aktueller Abschnitt" in html
