"""Hotspots on the platform's cases: a street name shared by two towns is two places, and
one spot's noise and its rubbish are two problems."""

from datetime import UTC, datetime, timedelta

from gongzhi.triage.hotspots import hotspots

T0 = datetime(2026, 11, 1, 9, tzinfo=UTC)
TITLE = "团结路老年活动中心门口占道经营"


def report(i, lng, lat, kind=1, title=TITLE):
    return {
        "id": i,
        "title": title,
        "text": "每天早上有流动摊贩占道，行人只能走机动车道。",
        "time": T0 + timedelta(hours=i),
        "reporter": f"r{i}",
        "lng": lng,
        "lat": lat,
        "kind": kind,
    }


def test_reports_far_apart_are_different_places():
    here = [report(i, 102.4000 + i * 0.0002, 36.4700) for i in range(4)]  # within ~70 m
    other_town = [report(10 + i, 102.4600, 36.4800) for i in range(3)]  # ~5 km away
    found = hotspots(here + other_town, top=None)
    assert sorted(sorted(h.ids) for h in found) == [[0, 1, 2, 3], [10, 11, 12]]


def test_different_categories_at_one_spot_are_different_problems():
    noise = [report(i, 102.4, 36.47, kind=1) for i in range(3)]
    rubbish = [report(10 + i, 102.4, 36.47, kind=2) for i in range(3)]
    found = hotspots(noise + rubbish, top=None)
    assert sorted(sorted(h.ids) for h in found) == [[0, 1, 2], [10, 11, 12]]


def test_reports_without_points_still_group_by_text():
    found = hotspots([report(i, None, None, kind=None) for i in range(3)], top=None)
    assert [sorted(h.ids) for h in found] == [[0, 1, 2]]
