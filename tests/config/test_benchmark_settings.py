"""BENCHMARK_MIN_ORGANIZATIONS: default 10, never fewer than 5 (contract section 16)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def test_the_default_minimum_is_ten():
    if "BENCHMARK_MIN_ORGANIZATIONS" not in os.environ:
        assert settings.BENCHMARK_MIN_ORGANIZATIONS == 10


def test_fewer_than_five_organizations_is_refused_with_a_reason():
    env = {**os.environ, "DJANGO_DEBUG": "1", "BENCHMARK_MIN_ORGANIZATIONS": "4"}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "BENCHMARK_MIN_ORGANIZATIONS is 4; it must be at least 5" in result.stderr
    env["BENCHMARK_MIN_ORGANIZATIONS"] = "5"
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True)
    assert result.returncode == 0
