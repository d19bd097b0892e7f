"""The locks of contract section 6 on every path: the service, the owners' page, the admin, the commands.

- A closed after-close assessment never opens again, even after its results
  were switched to live while closed (the reopening attack).
- ``results`` becomes ``live`` only while nothing is submitted and the
  assessment was never closed.
- k may be raised, never lowered, once something is submitted.
"""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from assessments.models import Assessment
from assessments.services import assessment_update
from responses.models import Response
from tests.factories import AssessmentFactory, UserFactory
from tests.reports.helpers import FEEDBACK, add_responses, columns

pytestmark = pytest.mark.django_db


def update(assessment: Assessment, **changes) -> Assessment:
    values = {
        "title": assessment.title,
        "status": assessment.status,
        "opens_at": None,
        "closes_at": None,
        "threshold": 1.0,
        **changes,
    }
    return assessment_update(assessment=assessment, **values)


def answered(organization=None, **kwargs) -> Assessment:
    """An open assessment of Acme with five submitted responses."""
    owner = {"organization": organization} if organization else {"organization__name": "Acme"}
    assessment = AssessmentFactory(**owner, title="Baseline", slug="baseline", **kwargs)
    add_responses(assessment, {FEEDBACK: columns([4] * 5, [2] * 5)})
    return Assessment.objects.get(pk=assessment.pk)


def stored(assessment: Assessment) -> Assessment:
    return Assessment.objects.get(pk=assessment.pk)


# --- The service (model validation) -----------------------------------------------------------


def test_closing_an_after_close_assessment_makes_it_final(taxonomy):
    assessment = answered()
    update(assessment, status="closed")
    assert stored(assessment).final and stored(assessment).ever_closed


def test_the_reopening_attack_is_refused_closed_then_live_then_open(taxonomy):
    """Close (after close), switch results to live while closed, reopen: each step that would open it is refused."""
    assessment = answered()
    update(assessment, status="closed")
    with pytest.raises(ValidationError) as exc:
        update(stored(assessment), results="live")
    assert "has been closed" in str(exc.value.message_dict["results"])
    with pytest.raises(ValidationError) as exc:
        update(stored(assessment), status="open")
    assert "cannot be reopened" in str(exc.value.message_dict["status"])
    assert (stored(assessment).status, stored(assessment).results) == ("closed", "after-close")


def test_a_final_assessment_stays_final_even_if_its_row_was_switched_to_live(taxonomy):
    """Even a results switch made behind the model's back (a database update) does not reopen it."""
    assessment = answered()
    update(assessment, status="closed")
    Assessment.objects.filter(pk=assessment.pk).update(results="live")
    with pytest.raises(ValidationError):
        update(stored(assessment), status="open", results="live")
    assert stored(assessment).status == "closed"


def test_results_go_live_only_before_anything_is_submitted(taxonomy):
    assessment = answered()
    with pytest.raises(ValidationError) as exc:
        update(assessment, results="live")
    assert "cannot become live" in str(exc.value.message_dict["results"])
    empty = AssessmentFactory(organization=assessment.organization, title="Empty")
    update(empty, results="live")
    assert stored(empty).results == "live"


def test_results_never_go_live_after_a_close_even_with_no_response(taxonomy):
    assessment = AssessmentFactory(organization__name="Acme", title="Quiet")
    update(assessment, status="closed")
    with pytest.raises(ValidationError):
        update(stored(assessment), results="live")


def test_results_may_always_go_from_live_to_after_close(taxonomy):
    assessment = answered(results="live")
    update(assessment, results="after-close")
    assert stored(assessment).results == "after-close"


def test_a_closed_live_assessment_reopens_but_never_goes_live_again_once_after_close(taxonomy):
    assessment = answered(results="live")
    update(assessment, status="closed")
    assert stored(assessment).ever_closed and not stored(assessment).final
    update(stored(assessment), status="open")
    assert stored(assessment).status == "open"


def test_k_may_be_raised_but_not_lowered_once_something_is_submitted(taxonomy):
    assessment = answered(min_group_size=6)
    update(assessment, min_group_size=8)
    assert stored(assessment).min_group_size == 8
    with pytest.raises(ValidationError) as exc:
        update(stored(assessment), min_group_size=7)
    assert "raised but not lowered" in str(exc.value.message_dict["min_group_size"])
    assert stored(assessment).min_group_size == 8


def test_k_may_be_lowered_while_nothing_is_submitted(taxonomy):
    assessment = AssessmentFactory(organization__name="Acme", title="Draft", min_group_size=8)
    add_responses(assessment, {FEEDBACK: columns([4], [2])}, submitted=False)  # a draft does not lock
    update(assessment, min_group_size=5)
    assert stored(assessment).min_group_size == 5


# --- The owners' page --------------------------------------------------------------------------


def edit_form(assessment: Assessment, **changes) -> dict:
    return {
        "title": assessment.title,
        "status": assessment.status,
        "opens_at": "",
        "closes_at": "",
        "threshold": "1",
        "min_group_size": str(assessment.min_group_size),
        "results": assessment.results,
        **changes,
    }


def test_the_owners_form_refuses_each_lock_beside_its_field(manager, org, taxonomy):
    assessment = answered(org)
    edit = reverse("assessments:manage:edit", args=["acme", "baseline"])
    for changes, field in (({"results": "live"}, "results"), ({"min_group_size": "3"}, "min_group_size")):
        response = manager.post(edit, edit_form(assessment, **changes))
        assert response.status_code == 400
        assert response.context["form"].errors[field]
    manager.post(edit, edit_form(assessment, status="closed", confirm_close="yes"))
    assert stored(assessment).final
    response = manager.post(edit, edit_form(stored(assessment), status="open"))
    assert response.status_code == 400 and "cannot be reopened" in response.content.decode()
    assert stored(assessment).status == "closed"


@pytest.fixture
def manager(client, org):
    from organizations.models import Membership
    from tests.factories import MembershipFactory

    user = UserFactory(username="olivia")
    MembershipFactory(organization=org, role=Membership.Role.OWNER, user=user)
    client.force_login(user)
    return client


@pytest.fixture
def org():
    from tests.factories import OrganizationFactory

    return OrganizationFactory(name="Acme", slug="acme")


# --- The admin ---------------------------------------------------------------------------------


def test_the_admin_refuses_reopening_and_lowering_k(client, taxonomy):
    assessment = answered()
    update(assessment, status="closed")
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    change = f"/admin/assessments/assessment/{assessment.pk}/change/"
    page = client.get(change)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update({"status": "open", "min_group_size": "3"})
    for key in list(data):
        if data[key] is None:
            data[key] = ""
    response = client.post(change, data)
    assert response.status_code == 200  # the form again, with the errors
    errors = response.context["adminform"].form.errors
    assert "status" in errors and "min_group_size" in errors
    assert (stored(assessment).status, stored(assessment).min_group_size) == ("closed", 5)


# --- The commands ------------------------------------------------------------------------------


def test_import_into_a_final_assessment_is_refused_and_saves_nothing(taxonomy, tmp_path):
    assessment = answered()
    update(assessment, status="closed")
    before = Response.objects.count()
    data = tmp_path / "more.csv"
    data.write_text(f"respondent,benefit,dimension,value\nlate,{FEEDBACK},importance,5\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command(
            "import_responses",
            str(data),
            organization="Acme",
            assessment="Baseline",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert Response.objects.count() == before
