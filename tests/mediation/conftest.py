"""The mediation test world: the case world (``tests.world``) with a people's mediation
committee in 西关社区 and one in 东关社区 (two villages of 碾伯镇, side by side), the
township's justice office (碾伯司法所), a mediator in each, and a township leader."""

from importlib import import_module

import pytest
from django.apps import apps

from gongzhi.accounts.models import OrganisationKind, Role
from gongzhi.mediation import services
from gongzhi.mediation.models import DisputeType
from gongzhi.regions.models import Region
from tests.factories import OrganisationFactory, UserFactory


def seeded_reference() -> None:
    """The types, risk rules and level policies the data migration seeds, put back if a
    transactional test's flush removed them."""
    if not DisputeType.objects.exists():
        import_module("gongzhi.mediation.migrations.0002_seed_reference").seed(apps, None)


@pytest.fixture
def med(world):
    seeded_reference()
    w = world
    township = w.grid.community.parent
    w.village_committee = w.community  # its people's mediation committee sits in it
    w.justice = OrganisationFactory(
        kind=OrganisationKind.JUSTICE_OFFICE, name="碾伯司法所", regions=[township]
    )
    w.village_mediator = UserFactory(organisation=w.village_committee, role=Role.MEDIATOR)
    w.township_mediator = UserFactory(organisation=w.justice, role=Role.MEDIATOR)
    w.neighbour = DisputeType.objects.get(code="neighbour")
    return w


@pytest.fixture
def villages(med):
    """``med`` with the village next door (东关社区), its committee and mediator, and a
    leader of 碾伯镇's government."""
    w = med
    w.dongguan = Region.objects.get(code="630202100002")
    w.dongguan_committee = OrganisationFactory(
        kind=OrganisationKind.COMMUNITY,
        name="东关社区居民委员会",
        parent=w.township,
        regions=[w.dongguan],
    )
    w.dongguan_mediator = UserFactory(
        username="dgmediator",
        display_name="冶海燕",
        organisation=w.dongguan_committee,
        role=Role.MEDIATOR,
    )
    w.township_leader = UserFactory(
        username="nbleader", display_name="祁国栋", organisation=w.township, role=Role.LEADER
    )
    return w


def register(
    w,
    *,
    actor=None,
    type_code="neighbour",
    facts="两家因院墙排水问题发生争执",
    title="邻里排水纠纷",
    region=None,
    phone="13900001111",
    **extra,
):
    """A dispute registered through the service: in the world's grid unless ``region``."""
    place = {"region_id": region.pk} if region is not None else {"grid_id": w.grid.pk}
    return services.do_register(
        data=services.DisputeIn(
            title=title,
            type_id=DisputeType.objects.get(code=type_code).pk,
            facts=facts,
            source="screening",
            parties=[
                services.PartyIn(side="applicant", name="马福贵", phone=phone),
                services.PartyIn(side="respondent", name="韩成林"),
            ],
            **place,
            **extra,
        ),
        actor=actor or w.grid_worker,
    )
