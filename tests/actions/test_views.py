from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.models import Action
from actions.selectors import organization_actions, render_actions_csv
from organizations.models import Membership
from taxonomy.models import Benefit
from tests.actions.helpers import BRAND, FEEDBACK, plan
from tests.factories import AssessmentFactory, MembershipFactory
from tests.manage_helpers import as_user

pytestmark = pytest.mark.django_db


def _url(name, *args):
    return reverse(f"actions:{name}", args=["acme", *args])


def test_plan_form_has_the_labels_and_the_benefit_and_practices(client, taxonomy, owner, assessment):
    """The report's link opens the form with its labels, the benefit chosen and its practices offered."""
    benefit = Benefit.objects.get(path=FEEDBACK)
    html = as_user(client, owner).get(_url("create") + f"?from=baseline&benefit={FEEDBACK}").content.decode()
    fields = {"title": "Title", "description": "Description", "benefits": "Benefits", "owner_user": "Owner"}
    fields |= {"due": "Due date", "status": "Status"}
    for name, label in fields.items():
        assert re.search(rf'<label[^>]*for="id_{name}"[^>]*>\s*{label}(<span|\s*</label>)', html), label
    assert f'value="{benefit.pk}" selected' in html
    assert benefit.practices and benefit.practices[0] in html
    assert ">Save</button>" in html


def test_plan_post_creates_and_redirects(client, taxonomy, owner, assessment):
    """A valid form saves the action and returns to the actions page, which lists it."""
    benefit = Benefit.objects.get(path=FEEDBACK)
    data = {
        "title": "Feedback sessions",
        "description": "",
        "benefits": [benefit.pk],
        "owner_user": owner.pk,
        "owner_name": "",
        "due": "2027-03-31",
        "status": "planned",
        "assessment": assessment.pk,
    }
    response = as_user(client, owner).post(_url("create"), data)
    assert response.status_code == 302 and response["Location"] == _url("list")
    action = Action.objects.get()
    assert (action.title, action.owner_user, action.due) == ("Feedback sessions", owner, date(2027, 3, 31))
    html = client.get(_url("list")).content.decode()
    assert "Feedback sessions" in html and "olivia" in html and "Baseline" in html


def test_plan_post_with_four_benefits_keeps_the_input(client, taxonomy, owner, assessment):
    """Too many benefits: a 400 with the message, the title kept, nothing saved."""
    ids = list(Benefit.objects.values_list("pk", flat=True)[:4])
    data = {
        "title": "Too much",
        "benefits": ids,
        "owner_name": "Dana",
        "status": "planned",
        "assessment": assessment.pk,
    }
    response = as_user(client, owner).post(_url("create"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose from 1 to 3 benefits for an action." in html and 'value="Too much"' in html
    assert not Action.objects.exists()


def test_list_groups_by_status_and_marks_overdue_in_words(client, taxonomy, owner, assessment):
    """Each status has its heading; an overdue action says so in words."""
    plan(assessment, title="Late one", due=timezone.localdate() - timedelta(days=1))
    html = as_user(client, owner).get(_url("list")).content.decode()
    assert 'id="status-planned"' in html and "Overdue" in html and "(overdue)" in html


def test_list_filters_by_benefit_and_round(client, taxonomy, owner, assessment):
    """?benefit=PATH and ?round=SLUG keep only the matching actions."""
    later = AssessmentFactory(organization=assessment.organization, title="Pulse", slug="pulse")
    plan(assessment, title="Feedback action", paths=(FEEDBACK,))
    plan(later, title="Brand action", paths=(BRAND,))
    as_user(client, owner)
    by_benefit = client.get(_url("list") + f"?benefit={BRAND}").content.decode()
    assert "Brand action" in by_benefit and "Feedback action" not in by_benefit
    by_round = client.get(_url("list") + "?round=baseline").content.decode()
    assert "Feedback action" in by_round and "Brand action" not in by_round


def test_status_change_marks_done(client, taxonomy, owner, assessment):
    """POSTing a status changes it; done sets the done date."""
    action = plan(assessment)
    as_user(client, owner).post(_url("status", action.pk), {"status": "done"})
    action.refresh_from_db()
    assert (action.status, action.done) == ("done", timezone.localdate())


def test_delete_asks_then_deletes(client, taxonomy, owner, assessment):
    """GET shows a confirmation and deletes nothing; POST deletes."""
    action = plan(assessment)
    as_user(client, owner)
    assert "Delete this action?" in client.get(_url("delete", action.pk)).content.decode()
    assert Action.objects.exists()
    client.post(_url("delete", action.pk))
    assert not Action.objects.exists()


def test_edit_saves(client, taxonomy, owner, assessment):
    """The edit form starts from the action and saves the changes."""
    action = plan(assessment)
    as_user(client, owner)
    assert 'value="Run feedback sessions"' in client.get(_url("edit", action.pk)).content.decode()
    data = {
        "title": "Renamed",
        "benefits": [Benefit.objects.get(path=BRAND).pk],
        "owner_name": "Eve",
        "status": "in-progress",
        "assessment": assessment.pk,
    }
    assert client.post(_url("edit", action.pk), data).status_code == 302
    action.refresh_from_db()
    assert (action.title, action.owner_name, action.status) == ("Renamed", "Eve", "in-progress")


def test_csv_download_is_the_export(client, taxonomy, owner, assessment):
    """The page's CSV is render_actions_csv's bytes, as export_actions writes them."""
    plan(assessment)
    response = as_user(client, owner).get(_url("csv"))
    assert response.content == render_actions_csv(organization_actions(organization=assessment.organization)).encode()
    assert response["Content-Disposition"] == 'attachment; filename="acme-actions.csv"'


def test_analyst_reads_but_cannot_change(client, taxonomy, assessment):
    """An analyst sees the actions page without the owners' buttons, and a POST to change is a 404."""
    action = plan(assessment)
    analyst = MembershipFactory(organization=assessment.organization, role=Membership.Role.ANALYST).user
    html = as_user(client, analyst).get(_url("list")).content.decode()
    assert "Run feedback sessions" in html and "Change status" not in html and "Plan an action" not in html
    assert client.post(_url("status", action.pk), {"status": "done"}).status_code == 404
    assert client.post(_url("delete", action.pk)).status_code == 404


def test_another_organizations_action_is_a_404(client, taxonomy, owner, assessment):
    """An owner of Acme cannot reach an action of another organization through Acme's URLs."""
    other = plan(AssessmentFactory())
    as_user(client, owner)
    assert client.get(_url("edit", other.pk)).status_code == 404
    assert client.post(_url("delete", other.pk)).status_code == 404


def test_roadmap_page(client, taxonomy, owner, assessment):
    """The roadmap shows each quarter's heading and its actions."""
    plan(assessment, title="Spring", due=date(2027, 4, 15))
    html = as_user(client, owner).get(_url("roadmap")).content.decode()
    assert "2027, quarter 2" in html and "Spring" in html
