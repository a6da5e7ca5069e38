import pytest

from tests.accounts.regions_tree import build_tree


@pytest.fixture
def regions(db):
    return build_tree()
