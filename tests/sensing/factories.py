"""Cameras and devices for sensing tests, placed in a grid of the world and owned by a unit.

CameraFactory(grid=w.grid, owner=w.police)            # online unless told otherwise
DeviceFactory(grid=w.grid, owner=w.cgj, type=types.device("manhole_cover"))
RuleFactory(camera=w.camera, kind=RuleKind.CROWD, people=3, seconds=10)
"""

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from gongzhi.sensing.models import Camera, CameraType, Device, DeviceType, Rule, RuleKind
from gongzhi.taxonomy.models import Category


def camera_code(region: str = "630202", n: int = 1, *, kind: str = "132") -> str:
    """A valid national code: region (6) + unit 00 + industry 00 + type + serial (7)."""
    return f"{region}0000{kind}{n:07d}"


def _centre(o):
    box = o.grid.boundary["coordinates"][0]
    return ((box[0][0] + box[2][0]) / 2, (box[0][1] + box[2][1]) / 2)


class PlacedFactory(DjangoModelFactory):
    class Meta:
        abstract = True

    region = factory.LazyAttribute(lambda o: o.grid.community)
    region_path = factory.LazyAttribute(lambda o: o.grid.region_path)
    lng = factory.LazyAttribute(lambda o: _centre(o)[0])
    lat = factory.LazyAttribute(lambda o: _centre(o)[1])
    last_seen_at = factory.LazyFunction(timezone.now)


class CameraFactory(PlacedFactory):
    """A camera in ``grid`` owned by ``owner``, coded under its county, heard from now."""

    class Meta:
        model = Camera

    code = factory.LazyAttributeSequence(
        lambda o, n: camera_code(o.grid.region_path.strip("/").split("/")[2], n + 1)
    )
    name = factory.Sequence(lambda n: f"测试摄像机{n}")
    type = factory.LazyFunction(lambda: CameraType.objects.get(code="bullet"))
    direction = 90
    field_of_view = 60
    range_m = 50


class DeviceFactory(PlacedFactory):
    class Meta:
        model = Device

    code = factory.Sequence(lambda n: f"dev-{n:05d}")
    name = factory.Sequence(lambda n: f"测试设备{n}")
    type = factory.LazyFunction(lambda: DeviceType.objects.get(code="manhole_cover"))


class RuleFactory(DjangoModelFactory):
    """A rule on ``camera``: by default a forbidden zone over the whole picture, whose
    confirmed events raise 井盖缺失破损 cases (a category the test world routes)."""

    class Meta:
        model = Rule

    code = factory.Sequence(lambda n: f"rule-{n}")
    name = factory.Sequence(lambda n: f"禁区{n}")
    kind = RuleKind.ZONE
    zone = factory.LazyFunction(list)
    dedup_seconds = 60
    category_code = factory.LazyFunction(
        lambda: Category.objects.get(full_name="道路与井盖 / 井盖缺失破损").code
    )
