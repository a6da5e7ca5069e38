"""A sensor's readings: refused, stored, debounced into one alarm per episode, each alarm a
case; silent devices and cameras offline, and a camera offline too long one case."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext

from gongzhi.cases.choices import Channel
from gongzhi.cases.models import Case
from gongzhi.core import periodic
from gongzhi.sensing import alarms
from gongzhi.sensing.choices import DeviceState
from gongzhi.sensing.models import Alarm, Camera, Device, Reading
from tests.sensing.factories import DeviceFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 12, 6, 1, 0, tzinfo=dt.UTC)


def minutes(n):
    return T0 + dt.timedelta(minutes=n)


@pytest.fixture
def pushed(monkeypatch):
    """What sensing pushed (a case made from an alarm pushes on the cases' own topic)."""
    sent = []

    def publish(topic, kind, data, *, region_path=""):
        if topic != "cases":
            sent.append((topic, kind, data, region_path))

    monkeypatch.setattr(alarms.push, "publish", publish)
    return sent


def feed(device, values, start=0):
    return [alarms.ingest(device.code, v, minutes(start + i)) for i, v in enumerate(values)]


def test_a_tilt_raises_one_alarm_after_the_debounce_and_an_urgent_case_at_the_cover(sns, pushed):
    cover = sns.cover  # manhole cover: above 15°, two readings in a row
    first, back, again, second = feed(cover, [17.2, 3, 16, 18.5])
    assert first.ok and not first.raised  # one reading past the limit is not yet an alarm
    assert not back.raised and not again.raised  # a normal one in between started again
    assert second.raised and second.case_number
    alarm = Alarm.objects.get()
    assert alarm.case_number == second.case_number and alarm.value == 18.5
    assert alarm.raised_at == minutes(3) and alarm.cleared_at is None
    case = Case.objects.get(number=second.case_number)
    assert case.channel == Channel.SENSOR
    assert case.is_urgent
    assert case.category.code == cover.type.category_code == "G02.01"
    assert (case.lng, case.lat) == (cover.lng, cover.lat)
    assert case.grid_id == sns.grid.pk
    assert "西关街12号井盖" in case.title and sns.cgj.name in case.description
    # The device's owner is known: the case is with that unit at once, deadlines running.
    assert case.state == "dispatched" and case.owner == cover.owner
    assert case.resolve_due is not None
    assert case.events.get(action="dispatch").actor is None
    cover.refresh_from_db()
    assert cover.state == DeviceState.ALARM and cover.last_value == 18.5
    assert Reading.objects.filter(device=cover).count() == 4
    kinds = [(topic, kind) for topic, kind, _data, _path in pushed]
    assert kinds == [("sensing", "alarm.raised")]
    assert pushed[0][2]["case"] == case.number and pushed[0][3] == cover.region_path


def test_an_episode_is_one_alarm_and_clearing_notes_the_case(sns, pushed):
    cover = sns.cover
    feed(cover, [20, 25, 30, 40, 35])  # raised at the second; the rest are the same episode
    assert Alarm.objects.count() == 1 == Case.objects.filter(channel=Channel.SENSOR).count()
    one_normal, cleared = feed(cover, [2, 1], start=10)
    assert not one_normal.cleared and cleared.cleared
    alarm = Alarm.objects.get()
    assert alarm.cleared_at == minutes(11)
    case = Case.objects.get(number=alarm.case_number)
    note = case.events.get(action="comment")
    assert note.actor is None and "1°" in note.note
    assert case.state not in ("resolved", "closed")  # the owner still resolves it
    assert [k for _t, k, _d, _p in pushed] == ["alarm.raised", "alarm.cleared"]
    feed(cover, [16, 17], start=20)  # a new episode: a second alarm, a second case
    assert Alarm.objects.count() == 2
    assert Case.objects.filter(channel=Channel.SENSOR).count() == 2


def test_a_hydrant_alarms_below_its_limit_and_a_device_may_have_its_own(sns, pushed):
    hydrant = DeviceFactory(grid=sns.grid, owner=sns.cgj, type=sns.types.device("hydrant"))
    feed(hydrant, [0.3, 0.05, 0.04])  # below 0.1 MPa, three in a row
    assert not Alarm.objects.exists()
    assert feed(hydrant, [0.02], start=5)[0].raised
    case = Case.objects.get(channel=Channel.SENSOR)
    assert not case.is_urgent  # a hydrant's type is not urgent
    deep = DeviceFactory(grid=sns.grid, owner=sns.cgj, threshold=30)
    assert not any(r.raised for r in feed(deep, [20, 25, 29]))  # past 15°, not past its 30°


@pytest.mark.parametrize("value", ["abc", None, float("nan"), float("inf"), True, 95, -1])
def test_what_cannot_be_a_reading_is_refused_and_changes_nothing(sns, pushed, value):
    cover = sns.cover
    seen = cover.last_seen_at
    result = alarms.ingest(cover.code, value, minutes(0))
    assert result.status == alarms.REFUSED and not result.ok
    assert result.reason in ("not_a_number", "impossible")
    cover.refresh_from_db()
    assert cover.last_seen_at == seen and cover.last_value is None and cover.streak == 0
    assert not Reading.objects.exists() and not pushed


def test_an_unknown_device_is_counted_not_stored(sns, pushed, caplog):
    result = alarms.ingest("no-such-device", 40, minutes(0))
    assert result.status == alarms.UNKNOWN and result.device_id is None
    assert not Reading.objects.exists() and not Case.objects.exists()
    assert "unknown device" in caplog.text


def test_an_out_of_service_device_is_not_watched(sns, pushed):
    Device.objects.filter(pk=sns.cover.pk).update(enabled=False)
    assert alarms.ingest(sns.cover.code, 40, minutes(0)).status == alarms.DISABLED
    assert not Reading.objects.exists()


def test_a_late_reading_is_history_not_the_present(sns, pushed):
    cover = sns.cover
    feed(cover, [3], start=10)
    late = alarms.ingest(cover.code, 40, minutes(1))
    assert late.ok and not late.raised
    cover.refresh_from_db()
    assert cover.last_value == 3 and cover.streak == 0 and cover.last_reading_at == minutes(10)
    assert Reading.objects.filter(device=cover).count() == 2


def test_a_reading_brings_an_offline_device_back(sns, pushed):
    Device.objects.filter(pk=sns.cover.pk).update(offline_since=minutes(-5), last_seen_at=None)
    result = alarms.ingest(sns.cover.code, 2, minutes(0))
    assert result.back_online
    sns.cover.refresh_from_db()
    assert sns.cover.offline_since is None and sns.cover.last_seen_at == minutes(0)


def test_the_tick_marks_silent_devices_and_cameras_offline(sns, pushed):
    now = timezone.now()
    Device.objects.filter(pk=sns.cover.pk).update(last_seen_at=now - dt.timedelta(hours=3))
    Camera.objects.filter(pk=sns.camera.pk).update(last_seen_at=now - dt.timedelta(minutes=10))
    assert "sensing" in periodic._JOBS
    done = periodic.run_all(now=now)["sensing"]
    assert done["offline_devices"] == 1 and done["offline_cameras"] == 1
    sns.cover.refresh_from_db()
    assert sns.cover.offline_since == now - dt.timedelta(hours=3) + dt.timedelta(seconds=5400)
    kinds = sorted(k for _t, k, _d, _p in pushed)
    assert kinds == ["camera.offline", "device.offline"]
    assert periodic.run_all(now=now)["sensing"]["offline_devices"] == 0  # once
    assert len(pushed) == 2


def test_a_camera_offline_too_long_is_one_maintenance_case_per_outage(sns, pushed, settings):
    settings.GONGZHI_SENSING_CAMERA_CASE_AFTER_MINUTES = 60
    Camera.objects.exclude(pk=sns.camera.pk).update(enabled=False)
    now = timezone.now()
    Camera.objects.filter(pk=sns.camera.pk).update(last_seen_at=now - dt.timedelta(minutes=30))
    assert alarms.tick(now=now)["camera_cases"] == 0  # offline, but not for an hour yet
    later = now + dt.timedelta(minutes=60)
    assert alarms.tick(now=later)["camera_cases"] == 1
    assert alarms.tick(now=later + dt.timedelta(minutes=5))["camera_cases"] == 0
    case = Case.objects.get(channel=Channel.SENSOR)
    assert case.category.code == "G03.05" and sns.camera.name in case.title
    assert (case.lng, case.lat) == (sns.camera.lng, sns.camera.lat)
    assert sns.police.name in case.description
    assert case.state == "dispatched" and case.owner == sns.camera.owner  # for its owner
    # Back, then silent again: a new outage, a new case.
    Camera.objects.filter(pk=sns.camera.pk).update(last_seen_at=later, offline_since=None)
    assert alarms.tick(now=later + dt.timedelta(minutes=200))["camera_cases"] == 1
    assert Case.objects.filter(channel=Channel.SENSOR).count() == 2


def test_an_alarm_whose_case_failed_gets_one_on_the_next_tick(sns, pushed):
    from gongzhi.taxonomy.models import Category

    Category.objects.filter(code="G02.01").update(enabled=False)
    result = feed(sns.cover, [20, 21])[-1]
    assert result.raised and result.case_number == ""
    assert alarms.tick()["alarm_cases"] == 0  # still no category
    Category.objects.filter(code="G02.01").update(enabled=True)
    assert alarms.tick()["alarm_cases"] == 1
    alarm = Alarm.objects.get()
    assert Case.objects.filter(number=alarm.case_number, channel=Channel.SENSOR).exists()
    assert alarms.tick()["alarm_cases"] == 0


def test_old_readings_are_thinned_to_one_per_bucket(sns, settings):
    settings.GONGZHI_SENSING_READINGS_KEEP_ALL_HOURS = 24
    now = T0 + dt.timedelta(days=2)
    old = [T0 + dt.timedelta(minutes=m) for m in range(30)]  # three 10-minute buckets
    recent = [now - dt.timedelta(minutes=m) for m in range(30)]
    other = DeviceFactory(grid=sns.grid, owner=sns.cgj)
    for device in (sns.cover, other):
        Reading.objects.bulk_create(Reading(device=device, at=at, value=1) for at in old + recent)
    assert alarms.downsample_readings(now) == 0  # T0 is 48 h back: past the sweep's reach
    settings.GONGZHI_SENSING_READINGS_SWEEP_HOURS = 48
    assert alarms.downsample_readings(now) == 2 * 27
    kept = Reading.objects.filter(device=sns.cover, at__lt=T0 + dt.timedelta(hours=1))
    assert sorted(r.at for r in kept) == [old[0], old[10], old[20]]
    assert Reading.objects.filter(at__gte=now - dt.timedelta(hours=1)).count() == 60
    assert alarms.downsample_readings(now) == 0


def test_a_message_delivered_twice_is_stored_once(sns, pushed):
    feed(sns.cover, [3, 17])
    again = alarms.ingest(sns.cover.code, 3, minutes(0))  # QoS 1: at least once
    assert again.status == alarms.DUPLICATE
    assert Reading.objects.filter(device=sns.cover).count() == 2
    sns.cover.refresh_from_db()
    assert sns.cover.streak == 1 and sns.cover.last_value == 17


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises all writers, so there is no race to test",
)
@pytest.mark.django_db(transaction=True)
def test_two_ingesters_at_once_raise_one_alarm_and_one_case(sns):
    from tests.concurrency import race

    code = sns.cover.code

    def ingester(offset):
        return [alarms.ingest(code, 30 + i, minutes(offset + 2 * i)) for i in range(6)]

    results, errors = race(lambda: ingester(0), lambda: ingester(1))
    assert errors == [None, None]
    assert sum(1 for run in results for r in run if r.raised) == 1
    assert Alarm.objects.count() == 1
    assert Case.objects.filter(channel=Channel.SENSOR).count() == 1
    assert Reading.objects.filter(device__code=code).count() == 12


def test_a_batch_is_a_few_statements_whatever_its_size(sns, pushed, django_assert_max_num_queries):
    covers = [DeviceFactory(grid=sns.grid, owner=sns.cgj) for _ in range(40)]
    at = minutes(0)
    # Find and lock the devices, insert the readings, update the devices (and the savepoint).
    with django_assert_max_num_queries(6):
        results = alarms.ingest_many([(c.code, 3, at, None) for c in covers[:2]])
    assert all(r.ok for r in results)
    with django_assert_max_num_queries(6):
        results = alarms.ingest_many([(c.code, 4, minutes(1), None) for c in covers])
    assert all(r.ok for r in results)
    assert Reading.objects.count() == 42
    covers[-1].refresh_from_db()
    assert covers[-1].last_value == 4 and covers[-1].last_reading_at == minutes(1)
    assert covers[-1].streak == 0


def test_a_batch_keeps_every_rule_and_answers_in_its_own_order(sns, pushed):
    cover, other = sns.cover, DeviceFactory(grid=sns.grid, owner=sns.cgj)
    feed(other, [3], start=10)
    Device.objects.filter(pk=cover.pk).update(offline_since=minutes(-5), last_seen_at=minutes(-6))
    batch = [
        (cover.code, 21, minutes(2), None),  # out of order: worked out in order of time
        ("no-such-device", 3, minutes(0), None),
        (cover.code, 20, minutes(1), None),
        (other.code, 3, minutes(10), None),  # delivered again: stored already
        (cover.code, "abc", minutes(3), None),
        (other.code, 40, minutes(5), None),  # late: history, not the present
        (cover.code, 21, minutes(2), None),  # twice in this very batch
        (cover.code, 2, minutes(4), None),  # the first normal one: the alarm stays
    ]
    results = alarms.ingest_many(batch)
    statuses = [r.status for r in results]
    assert statuses == [
        alarms.STORED,
        alarms.UNKNOWN,
        alarms.STORED,
        alarms.DUPLICATE,
        alarms.REFUSED,
        alarms.STORED,
        alarms.DUPLICATE,
        alarms.STORED,
    ]
    assert results[0].raised and results[0].case_number  # 20 then 21: the debounce of two
    assert not results[2].raised and not results[5].raised
    assert results[2].back_online and not results[0].back_online  # the earliest one is back
    alarm = Alarm.objects.get()
    assert alarm.value == 21 and alarm.raised_at == minutes(2) and alarm.cleared_at is None
    assert Case.objects.filter(number=alarm.case_number, channel=Channel.SENSOR).exists()
    cover.refresh_from_db()
    assert cover.state == DeviceState.ALARM and cover.streak == 1 and cover.last_value == 2
    assert cover.offline_since is None and cover.last_seen_at == minutes(4)
    other.refresh_from_db()
    assert other.last_value == 3 and other.streak == 0 and other.last_reading_at == minutes(10)
    assert Reading.objects.filter(device=cover).count() == 3
    assert Reading.objects.filter(device=other).count() == 2


def test_an_alarm_raised_and_cleared_in_one_batch_notes_its_case(sns, pushed):
    code = sns.cover.code
    results = alarms.ingest_many(
        [(code, v, minutes(i), None) for i, v in enumerate([20, 21, 2, 1])]
    )
    assert results[1].raised and results[3].cleared == results[1].raised
    alarm = Alarm.objects.get()
    assert alarm.cleared_at == minutes(3)
    assert Case.objects.get(number=alarm.case_number).events.filter(action="comment").exists()
    assert [k for _t, k, _d, _p in pushed] == ["alarm.raised", "alarm.cleared"]


def resolve_by_its_unit(sns, number):
    """The case as its unit takes it (sent to 城管 at once): signed for and resolved."""
    from gongzhi.cases.workflow import services as transitions

    case = Case.objects.get(number=number)
    for action, actor, params in (
        ("sign_for", sns.handler, {}),
        ("resolve", sns.handler, {"result": "井盖已复位并加固"}),
    ):
        case = transitions.do_transition(case=case, action=action, actor=actor, **params)
    return case


def test_the_case_closes_when_its_unit_resolved_it_and_the_device_reads_normal(sns, pushed):
    cover = sns.cover
    raised = feed(cover, [20, 25])[-1]
    case = resolve_by_its_unit(sns, raised.case_number)
    assert case.state == "resolved"
    assert alarms.close_loops() == 0  # still tilted: nobody's word closes it but a person's
    feed(cover, [2, 1], start=10)
    case.refresh_from_db()
    assert case.state == "closed"
    closing = case.events.get(action="verify_pass")
    assert closing.actor is None and closing.note == gettext(alarms.LOOP_CLOSED)


def test_a_device_normal_before_the_unit_resolves_closes_on_the_next_tick(sns, pushed):
    cover = sns.cover
    raised = feed(cover, [20, 25])[-1]
    feed(cover, [2, 1], start=10)
    case = Case.objects.get(number=raised.case_number)
    assert case.state != "closed"  # normal again, but the unit has not said it fixed it
    resolve_by_its_unit(sns, raised.case_number)
    assert periodic.run_all(now=minutes(30))["sensing"]["loops_closed"] == 1
    case.refresh_from_db()
    assert case.state == "closed"
    assert alarms.close_loops() == 0  # once
