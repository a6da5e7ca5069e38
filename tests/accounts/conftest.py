import pytest

from .regions_tree import build_tree


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # PBKDF2 at full strength costs a noticeable fraction of a second per log-in.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def regions(db):
    return build_tree()


@pytest.fixture
def client(client):
    # Assertions read English text; the UI language is chosen from the browser's.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
