"""``manage.py invite`` (contract §3)."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from assessments.models import Assessment
from common.commands import InputError
from responses.models import Invitation
from responses.selectors import invitation_for_token
from tests.command_helpers import manage_py

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def invite(*args: str) -> tuple[list[str], str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("invite", *args, stdout=out, stderr=err)
    return out.getvalue().splitlines(), err.getvalue()


def test_creates_n_links_and_the_organization_and_open_assessment_when_missing(taxonomy):
    """One link path per line on stdout, each opening its own invitation; messages on stderr only."""
    links, err = invite("--organization", "Acme", "--assessment", "Baseline 2026", "--count", "3")
    assert len(links) == 3 and len(set(links)) == 3
    assessment = Assessment.objects.get(organization__name="Acme", title="Baseline 2026")
    assert assessment.is_open
    for link in links:
        match = re.fullmatch(r"/i/([A-Za-z0-9_-]{43})/", link)
        assert match
        assert invitation_for_token(match.group(1)).assessment == assessment
    assert "Created 3 invitations" in err and "(open)" in err


def test_an_existing_assessment_gets_more_links_and_base_url_makes_them_absolute(taxonomy):
    invite("--organization", "Acme", "--assessment", "Baseline", "--count", "1")
    links, err = invite(
        "--organization", "Acme", "--assessment", "Baseline", "--count", "2", "--base-url", "https://hp.example.org/"
    )
    assert all(re.fullmatch(r"https://hp\.example\.org/i/[A-Za-z0-9_-]{43}/", link) for link in links)
    assert Assessment.objects.count() == 1 and Invitation.objects.count() == 3
    assert "Created the assessment" not in err


def test_a_closed_assessment_is_refused_and_gets_no_links(taxonomy):
    """Contract §11: every path refuses a closed assessment (nobody can answer it any more)."""
    invite("--organization", "Acme", "--assessment", "Baseline", "--count", "1")
    Assessment.objects.update(status="closed")
    with pytest.raises(InputError, match="is closed"):
        invite("--organization", "Acme", "--assessment", "Baseline", "--count", "1")
    assert Invitation.objects.count() == 1


@pytest.mark.parametrize("count", ["0", "-2", "abc", "2.5", "", "100001"])
def test_a_bad_count_is_a_clear_error_and_creates_nothing(count):
    with pytest.raises(InputError, match="--count"):
        invite("--organization", "Acme", "--assessment", "Baseline", "--count", count)
    assert not Assessment.objects.exists() and not Invitation.objects.exists()


@pytest.mark.parametrize("url", ["ftp://x.org", "hp.example.org", "https://x.org/?a=1"])
def test_a_bad_base_url_is_a_clear_error(url):
    with pytest.raises(InputError, match="--base-url"):
        invite("--organization", "Acme", "--assessment", "Baseline", "--count", "1", "--base-url", url)
    assert not Invitation.objects.exists()


def test_from_the_command_line_a_bad_count_exits_non_zero_with_the_message_on_stderr(taxonomy, capsys, monkeypatch):
    """As a shell runs it: exit 1, the message alone on stderr (no traceback), nothing on stdout."""
    names = ("--organization", "A", "--assessment", "B")
    code, out, err = manage_py(capsys, monkeypatch, "invite", *names, "--count", "zero")
    assert code == 1 and out == ""
    assert err.strip() == "--count: 'zero' is not a whole number; give how many invitations to create"
    code, out, err = manage_py(capsys, monkeypatch, "invite", *names, "--count", "2")
    assert code == 0 and len(out.splitlines()) == 2
    assert "Created 2 invitations" in err


def test_a_real_process_exits_non_zero_with_the_bare_message():
    """The smoke test of invite and import: manage.py itself, in its own process, before any table is read."""
    env = {"DJANGO_DEBUG": "1", "DATABASE_URL": "sqlite:///:memory:", "PATH": "/usr/bin:/bin"}
    argv = ["invite", "--organization", "A", "--assessment", "B", "--count", "zero"]
    bad = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *argv],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1 and bad.stdout == ""
    assert bad.stderr.strip() == "--count: 'zero' is not a whole number; give how many invitations to create"


def test_previous_names_the_previous_round_of_the_assessment_it_creates_or_fills(taxonomy):
    """A new assessment, and an existing one, take the named earlier assessment as their previous round."""
    invite("--organization", "Acme", "--assessment", "Baseline", "--count", "1")
    invite("--organization", "Acme", "--assessment", "Follow-up", "--count", "1", "--previous", "Baseline")
    baseline = Assessment.objects.get(title="Baseline")
    assert Assessment.objects.get(title="Follow-up").previous == baseline
    invite("--organization", "Acme", "--assessment", "Pulse", "--count", "1")
    invite("--organization", "Acme", "--assessment", "Pulse", "--count", "1", "--previous", "Baseline")
    assert Assessment.objects.get(title="Pulse").previous == baseline


@pytest.mark.parametrize("previous", ["Nowhere", "Later", "Baseline"])
def test_a_previous_that_is_not_an_earlier_assessment_is_an_error_and_creates_nothing(taxonomy, previous):
    """Unknown, later or the assessment itself: a ``--previous:`` error, no link, nothing changed."""
    invite("--organization", "Acme", "--assessment", "Baseline", "--count", "1")
    invite("--organization", "Acme", "--assessment", "Later", "--count", "1")
    with pytest.raises(InputError, match="^--previous: "):
        invite("--organization", "Acme", "--assessment", "Baseline", "--count", "2", "--previous", previous)
    assert Invitation.objects.count() == 2
    assert Assessment.objects.get(title="Baseline").previous is None
    with pytest.raises(InputError, match="^--previous: "):
        invite("--organization", "Acme", "--assessment", "New", "--count", "2", "--previous", "Nowhere")
    assert not Assessment.objects.filter(title="New").exists()


@pytest.mark.parametrize("way", ["count", "emails"])
def test_invite_on_a_closed_assessment_is_a_clear_error_and_creates_nothing(taxonomy, tmp_path, way):
    """Links or e-mails: the service's refusal, saying why and what to do instead; no invitation, no e-mail."""
    from responses.models import InvitationEmail

    invite("--organization", "Acme", "--assessment", "Baseline", "--count", "1")
    Assessment.objects.update(status="closed")
    addresses = tmp_path / "emails.csv"
    addresses.write_text("email\nann@example.org\n", encoding="utf-8")
    args = ["--count", "2"] if way == "count" else ["--emails", str(addresses), "--base-url", "https://hp.example.org"]
    with pytest.raises(InputError) as refused:
        invite("--organization", "Acme", "--assessment", "Baseline", *args)
    message = str(refused.value)
    assert message.startswith("Acme – Baseline is closed: it takes no more answers")
    assert "invite people to the next round instead" in message and "[" not in message
    assert Invitation.objects.count() == 1 and not InvitationEmail.objects.exists()
