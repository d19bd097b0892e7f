from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from actions.selectors import organization_actions, render_actions_csv, roadmap
from actions.services import action_set_status
from tests.actions.helpers import BRAND, FEEDBACK, plan

pytestmark = pytest.mark.django_db


def test_csv_exactly(taxonomy, assessment, owner):
    """Section 10's header, benefits joined by ';' as paths, dates YYYY-MM-DD, empty when missing."""
    plan(assessment, title="Sessions, monthly", paths=(FEEDBACK, BRAND), due=date(2027, 3, 31))
    done = plan(assessment, title="Brand guide", paths=(BRAND,), owner_user=owner)
    action_set_status(action=done, status="done")
    today = timezone.localdate().isoformat()
    assert render_actions_csv(organization_actions(organization=assessment.organization)) == (
        "title,benefits,owner,due,status,assessment,created,done\n"
        f'"Sessions, monthly",{BRAND};{FEEDBACK},Dana,2027-03-31,planned,Baseline,{today},\n'
        f"Brand guide,{BRAND},olivia,,done,Baseline,{today},{today}\n"
    )


@pytest.mark.parametrize("username", ["-1+1@example.org", "+cmd@example.org", "=HYPERLINK(1)", "@SUM(1)"])
def test_an_owners_username_that_would_start_a_formula_is_text_in_the_csv(taxonomy, assessment, username):
    """Usernames are not checked like names at input (an address may start with - or +): defused in the file."""
    from tests.factories import MembershipFactory, UserFactory

    user = MembershipFactory(organization=assessment.organization, user=UserFactory(username=username)).user
    plan(assessment, title="Sessions", paths=(BRAND,), owner_user=user)
    row = render_actions_csv(organization_actions(organization=assessment.organization)).splitlines()[1]
    assert row.split(",")[2] == "'" + username


def test_export_actions_gives_the_same_bytes(taxonomy, assessment, tmp_path):
    """export_actions writes the page's CSV, to standard output or -o FILE."""
    plan(assessment, due=date(2027, 1, 2))
    expected = render_actions_csv(organization_actions(organization=assessment.organization))
    out = StringIO()
    call_command("export_actions", organization="Acme", stdout=out)
    assert out.getvalue() == expected
    target = tmp_path / "a.csv"
    call_command("export_actions", organization="Acme", output=str(target), stderr=StringIO())
    assert target.read_bytes() == expected.encode()


def test_export_actions_unknown_organization(db):
    """An unknown organization is an error that names it."""
    from common.commands import InputError

    with pytest.raises(InputError, match="unknown organization 'Nope'"):
        call_command("export_actions", organization="Nope")


def test_organization_actions_query_count(taxonomy, assessment, django_assert_num_queries):
    """Two queries however many actions: the actions with owner and round, and their benefits."""
    for i in range(5):
        plan(assessment, title=f"A{i}")
    with django_assert_num_queries(2):
        render_actions_csv(organization_actions(organization=assessment.organization))


def test_roadmap_by_quarter(taxonomy, assessment):
    """Quarters in order, then the actions without a due date; dropped actions left out."""
    plan(assessment, title="Q2", due=date(2027, 4, 1))
    plan(assessment, title="Q1", due=date(2027, 3, 31))
    plan(assessment, title="None")
    action_set_status(action=plan(assessment, title="Gone", due=date(2027, 1, 1)), status="dropped")
    quarters = roadmap(organization_actions(organization=assessment.organization))
    assert [(q.label, [a.title for a in q.actions]) for q in quarters] == [
        ("2027, quarter 1", ["Q1"]),
        ("2027, quarter 2", ["Q2"]),
        ("No due date", ["None"]),
    ]
