"""The sensing test world: the case world (``tests.world``) with a 公安 bureau and its 碾伯
police station, which own cameras; a 城管 bureau (the world's ``cgj``) owning a manhole
cover; the dispatcher of another township (平安镇) and of 碾伯镇 itself."""

from importlib import import_module
from types import SimpleNamespace

import pytest
from django.apps import apps

from gongzhi.accounts.models import OrganisationKind, Role
from gongzhi.regions.models import Grid, Region
from gongzhi.sensing.models import CameraType, DeviceType
from tests.factories import OrganisationFactory, UserFactory
from tests.sensing.factories import CameraFactory, DeviceFactory


def seeded_reference() -> None:
    """The types the data migration seeds, put back if a transactional test flushed them."""
    if not DeviceType.objects.exists():
        import_module("gongzhi.sensing.migrations.0002_seed_reference").seed(apps, None)


@pytest.fixture
def sns(world):
    seeded_reference()
    w = world
    K = OrganisationKind
    w.types = SimpleNamespace(
        camera=lambda code: CameraType.objects.get(code=code),
        device=lambda code: DeviceType.objects.get(code=code),
    )
    w.township.regions.add(w.regions.nianbo)
    w.township_dispatcher = UserFactory(
        username="nbdisp", organisation=w.township, role=Role.DISPATCHER
    )
    pingan_town_gov = OrganisationFactory(
        kind=K.TOWNSHIP, name="平安镇人民政府", regions=[Region.objects.get(code="630203100")]
    )
    w.other_township_dispatcher = UserFactory(
        username="padisp", organisation=pingan_town_gov, role=Role.DISPATCHER
    )
    w.gaj = OrganisationFactory(
        code="630202-GAJ",
        kind=K.DEPARTMENT,
        name="乐都区公安局",
        function="GAJ",
        regions=[w.regions.ledu],
    )
    w.police = OrganisationFactory(
        code="630202-GAJ-NB",
        kind=K.POLICE_STATION,
        name="碾伯派出所",
        parent=w.gaj,
        regions=[w.regions.nianbo],
    )
    w.police_officer = UserFactory(username="pcs", organisation=w.police, role=Role.HANDLER)
    w.gaj_officer = UserFactory(username="gaj", organisation=w.gaj, role=Role.HANDLER)

    w.dongguan_grid = Grid.objects.get(code="630202100002-01")
    w.camera = CameraFactory(grid=w.grid, owner=w.police, name="西关街口")
    w.camera_b = CameraFactory(grid=w.grid_b, owner=w.police, name="西关广场")
    w.other_camera = CameraFactory(grid=w.other_grid, owner=w.other_cgj, name="平安东村")
    w.cover = DeviceFactory(grid=w.grid, owner=w.cgj, name="西关街12号井盖")
    return w
