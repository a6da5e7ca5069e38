"""The rates page and API read the rollups (``command.rates_source``) and say exactly what
the records say: after random sequences of real actions on cases, for every grouping and
for a city, a county and a township viewer (and those the rollups cannot serve), the rates
are the records' count, row for row."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from gongzhi.accounts.models import Role
from gongzhi.cases import stats
from gongzhi.cases.models import Case
from gongzhi.command import rates_source, rollups
from gongzhi.command.services import overview
from gongzhi.core.scope import scope_for
from gongzhi.regions.models import Region
from tests.command.test_rollups import DAYS, Story
from tests.factories import UserFactory, report_case

pytestmark = pytest.mark.django_db

GROUPINGS = list(stats.GROUPS)


def _midnight(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def _periods():
    today = timezone.localdate()
    first = today - timedelta(days=DAYS)
    return [
        (None, None),  # all time: whole months from the month table
        (_midnight(first), _midnight(today + timedelta(days=1))),
        # Odd days at both ends, inside one month and across one.
        (_midnight(today.replace(day=1) - timedelta(days=3)), _midnight(today)),
        (_midnight(first + timedelta(days=2)), None),
    ]


def _township_head(world):
    return UserFactory(
        username="townhead",
        display_name="碾伯镇镇长",
        organisation=world.township,
        role=Role.LEADER,
        head=True,
    )


def _from_records(viewer, group_by, start, end):
    # A given ``now`` is counted from the records (no source answers it).
    return stats.rates(viewer=viewer, group_by=group_by, start=start, end=end, now=timezone.now())


@pytest.mark.parametrize("seed", [3, 4])
def test_rates_from_rollups_equal_the_records(world, committed, monkeypatch, seed):
    story = Story(world, seed)
    cases = []
    for _ in range(24):
        with committed():
            if not cases or story.rng.random() < 0.35:
                cases.append(story.report(monkeypatch))
            else:
                k = story.rng.randrange(len(cases))
                cases[k] = story.step(cases[k])
    with committed():
        # A case moved out of 乐都 keeps its command centre there: the county dispatcher
        # still sees it, outside their places (counted from the records).
        moved = Case.objects.filter(command=world.command).first()
        moved.grid, moved.region_path = world.other_grid, world.other_grid.region_path
        moved.region = Region.objects.get(path=world.other_grid.region_path)
        moved.save()
        # A report with no place: the city's command centre takes it.
        report_case(
            world,
            world.pothole,
            channel="hotline",
            reporter="operator",
            lng=None,
            lat=None,
            address="不在地名库里的某处",
            reporter_phone="13900002222",
        )
    rollups.refresh_stale()
    township = _township_head(world)
    served = {
        "city": world.city_dispatcher,
        "county": world.dispatcher,
        "township": township,
        "admin": world.admin,
    }
    county_scope = scope_for(world.dispatcher)
    assert rates_source._extras(world.dispatcher, county_scope).exists()
    assert rates_source._extras(world.city_dispatcher, scope_for(world.city_dispatcher)).exists()
    for level, viewer in served.items():
        for group_by in GROUPINGS:
            for start, end in _periods():
                got = rates_source.rollup_rates(
                    viewer=viewer, group_by=group_by, start=start, end=end
                )
                assert got is not None, (level, group_by)
                # What stats.rates returns when the rollups answer (counted once, not twice).
                ours = stats.rows_of(group_by, got)
                theirs = _from_records(viewer, group_by, start, end)
                assert ours == theirs, (level, group_by, start, end)
        assert any(r["total"] for r in stats.rates(viewer=viewer)), level
    # Scopes the rollup keys cannot say (a unit's own cases, a resident's reports) and a
    # period not cut at midnight are counted from the records: the same rows.
    noon = timezone.make_aware(datetime.combine(timezone.localdate(), time(12)))
    for viewer, start in [(world.handler, None), (world.resident, None), (world.admin, noon)]:
        assert rates_source.rollup_rates(viewer=viewer, group_by="unit", start=start) is None
        assert stats.rates(viewer=viewer, group_by="unit", start=start) == _from_records(
            viewer, "unit", start, None
        )


def test_a_read_recounts_what_is_still_marked(world, committed, monkeypatch):
    """Read-your-writes: a report not yet recounted by the watcher is in the next read."""
    story = Story(world, 5)
    with committed():
        story.report(monkeypatch)
    rollups.refresh_stale()
    before = stats.rates(viewer=world.admin)[0]["total"]
    report_case(world, world.manhole)  # marked stale, never recounted (no commit here)
    assert stats.rates(viewer=world.admin)[0]["total"] == before + 1
    assert stats.rates(viewer=world.admin) == _from_records(world.admin, "all", None, None)


def test_outside_is_the_complement_of_the_places(world):
    """The ranges that pick the cases outside a viewer's places, at their edges."""
    paths = ["/630000/630200/630202/", "/630000/630200/630203/630203100/"]
    inside = ["/630000/630200/630202/", "/630000/630200/630202/630202100/x/"]
    inside += ["/630000/630200/630203/630203100/"]
    outside = ["", "/630000/", "/630000/630200/", "/630000/630200/6302020/"]
    outside += ["/630000/630200/630203/", "/630000/630200/630203/630203101/", "/7/"]
    condition = rates_source.outside(paths)
    for _path in inside + outside:
        report_case(world, world.pothole)
    for case, path in zip(Case.objects.order_by("pk"), inside + outside, strict=True):
        Case.objects.filter(pk=case.pk).update(region_path=path)
    found = set(Case.objects.filter(condition).values_list("region_path", flat=True))
    assert found == set(outside)


def test_the_overviews_thirty_days_are_counted_from_the_rollups(world, committed, monkeypatch):
    """The overview's 30-day rates start at a midnight, so the rollups answer them, and they
    are the records' count of the last 30 days, today included."""
    story = Story(world, 6)
    with committed():
        for _ in range(3):
            story.report(monkeypatch)
    rollups.refresh_stale()
    answered = []

    def source(**kwargs):
        answered.append(rates_source.rollup_rates(**kwargs))
        return answered[-1]

    monkeypatch.setattr(stats, "_sources", [source])
    month = overview(viewer=world.city_dispatcher)["rates_30d"]
    assert answered and answered[0] is not None  # served by the rollups
    first = _midnight(timezone.localdate() - timedelta(days=29))
    theirs = _from_records(world.city_dispatcher, "all", first, None)[0]
    assert month == theirs and month["total"] > 0
