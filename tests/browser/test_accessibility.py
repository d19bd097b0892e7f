"""axe-core on every page a person meets, at desktop and phone width; keyboard, zoom and WCAG 2.2 checks.

The pages are data: :data:`PAGES` lists each as a name, who is logged in and
how to build its URL from the seeded :class:`Site` (and, for a page that is
the answer to a form, what to do on the page first). A page added later is
one more line there.

One database for the whole module, seeded once (the demo organization and a
few more rows) behind the session's live server: pytest-django's per-test
helper would flush it after each of the ~90 runs, so this module replaces
that helper (:func:`_live_server_helper`) and leaves the database flushed at
its end, as every transactional test does.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.management import call_command

from tests.browser.helpers import PASSWORD, log_in

pytestmark = [pytest.mark.browser]

# Fail on these; print the rest. axe's "minor" and "moderate" are best practice or worth a look, not AA failures.
BLOCKING = {"serious", "critical"}
# WCAG 2.0-2.2 A and AA, plus axe's best practices (printed only unless serious).
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
    "resultTypes": ["violations"],
}
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@dataclass(frozen=True)
class Site:
    """What the URLs are built from: slugs, primary keys and the invitation tokens made for each state."""

    org: str
    baseline: str  # closed, answered, with a department segment and actions
    follow_up: str  # closed, answered, has the trend since the baseline
    pulse: str  # open: the respondents' round
    tokens: dict[str, str]
    join_token: str
    member_pk: int
    invitation_pk: int
    action_pk: int
    confirm_key: str  # an unconfirmed sign-up's e-mail confirmation
    reset_key: str  # a password reset link's "uidb36-key"
    split_section: int  # the page of a section's second part (a section of over 20 benefits is split)


@dataclass(frozen=True)
class Page:
    name: str
    url: Callable[[Site], str]
    user: str | None = None  # a key of USERS, or None for nobody logged in
    then: Callable | None = None  # (page) -> None: what to do first, for a page that answers a form
    status: int = 200  # of the GET, before ``then``
    settings: dict = field(default_factory=dict)  # overridden while the page is opened (the live server shares them)


def _submit(label: str, fields: dict[str, str] | None = None) -> Callable:
    """Fill the fields (by CSS selector) and press the button: for a page that is the answer to a form."""

    def act(page) -> None:
        for selector, value in (fields or {}).items():
            page.locator(selector).fill(value)
        with page.expect_navigation():
            page.get_by_role("button", name=label).click()

    return act


def _post(page) -> None:
    """POST the page's URL as its form would: the same answer, whichever width asks first."""
    page.evaluate(
        """() => { const f = document.createElement('form'); f.method = 'post';
                   f.innerHTML = '<button id="hp-post">Post</button>'; document.body.append(f); }"""
    )
    with page.expect_navigation():
        page.locator("#hp-post").click()


def _open_details(page) -> None:
    """Unfold every <details>, so the tables behind "Show as table" are checked too."""
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    page.wait_for_timeout(50)  # the scroll regions update on the next frame


def _tampered_answer(page) -> None:
    """Send a value off the scale, as a tampered page would: the section comes back with its errors."""
    page.locator("input[type=radio]").first.evaluate("el => { el.checked = true; el.value = '9'; }")
    with page.expect_navigation():
        page.get_by_role("button", name="Save and continue").click()


def _hide_a_comment(page) -> None:
    """An owner hides the first comment shown, with a reason: the page comes back with it among the hidden."""
    page.locator("input[name=reason]").first.fill("Names a colleague")
    with page.expect_navigation():
        page.get_by_role("button", name="Hide this comment").first.click()


def _send_again(page) -> None:
    """ "Send again" to the first e-mailed invitation that offers it (after one width, the message says why not)."""
    with page.expect_navigation():
        page.get_by_role("button", name="Send again to").first.click()


def _locked_out(page) -> None:
    for _ in range(6):
        _submit("Log in", {"#id_username": "forgetful", "#id_password": "wrong"})(page)
        if page.get_by_role("heading", name="Too many failed log-in attempts").count():
            return
    raise AssertionError("no lockout page after six wrong passwords")


def _report_as_it_opens(page) -> None:
    """The seed holds what the page is about: targets on the maturity picture, and comments shown."""
    assert page.locator("svg.maturity .mt-flag").count() >= 1
    assert page.locator("#comments li.comment").count() >= 10
    assert page.get_by_role("link", name="Download PDF").count() == 1


def _back_to_the_review(page) -> None:
    assert page.get_by_role("button", name="Save and back to the review").count() == 1


def _second_part(page) -> None:
    assert ", part 2 of " in page.locator("h1").inner_text()


def _api_docs_drawn(page) -> None:
    """Swagger UI draws the documentation from the description after the page loads."""
    page.locator(".swagger-ui .opblock-summary-path").first.wait_for()


def _api_operation_open(page) -> None:
    """One operation unfolded: its parameters, responses and "Try it out"."""
    _api_docs_drawn(page)
    page.locator(".swagger-ui .opblock-summary-control").nth(2).click()
    page.locator(".swagger-ui .opblock-body .responses-wrapper").first.wait_for()


OPEN = {"SIGNUP": "open"}


def _manage(s: Site, rest: str = "") -> str:
    return f"/o/{s.org}/manage/{rest}"


def _assessment(s: Site, slug: str, rest: str) -> str:
    return f"/o/{s.org}/manage/assessments/{slug}/{rest}"


def _report(s: Site, slug: str, query: str = "") -> str:
    return f"/o/{s.org}/{slug}/report/{query}"


PAGES: list[Page] = [
    # Accounts
    Page("login", lambda s: "/accounts/login/"),
    Page("login-error", lambda s: "/accounts/login/", then=_submit("Log in", {"#id_username": "nobody"})),
    Page("lockout", lambda s: "/accounts/login/", then=_locked_out),
    Page("join", lambda s: f"/join/{s.join_token}/"),
    Page("password-change", lambda s: "/accounts/password/", "owner"),
    Page("password-change-done", lambda s: "/accounts/password/done/", "owner"),
    # Sign-up, confirming the address and resetting the password (django-allauth, in our templates)
    Page("signup-closed", lambda s: "/accounts/signup/"),
    Page("signup", lambda s: "/accounts/signup/", settings=OPEN),
    Page(
        "signup-error",
        lambda s: "/accounts/signup/",
        then=_submit("Create the account", {"input[name=email]": "not an address", "input[name=password1]": "x"}),
        settings=OPEN,
    ),
    Page("verification-sent", lambda s: "/accounts/confirm-email/", settings=OPEN),
    Page("confirm-email", lambda s: f"/accounts/confirm-email/{s.confirm_key}/", settings=OPEN),
    Page("confirm-email-invalid", lambda s: "/accounts/confirm-email/no-such-key/", settings=OPEN),
    Page("account-inactive", lambda s: "/accounts/inactive/"),
    Page("password-reset", lambda s: "/accounts/password/reset/"),
    Page(
        "password-reset-error",
        lambda s: "/accounts/password/reset/",
        then=_submit("E-mail me a link", {"input[name=email]": "not an address"}),
    ),
    Page("password-reset-done", lambda s: "/accounts/password/reset/done/"),
    Page("password-reset-key", lambda s: f"/accounts/password/reset/key/{s.reset_key}/"),
    Page("password-reset-key-invalid", lambda s: "/accounts/password/reset/key/1-no-such-key/"),
    Page("password-reset-key-done", lambda s: "/accounts/password/reset/key/done/"),
    # The API: personal tokens (and one just created, shown once) and the documentation (Swagger UI)
    Page("api-tokens", lambda s: "/accounts/tokens/", "owner"),
    Page(
        "api-token-created", lambda s: "/accounts/tokens/", "owner", then=_submit("Create token", {"#id_name": "Board"})
    ),
    Page("api-docs", lambda s: "/api/v1/docs", then=_api_docs_drawn),
    Page("api-docs-operation", lambda s: "/api/v1/docs", then=_api_operation_open),
    # The guidance
    Page("home", lambda s: "/"),
    Page("benefit", lambda s: "/benefits/social-networking/internal/improved-relationships/"),
    Page("benefit-sub", lambda s: "/benefits/social-networking/internal/improved-relationships/personal/"),
    # The owner's pages
    Page("assessments", lambda s: "/assessments/", "owner"),
    Page("organization-new", lambda s: "/organizations/new/", "owner"),
    Page(
        "organization-new-error",
        lambda s: "/organizations/new/",
        "owner",
        then=_submit("Create the organization", {"#id_name": ""}),
    ),
    Page("overview", lambda s: _manage(s), "owner"),
    Page("members", lambda s: _manage(s, "members/"), "owner"),
    Page("settings", lambda s: _manage(s, "settings/"), "owner"),
    Page("member-remove", lambda s: _manage(s, f"members/{s.member_pk}/remove/"), "owner"),
    Page("assessment-new", lambda s: _manage(s, "assessments/new/"), "owner"),
    Page("assessment-edit", lambda s: _manage(s, f"assessments/{s.pulse}/edit/"), "owner"),
    Page("next-round", lambda s: _manage(s, f"assessments/{s.pulse}/next-round/"), "owner"),
    Page("close", lambda s: _assessment(s, s.pulse, "close/"), "owner"),
    Page("segments", lambda s: _manage(s, f"assessments/{s.baseline}/segments/"), "owner"),
    Page("invitations", lambda s: _assessment(s, s.pulse, "invitations/"), "owner"),
    Page(
        "invitations-created",
        lambda s: _assessment(s, s.pulse, "invitations/"),
        "owner",
        then=_submit("Create invitations", {"#id_count": "2", "#id_label": "Marketing"}),
    ),
    Page("invitation-revoke", lambda s: _assessment(s, s.pulse, f"invitations/{s.invitation_pk}/revoke/"), "owner"),
    Page("email-invitations", lambda s: _assessment(s, s.pulse, "invitations/email/"), "owner"),
    Page(
        "email-preview",
        lambda s: _assessment(s, s.pulse, "invitations/email/"),
        "owner",
        then=_submit("Preview", {"#id_addresses": "ann@example.org\nbob@example.org"}),
    ),
    Page("invitation-sent-again", lambda s: _assessment(s, s.pulse, "invitations/"), "owner", then=_send_again),
    Page("reminders", lambda s: _assessment(s, s.pulse, "invitations/reminders/"), "owner"),
    Page("reminders-days", lambda s: _assessment(s, s.pulse, "invitations/reminders/?min_days=0"), "owner"),
    Page(
        "reminders-days-error",
        lambda s: _assessment(s, s.pulse, "invitations/reminders/?min_days=-1"),
        "owner",
        status=400,
    ),
    # The report, every <details> unfolded: what a folded page shows is checked too, and the tables behind
    # "Show as table" as well.
    Page("report", lambda s: _report(s, s.baseline), "analyst", then=_open_details),
    Page("report-segment", lambda s: _report(s, s.baseline, "?segment=department"), "analyst", then=_open_details),
    Page("report-trend", lambda s: _report(s, s.follow_up), "analyst", then=_open_details),
    Page("report-withheld", lambda s: _report(s, s.pulse), "analyst"),
    # As it opens (summary, maturity picture against the targets, the details folded), for an owner, who also
    # has the links to change the targets and hide a comment; the comments' sections hold 10 or more commenters.
    Page("report-folded", lambda s: _report(s, s.baseline), "owner", then=_report_as_it_opens),
    Page("targets", lambda s: _report(s, s.baseline, "targets/"), "owner"),
    Page("comments", lambda s: _report(s, s.baseline, "comments/"), "owner"),
    Page("comment-hidden", lambda s: _report(s, s.baseline, "comments/"), "owner", then=_hide_a_comment),
    # The actions
    Page("actions", lambda s: f"/o/{s.org}/actions/", "owner"),
    Page("roadmap", lambda s: f"/o/{s.org}/actions/roadmap/", "owner", then=_open_details),
    Page("roadmap-round", lambda s: f"/o/{s.org}/actions/roadmap/?round={s.baseline}", "owner"),
    Page("action-new", lambda s: f"/o/{s.org}/actions/new/", "owner"),
    Page("action-edit", lambda s: f"/o/{s.org}/actions/{s.action_pk}/edit/", "owner"),
    Page("action-delete", lambda s: f"/o/{s.org}/actions/{s.action_pk}/delete/", "owner"),
    # The respondent's pages
    Page("intro", lambda s: f"/i/{s.tokens['fresh']}/"),
    Page("intro-about", lambda s: f"/i/{s.tokens['started']}/?about=1"),
    Page("section-1", lambda s: f"/i/{s.tokens['started']}/section/1/"),
    Page("section-error", lambda s: f"/i/{s.tokens['started']}/section/2/", then=_tampered_answer),
    Page("section-6", lambda s: f"/i/{s.tokens['started']}/section/6/"),
    Page("section-part-2", lambda s: f"/i/{s.tokens['started']}/section/{s.split_section}/", then=_second_part),
    Page("section-from-review", lambda s: f"/i/{s.tokens['started']}/section/2/?from=review", then=_back_to_the_review),
    Page("review", lambda s: f"/i/{s.tokens['started']}/review/"),
    Page("withdraw", lambda s: f"/i/{s.tokens['started']}/withdraw/"),
    Page("thank-you", lambda s: f"/i/{s.tokens['submitted']}/done/"),
    Page("closed", lambda s: f"/i/{s.tokens['closed']}/", status=403),
    Page("opt-out", lambda s: f"/i/{s.tokens['opt_out']}/opt-out/"),
    Page(
        "opted-out",
        lambda s: f"/i/{s.tokens['opt_out']}/opt-out/",
        then=_post,
    ),
    Page("link-invalid", lambda s: "/i/no-such-token/", status=404),
    # The error pages
    Page("404", lambda s: "/no-such-page/", status=404),
    Page("403", lambda s: "/admin/organizations/memberinvitation/add/", "root", status=403),
]

USERS = {"owner": "olivia", "analyst": "anna", "root": "root"}


@dataclass
class Seeded:
    base: str
    site: Site
    states: dict[str, dict] = field(default_factory=dict)  # a logged-in user's cookies, by key of USERS


def _seed() -> Site:
    from datetime import timedelta

    from allauth.account.forms import default_token_generator
    from allauth.account.models import EmailAddress, EmailConfirmationHMAC
    from allauth.account.utils import user_pk_to_url_str
    from django.utils import timezone

    from actions.services import action_create
    from assessments.models import Assessment
    from assessments.selectors import assessment_questionnaire
    from common.tokens import hash_token
    from demo.services import demo_seed
    from organizations.models import MemberInvitation, Membership
    from organizations.services import member_invitation_create
    from responses.mail.recipients import Recipient
    from responses.mail.services import default_message, default_subject, invitations_email
    from responses.models import Invitation, InvitationEmail, InvitationOptOutToken
    from responses.respond.services import Rating, response_section_save, response_start, response_submit
    from taxonomy.models import Benefit
    from tests.factories import MembershipFactory, UserFactory

    call_command("load_taxonomy", verbosity=0, stdout=io.StringIO(), stderr=io.StringIO())
    demo = demo_seed()
    baseline = demo.assessment
    org = baseline.organization
    follow_up = Assessment.objects.get(organization=org, title="Follow-up 2027")
    pulse = Assessment.objects.get(organization=org, title="Pulse 2027")
    owner = UserFactory(username=USERS["owner"])
    MembershipFactory(user=owner, organization=org, role=Membership.Role.OWNER)
    MembershipFactory(user=UserFactory(username=USERS["analyst"]), organization=org, role=Membership.Role.ANALYST)
    member = MembershipFactory(user=UserFactory(username="rafael"), organization=org, role=Membership.Role.RESPONDENT)
    UserFactory(username=USERS["root"], is_staff=True, is_superuser=True)

    invitation = member_invitation_create(
        organization=org, email="dana@example.org", role="analyst", invited_by=owner, base_url="http://testserver"
    )
    MemberInvitation.objects.filter(pk=invitation.pk).update(
        token_hash=hash_token("join-token"), status=MemberInvitation.Status.SENT, claimed_at=timezone.now()
    )

    fresh, started, submitted, opt_out, keyboard = demo.tokens
    questionnaire = assessment_questionnaire(assessment=pulse)
    first = questionnaire.benefits[0]
    draft, _ = response_start(assessment=pulse, invitation=Invitation.objects.get(token_hash=hash_token(started)))
    response_section_save(
        response=draft,
        ratings=[Rating(first.id, q.dimension, 4) for q in first.questions],
        revision=None,
        current_section=1,
    )
    done, _ = response_start(assessment=pulse, invitation=Invitation.objects.get(token_hash=hash_token(submitted)))
    response_submit(response=done)
    # E-mailed invitations whose first e-mail went five days ago: the list offers "Send again", reminders are due,
    # and the first has an opt-out link. One more than the three widths that each "Send again" to one.
    addresses = ["ann@example.org", "bob@example.org", "cy@example.org", "dee@example.org", "eve@example.org"]
    invitations_email(
        assessment=pulse,
        recipients=[Recipient(email=a) for a in addresses],
        subject=default_subject(pulse),
        message=default_message(pulse),
        base_url="http://testserver",
    )
    e_mailed = Invitation.objects.filter(assessment=pulse, email__in=addresses)
    e_mailed.update(emails_sent=1, last_sent_at=timezone.now() - timedelta(days=5))
    InvitationEmail.objects.filter(invitation__in=e_mailed).update(status=InvitationEmail.Status.SENT)
    InvitationOptOutToken.objects.create(
        invitation=e_mailed.get(email=addresses[0]), token_hash=hash_token("opt-out-token")
    )
    # A link to a closed round (no service invites to one).
    Invitation.objects.create(assessment=baseline, token_hash=hash_token("closed-token"))

    # A sign-up waiting for its confirmation, and a password reset link for the owner (allauth's keys).
    signed_up = UserFactory(username="sam@example.org", email="sam@example.org")
    address = EmailAddress.objects.create(user=signed_up, email=signed_up.email, primary=True, verified=False)
    owner.email = "olivia@example.org"
    owner.save(update_fields=["email"])
    EmailAddress.objects.create(user=owner, email=owner.email, primary=True, verified=True)

    ids = [b.id for b in assessment_questionnaire(assessment=baseline).benefits[:3]]
    benefits = sorted(Benefit.objects.filter(pk__in=ids), key=lambda b: ids.index(b.pk))
    action = action_create(
        organization=org,
        assessment=baseline,
        title="Monthly feedback sessions",
        benefits=[benefits[0]],
        description="Ask each team what helped.",
        owner_user=owner,
    )
    action_create(
        organization=org,
        assessment=baseline,
        title="A shared calendar",
        benefits=benefits[1:3],
        owner_name="Team leads",
    )
    return Site(
        org=org.slug,
        baseline=baseline.slug,
        follow_up=follow_up.slug,
        pulse=pulse.slug,
        tokens={
            "fresh": fresh,
            "started": started,
            "submitted": submitted,
            "opt_out": "opt-out-token",
            "closed": "closed-token",
            "keyboard": keyboard,
        },
        join_token="join-token",
        member_pk=member.pk,
        invitation_pk=Invitation.objects.filter(assessment=pulse, submitted=False).order_by("-pk").first().pk,
        action_pk=action.pk,
        confirm_key=EmailConfirmationHMAC(address).key,
        reset_key=f"{user_pk_to_url_str(owner)}-{default_token_generator.make_token(owner)}",
        split_section=next(i for i, page in enumerate(questionnaire.paged().sections, 1) if page.part > 1),
    )


@pytest.fixture(autouse=True)
def _live_server_helper():
    """This module's stand-in for pytest-django's: no flush after each test, so the seed is made once.

    (pytest-django's helper requests ``transactional_db`` for every test that uses the live server,
    which empties the database after it.) :func:`seeded` enables the live server's settings instead.
    """
    yield


@pytest.fixture(scope="module")
def seeded(browser, live_server, django_db_setup, django_db_blocker):
    """The seeded database behind the live server, and each user's logged-in cookies; flushed at the end."""
    with django_db_blocker.unblock():
        live_server._live_server_modified_settings.enable()
        try:
            seeded = Seeded(base=live_server.url, site=_seed())
            for key, username in USERS.items():
                context = browser.new_context()
                log_in(context.new_page(), seeded.base, username, PASSWORD)
                seeded.states[key] = context.storage_state()
                context.close()
            yield seeded
        finally:
            call_command("flush", interactive=False, verbosity=0)
            live_server._live_server_modified_settings.disable()


def _context(browser, seeded: Seeded, width: str, user: str | None, **overrides):
    options = {"viewport": WIDTHS[width], "device_scale_factor": 2 if width == "phone" else 1}
    if width == "phone":
        options["is_mobile"] = True
    if user is not None:
        options["storage_state"] = seeded.states[user]
    return browser.new_context(**(options | overrides))


def _open(page, seeded: Seeded, spec: Page) -> None:
    from django.test import override_settings

    with override_settings(**spec.settings):
        response = page.goto(seeded.base + spec.url(seeded.site))
        assert response.status == spec.status, (spec.name, response.status, page.url)
        if spec.then is not None:
            spec.then(page)


def _axe(page) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    return Axe().run(page, options=AXE_OPTIONS).response["violations"]


def wide_elements(page, width: int) -> list[str]:
    """What sticks out to the right of a window ``width`` wide (the innermost first), as tag.classes and right edge."""
    return page.evaluate(
        """width => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > width + 1
                         && !e.parentElement.closest('.table-responsive, [data-scroll-region]'))
            .reverse()
            .map(e => e.tagName + '.' + [...e.classList].join('.') + ' ' + Math.round(e.getBoundingClientRect().right))
            .slice(0, 6)""",
        width,
    )


def _describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"  {v['impact']}: {v['id']} ({len(v['nodes'])}) {v['help']}")
        for node in v["nodes"][:4]:
            lines.append(
                f"      {', '.join(str(t) for t in node['target'])}: {node['failureSummary'].splitlines()[-1]}"
            )
    return "\n".join(lines)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("spec", PAGES, ids=[p.name for p in PAGES])
def test_axe_finds_nothing_serious(browser, seeded, spec, width):
    """No serious or critical WCAG 2.2 AA violation; moderate ones are printed (run with -s to see them)."""
    context = _context(browser, seeded, width, spec.user)
    try:
        page = context.new_page()
        _open(page, seeded, spec)
        violations = _axe(page)
        blocking = [v for v in violations if v["impact"] in BLOCKING]
        others = [v for v in violations if v["impact"] not in BLOCKING]
        if others:
            print(f"\n{spec.name} at {width}: {len(others)} minor or moderate\n{_describe(others)}")
        assert not blocking, f"{spec.name} at {width} ({page.url}):\n{_describe(blocking)}"
        # 1.4.10 Reflow: nothing scrolls the page sideways (wide content scrolls in its own box).
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]["width"], wide_elements(
            page, WIDTHS[width]["width"]
        )
    finally:
        context.close()


# --- Beyond axe: the keyboard, 200% zoom and the WCAG 2.2 criteria an engine cannot see ---

# Where focus is after a key press, and whether a person can see it: "" when all is well, else what is wrong.
# A radio button of the survey is visually hidden (the label is the visible option), so its label stands in.
FOCUS_PROBLEM = """() => {
    const active = document.activeElement;
    if (!active || active === document.body) return 'nothing has focus';
    const shown = active.matches('input.btn-check') ? document.querySelector(`label[for="${active.id}"]`) : active;
    const name = shown.tagName + (shown.id ? '#' + shown.id : '') + ' ' + (shown.textContent || '').trim().slice(0, 40);
    const box = shown.getBoundingClientRect();
    const outside = box.bottom <= 0 || box.top >= innerHeight || box.right <= 0 || box.left >= innerWidth;
    if (outside) return 'off screen: ' + name;
    const x = Math.min(Math.max(box.left + box.width / 2, 1), innerWidth - 1);
    const y = Math.min(Math.max(box.top + box.height / 2, 1), innerHeight - 1);
    const hit = document.elementFromPoint(x, y);
    if (!hit || !(shown.contains(hit) || hit.contains(shown)))
        return 'hidden behind ' + (hit ? hit.tagName + '.' + hit.className : 'nothing') + ': ' + name;
    const style = getComputedStyle(shown);
    if (style.outlineStyle === 'none' && style.boxShadow === 'none') return 'no visible focus: ' + name;
    return '';
}"""


def _tab_to(page, condition: str, problems: list[str], limit: int = 80) -> None:
    """Press Tab until ``condition`` holds, noting every stop where focus is hidden or invisible (2.4.7, 2.4.11)."""
    for _ in range(limit):
        if page.evaluate(condition):
            return
        page.keyboard.press("Tab")
        if problem := page.evaluate(FOCUS_PROBLEM):
            problems.append(f"{page.url}: {problem}")
    raise AssertionError(f"Tab never reached {condition} on {page.url}")


def _button_is(text: str) -> str:
    return f"document.activeElement.tagName === 'BUTTON' && document.activeElement.textContent.trim() === {text!r}"


def test_a_whole_survey_by_keyboard_with_focus_always_in_sight(browser, seeded):
    """Intro (with its group question), every section, review, submit: Tab, arrows, Space, Enter; no mouse.

    At every stop the focused element is on screen, not covered by anything (WCAG 2.2's 2.4.11) and
    has a visible focus indicator. The group answered on the intro is not asked again (3.3.7).
    """
    # Reduced motion: Bootstrap's smooth scrolling only delays where focus lands, and the check looks at once.
    context = _context(browser, seeded, "desktop", None, reduced_motion="reduce")
    page = context.new_page()
    problems: list[str] = []
    url = f"{seeded.base}/i/{seeded.site.tokens['keyboard']}/"
    page.goto(url)
    _tab_to(page, "document.activeElement.tagName === 'SELECT'", problems)
    page.keyboard.press("ArrowDown")  # "Manager"
    assert page.evaluate("document.activeElement.selectedOptions[0].textContent.trim()") == "Manager"
    _tab_to(page, _button_is("Start"), problems)
    page.keyboard.press("Enter")
    page.wait_for_url("**/section/1/")
    page.goto(url + "?about=1")  # the intro again, as "About this survey" shows it: the group is not asked twice
    assert page.locator("main select").count() == 0  # the footer's language switcher is not a question
    page.goto(url + "section/1/")

    sections = 0
    while "/section/" in page.url:
        sections += 1
        groups = page.locator("fieldset.hp-q").count()
        for i in range(groups):
            _tab_to(page, "document.activeElement.type === 'radio'", problems)
            page.keyboard.press("Space")
            for _ in range(i % 6):  # 1 to 5, then "Don't know"
                page.keyboard.press("ArrowRight")
            page.keyboard.press("Tab")
            if problem := page.evaluate(FOCUS_PROBLEM):
                problems.append(f"{page.url}: {problem}")
        _tab_to(page, _button_is("Save and continue"), problems)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert sections < 20, "the sections never end"

    page.wait_for_url("**/review/")
    total = page.locator("#progress-text, .hp-progress-text").first.inner_text()
    _tab_to(page, _button_is("Submit my answers"), problems, limit=200)
    page.keyboard.press("Enter")
    page.wait_for_url("**/done/")
    assert page.get_by_role("heading", level=1).inner_text().endswith("Thank you: your answers are submitted"), total
    assert sections >= 6
    assert problems == [], problems[:10]
    context.close()


def test_every_page_fits_at_200_percent_zoom_and_needs_no_dragging(browser, seeded):
    """1280 px at 200% is 640 CSS px: no page scrolls sideways (1.4.10), nothing is draggable only (2.5.7)."""
    contexts: dict[str | None, object] = {}
    wide, draggable = [], []
    try:
        for spec in PAGES:
            if spec.user not in contexts:
                options = {"viewport": {"width": 640, "height": 450}, "device_scale_factor": 2}
                if spec.user is not None:
                    options["storage_state"] = seeded.states[spec.user]
                contexts[spec.user] = browser.new_context(**options)
            page = contexts[spec.user].new_page()
            _open(page, seeded, spec)
            if page.evaluate("document.documentElement.scrollWidth") > 640:
                wide.append((spec.name, wide_elements(page, 640)))
            # Every interaction is a click, a tap or a key: the pages register no drag of their own.
            if page.evaluate("document.querySelectorAll('[draggable=true], [ondragstart]').length"):
                draggable.append(spec.name)
            page.close()
    finally:
        for context in contexts.values():
            context.close()
    assert wide == []
    assert draggable == []


def test_logging_in_and_joining_need_no_memory_test(browser, seeded):
    """3.3.8: no puzzle or CAPTCHA, and the fields let a password manager fill them (autocomplete, paste)."""
    context = _context(browser, seeded, "desktop", None)
    page = context.new_page()
    expected = {
        "/accounts/login/": {"id_username": "username", "id_password": "current-password"},
        f"/join/{seeded.site.join_token}/": {"id_password1": "new-password", "id_password2": "new-password"},
    }
    for path, fields in expected.items():
        page.goto(seeded.base + path)
        for field_id, autocomplete in fields.items():
            field = page.locator(f"#{field_id}")
            assert field.get_attribute("autocomplete") == autocomplete, (path, field_id)
            # Pasting works: nothing on the page cancels a paste.
            cancelled = field.evaluate(
                """el => { const data = new DataTransfer(); data.setData('text/plain', 'x');
                           return !el.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true,
                                                                              cancelable: true})); }"""
            )
            assert not cancelled, (path, field_id)
        assert page.locator("iframe, [class*=captcha], [id*=captcha]").count() == 0, path
    # The invited address is the username: the join page shows it and asks only for a password (3.3.7).
    assert page.locator("input[type=email], #id_username, #id_email").count() == 0
    context.close()

    owner = _context(browser, seeded, "desktop", "owner")
    page = owner.new_page()
    page.goto(seeded.base + "/accounts/password/")
    assert page.locator("#id_old_password").get_attribute("autocomplete") == "current-password"
    assert page.locator("#id_new_password1").get_attribute("autocomplete") == "new-password"
    owner.close()


def test_every_chart_has_a_text_alternative_and_a_table(browser, seeded):
    """Each chart (an SVG with role img) is named, and its section (or folded part) holds a table with the figures."""
    context = _context(browser, seeded, "desktop", "analyst")
    page = context.new_page()
    s = seeded.site
    missing = []
    for path in (_report(s, s.baseline), _report(s, s.baseline, "?segment=department"), _report(s, s.follow_up)):
        page.goto(seeded.base + path)
        missing += page.evaluate(
            """() => {
                const hasTable = e => Boolean(e && e.querySelector('table'));
                const tabled = svg => {
                    const figure = svg.closest('figure');
                    return hasTable(figure) || hasTable(figure && figure.nextElementSibling)
                        || hasTable(svg.closest('section, details.report-fold'));
                };
                return [...document.querySelectorAll('svg[role=img]')]
                    .filter(svg => !svg.getAttribute('aria-labelledby') || !tabled(svg))
                    .map(svg => location.pathname + location.search + ' ' + svg.getAttribute('class'));
            }"""
        )
    context.close()
    assert missing == []


def test_a_wide_chart_scrolls_with_the_keyboard_on_a_phone(browser, seeded):
    """At 390 px the heatmap by group is wider than the screen: it is a named tab stop that arrow keys scroll."""
    context = _context(browser, seeded, "phone", "analyst")
    page = context.new_page()
    s = seeded.site
    page.goto(seeded.base + _report(s, s.baseline, "?segment=department"))
    region = page.locator("#groups figure.chart-heatmap")
    assert region.get_attribute("tabindex") == "0"
    assert page.get_by_role(
        "region", name="Chart: Gap by department and by concept and scope (scrolls sideways)"
    ).count()
    region.focus()
    page.keyboard.press("ArrowRight")
    # Polled from here: the page's Content-Security-Policy refuses the string a wait_for_function would evaluate.
    for _ in range(50):
        if region.evaluate("e => e.scrollLeft") > 0:
            break
        page.wait_for_timeout(100)
    assert region.evaluate("e => e.scrollLeft") > 0
    # On a desktop it fits, and is no extra tab stop.
    desktop = _context(browser, seeded, "desktop", "analyst")
    wide = desktop.new_page()
    wide.goto(page.url)
    assert wide.locator("#groups figure.chart-heatmap").get_attribute("tabindex") is None
    desktop.close()
    context.close()


TEXT_SPACING = """* { line-height: 1.5 !important; letter-spacing: .12em !important; word-spacing: .16em !important; }
p { margin-bottom: 2em !important; }"""


@pytest.mark.parametrize("name", ["intro", "section-6", "review", "login", "members", "action-new"])
def test_wider_text_spacing_breaks_nothing_on_a_phone(browser, seeded, name):
    """1.4.12: with WCAG's text spacing (a reader's own style sheet) nothing scrolls sideways or is cut off."""
    spec = next(p for p in PAGES if p.name == name)
    # The reader's style sheet is theirs, not the page's: the page's Content-Security-Policy does not apply.
    context = _context(browser, seeded, "phone", spec.user, bypass_csp=True)
    page = context.new_page()
    _open(page, seeded, spec)
    page.add_style_tag(content=TEXT_SPACING)
    assert page.evaluate("getComputedStyle(document.querySelector('h1')).letterSpacing") != "normal"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, wide_elements(page, 390)
    clipped = page.evaluate(
        """() => [...document.querySelectorAll('main *')]
            .filter(e => ['hidden', 'clip'].includes(getComputedStyle(e).overflowY)
                         && e.scrollHeight > e.clientHeight + 1 && !e.closest('.visually-hidden, .btn-check'))
            .map(e => e.tagName + '.' + [...e.classList].join('.'))"""
    )
    context.close()
    assert clipped == []
