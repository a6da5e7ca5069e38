"""Shared fixtures of the command-centre tests."""

import pytest
from django.utils import timezone


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run each block's on-commit callbacks (the rollups' recount) as a real commit would:
    ``with committed(): ...``."""

    def block():
        return django_capture_on_commit_callbacks(execute=True)

    return block
