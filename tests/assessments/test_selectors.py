"""Reads of assessments: which option a segment value in a file or a paste box names."""

from __future__ import annotations

import pytest

from assessments.models import Segment
from assessments.selectors import assessment_segments, segment_option_for, segment_option_ids
from assessments.services import segment_create
from tests.factories import AssessmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def segment():
    assessment = AssessmentFactory()
    # "it" is one option's value and, in another case, another option's label: the value wins.
    segment_create(
        assessment=assessment,
        key="department",
        label="Department",
        source=Segment.Source.INVITATION,
        options=[("sales", "Sales and marketing"), ("it", "IT"), ("ops", "It")],
    )
    return assessment_segments(assessment=assessment)[0]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("sales", "sales"),
        ("SALES", "sales"),
        ("Sales and marketing", "sales"),
        ("  sales AND Marketing ", "sales"),
        ("IT", "it"),
        ("It", "it"),
        ("ops", "ops"),
    ],
)
def test_an_option_is_named_by_its_value_or_its_label_in_any_case(segment, text, value):
    assert segment_option_for(segment, text).value == value


def test_a_value_wins_over_another_options_label(segment):
    """ "It" is the label of ops but, in another case, the value of it: the value decides."""
    assert segment_option_for(segment, "it").value == "it"


def test_an_unknown_option_names_the_options_with_their_labels(segment):
    assert segment_option_for(segment, "hr") is None
    with pytest.raises(ValueError, match=r"segment 'department' has no option 'hr'; expected one of Sales and mark"):
        segment_option_ids([segment], {"department": "hr"})


def test_option_ids_resolve_labels_and_skip_what_is_not_stated(segment, django_assert_num_queries):
    by_value = {o.value: o.pk for o in segment.options.all()}
    with django_assert_num_queries(0):
        assert segment_option_ids([segment], {"department": "Sales and Marketing"}) == {segment.pk: by_value["sales"]}
        assert segment_option_ids([segment], {"department": " "}) == {}


def test_round_chain_is_the_earlier_rounds_oldest_first_in_one_query(django_assert_num_queries):
    """Previous, its previous, ...: oldest first, this round left out; other organizations' rounds never."""
    from assessments.selectors import round_chain
    from tests.factories import OrganizationFactory

    organization = OrganizationFactory()
    first = AssessmentFactory(organization=organization, title="First")
    second = AssessmentFactory(organization=organization, title="Second", previous=first)
    AssessmentFactory(organization=organization, title="Aside")
    AssessmentFactory(title="Elsewhere")
    third = AssessmentFactory(organization=organization, title="Third", previous=second)
    with django_assert_num_queries(1):
        assert [a.title for a in round_chain(assessment=third)] == ["First", "Second"]
    with django_assert_num_queries(0):
        assert round_chain(assessment=first) == []
