import pytest

from gongzhi.regions import lookup


@pytest.fixture(autouse=True)
def _fresh_lookup():
    # Each test's rows vanish on rollback, which fires no signal: start and end clean.
    lookup.invalidate()
    yield
    lookup.invalidate()


@pytest.fixture
def demo(db):
    from gongzhi.demo import regions as demo_seed

    return demo_seed.load()


@pytest.fixture(autouse=True)
def _english():
    # Assertions read English text; the Chinese catalogue translates the same messages.
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
