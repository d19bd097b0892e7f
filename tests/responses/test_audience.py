"""An invitation batch's audience (both, internal only, external only): where it is chosen (contract section 12)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from assessments.models import Audience
from common.commands import InputError
from responses.invitations.services import invitations_create
from responses.models import Invitation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def questions(taxonomy):
    """An assessment opens only with questions to ask: the canonical taxonomy's."""


def invite(*args: str) -> str:
    err = io.StringIO()
    call_command("invite", *args, stdout=io.StringIO(), stderr=err)
    return err.getvalue()


@pytest.mark.parametrize("audience", ["internal", "external"])
def test_invite_audience_sets_the_batch(audience):
    """``invite --audience`` gives every invitation of the batch that audience, and says so."""
    err = invite("--organization", "Acme", "--assessment", "Partners", "--count", "3", "--audience", audience)
    assert set(Invitation.objects.values_list("audience", flat=True)) == {audience}
    assert f"({audience} sections only)" in err


def test_invite_without_audience_is_both():
    """The default audience is both scopes."""
    invite("--organization", "Acme", "--assessment", "All", "--count", "2")
    assert set(Invitation.objects.values_list("audience", flat=True)) == {"both"}


def test_invite_refuses_an_unknown_audience():
    """A clear message naming the option, and nothing created."""
    with pytest.raises(InputError, match="--audience: 'partners' is not an audience"):
        invite("--organization", "Acme", "--assessment", "All", "--count", "2", "--audience", "partners")
    assert not Invitation.objects.exists()


def test_the_service_refuses_an_unknown_audience(assessment):
    """``invitations_create`` checks the audience too, for callers other than the command (an e-mail file)."""
    with pytest.raises(ValueError, match="unknown audience"):
        invitations_create(assessment=assessment, count=1, audience="everyone")


def test_owners_choose_the_audience_of_a_batch(manager, assessment):
    """The owners' form offers the three audiences and stores the one chosen on every new invitation."""
    page = manager.get(reverse("responses:manage:invitations", args=["acme", "baseline"])).content.decode()
    assert all(f'value="{a}"' in page for a in Audience.values)
    manager.post(
        reverse("responses:manage:invitations", args=["acme", "baseline"]),
        {"count": "2", "label": "", "audience": "external", "save_anyway": "on"},
    )
    assert list(Invitation.objects.values_list("audience", flat=True)) == ["external", "external"]


def test_owners_form_refuses_an_unknown_audience(manager, assessment):
    """A value not offered is an error beside the field, and nothing is created."""
    response = manager.post(
        reverse("responses:manage:invitations", args=["acme", "baseline"]), {"count": "2", "audience": "all"}
    )
    assert response.status_code == 400 and "audience" in response.context["form"].errors
    assert not Invitation.objects.exists()


def test_admin_action_creates_a_batch_for_an_audience(admin_client, assessment):
    """The admin's "Create invitations…" asks the audience too."""
    admin_client.post(
        "/admin/assessments/assessment/",
        {
            "action": "create_invitations",
            "_selected_action": [assessment.pk],
            "apply": "yes",
            "count": "2",
            "audience": "internal",
        },
    )
    assert list(Invitation.objects.values_list("audience", flat=True)) == ["internal", "internal"]
