"""Which address a request came from, behind a reverse proxy or not: X-Forwarded-For is
believed only from the proxies the deployment names, and only as far as they wrote it."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from gongzhi.core.clientip import client_address


@pytest.fixture
def proxies(settings):
    def set_to(value):
        settings.GONGZHI = {**settings.GONGZHI, "TRUSTED_PROXIES": value}

    return set_to


def address(remote, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_address(RequestFactory().get("/", REMOTE_ADDR=remote, **extra))


def test_without_trusted_proxies_the_header_is_ignored(proxies):
    proxies("")
    assert address("1.2.3.4", "6.6.6.6") == "1.2.3.4"


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("10.0.0.5", "1.2.3.4", "1.2.3.4"),  # one proxy
        ("10.0.0.5", "6.6.6.6, 1.2.3.4", "1.2.3.4"),  # the client wrote 6.6.6.6 itself
        ("10.0.0.5", "1.2.3.4, 10.0.0.7", "1.2.3.4"),  # two proxies of ours
        ("10.0.0.5", "2001:db8::1", "2001:db8::1"),
        ("1.2.3.4", "6.6.6.6", "1.2.3.4"),  # not through the proxy: nothing to believe
        ("10.0.0.5", "not-an-address", "10.0.0.5"),
        ("10.0.0.5", "", "10.0.0.5"),
        ("10.0.0.5", None, "10.0.0.5"),
    ],
)
def test_behind_a_trusted_proxy(proxies, remote, forwarded, expected):
    proxies("127.0.0.1, 10.0.0.0/8")
    assert address(remote, forwarded) == expected


def test_a_bad_setting_is_an_error_not_a_silent_fallback(proxies):
    proxies("10.0.0.0/8,nginx")
    with pytest.raises(ImproperlyConfigured, match="nginx"):
        address("10.0.0.5", "1.2.3.4")
