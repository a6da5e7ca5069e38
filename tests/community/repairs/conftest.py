"""The repairs room's fixtures: the company's promises on the community test world."""

from __future__ import annotations

import pytest

from gongzhi.community.models import ServicePromise
from gongzhi.community.repairs.reference import repair_categories


@pytest.fixture
def repairs(town):
    """``town`` with the company's promises: 30 minutes / 24 hours by default, 10 minutes
    / 4 hours for 电梯; ``w.water`` and ``w.lift`` are repair categories."""
    w = town
    w.water = repair_categories().get(name="水电维修")
    w.lift = repair_categories().get(name="电梯")
    ServicePromise.objects.create(
        company=w.company,
        respond_value=30,
        respond_unit="minutes",
        repair_value=24,
        repair_unit="hours",
    )
    ServicePromise.objects.create(
        company=w.company,
        category=w.lift,
        respond_value=10,
        respond_unit="minutes",
        repair_value=4,
        repair_unit="hours",
    )
    w.resident_a = w.urban_residents[0]
    w.resident_b = w.urban_residents[1]
    return w
