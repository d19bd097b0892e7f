"""Before saving, the owners' forms say plainly when a choice leaves figures below k (contract section 6).

The choice stays allowed (the release rule withholds those figures); the
owner reads why and ticks "Save anyway", or changes it. Nothing is saved
before that.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessments.services import segment_create
from responses.invitations.services import invitations_create
from responses.models import Invitation

pytestmark = pytest.mark.django_db


def invite(manager, **data):
    return manager.post(reverse("responses:manage:invitations", args=["acme", "baseline"]), {"count": "3", **data})


def test_a_one_scope_batch_below_k_is_explained_and_saved_only_when_confirmed(manager, assessment):
    response = invite(manager, audience="external")
    assert response.status_code == 400
    text = response.content.decode()
    assert "external sections only" in text and "minimum group size of 5" in text
    assert "Save anyway" in text
    assert Invitation.objects.count() == 0
    response = invite(manager, audience="external", save_anyway="on")
    assert response.status_code == 200 and Invitation.objects.count() == 3


def test_a_batch_for_both_scopes_asks_nothing(manager, assessment):
    assert invite(manager).status_code == 200
    assert Invitation.objects.count() == 3


def test_a_segment_group_below_k_is_explained_counting_the_invitations_it_has(manager, assessment):
    segment_create(assessment=assessment, key="team", label="Team", source="invitation", options=["Sales", "Ops"])
    response = invite(manager, **{"segment-team": "sales"})
    assert response.status_code == 400
    assert "Team “Sales” would have 3 invitations in all" in response.content.decode()
    assert Invitation.objects.count() == 0
    invitations_create(assessment=assessment, count=2, segment_values={"team": "sales"})
    assert invite(manager, **{"segment-team": "sales"}).status_code == 200  # 2 + 3 = 5: no warning


def test_benefits_per_respondent_below_k_with_the_invitations_so_far_is_explained(manager, assessment, taxonomy):
    invitations_create(assessment=assessment, count=10)
    data = {
        "title": "Baseline",
        "status": "draft",
        "opens_at": "",
        "closes_at": "",
        "threshold": "1",
        "min_group_size": "5",
        "results": "after-close",
        "benefits_per_respondent": "2",
    }
    edit = reverse("assessments:manage:edit", args=["acme", "baseline"])
    response = manager.post(edit, data)
    assert response.status_code == 400
    assert "fewer than the minimum group size of 5" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.benefits_per_respondent is None
    response = manager.post(edit, {**data, "save_anyway": "on"})
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.benefits_per_respondent == 2
