"""What each slow path costs, visible to an operator (issue 25): every SQL statement of a
request that takes longer than ``GONGZHI_SLOW_QUERY_MS`` (settings; 0 turns it off) is
logged on ``gongzhi.slow_query`` with its time, the request's method and path, and the
statement's first characters (its parameters left out: they may be personal data).

Beside it, on PostgreSQL, ``GONGZHI_STATEMENT_TIMEOUT_MS`` cancels a runaway statement
before the web server's worker timeout would kill the whole worker (settings.py).
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import connection

log = logging.getLogger("gongzhi.slow_query")
SHOWN = 300  # characters of the statement in the log line


class SlowQueryLog:
    """An execute wrapper (``connection.execute_wrapper``) timing each statement."""

    def __init__(self, threshold_ms: float, where: str):
        self.threshold = threshold_ms / 1000
        self.where = where

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = time.perf_counter() - started
            if took >= self.threshold:
                log.warning(
                    "%.0f ms %s: %s", took * 1000, self.where, " ".join(str(sql).split())[:SHOWN]
                )


class SlowQueryMiddleware:
    """Times the statements of every request (off when the threshold is 0)."""

    def __init__(self, get_response):
        self.threshold = float(getattr(settings, "GONGZHI_SLOW_QUERY_MS", 0) or 0)
        if self.threshold <= 0:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        where = f"{request.method} {request.path}"
        with connection.execute_wrapper(SlowQueryLog(self.threshold, where)):
            return self.get_response(request)
