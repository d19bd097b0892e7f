from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import OperationalError, connections

from organizations.models import Membership
from tests.factories import AssessmentFactory, MembershipFactory, OrganizationFactory, UserFactory
from tests.manage_helpers import as_user
from tests.responses.mail_helpers import start_smtp


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Each test starts with no kept tallies and an empty cache: a rolled-back test database hands out the same ids
    again, so what an earlier test kept under an assessment's key would be taken for this one's."""
    from django.core.cache import cache

    from assessments.selectors import questionnaires_forget
    from reports.aggregates import atoms_forget

    atoms_forget()
    questionnaires_forget()
    cache.clear()
    yield
    atoms_forget()
    questionnaires_forget()
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in English. The test client's LocaleMiddleware activates a page's language in the
    thread and nothing deactivates it, so a German request would leave German on for the tests after it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


TAXONOMY_MODELS = ("Concept", "Scope", "Benefit", "Question")


@pytest.fixture(scope="session")
def _taxonomy_rows(django_db_setup, django_db_blocker) -> dict:
    """The canonical taxonomy's rows, made once per session by `load_taxonomy` itself, then kept in memory.

    Loading it (parsing the YAML, wording 122 questions in every language) costs about 65 ms, and most
    tests want it; copying its rows back costs a few. The tables are emptied again at once, so a test
    that does not ask for the taxonomy still starts without one.
    """
    from taxonomy import models

    with django_db_blocker.unblock():
        call_command("load_taxonomy", verbosity=0)
        rows = {}
        for name in TAXONOMY_MODELS:
            model = getattr(models, name)
            columns = [f.attname for f in model._meta.concrete_fields]
            # Parents before their children, so every row's parent is there when it comes back.
            order = ["depth", "pk"] if name == "Benefit" else ["pk"]
            rows[name] = (columns, list(model.objects.order_by(*order).values_list(*columns)))
        for name in reversed(TAXONOMY_MODELS):
            model = getattr(models, name)
            if name == "Benefit":
                for depth in sorted(set(model.objects.values_list("depth", flat=True)), reverse=True):
                    model.objects.filter(depth=depth).delete()
            else:
                model.objects.all().delete()
    return rows


@pytest.fixture
def taxonomy(db, _taxonomy_rows):
    """The canonical taxonomy and its 122 questions, as `load_taxonomy` leaves them (the same ids every time)."""
    from taxonomy import models

    for name in TAXONOMY_MODELS:
        model = getattr(models, name)
        columns, rows = _taxonomy_rows[name]
        model.objects.bulk_create(model(**dict(zip(columns, row, strict=True))) for row in rows)


# --- The owners' pages: Acme, its owner Olivia, its assessment "Baseline" ---


@pytest.fixture
def org():
    return OrganizationFactory(name="Acme", slug="acme")


@pytest.fixture
def owner(org):
    return MembershipFactory(organization=org, role=Membership.Role.OWNER, user=UserFactory(username="olivia")).user


@pytest.fixture
def assessment(org):
    return AssessmentFactory(organization=org, title="Baseline", slug="baseline", threshold=1.0)


@pytest.fixture(params=["owner", "superuser"])
def manager(request, client, owner):
    """An owner of Acme, or a superuser who is no member of it: both may manage."""
    user = owner if request.param == "owner" else UserFactory(username="sam", is_staff=True, is_superuser=True)
    return as_user(client, user)


@pytest.fixture(params=["analyst", "respondent", "other_org", "staff"])
def outsider(request, client, org):
    """Acme's analyst or respondent, an owner of another organization, or staff without permissions: none may manage."""
    if request.param == "other_org":
        user = MembershipFactory(role=Membership.Role.OWNER).user
    elif request.param == "staff":
        user = UserFactory(is_staff=True)
    else:
        user = MembershipFactory(organization=org, role=request.param).user
    return as_user(client, user)


# --- A database that stops answering ---


class DatabaseOutage:
    """Every query fails as it does while the database restarts, until :meth:`end`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self._monkeypatch = monkeypatch

    def begin(self) -> None:
        def refuse(*args, **kwargs):
            raise OperationalError("connection refused: the database system is shutting down")

        # Every query of the default connection opens it first, so this is where a real outage surfaces.
        self._monkeypatch.setattr(connections["default"], "ensure_connection", refuse)

    def end(self) -> None:
        self._monkeypatch.undo()


@pytest.fixture
def database_outage(db, monkeypatch) -> DatabaseOutage:
    """``.begin()`` makes the database unreachable (after the test's own setup), ``.end()`` brings it back."""
    return DatabaseOutage(monkeypatch)


@pytest.fixture
def smtp(settings):
    """A real SMTP server on 127.0.0.1 that the mail backend sends to; yields its inbox. No wait between retries."""
    controller, inbox = start_smtp()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_RETRY_SECONDS = 0
    yield inbox
    controller.stop()
