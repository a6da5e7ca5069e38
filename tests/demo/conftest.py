"""Fixtures for the demo's tests: the regions tree the organisations hang on, the 海东
demo tree, and the small case world (``world``, from tests/conftest.py)."""

import pytest

from gongzhi.regions import lookup
from tests.accounts.regions_tree import build_tree


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # PBKDF2 at full strength costs a noticeable fraction of a second per account.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_lookup():
    # Each test's grids vanish on rollback, which fires no signal: start and end clean.
    lookup.invalidate()
    yield
    lookup.invalidate()


@pytest.fixture
def regions(db):
    return build_tree()


@pytest.fixture
def demo(db):
    from gongzhi.demo import regions as demo_regions

    return demo_regions.load()
