"""Hardening: production settings, security headers, CSP, CSRF and error pages that leak nothing."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.test import Client
from django.urls import include, path, reverse

ROOT = Path(__file__).resolve().parents[1]
SECRET_MARK = "s3cr3t-internal-detail"


def _boom(request):
    raise RuntimeError(f"database password is {SECRET_MARK}")


def _forbidden(request):
    raise PermissionDenied(f"user lacks {SECRET_MARK}")


def _missing(request):
    raise Http404(f"No Assessment matches {SECRET_MARK}")


def _suspicious(request):
    raise SuspiciousOperation(f"tampered {SECRET_MARK}")


# A URLconf for the error-page tests: the project's own, plus views that fail on purpose.
urlpatterns = [
    path("boom/", _boom),
    path("forbidden/", _forbidden),
    path("missing/", _missing),
    path("suspicious/", _suspicious),
    path("", include("config.urls")),
]


def _production_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SECRET_KEY="x" * 10 + "-production-like-key-for-the-deploy-check-0123456789abcdef",
        DJANGO_ALLOWED_HOSTS="hp.example.org",
        **extra,
    )
    return env


def _settings_in(env: dict[str, str], *names: str) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {list(names)!r}}}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def test_check_deploy_gives_no_warnings_with_production_settings():
    """Debug off, key and hosts from the environment: `check --deploy` is clean even at WARNING level."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    """With debug off and no DJANGO_SECRET_KEY, settings raise instead of using a default."""
    env = _production_env()
    del env["DJANGO_SECRET_KEY"]
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_production_refuses_to_start_with_a_short_secret_key():
    """With debug off, a DJANGO_SECRET_KEY under 50 characters is refused with a message that says why."""
    env = {**_production_env(), "DJANGO_SECRET_KEY": "k" * 49}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is 49 characters long; it must have at least 50" in result.stderr
    env["DJANGO_SECRET_KEY"] = "k" * 50
    assert (
        subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True).returncode == 0
    )


def test_production_defaults_are_strict():
    """Prod defaults: HTTPS redirect, one-year HSTS with subdomains, secure cookies, DB sessions."""
    values = _settings_in(
        _production_env(),
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_ENGINE",
        "SECURE_PROXY_SSL_HEADER",
        "X_FRAME_OPTIONS",
    )
    assert values == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_ENGINE": "django.contrib.sessions.backends.db",
        "SECURE_PROXY_SSL_HEADER": None,
        "X_FRAME_OPTIONS": "DENY",
    }


def test_https_behaviour_is_configurable_for_a_proxy():
    """Behind a TLS-terminating proxy the redirect can be left to it and the proto header trusted."""
    values = _settings_in(
        _production_env(
            DJANGO_SECURE_SSL_REDIRECT="0",
            DJANGO_SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
            DJANGO_SECURE_HSTS_SECONDS="3600",
            DJANGO_PROXY_COUNT="1",
        ),
        "SECURE_SSL_REDIRECT",
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_HSTS_SECONDS",
        "AXES_IPWARE_PROXY_COUNT",
    )
    assert values == {
        "SECURE_SSL_REDIRECT": False,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SECURE_HSTS_SECONDS": 3600,
        "AXES_IPWARE_PROXY_COUNT": 1,
    }


def test_ssl_redirect_and_proxy_header(client, settings, db):
    """Plain HTTP is redirected to HTTPS, unless the trusted proxy says the client used HTTPS."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = client.get("/")
    assert response.status_code == 301 and response["Location"].startswith("https://")
    assert client.get("/", HTTP_X_FORWARDED_PROTO="https").status_code == 200


@pytest.mark.django_db
def test_security_headers_on_every_page(client):
    """CSP without unsafe-inline, frame denial, nosniff, referrer and opener policies."""
    response = client.get(reverse("accounts:login"))
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.fixture
def failing_urls(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__
    return Client(raise_request_exception=False)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "status", "heading"),
    [
        ("/boom/", 500, "Something went wrong on our side"),
        ("/forbidden/", 403, "You cannot do this"),
        ("/missing/", 404, "This page does not exist"),
        (f"/no-such-page-{SECRET_MARK}/", 404, "This page does not exist"),
        ("/suspicious/", 400, "This request could not be understood"),
    ],
)
def test_error_pages_are_styled_and_leak_nothing(failing_urls, url, status, heading):
    """400/403/404/500 use our templates and never echo the path, the exception or a traceback."""
    response = failing_urls.get(url)
    assert response.status_code == status
    html = response.content.decode()
    assert heading in html
    assert "bootstrap.min.css" in html
    assert SECRET_MARK not in html
    assert "Traceback" not in html and "Assessment matches" not in html
    assert "unsafe-inline" not in response.get("Content-Security-Policy", "")


@pytest.mark.django_db
def test_csrf_failure_page_is_ours_and_gives_no_reason(settings):
    """A POST without a CSRF token is refused (403) with our page, not Django's debug explanation."""
    settings.DEBUG = False
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "a", "password": "b"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "This form could not be sent" in html
    assert "CSRF cookie not set" not in html and "Reason given" not in html


def _template_files() -> list[Path]:
    roots = [ROOT / "templates", *ROOT.glob("*/templates")]
    return sorted({p for root in roots for p in root.rglob("*.html") if ".venv" not in p.parts})


FORM_RE = re.compile(r"<form\b[^>]*>.*?</form>", re.S | re.I)


@pytest.mark.parametrize("template", _template_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_are_csp_and_csrf_clean(template):
    """Every POST form has a CSRF token; no inline script, style or event handler that the CSP would block."""
    source = template.read_text()
    for form in FORM_RE.findall(source):
        opening = form.split(">", 1)[0].lower()
        if re.search(r"method\s*=\s*[\"']?post", opening):
            assert "{% csrf_token %}" in form, f"POST form without csrf_token in {template}"
    for tag in re.findall(r"<script\b[^>]*>", source, re.I):
        assert "src=" in tag or "csp_nonce" in tag or "application/json" in tag, f"inline script in {template}"
    assert not re.search(r"<style\b", source, re.I), f"<style> element in {template}"
    assert not re.search(r"\sstyle\s*=", source, re.I), f"style attribute in {template}"
    assert not re.search(r"\son[a-z]+\s*=\s*[\"']", source, re.I), f"inline event handler in {template}"


def test_no_private_key_or_env_file_in_the_repository():
    """No secret is committed: no private key blocks, no .env files among tracked files."""
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    assert not [f for f in files if Path(f).name.startswith(".env")]
    for name in files:
        p = ROOT / name
        if p.suffix in {".png", ".jpg", ".sqlite3"} or not p.is_file():
            continue
        text = p.read_text(errors="ignore")
        assert "PRIVATE " + "KEY-----" not in text, name  # split so this file does not match itself
