from __future__ import annotations

import pytest
from django.core.management import call_command


@pytest.fixture
def taxonomy(db):
    """The canonical taxonomy and its 122 questions, loaded as `load_taxonomy` does."""
    call_command("load_taxonomy", verbosity=0)
