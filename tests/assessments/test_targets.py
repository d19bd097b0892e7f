"""Maturity targets (contract section 14): the service and ``set_targets``."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from assessments.selectors import assessment_maturity_targets
from assessments.services import maturity_targets_set
from common.commands import InputError
from tests.factories import AssessmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def target(taxonomy):
    return AssessmentFactory(organization__name="Acme", title="Baseline")


def set_targets(*args: str) -> str:
    err = io.StringIO()
    call_command("set_targets", "--organization", "Acme", "--assessment", "Baseline", *args, stderr=err)
    return err.getvalue()


def test_set_targets_sets_clears_and_keeps_the_cells_not_named(target):
    set_targets("social-media/internal=3", "social-networking/external=4")
    assert assessment_maturity_targets(assessment=target) == {
        ("social-media", "internal"): 3,
        ("social-networking", "external"): 4,
    }
    message = set_targets("social-media/internal=-", "social-networking/external=5")
    assert assessment_maturity_targets(assessment=target) == {("social-networking", "external"): 5}
    assert "social-networking/external=5" in message


@pytest.mark.parametrize(
    ("arg", "message"),
    [
        ("social-media/inside=3", "social-media/inside: no such cell"),
        ("nothing/internal=3", "nothing/internal: no such cell"),
        ("social-media/internal=6", "social-media/internal: A target level is a whole number from 1 to 5"),
        ("social-media/internal=0", "from 1 to 5"),
        ("social-media/internal=high", "the level must be a whole number from 1 to 5"),
        ("social-media=3", "expected CONCEPT/SCOPE=LEVEL"),
        ("social-media/internal", "expected CONCEPT/SCOPE=LEVEL"),
    ],
)
def test_bad_input_exits_with_a_message_and_changes_nothing(target, arg, message):
    maturity_targets_set(assessment=target, levels={("social-media", "external"): 2})
    with pytest.raises(InputError, match=message):
        set_targets("social-collaboration/internal=3", arg)
    assert assessment_maturity_targets(assessment=target) == {("social-media", "external"): 2}


def test_a_cell_named_twice_is_refused(target):
    with pytest.raises(InputError, match="named twice"):
        set_targets("social-media/internal=3", "social-media/internal=4")
    assert assessment_maturity_targets(assessment=target) == {}


def test_the_service_refuses_out_of_range_levels_whole(target):
    with pytest.raises(ValidationError) as exc:
        maturity_targets_set(
            assessment=target, levels={("social-media", "internal"): 3, ("social-media", "external"): 9}
        )
    assert exc.value.messages == ["social-media/external: A target level is a whole number from 1 to 5."]
    assert assessment_maturity_targets(assessment=target) == {}


def test_an_unknown_assessment_is_an_error(target):
    with pytest.raises(InputError, match="has no assessment 'Other'"):
        call_command("set_targets", "--organization", "Acme", "--assessment", "Other", "social-media/internal=3")
