"""The settings of the test suite: the project's settings, with what only tests need.

pytest uses it (``pyproject.toml``); nothing else should.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from config.settings import *  # noqa: F403
from config.settings import DATABASES

# Tests create and log in many users; the production hasher's cost is not under test.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, like production: the default shared-cache in-memory database
    # takes table locks that ignore the busy timeout, so tests of concurrent
    # writers would fail there for a reason production never sees. One file
    # per test process, so parallel runs never share one.
    test_db = Path(tempfile.gettempdir()) / f"hp-test-{os.getpid()}.sqlite3"
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("DJANGO_TEST_SQLITE") or str(test_db)}
