"""The openness room's test world: the hall (大古城村) with a resolved matter made
directly with the models (state PUBLISHED etc.), so these tests do not depend on the
matters room's workflow."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.utils import timezone

from gongzhi.deliberation.choices import MatterState
from gongzhi.deliberation.models import Matter

_numbers = itertools.count(1)


@pytest.fixture
def make_matter(hall):
    def make(*, state=MatterState.PUBLISHED, region=None, budget=Decimal("50000"), **extra):
        return Matter.objects.create(
            number=f"YS-2026-9{next(_numbers):04d}",
            region=region or hall.village,
            title=extra.pop("title", "硬化村东巷道路"),
            summary="村东巷道路泥泞，硬化路面 300 米。",
            budget=budget,
            state=state,
            resolution="同意硬化村东巷道路，预算五万元。",
            resolved_at=timezone.now(),
            proposed_by=hall.secretary,
            **extra,
        )

    return make


@pytest.fixture
def matter(make_matter):
    return make_matter()


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def soon(today):
    return today + dt.timedelta(days=30)
