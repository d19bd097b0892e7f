"""Which benefits a response asks: a shorter survey with the same report (contract section 12).

When an assessment sets ``benefits_per_respondent`` (m), each response is
assigned m top-level benefits when it starts, each with its sub-benefits,
and asks only those. This is *planned missingness*: a benefit's ratings are
still a random sample of the respondents, so its mean stays unbiased; only
its n is smaller and its interval wider.

The rule is exact: the m benefits the response sees with the fewest
assignments so far in the assessment, ties broken at random. Taking the m
least-assigned every time keeps the counts of any two benefits within 1 of
each other (when everyone sees the same sections), whatever the order of
starts. Two starts must therefore not read the same counts: the assessment
row is locked (``select_for_update``; SQLite's IMMEDIATE transactions
serialize writers anyway) before the counts are read, and the counts are
written in the same transaction.

The counts are :class:`~responses.models.AssignmentCount` counters, not a
count of live responses: a withdrawn draft is deleted, yet what it was
assigned still counts, so withdrawing and starting again cannot steer which
benefits are asked.

An invitation's audience (internal or external only) limits what the
response sees, with or without m; the assignment records that too. A
response with no assignment (``assigned_benefits`` null) asks everything:
assessments without these settings, imports and drafts from before them.
"""

from __future__ import annotations

import random
from collections.abc import Mapping

from assessments.length import SurveyLength, survey_length
from assessments.models import Assessment, Audience
from assessments.selectors import assessment_questionnaire
from responses.models import AssignmentCount, Response
from taxonomy.selectors import Questionnaire

# Ties are broken with the operating system's randomness: nobody can predict,
# or arrange, which benefits the next respondent is asked.
_system_random = random.SystemRandom()


def choose_benefits(counts: Mapping[int, int], m: int, *, rng: random.Random = _system_random) -> list[int]:
    """The ``m`` benefit ids of ``counts`` with the fewest assignments, ties broken at random; sorted."""
    ranked = sorted(counts, key=lambda benefit: (counts[benefit], rng.random()))
    return sorted(ranked[:m])


def assignment_make(*, assessment: Assessment, audience: str = Audience.BOTH) -> list[int] | None:
    """The top-level benefit ids for a response about to start, counted; in the caller's transaction.

    Call it before inserting the response: the insert takes PostgreSQL's
    key-share lock on the assessment row (its foreign key), and two starts
    each holding that lock and then asking for the row lock would deadlock.
    Returns None when the response asks the whole questionnaire (no
    ``benefits_per_respondent`` and an audience of both), which takes no lock
    and writes nothing.
    """
    scopes = Audience(audience).scopes
    if assessment.benefits_per_respondent is None and scopes is None:
        return None
    # The lock orders concurrent starts of this assessment; m is read again under it.
    m = (
        Assessment.objects.select_for_update()
        .filter(pk=assessment.pk)
        .values_list("benefits_per_respondent", flat=True)
        .get()
    )
    candidates = [b.id for b in assessment_questionnaire(assessment=assessment).top_level(scopes=scopes)]
    counts = dict.fromkeys(candidates, 0)
    counts.update(
        AssignmentCount.objects.filter(assessment=assessment, benefit_id__in=candidates).values_list(
            "benefit_id", "count"
        )
    )
    chosen = sorted(candidates) if m is None or m >= len(candidates) else choose_benefits(counts, m)
    if chosen:
        AssignmentCount.objects.bulk_create(
            [AssignmentCount(assessment=assessment, benefit_id=b, count=counts[b] + 1) for b in chosen],
            update_conflicts=True,
            unique_fields=["assessment", "benefit"],
            update_fields=["count"],
        )
    return chosen


def response_questionnaire(*, response: Response | None, questionnaire: Questionnaire) -> Questionnaire:
    """What ``response`` asks of its assessment's ``questionnaire``: its assigned benefits, or everything."""
    if response is None or response.assigned_benefits is None:
        return questionnaire
    return questionnaire.only(set(response.assigned_benefits))


def respondent_length(
    *, assessment: Assessment, response: Response | None, audience: str, questionnaire: Questionnaire
) -> SurveyLength:
    """How long the survey is for one respondent: what their intro page and every e-mail to them say.

    ``questionnaire`` is the assessment's. A started response asks its own
    benefits, counted exactly; before it starts, the respondent's ``audience``
    and the assessment's ``benefits_per_respondent`` say about how much.
    """
    if response is not None:
        return survey_length(questionnaire=response_questionnaire(response=response, questionnaire=questionnaire))
    return survey_length(
        questionnaire=questionnaire, audience=audience, benefits_per_respondent=assessment.benefits_per_respondent
    )
