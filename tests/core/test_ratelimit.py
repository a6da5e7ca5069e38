"""The database-backed fixed-window rate limit."""

import threading

import pytest
from django.db import connection

from gongzhi.core import ratelimit
from gongzhi.core.models import RateCounter

pytestmark = pytest.mark.django_db  # the race below asks for real transactions itself

T0 = 1_800_000_000.0  # a whole minute: 30_000_000 * 60


def test_allows_the_rate_then_refuses_until_the_window_ends():
    for _ in range(3):
        ratelimit.check("report", "user:1", "3/m", now=T0 + 10)
    with pytest.raises(ratelimit.RateLimited) as refused:
        ratelimit.check("report", "user:1", "3/m", now=T0 + 15)
    assert refused.value.retry_after == 45
    # The next minute is a new window.
    ratelimit.check("report", "user:1", "3/m", now=T0 + 60)


def test_keys_and_scopes_are_counted_apart():
    ratelimit.check("report", "user:1", "1/h", now=T0)
    ratelimit.check("report", "user:2", "1/h", now=T0)
    ratelimit.check("intake", "user:1", "1/h", now=T0)
    with pytest.raises(ratelimit.RateLimited):
        ratelimit.check("report", "user:2", "1/h", now=T0 + 1)


def test_expired_windows_are_purged_when_a_new_one_opens():
    ratelimit.check("report", "ip:10.0.0.1", "5/m", now=T0)
    ratelimit.check("report", "ip:10.0.0.2", "5/m", now=T0)
    assert RateCounter.objects.count() == 2
    ratelimit.check("report", "ip:10.0.0.3", "5/m", now=T0 + 120)
    assert list(RateCounter.objects.values_list("key", "hits")) == [("ip:10.0.0.3", 1)]


def test_rates_parse_and_an_empty_rate_means_no_limit():
    assert ratelimit.parse("10/m") == ratelimit.Rate(10, 60)
    assert ratelimit.parse("100/5m") == ratelimit.Rate(100, 300)
    assert ratelimit.parse(" 2 / d ") == ratelimit.Rate(2, 86400)
    assert ratelimit.parse("") is None
    with pytest.raises(ValueError):
        ratelimit.parse("ten per minute")
    for _ in range(5):
        ratelimit.check("report", "user:1", "", now=T0)
    assert not RateCounter.objects.exists()


def test_rates_come_from_settings(settings):
    settings.GONGZHI = {**settings.GONGZHI, "RATE_LIMITS": {"api_report": "7/h"}}
    assert ratelimit.rate("api_report") == "7/h"
    assert ratelimit.rate("unknown") == ""


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the race needs PostgreSQL: SQLite serialises all writers",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_hits_are_all_counted():
    """Four processes' worth of threads hitting one key at once: none is lost."""
    threads, each, limit = 4, 10, 25
    barrier = threading.Barrier(threads)
    refused = []

    def hammer():
        try:
            barrier.wait()
            for _ in range(each):
                try:
                    ratelimit.check("report", "user:1", f"{limit}/h", now=T0)
                except ratelimit.RateLimited:
                    refused.append(1)
        finally:
            connection.close()

    workers = [threading.Thread(target=hammer) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert RateCounter.objects.get().hits == threads * each
    assert len(refused) == threads * each - limit
