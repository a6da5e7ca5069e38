"""The deliberation test world: ``tests.village`` (大古城村 and 西关社区 on the case world),
with the hall's rule rows seeded."""

from __future__ import annotations

import pytest

from gongzhi.deliberation.reference import ensure_seeded
from tests.village import add_villages


@pytest.fixture
def hall(world):
    ensure_seeded()
    return add_villages(world)
