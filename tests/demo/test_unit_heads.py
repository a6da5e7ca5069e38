"""Every demo unit a case can be given to has a head, so 督办 reaches someone in charge and
the demo load logs no "has no head or leader" warning."""

import pytest

from gongzhi.accounts.models import Membership, Organisation
from gongzhi.demo import accounts as demo_seed
from gongzhi.notify.services import organisation_heads

pytestmark = pytest.mark.django_db


def test_each_unit_that_may_own_a_case_has_a_head_to_notify(regions):
    demo_seed.load()
    units = Organisation.objects.filter(kind__in=list(demo_seed.UNIT_HEADS))
    assert units.count() > 10
    headless = [unit.name for unit in units if not organisation_heads(unit).exists()]
    assert headless == []
    # One head a unit: the township's demo login is its head, not beside a synthetic one.
    township = Membership.objects.get(user__username="demo_township_head").organisation
    assert list(
        Membership.objects.filter(organisation=township, is_head=True).values_list(
            "user__username", flat=True
        )
    ) == ["demo_township_head"]
