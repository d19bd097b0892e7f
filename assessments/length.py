"""How long an assessment's survey is for one respondent, and how many ratings each benefit can expect.

The owners' form shows this beside ``benefits_per_respondent``, computed
here for the saved value and again, in the browser, by ``static/js/length.js``
from the same numbers (the page carries them as data attributes): the two
must stay the same formulas.

A respondent who sees T top-level benefits (with Q questions in all) and is
assigned m of them is asked about Q * m / T questions: the assignment is
balanced, so on average each benefit is drawn as often as any other.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from assessments.models import Assessment, Audience
from taxonomy.selectors import Questionnaire

# A rough reading and clicking pace, for "about how long it takes".
SECONDS_PER_QUESTION = 6

SCOPES = ("internal", "external")


def round_half_up(value: float) -> int:
    """Rounded as JavaScript's ``Math.round`` does (Python's ``round`` rounds halves to even)."""
    return math.floor(value + 0.5)


def minutes_for(questions: int) -> int:
    """About how many whole minutes ``questions`` take (at least 1)."""
    return max(1, math.ceil(questions * SECONDS_PER_QUESTION / 60))


@dataclass(frozen=True)
class ScopeSize:
    benefits: int  # top-level benefits
    questions: int  # their questions, sub-benefits included


@dataclass(frozen=True)
class Asked:
    benefits: int  # top-level benefits a respondent is asked
    questions: int  # about how many questions that is
    minutes: int


@dataclass(frozen=True)
class LengthEstimate:
    benefits_per_respondent: int | None
    sizes: dict[str, ScopeSize]  # by scope slug
    invited: dict[str, int]  # unrevoked invitations by audience, in Audience order

    def asked(self, audience: str = Audience.BOTH) -> Asked:
        """What one respondent of ``audience`` is asked."""
        scopes = Audience(audience).scopes or SCOPES
        total_benefits = sum(self.sizes[s].benefits for s in scopes)
        total_questions = sum(self.sizes[s].questions for s in scopes)
        m = self.benefits_per_respondent
        benefits = total_benefits if m is None else min(m, total_benefits)
        questions = round_half_up(total_questions * benefits / total_benefits) if total_benefits else 0
        return Asked(benefits=benefits, questions=questions, minutes=minutes_for(questions))

    def share(self, audience: str, scope: str) -> float:
        """The share of ``audience``'s respondents asked any one benefit of ``scope``."""
        scopes = Audience(audience).scopes or SCOPES
        if scope not in scopes:
            return 0.0
        total = sum(self.sizes[s].benefits for s in scopes)
        return self.asked(audience).benefits / total if total else 0.0

    def ratings(self, scope: str) -> int:
        """About how many respondents the invitations so far give one benefit of ``scope``, if all answer."""
        return round_half_up(sum(n * self.share(audience, scope) for audience, n in self.invited.items()))

    @property
    def invitations(self) -> int:
        return sum(self.invited.values())

    def sentence(self) -> str:
        """The estimate in plain words, in the active language (``length.js`` fills the same ``SENTENCES``)."""
        full, asked = self.asked_all(), self.asked()
        if self.benefits_per_respondent is None or asked.benefits >= full.benefits:
            text = SENTENCES["all"] % {"questions": full.questions, "minutes": full.minutes}
        else:
            text = SENTENCES["fewer"] % {
                "asked": asked.questions,
                "asked_minutes": asked.minutes,
                "questions": full.questions,
                "minutes": full.minutes,
            }
        if not self.invitations:
            share = round_half_up(100 * self.share(Audience.BOTH, SCOPES[0]))
            return f"{text} {SENTENCES['none_invited'] % {'share': share}}"
        internal, external = self.ratings("internal"), self.ratings("external")
        if internal == external:
            rated = SENTENCES["rated_same"] % {"people": internal}
        else:
            rated = SENTENCES["rated_split"] % {"internal": internal, "external": external}
        invited = SENTENCES["invited_one" if self.invitations == 1 else "invited_many"]
        return f"{text} {invited % {'invitations': self.invitations, 'rated': rated}}"

    def below_minimum_warning(self, k: int) -> str | None:
        """Said before saving a ``benefits_per_respondent`` that leaves each benefit fewer than k raters."""
        m = self.benefits_per_respondent
        if m is None or self.asked().benefits >= self.asked_all().benefits:
            return None
        if not self.invitations or m < 1:
            return None  # nobody invited yet: the estimate beside the field says what each benefit gets
        fewest = min(self.ratings(scope) for scope in SCOPES if self.sizes[scope].benefits)
        if fewest >= k:
            return None
        return (
            f"With the {self.invitations} invitations so far and {m} benefits per respondent, some benefits would "
            f"be rated by about {fewest} people, fewer than the minimum group size of {k}: their figures would be "
            "withheld. Invite more people, or ask more benefits of each."
        )

    def asked_all(self) -> Asked:
        return LengthEstimate(None, self.sizes, self.invited).asked()

    def data_attributes(self) -> dict[str, int | str]:
        """The numbers ``length.js`` computes from, and its sentences in the active language, as ``data-*`` values."""
        data: dict[str, int | str] = {"seconds-per-question": SECONDS_PER_QUESTION}
        data.update({f"text-{key.replace('_', '-')}": str(text) for key, text in SENTENCES.items()})
        for scope in SCOPES:
            data[f"{scope}-benefits"] = self.sizes[scope].benefits
            data[f"{scope}-questions"] = self.sizes[scope].questions
        for audience in Audience.values:
            data[f"invited-{audience}"] = self.invited.get(audience, 0)
        return data


# The estimate's sentences, written once for the page and for length.js (which fills the same
# placeholders); "invited_one" and "invited_many" are the two plural forms English and German have.
SENTENCES = {
    "all": gettext_lazy("Every respondent answers all %(questions)s questions (about %(minutes)s min)."),
    "fewer": gettext_lazy(
        "About %(asked)s questions per respondent (about %(asked_minutes)s min) "
        "instead of %(questions)s (about %(minutes)s min)."
    ),
    "none_invited": gettext_lazy("No invitations yet: each benefit is rated by about %(share)s%% of respondents."),
    "rated_same": gettext_lazy("each benefit would be rated by about %(people)s people"),
    "rated_split": gettext_lazy(
        "each internal benefit would be rated by about %(internal)s people and each external one by about %(external)s"
    ),
    "invited_one": gettext_lazy("With the %(invitations)s invitation so far, %(rated)s, if everyone answers."),
    "invited_many": gettext_lazy("With the %(invitations)s invitations so far, %(rated)s, if everyone answers."),
}


# The invitations live in an upper app (responses), which registers how to
# count them by audience (see ResponsesConfig.ready); nothing imports upward.
InvitedCounter = Callable[[Assessment], dict[str, int]]
_invited_counters: list[InvitedCounter] = []


def register_invited_counter(counter: InvitedCounter) -> None:
    if counter not in _invited_counters:
        _invited_counters.append(counter)


def scope_sizes(questionnaire: Questionnaire) -> dict[str, ScopeSize]:
    sizes = {}
    for scope in SCOPES:
        sections = [s for s in questionnaire.sections if s.scope.slug == scope]
        sizes[scope] = ScopeSize(
            benefits=sum(1 for s in sections for b in s.benefits if b.depth == 0),
            questions=sum(s.question_count for s in sections),
        )
    return sizes


@dataclass(frozen=True)
class SurveyLength:
    """How long the survey is for one respondent, as the intro page and every e-mail to them say it."""

    question_count: int
    benefit_count: int  # rated benefits, sub-benefits included
    section_count: int  # pages
    minutes: int
    approximate: bool  # until its benefits are drawn, a shortened survey's exact length is not known


def survey_length(
    *, questionnaire: Questionnaire, audience: str = Audience.BOTH, benefits_per_respondent: int | None = None
) -> SurveyLength:
    """How long the survey is for one respondent: the one answer the intro page and the e-mails give.

    Before they start, ``questionnaire`` is the assessment's, and their
    ``audience`` and the assessment's ``benefits_per_respondent`` say about
    how much of it they will be asked. Once started, it is their response's
    own questionnaire, asked in full: give neither, and the count is exact.
    No query.
    """
    scopes = Audience(audience).scopes
    seen = questionnaire.only({b.id for b in questionnaire.top_level(scopes=scopes)}) if scopes else questionnaire
    asked = length_estimate(questionnaire=seen, assessment=None, benefits_per_respondent=benefits_per_respondent).asked(
        audience
    )
    top_level = len(seen.top_level())
    return SurveyLength(
        question_count=asked.questions,
        benefit_count=round_half_up(len(seen.benefits) * asked.benefits / top_level) if top_level else 0,
        section_count=len(seen.paged().sections),
        minutes=asked.minutes,
        approximate=benefits_per_respondent is not None and asked.benefits < top_level,
    )


def length_estimate(
    *, questionnaire: Questionnaire, assessment: Assessment | None, benefits_per_respondent: int | None
) -> LengthEstimate:
    """The estimate for ``benefits_per_respondent`` over ``questionnaire`` and ``assessment``'s invitations so far."""
    invited: dict[str, int] = dict.fromkeys(Audience.values, 0)
    if assessment is not None and assessment.pk:
        for counter in _invited_counters:
            for audience, n in counter(assessment).items():
                invited[audience] = invited.get(audience, 0) + n
    return LengthEstimate(benefits_per_respondent, scope_sizes(questionnaire), invited)
