"""Settings for Human Pipeline.

One settings module, driven by the environment so the same code runs on a
laptop, in CI and in production:

- ``DJANGO_DEBUG``: ``1``/``true`` turns debug on. Off unless set.
- ``DJANGO_SECRET_KEY``: required when debug is off.
- ``DJANGO_ALLOWED_HOSTS``, ``DJANGO_CSRF_TRUSTED_ORIGINS``: comma-separated.
- ``DATABASE_URL``: any URL dj-database-url understands. Default: SQLite in
  the project root, in WAL mode with a busy timeout and IMMEDIATE
  transactions so that concurrent writers queue instead of failing.
- ``DJANGO_SECURE_SSL_REDIRECT``, ``DJANGO_SECURE_PROXY_SSL_HEADER``,
  ``DJANGO_SECURE_HSTS_SECONDS``: HTTPS behaviour in production.
  ``DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS``, ``DJANGO_SECURE_HSTS_PRELOAD``,
  ``DJANGO_SECURE_COOKIES`` refine it; ``DJANGO_PROXY_COUNT`` is the number
  of trusted reverse proxies in front of the app (login throttling keys on
  the client address they forward). See docs/deployment.md and docs/security.md.
- ``EMAIL_URL`` (``smtp://user:password@host:port?tls=True``), ``DEFAULT_FROM_EMAIL``,
  ``DJANGO_SITE_URL``: the mail server, the sender and the address of the site
  that e-mailed links point to (see config/mail.py); ``EMAIL_MAX_PER_REQUEST``
  (2000) and ``EMAIL_MAX_PER_DAY`` (5000): how many e-mails one request, and
  one organization in any 24 hours, may queue.
- ``API_RATE_LIMIT``: requests a personal API token may make in a minute (default 120).
- ``DJANGO_SIGNUP``: ``open`` lets anyone create an account on /accounts/signup/
  (confirmed by e-mail before it can log in); ``closed`` (the default) leaves
  account creation to staff and member invitations.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp import constants as csp_constants
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random value "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DJANGO_DEBUG=1 for local development."
        )
    # Only ever used with DEBUG on, on a developer's machine.
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105
# Django's own deploy check asks for 50 characters; a shorter key signs sessions that can be forged sooner.
MIN_SECRET_KEY_LENGTH = 50
if not DEBUG and len(SECRET_KEY) < MIN_SECRET_KEY_LENGTH:
    raise ImproperlyConfigured(
        f"DJANGO_SECRET_KEY is {len(SECRET_KEY)} characters long; it must have at least {MIN_SECRET_KEY_LENGTH}. "
        "Set it to a long random value (python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "axes",
    # Sign-up with e-mail confirmation and password reset; the login page stays Django's own (accounts.urls).
    "allauth",
    "allauth.account",
    "django_tasks",
    # The API's documentation page and its scripts, served from our origin.
    "ninja",
    # The project's apps, in their import order: each imports only those above it.
    "taxonomy",
    "organizations",
    "assessments",
    "responses",
    "actions",
    "reports",
    "api",
    "demo",
    "accounts",
    # After the project's apps, so that responses' ``db_worker`` (which first queues again what a
    # killed worker left) takes the place of the package's own.
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # A database that does not answer: the 503 page, not a 500 (common/middleware.py).
    "common.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After the session, before CommonMiddleware: the visitor's choice (the set_language cookie),
    # else the browser's Accept-Language, picks one of LANGUAGES for the request.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a lockout flagged during login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.signup",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DEFAULT_SQLITE_PATH = BASE_DIR / "db.sqlite3"
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DEFAULT_SQLITE_PATH}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        # A persistent connection left stale by a database restart is replaced, not reused.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # Writers queue on the database lock instead of failing with
        # "database is locked" in the middle of a transaction.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=20000;PRAGMA foreign_keys=ON;"
        ),
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out client before any password is checked.
    "accounts.backends.ThrottledLoginBackend",
    "django.contrib.auth.backends.ModelBackend",
]

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "assessments:index"
LOGOUT_REDIRECT_URL = "accounts:login"

# --- Sign-up, e-mail confirmation and password reset (django-allauth) ---------
SIGNUP = os.environ.get("DJANGO_SIGNUP", "closed").strip().lower() or "closed"
if SIGNUP not in {"open", "closed"}:
    raise ImproperlyConfigured(f"DJANGO_SIGNUP is {SIGNUP!r}; set it to open or closed.")
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "signup": "accounts.forms.AccountSignupForm",
    "reset_password": "accounts.forms.AccountResetPasswordForm",
}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
# No login before the address is confirmed; the e-mailed link opens a page whose button (a POST) confirms,
# so a mail scanner that follows links confirms nothing.
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Human Pipeline] "
ACCOUNT_EMAIL_CONFIRMATION_ANONYMOUS_REDIRECT_URL = "accounts:login"
ACCOUNT_SESSION_REMEMBER = None

# --- Login throttling (django-axes) -----------------------------------------
# Failed logins are counted in the database, so every app server behind the
# load balancer sees the same count. Five failures for one username from one
# address lock that pair out for 15 minutes; a success resets the count.
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("DJANGO_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
# Masked in the failed attempts axes records: the password change's fields count as attempts too.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "old_password", "new_password1", "new_password2"]
AXES_VERBOSE = False
# The client address is REMOTE_ADDR unless trusted proxies are declared:
# believing X-Forwarded-For without a proxy would let a client choose its own
# address and never be locked out.
PROXY_COUNT = int(os.environ.get("DJANGO_PROXY_COUNT", "0"))
if PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = PROXY_COUNT
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# --- HTTPS and security headers ----------------------------------------------
# Behind a TLS-terminating proxy, e.g. "HTTP_X_FORWARDED_PROTO,https". Set it
# only when the proxy always sets (or strips) that header.
_proxy_ssl_header = env_list("DJANGO_SECURE_PROXY_SSL_HEADER")
if _proxy_ssl_header:
    if len(_proxy_ssl_header) != 2:
        raise ImproperlyConfigured("DJANGO_SECURE_PROXY_SSL_HEADER must be HEADER,value: HTTP_X_FORWARDED_PROTO,https")
    SECURE_PROXY_SSL_HEADER = (_proxy_ssl_header[0], _proxy_ssl_header[1])
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers probe the health check over plain HTTP; it must answer them, not redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
# The language choice lives as long as the browser session, like the rest of a visit.
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Sessions live in the database (Django's default engine, named on purpose)
# so that any app server behind the load balancer can serve any request.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp 4): everything from our own origin, no
# inline script or style. An inline script that cannot be avoided carries
# nonce="{{ request.csp_nonce }}". Bootstrap's CSS draws a few icons as data:
# SVG images, hence img-src data:.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", csp_constants.NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# English is the default and the language of every msgid; German comes from locale/de.
# A third language is one more entry here, a .po file and the taxonomy's translations (docs/i18n.md).
LANGUAGE_CODE = "en"
LANGUAGES = [
    # Each language named in itself, as the switcher shows it to someone who may not read the other.
    ("en", "English"),
    ("de", "Deutsch"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates are written by name (SHORT_DATE_FORMAT...), each language its own way (common/formats/).
FORMAT_MODULE_PATH = ["common.formats"]
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- The read-only API (api/) --------------------------------------------------
# Requests a personal token may make in a minute; beyond them a 429 with Retry-After.
API_RATE_LIMIT = int(os.environ.get("API_RATE_LIMIT", "120"))
if API_RATE_LIMIT < 1:
    raise ImproperlyConfigured(f"API_RATE_LIMIT is {API_RATE_LIMIT}; it must be a number of requests, 1 or more.")

# E-mail goes out from a worker (``manage.py db_worker``), never from a request or a command.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
from config.mail import email_settings  # noqa: E402

globals().update(email_settings(os.environ, debug=DEBUG))


def env_positive_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise ImproperlyConfigured(f"{name} must be a whole number above 0, not {value!r}")
    return int(value)


# What one request or command may queue, and what an organization may queue in any 24 hours: every e-mail it
# causes counts (invitations, reminders, "send again", member invitations). See docs/deployment.md.
EMAIL_MAX_PER_REQUEST = env_positive_int("EMAIL_MAX_PER_REQUEST", 2000)
EMAIL_MAX_PER_DAY = env_positive_int("EMAIL_MAX_PER_DAY", 5000)

# The benchmark across organizations (contract section 16): a figure is published only when at least this many
# organizations contribute to it; fewer than 5 would let a few organizations that compare notes tell one apart.
BENCHMARK_MIN_ORGANIZATIONS = env_positive_int("BENCHMARK_MIN_ORGANIZATIONS", 10)
if BENCHMARK_MIN_ORGANIZATIONS < 5:
    raise ImproperlyConfigured(f"BENCHMARK_MIN_ORGANIZATIONS is {BENCHMARK_MIN_ORGANIZATIONS}; it must be at least 5.")
# How long the pool may stay cached when nothing its key sees has changed (see reports/benchmark.py).
BENCHMARK_CACHE_SECONDS = env_positive_int("BENCHMARK_CACHE_SECONDS", 600)

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Every handler redacts invitation tokens (common.log). Django's own "django"
# and "django.server" loggers are redefined, so none of Django's default
# handlers writes a line unredacted; runserver's request lines keep their format.
LOG_LEVEL = os.environ.get("DJANGO_LOG_LEVEL", "WARNING")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_tokens": {"()": "common.log.RedactTokens"}},
    "formatters": {
        "django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_tokens"]},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server", "filters": ["redact_tokens"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # No handlers of its own (Django's default ones are unfiltered): its records go to the root's.
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}
