"""The customs room's fixtures: the community town with 海东市's default caps, and a helper
that registers a ceremony through the service."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.community.customs import services

DAY = dt.date(2026, 5, 16)


@pytest.fixture
def cw(town):
    """The town, plus ``w.household`` (villager0's, in 大古城村)."""
    w = town
    w.household = w.households[0]
    return w


def register(actor, household, *, now=None, **change):
    data = {
        "household_id": household.pk,
        "kind": "wedding",
        "date": DAY,
        "days": 1,
        "guests": 120,
        "tables": 12,
        "gift": 100,
        "place": "村文化广场",
        "note": "",
    }
    data.update(change)
    return services.do_register(actor=actor, registration=services.Registration(**data), now=now)


@pytest.fixture
def awards(monkeypatch):
    """Every call to the points service, recorded (and answered as the real one would be:
    once per source)."""
    calls, seen = [], set()

    def fake(**kwargs):
        calls.append(kwargs)
        if kwargs["source"] in seen:
            return None
        seen.add(kwargs["source"])
        return object()

    monkeypatch.setattr("gongzhi.community.points.services.do_award", fake)
    return calls
