"""The demo history and the live simulator, run small on the test world."""

import io
from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from gongzhi.cases import stats
from gongzhi.cases.choices import FINAL_STATES, State
from gongzhi.cases.intake import services
from gongzhi.cases.models import (
    Callback,
    Case,
    CaseEvent,
    CaseNumberSequence,
    CaseSupport,
    ExtensionRequest,
)
from gongzhi.cases.workflow import deadlines
from gongzhi.demo import cases as demo_seed
from gongzhi.demo import drafts, texts
from gongzhi.regions.models import Grid
from gongzhi.triage.models import Assessment

pytestmark = pytest.mark.django_db

COUNT = 400


@pytest.fixture
def history(world):
    now = timezone.now()
    counts = demo_seed.generate(count=COUNT, grids=Grid.objects.all(), now=now, seed=7)
    # The rates read the rollups: counted whole, as the demo command does after loading.
    from gongzhi.command import rollups

    rollups.rebuild()
    return counts, now


def test_the_history_is_created_with_timelines(history):
    counts, _now = history
    assert counts["cases"] == Case.objects.count() == COUNT
    assert counts["events"] == CaseEvent.objects.count()
    assert not Case.objects.annotate(n=Count("events")).filter(n=0).exists()
    first = {}
    for case_id, action, at in CaseEvent.objects.order_by("at", "id").values_list(
        "case_id", "action", "at"
    ):
        first.setdefault(case_id, (action, at))
    for case in Case.objects.only("id", "created_at"):
        assert first[case.pk] == ("report", case.created_at)


def test_handling_times_are_in_order(history):
    for c in Case.objects.filter(state=State.CLOSED):
        assert c.created_at <= c.dispatched_at <= c.signed_at <= c.resolved_at <= c.closed_at
    for c in Case.objects.exclude(state__in=FINAL_STATES):
        assert c.closed_at is None
        if c.signed_at:
            assert c.dispatched_at <= c.signed_at
    # As live use leaves a row: the steps write it; the scan's notices and a merge into the
    # case only add to its timeline.
    for c in Case.objects.all():
        steps = c.events.exclude(action__in=["merged_in", "deadline_warning", "overdue"])
        last = steps.order_by("-at", "-id").first()
        assert c.updated_at == last.at
        assert c.state == last.to_state


def test_met_and_overdue_flags_follow_the_deadlines(history):
    _counts, now = history
    for c in Case.objects.exclude(sign_for_due=None):
        if c.signed_at:
            assert c.sign_for_met == (c.signed_at <= c.sign_for_due)
        if c.resolved_at:
            assert c.resolve_met == (c.resolved_at <= c.resolve_due)
    for c in Case.objects.filter(state=State.CLOSED):
        assert c.is_overdue == (c.resolve_met is False)
    # The history already holds every notice the scan would have sent by now: a real scan
    # at the same moment finds nothing new to say.
    assert deadlines.scan(now=now) == {"warned": 0, "overdue": 0}
    # And every overdue notice is on the timeline.
    noticed = Case.objects.filter(overdue_notified_at__isnull=False)
    for c in noticed:
        assert c.events.filter(action="overdue", at=c.overdue_notified_at).exists()


def test_the_mix_looks_like_a_real_hotline(history):
    states = Counter(Case.objects.values_list("state", flat=True))
    assert states[State.CLOSED] > COUNT * 0.7
    assert 0.01 < states[State.REJECTED] / COUNT < 0.12
    assert states[State.MERGED] > 0
    actions = Counter(CaseEvent.objects.values_list("action", flat=True))
    for action in (
        "accept",
        "dispatch",
        "sign_for",
        "resolve",
        "verify_pass",
        "callback",
        "return",
        "overdue",
        "deadline_warning",
    ):
        assert actions[action] > 0, action
    closed = Case.objects.filter(state=State.CLOSED)
    rated = closed.filter(callbacks__isnull=False).distinct().count()
    assert 0.7 < rated / closed.count() < 0.95
    overdue = closed.filter(resolve_met=False).count() / closed.count()
    assert 0.02 < overdue < 0.2


def test_rates_from_the_history_are_plausible(history, world):
    (row,) = stats.rates(viewer=world.admin, group_by="all")
    assert row["total"] == COUNT
    assert 0.8 <= row["response_rate"] <= 1
    assert 0.85 <= row["resolution_rate"] <= 1
    assert 0.85 <= row["satisfaction_rate"] <= 1
    assert row["counts"]["rated"] == Callback.objects.values("case").distinct().count()


def test_merges_callbacks_and_extensions_are_consistent(history):
    for c in Case.objects.filter(state=State.MERGED).select_related("merged_into"):
        target = c.merged_into
        assert target is not None and target.created_at <= c.created_at
        assert target.events.filter(action="merged_in", data__case=c.number).exists()
    for cb in Callback.objects.select_related("case"):
        event = cb.case.events.get(action="callback", at=cb.created_at)
        assert event.data["satisfaction"] == cb.satisfaction
    for request in ExtensionRequest.objects.all():
        assert request.case.events.filter(
            action="request_extension", data__request=request.pk
        ).exists()


def test_points_lie_in_their_grids_and_places_follow(history, world):
    from gongzhi.regions.lookup import locate

    for c in Case.objects.select_related("grid"):
        hit = locate(c.lng, c.lat)
        assert hit is not None and hit.grid_id == c.grid_id
        assert c.region_path == c.grid.region_path
        assert c.command in (world.command, world.other_command, world.city_command)


def test_numbers_are_per_day_and_continue_live(history, world):
    by_day = defaultdict(list)
    for number, created in Case.objects.values_list("number", "created_at"):
        by_day[number[3:11]].append((created, int(number[-6:])))
        assert number[3:11] == f"{timezone.localtime(created):%Y%m%d}"
    for day, items in by_day.items():
        assert [n for _c, n in sorted(items)] == list(range(1, len(items) + 1)), day
        assert CaseNumberSequence.objects.get(day=f"{day[:4]}-{day[4:6]}-{day[6:]}").last == len(
            items
        )
    case, _ = services.do_report(
        report=services.Report(
            channel="quick_report",
            title="井盖丢失",
            category_id=world.manhole.pk,
            lng=world.point[0],
            lat=world.point[1],
        ),
        reporter=world.resident,
    )
    today = f"{timezone.localdate():%Y%m%d}"
    assert case.number == f"HD-{today}-{len(by_day.get(today, [])) + 1:06d}"


def test_loading_twice_creates_nothing(history):
    before = (Case.objects.count(), CaseEvent.objects.count(), Callback.objects.count())
    again = demo_seed.generate(count=COUNT, grids=Grid.objects.all(), seed=7)
    assert again == {"cases": 0, "skipped": True}
    assert (Case.objects.count(), CaseEvent.objects.count(), Callback.objects.count()) == before


def test_the_same_seed_tells_the_same_stories(world):
    now = timezone.now()
    demo_seed.generate(count=60, grids=Grid.objects.all(), now=now, seed=3)
    first = list(Case.objects.order_by("number").values_list("title", "state", "category_id"))
    Case.objects.all().delete()
    CaseNumberSequence.objects.all().delete()
    demo_seed.generate(count=60, grids=Grid.objects.all(), now=now, seed=3)
    second = list(Case.objects.order_by("number").values_list("title", "state", "category_id"))
    assert first == second


def test_simulate_feeds_cases_through_the_real_services(history, world):
    before = set(Case.objects.values_list("pk", flat=True))
    last_event = CaseEvent.objects.order_by("-id").values_list("id", flat=True).first()
    out = io.StringIO()
    call_command("simulate", "--rate", "6000", "--events", "12", "--seed", "5", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 13  # twelve events and the closing line
    new = Case.objects.exclude(pk__in=before)
    assert new.exists()
    for case in new:
        assert case.events.first().action == "report"
        assert case.idempotency_key.startswith("sim-")
    # Run without a watcher, the simulator follows up its own reports: triage has seen each.
    assert not new.filter(follow_up_pending=True).exists()
    assert set(Assessment.objects.values_list("case_ref", flat=True)) >= {c.number for c in new}
    # Open cases of the history were moved along by people, each step on the timeline.
    moved = CaseEvent.objects.filter(case__pk__in=before, id__gt=last_event)
    assert moved.exists()
    assert not moved.filter(actor__isnull=True).exists()


def test_simulate_stops_after_its_duration(world):
    out = io.StringIO()
    call_command("simulate", "--rate", "60", "--duration", "0.3", "--seed", "1", stdout=out)
    assert Case.objects.count() == 1  # one report at the start, the next was not due yet


def test_gatherings_carry_supports_from_other_residents(history):
    """The places many people write about also have residents who added their voice."""
    counts, now = history
    supports = CaseSupport.objects.select_related("case")
    assert counts["supports"] == supports.count() > 0
    for s in supports:
        assert s.user_id != s.case.reporter_id
        assert s.case.created_at <= s.created_at <= now
    assert len({s.case_id for s in supports}) <= len(texts.GATHERINGS)


def test_the_demo_assesses_its_open_cases_and_some_wait_for_a_dispatcher(
    history, settings, tmp_path
):
    """After training on the history, the demo's open cases are assessed as intake's
    follow-up would have; reports that raise two matters are where triage disagrees."""
    from gongzhi.demo import loader

    settings.GONGZHI = {**settings.GONGZHI, "TRIAGE_MODEL_DIR": str(tmp_path / "models")}
    from gongzhi.triage.models import Assessment

    assert loader._triage_model() is not None
    result = loader._assess_open_cases()
    open_numbers = set(
        Case.objects.exclude(state__in=FINAL_STATES).values_list("number", flat=True)
    )
    assert result["n"] == len(open_numbers) > 0
    assert set(Assessment.objects.values_list("case_ref", flat=True)) == open_numbers
    mixed = Case.objects.filter(title__in=texts.MIXED_TITLES)
    assert mixed.exists()  # some reports raise two matters
    assert loader._assess_open_cases() == {"n": 0, "pending": 0}  # once


def test_each_gathering_is_one_hotspot_named_by_its_place(history, world):
    """The dispatcher's hotspot page shows each place many people wrote about once, under
    its own name (one report moved to its grid's centre used to start a second hotspot,
    and '南关街菜市场' was read as a city called '南关街菜市')."""
    from gongzhi.cases.triage.hooks import case_hotspots

    _counts, now = history
    _start, _end, found = case_hotspots(
        viewer=world.admin, region=None, start=now - timedelta(days=40), top=None
    )
    gathered = 0
    for _category, place, _titles, _text in texts.GATHERINGS:
        numbers = set(Case.objects.filter(address__endswith=place).values_list("number", flat=True))
        if not numbers:
            continue
        gathered += 1
        points = Case.objects.filter(number__in=numbers).values_list("lng", "lat")
        lngs, lats = zip(*points, strict=True)
        # Within the gathering's radius of one spot, so within the hotspot's reach.
        assert (max(lngs) - min(lngs)) * 111_320 * 0.81 <= 2 * drafts.GATHER_RADIUS_M
        assert (max(lats) - min(lats)) * 111_320 <= 2 * drafts.GATHER_RADIUS_M
        spots = [h for h in found if numbers & set(h["ids"])]
        assert len(spots) == 1, (place, [(h["label"], len(h["ids"])) for h in spots])
        assert set(spots[0]["ids"]) == numbers
        assert spots[0]["place"] == place
    assert gathered >= 1


def test_recent_photo_reports_carry_photos_that_their_page_shows(
    history, client, world, settings, tmp_path
):
    """随手拍 in the demo: the last weeks' photo reports have a photo on the report's timeline
    entry, the resolved ones another on the resolution's; the case page shows them."""
    from gongzhi.cases.models import Attachment
    from gongzhi.demo import photos as demo_photos

    settings.MEDIA_ROOT = tmp_path / "media"
    _counts, now = history
    stored = demo_photos.attach(now=now, seed=1)
    recent = Case.objects.filter(
        channel__in=demo_photos.PHOTO_CHANNELS,
        created_at__gte=now - timedelta(days=demo_photos.PHOTO_DAYS),
    )
    streets = recent.filter(category__code__startswith="G02")  # 道路与井盖: photographed
    disputes = recent.filter(category__code__startswith="G04")  # 矛盾纠纷: nothing to show
    assert stored == Attachment.objects.count() > 0
    assert streets.exists() and disputes.exists()
    assert streets.filter(attachments__isnull=False).distinct().count() >= 0.6 * streets.count()
    assert not disputes.filter(attachments__isnull=False).exists()
    for a in Attachment.objects.select_related("event", "case"):
        assert a.event is not None and a.event.case_id == a.case_id
        assert a.event.action == ("report" if a.stage == "report" else "resolve")
        assert a.image.storage.exists(a.image.name) and a.thumbnail.name
    resolved = Attachment.objects.filter(stage="resolution").select_related("case").first()
    assert resolved is not None and resolved.case.resolved_at is not None
    assert demo_photos.attach(now=now, seed=1) == 0  # once

    client.force_login(world.admin)
    page = client.get(f"/cases/{resolved.case.number}/").content.decode()
    assert page.count('data-testid="photo"') == 2  # before and after
    photo = client.get(f"/cases/{resolved.case.number}/photos/{resolved.pk}/full/")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"


def test_the_last_days_steps_left_their_notices_in_peoples_inboxes(history, world):
    """A handler of the demo opens an inbox holding what the last days told their unit,
    each notice dated when it was sent, and read once someone acted on the case since."""
    from gongzhi.demo import notices as demo_notices
    from gongzhi.notify.models import Notification

    _counts, now = history
    made = demo_notices.replay(now=now)
    assert made == Notification.objects.count() > 0
    since = now - timedelta(days=demo_notices.NOTICE_DAYS)
    dispatched = (
        CaseEvent.objects.filter(
            action="dispatch", at__gte=since, case__owner__memberships__role="handler"
        )
        .select_related("case__owner")
        .latest("at")
    )
    case = dispatched.case
    handler = case.owner.memberships.filter(role="handler").first().user
    notice = Notification.objects.get(
        recipient=handler, data__case=case.number, kind="case.dispatch", created_at=dispatched.at
    )
    assert notice.title.startswith("有事件派遣至本单位")
    acted_since = case.events.filter(at__gt=dispatched.at).exists()
    assert (notice.read_at is not None) is acted_since
    assert not Notification.objects.filter(created_at__lt=since).exists()
    assert demo_notices.replay(now=now) == 0  # once
