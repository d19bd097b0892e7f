"""``benchmark_optin``: contract section 16."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from common.commands import InputError
from organizations.models import Organization

pytestmark = pytest.mark.django_db


def test_benchmark_optin_turns_it_on_and_off(org):
    err = io.StringIO()
    call_command("benchmark_optin", organization="Acme", stderr=err)
    assert Organization.objects.get(pk=org.pk).benchmark
    assert "Acme takes part in the benchmark." in err.getvalue()
    call_command("benchmark_optin", organization="Acme", off=True, stderr=err)
    assert not Organization.objects.get(pk=org.pk).benchmark


def test_benchmark_optin_refuses_an_unknown_organization(org):
    with pytest.raises(InputError, match="No organization is called 'Acmee'; nothing changed."):
        call_command("benchmark_optin", organization="Acmee")
    assert not Organization.objects.filter(benchmark=True).exists()


def test_organizations_start_outside_the_benchmark(org):
    assert Organization.objects.get(pk=org.pk).benchmark is False
