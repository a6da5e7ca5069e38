"""Fixed-window rate limits kept in the database (no cache server needed).

    from gongzhi.core import ratelimit
    ratelimit.check("api_report", f"user:{user.pk}", ratelimit.rate("api_report"))

``check`` counts one hit of ``key`` in ``scope`` and raises ``RateLimited`` (with
``retry_after`` seconds) once the window's count passes the rate. A rate is ``"N/s"``,
``"N/m"``, ``"N/h"`` or ``"N/d"`` (also ``"N/5m"``: a window of five minutes); an empty
rate means no limit. Rates live in ``settings.GONGZHI["RATE_LIMITS"]``; each can be set
from the environment as ``GONGZHI_RATE_LIMIT_<NAME>`` (e.g. ``GONGZHI_RATE_LIMIT_API_REPORT=30/m``).

One statement per hit: an upsert that returns the new count, atomic on SQLite ≥ 3.35 and
PostgreSQL, so concurrent processes never lose a hit. When a key opens a new window the
expired windows (of every key) are deleted through an index.
"""

from __future__ import annotations

import math
import os
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from .models import RateCounter

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
RATE_RE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")


class RateLimited(Exception):
    def __init__(self, scope: str, retry_after: int):
        super().__init__(f"rate limit of {scope} reached; retry after {retry_after} s")
        self.scope = scope
        self.retry_after = retry_after


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int  # seconds


def parse(rate: str) -> Rate | None:
    """``"10/m"`` → Rate(10, 60); empty → None (no limit). A malformed rate is a
    configuration mistake and raises ValueError."""
    if not rate or not rate.strip():
        return None
    match = RATE_RE.match(rate)
    if not match:
        raise ValueError(f"not a rate: {rate!r} (expected N/s, N/m, N/h or N/d)")
    count, multiple, unit = match.groups()
    return Rate(int(count), int(multiple or 1) * UNITS[unit])


# Rates that apply even where the settings name none, each settable from the environment as
# GONGZHI_RATE_LIMIT_<NAME> like the others (an empty value: no limit).
DEFAULTS = {
    "web_report": "30/h",  # 随手拍 reports through the page, per signed-in person
    "hotline_report": "240/h",  # calls entered on the hotline form, per operator
}


def rate(name: str) -> str:
    """The configured rate called ``name`` (empty if none is configured)."""
    configured = settings.GONGZHI.get("RATE_LIMITS", {})
    if name in configured:
        return configured[name]
    return os.environ.get(f"GONGZHI_RATE_LIMIT_{name.upper()}", DEFAULTS.get(name, ""))


def _upsert_sql() -> str:
    q = connection.ops.quote_name
    table = q(RateCounter._meta.db_table)
    scope, key, start, expires, hits = (
        q(n) for n in ("scope", "key", "window_start", "expires", "hits")
    )
    return (
        f"INSERT INTO {table} ({scope}, {key}, {start}, {expires}, {hits}) "
        f"VALUES (%s, %s, %s, %s, 1) "
        f"ON CONFLICT ({scope}, {key}, {start}) DO UPDATE SET {hits} = {table}.{hits} + 1 "
        f"RETURNING {hits}"
    )


def hit(scope: str, key: str, period: int, now: float | None = None) -> tuple[int, int]:
    """Count one hit; return (hits in this window, seconds until the window ends)."""
    now = time.time() if now is None else now
    start = int(now // period * period)
    end = start + period
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(), [scope[:40], key[:128], start, end])
        (hits,) = cursor.fetchone()
    if hits == 1:
        RateCounter.objects.filter(expires__lte=int(now)).delete()
    return hits, max(1, math.ceil(end - now))


def check(scope: str, key: str, rate: str, *, now: float | None = None) -> None:
    """Count a hit of ``key`` in ``scope``; raise RateLimited if it goes over ``rate``."""
    parsed = parse(rate)
    if parsed is None:
        return
    hits, remaining = hit(scope, key, parsed.period, now)
    if hits > parsed.limit:
        raise RateLimited(scope, remaining)
