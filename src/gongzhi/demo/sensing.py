"""海东 demo cameras and sensors: the 雪亮工程 cameras of every town, the smart manhole
covers, water-level gauges, smoke and gas detectors and hydrant gauges the county units own,
a day of their readings, and a few cameras playing the sample videos as live streams.

``load(stdout=None) -> dict`` (run by ``gongzhi demo load`` after the accounts):

* **Cameras.** Every grid gets a few, more in a township's first two communities (its
  towns); one grid in twelve has none, so that the map's "grids without a camera" shows
  something. Public cameras belong to the township's police station (or the county's
  公安局), one in six is a 社会面 camera (kept by the estate's property company where one
  serves the community). One in 33 (by serial: the
  cameras ``sensing.simulate`` keeps silent) is offline since some time in the last three
  days, so some grids fall under the 98% working rate.
* **Devices.** Manhole covers in the towns (county 城管局), water-level gauges on the
  rivers' bridges (county 水利局), smoke and gas detectors in homes of elderly people
  living alone and hydrant gauges (county 应急管理局); a day of readings each, hourly, and
  a few silent ones.
* **Live video.** Where ``../shared/data/video`` exists, four cameras in the demo
  township play its sample videos on a loop (``gongzhi sensing watch`` reads them): a
  reservoir's fence (a forbidden zone, loitering), a square (a crowd), a construction pit
  (a forbidden zone that raises a case at once) and a bus station's hall (objects left). The videos
  are CC BY: their credits are in that folder's README and on the camera's page.
* **Alarms.** A few devices past their threshold now, through the ingester's own path
  (``sensing.alarms.ingest``), so that their alarms and cases are real.

**Idempotent by presence**: when cameras exist, ``load`` creates nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gongzhi.accounts.models import Organisation, OrganisationKind
from gongzhi.demo.accounts import unit_code
from gongzhi.regions.models import Grid, Region, RegionLevel
from gongzhi.sensing.models import Camera, CameraType, Device, DeviceType, Reading, Rule
from gongzhi.sensing.simulate import is_broken

SEED = 20261206
CAMERAS_PER_GRID = {"town": (2, 6), "village": (1, 3)}
NO_CAMERA_SHARE = 1 / 12
SOCIAL_SHARE = 1 / 6
# The sample videos a demo camera plays, with what it watches.
VIDEO_CAMERAS = [
    ("one-by-one-person-detection.mp4", "水库围栏", "reservoir"),
    ("people-detection.gif", "文化广场", "square"),
    ("worker-zone-detection.gif", "施工基坑", "pit"),
    ("bottle-detection.mp4", "客运站候车厅", "hall"),
]
# What each demo video camera watches for: rule kind, name, zone (0..1 of the picture; empty:
# all of it), people, seconds, dedup window, case category, urgent, raises a case at once.
VIDEO_RULES = {
    "hall": [
        ("object", "left_object", "候车厅遗留物品", [], 1, 10, 300, "G03", False, False),
    ],
    "reservoir": [
        (
            "zone",
            "water_edge",
            "进入水库警戒区",
            [[0, 0.45], [1, 0.45], [1, 1], [0, 1]],
            1,
            0,
            60,
            "G03",
            True,
            False,
        ),
        ("loitering", "loiter", "围栏边徘徊", [], 1, 20, 300, "G03.01", False, False),
    ],
    "square": [
        ("crowd", "crowd", "广场人员聚集", [], 3, 5, 300, "G03", False, False),
    ],
    "pit": [
        (
            "zone",
            "pit",
            "进入施工基坑",
            [[0.25, 0.3], [0.75, 0.3], [0.75, 1], [0.25, 1]],
            1,
            0,
            60,
            "G05.07",
            True,
            True,
        ),
    ],
}


def video_dir() -> Path:
    """The sample videos: ``$GONGZHI_SAMPLE_VIDEOS``, or ``../shared/data/video`` beside the
    checkout (src/gongzhi/demo/ → the checkout is three levels up)."""
    if os.environ.get("GONGZHI_SAMPLE_VIDEOS"):
        return Path(os.environ["GONGZHI_SAMPLE_VIDEOS"])
    return Path(__file__).resolve().parents[3].parent / "shared" / "data" / "video"


def _say(stdout, text: str) -> None:
    if stdout is not None:
        stdout.write(text)


def _point(grid: Grid, rng: random.Random) -> tuple[float, float]:
    """A point near the grid's centre, inside its bounding box."""
    dx = (grid.max_lng - grid.min_lng) * 0.3
    dy = (grid.max_lat - grid.min_lat) * 0.3
    return (
        round(grid.centre_lng + rng.uniform(-dx, dx), 6),
        round(grid.centre_lat + rng.uniform(-dy, dy), 6),
    )


def _units() -> dict[str, Organisation]:
    return {o.code: o for o in Organisation.objects.all()}


def _owner(units, township: Region, county: Region) -> Organisation | None:
    return units.get(unit_code(township.code, "PCS")) or units.get(unit_code(county.code, "GAJ"))


def _is_town(community: Region, towns: set[int]) -> bool:
    return community.pk in towns


def _towns(communities: list[Region]) -> set[int]:
    """A township's first two communities are its towns (as in the people demo)."""
    by_township: dict[int, list[Region]] = {}
    for c in communities:
        by_township.setdefault(c.parent_id, []).append(c)
    return {c.pk for rows in by_township.values() for c in sorted(rows, key=lambda r: r.code)[:2]}


def load(*, stdout=None) -> dict:
    if Camera.objects.exists():
        return {}
    city_code = settings.GONGZHI.get("DEMO_CITY_CODE", "630200")
    city = Region.objects.filter(code=city_code).first()
    if city is None:
        return {}
    rng = random.Random(SEED)
    now = timezone.now()
    units = _units()
    regions = {r.pk: r for r in Region.objects.filter(path__startswith=city.path)}
    communities = [r for r in regions.values() if r.level == RegionLevel.COMMUNITY]
    towns = _towns(communities)
    grids = list(
        Grid.objects.filter(region_path__startswith=city.path, is_active=True)
        .exclude(centre_lng=None)
        .order_by("code")
    )
    with transaction.atomic():
        cameras = _cameras(grids, regions, towns, units, rng, now)
        devices = _devices(grids, regions, towns, units, rng, now)
        readings = _readings(devices, rng, now)
    videos = _video_cameras(grids, regions, units, now)
    alarms = _alarms(devices, rng, now)
    counts = {
        "cameras": len(cameras) + videos,
        "devices": len(devices),
        "readings": readings,
        "alarms": alarms,
    }
    _say(stdout, f"sensing: {counts}")
    return counts


def _cameras(grids, regions, towns, units, rng, now) -> list[Camera]:
    types = list(CameraType.objects.filter(enabled=True).exclude(code="checkpoint"))
    # A 社会面 camera (a shop's, an estate's) is joined in and kept by the estate's property
    # company where one serves the community, else by the police station that joined it.
    companies = {
        region_id: company
        for company in Organisation.objects.filter(kind=OrganisationKind.PROPERTY_COMPANY)
        for region_id in company.regions.values_list("pk", flat=True)
    }
    serial: dict[str, int] = {}
    rows = []
    for grid in grids:
        community = regions.get(grid.community_id)
        if community is None or rng.random() < NO_CAMERA_SHARE:
            continue
        township = regions[community.parent_id]
        county = regions[township.parent_id]
        owner = _owner(units, township, county)
        if owner is None:
            continue
        low, high = CAMERAS_PER_GRID["town" if _is_town(community, towns) else "village"]
        for _i in range(rng.randint(low, high)):
            social = rng.random() < SOCIAL_SHARE
            ctype = rng.choice(types)
            serial[county.code] = serial.get(county.code, 0) + 1
            # 00 public-security roads, 01 communities; serial's first digit 8: a social
            # camera sits on the social-resources network.
            industry = "01" if social else "00"
            network = "8" if social else "0"
            code = f"{county.code}00{industry}132{network}{serial[county.code]:06d}"
            lng, lat = _point(grid, rng)
            offline = is_broken(code)  # the same cameras the simulator keeps silent
            seen = now - dt.timedelta(seconds=rng.randint(5, 60))
            since = None
            if offline:
                since = now - dt.timedelta(minutes=rng.randint(20, 3 * 24 * 60))
                seen = since - dt.timedelta(minutes=3)
            place = rng.choice(["路口", "广场", "学校门口", "市场", "小区大门", "河道", "桥头"])
            rows.append(
                Camera(
                    code=code,
                    name=f"{community.name.removesuffix('社区')}{place}{serial[county.code] % 100:02d}",
                    type=ctype,
                    region=community,
                    grid=grid,
                    region_path=grid.region_path,
                    lng=lng,
                    lat=lat,
                    owner=companies.get(community.pk, owner) if social else owner,
                    social=social,
                    direction=None if ctype.code == "panoramic" else rng.randrange(0, 360, 15),
                    field_of_view=360 if ctype.code == "panoramic" else rng.choice([60, 75, 90]),
                    range_m=rng.choice([30, 50, 80, 120]),
                    last_seen_at=seen,
                    offline_since=since,
                )
            )
    return Camera.objects.bulk_create(rows, batch_size=1000)


# device type → (owner unit key of the county, count per town community, per village)
DEVICE_PLAN = {
    "manhole_cover": ("CGJ", 6, 0),
    "water_level": ("SLJ", 0, 0),  # placed on bridges below
    "smoke": ("YJGLJ", 2, 1),
    "gas": ("YJGLJ", 1, 0),
    "hydrant": ("YJGLJ", 2, 0),
}
BRIDGES_PER_COUNTY = 4


def _devices(grids, regions, towns, units, rng, now) -> list[Device]:
    types = {t.code: t for t in DeviceType.objects.all()}
    by_community: dict[int, list[Grid]] = {}
    for grid in grids:
        by_community.setdefault(grid.community_id, []).append(grid)
    rows = []
    n = 0

    def add(code_type: str, grid: Grid, owner, where: str):
        nonlocal n
        n += 1
        dtype = types[code_type]
        lng, lat = _point(grid, rng)
        silent = rng.random() < 0.02
        seen = now - dt.timedelta(seconds=rng.randint(10, dtype.heartbeat_seconds))
        rows.append(
            Device(
                code=f"HD-{code_type[:3].upper()}-{n:05d}",
                name=f"{dtype.name}{n:05d}",
                type=dtype,
                region=regions[grid.community_id],
                grid=grid,
                region_path=grid.region_path,
                lng=lng,
                lat=lat,
                owner=owner,
                address=where,
                last_seen_at=seen - dt.timedelta(hours=12) if silent else seen,
                offline_since=seen - dt.timedelta(hours=10) if silent else None,
            )
        )

    counties: dict[int, list[int]] = {}
    for community_id in by_community:
        community = regions.get(community_id)
        if community is None:
            continue
        county = regions[regions[community.parent_id].parent_id]
        counties.setdefault(county.pk, []).append(community_id)
        town = _is_town(community, towns)
        for code_type, (key, per_town, per_village) in DEVICE_PLAN.items():
            owner = units.get(unit_code(county.code, key))
            if owner is None or code_type not in types:
                continue
            for _i in range(per_town if town else per_village):
                grid = rng.choice(by_community[community_id])
                add(code_type, grid, owner, f"{community.name}{grid.name[-4:]}")
    for county_id, community_ids in counties.items():
        county = regions[county_id]
        owner = units.get(unit_code(county.code, "SLJ"))
        if owner is None or "water_level" not in types:
            continue
        for k in range(BRIDGES_PER_COUNTY):
            community_id = rng.choice(sorted(community_ids))
            add("water_level", rng.choice(by_community[community_id]), owner, f"湟水{k + 1}号桥")
    return Device.objects.bulk_create(rows, batch_size=1000)


def _normal(dtype: DeviceType, rng) -> float:
    """A value well on the normal side of the type's threshold."""
    if dtype.comparison == "below":
        return round(dtype.threshold * rng.uniform(2.5, 4.0), 2)
    if dtype.threshold <= 1:
        return 0.0
    return round(dtype.threshold * rng.uniform(0.05, 0.45), 2)


def _readings(devices, rng, now) -> int:
    """A day of hourly readings per device, and its latest value."""
    rows = []
    for device in devices:
        end = device.offline_since or now
        value = None
        for hour in range(24, 0, -1):
            value = _normal(device.type, rng)
            rows.append(Reading(device=device, at=end - dt.timedelta(hours=hour), value=value))
        device.last_value, device.last_reading_at = value, end - dt.timedelta(hours=1)
    Reading.objects.bulk_create(rows, batch_size=2000)
    Device.objects.bulk_update(devices, ["last_value", "last_reading_at"], batch_size=1000)
    return len(rows)


def _video_cameras(grids, regions, units, now) -> int:
    """Cameras in the demo township that play the sample videos (when they are here)."""
    folder = video_dir()
    if not folder.is_dir() or not grids:
        return 0
    township = Region.objects.filter(name="碾伯镇").first()
    local = [g for g in grids if township and g.region_path.startswith(township.path)] or grids
    grid = local[0]
    community = regions[grid.community_id]
    county = regions[regions[community.parent_id].parent_id]
    owner = _owner(units, regions[community.parent_id], county)
    bullet = CameraType.objects.get(code="bullet")
    made = 0
    for k, (name, place, kind_of_place) in enumerate(VIDEO_CAMERAS, start=1):
        path = folder / name
        if not path.exists():
            continue
        camera = Camera.objects.create(
            # network digit 1 (still the video private network): apart from the town's.
            code=f"{county.code}00001321{k:06d}",
            name=f"{community.name.removesuffix('社区')}{place}（演示视频）",
            type=bullet,
            region=community,
            grid=grid,
            region_path=grid.region_path,
            lng=round(grid.centre_lng + 0.0008 * k, 6),
            lat=grid.centre_lat,
            owner=owner,
            direction=90 * k,
            field_of_view=75,
            range_m=60,
            stream_url=str(path),
            analysis_fps=2.0,  # four videos on a laptop beside the web server
            last_seen_at=now,
        )
        for (
            kind,
            code,
            rule_name,
            zone,
            people,
            seconds,
            dedup,
            category,
            urgent,
            direct,
        ) in VIDEO_RULES[kind_of_place]:
            Rule.objects.create(
                camera=camera,
                code=code,
                name=rule_name,
                kind=kind,
                zone=zone,
                people=people,
                seconds=seconds,
                dedup_seconds=dedup,
                category_code=category,
                urgent=urgent,
                creates_case_directly=direct,
            )
        made += 1
    return made


def _alarms(devices, rng, now) -> int:
    """A few devices past their threshold now, through the ingester's own path."""
    try:
        from gongzhi.sensing import alarms
    except ImportError:  # the ingester is not built on this tree
        return 0
    candidates = [d for d in devices if d.offline_since is None]
    picked = rng.sample(candidates, min(4, len(candidates)))
    raised = 0
    for device in picked:
        dtype = device.type
        high = dtype.threshold * (0.5 if dtype.comparison == "below" else 1.6) or 1.0
        if dtype.valid_max is not None:
            high = min(high, dtype.valid_max)
        for k in range(dtype.debounce):
            alarms.ingest(device.code, high, now - dt.timedelta(seconds=dtype.debounce - k))
        raised += 1
    return raised
