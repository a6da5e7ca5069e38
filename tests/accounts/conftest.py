import pytest

from .regions_tree import build_tree


@pytest.fixture
def regions(db):
    return build_tree()


@pytest.fixture
def client(client):
    # Assertions read English text; the UI language is chosen from the browser's.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
