"""The last staff lists on a phone (375×812): a sensor's alarms, a camera's rules and events,
the rules drawn on a camera, the houses of a building and the tenants of a house, a daily
check-in's alerts, a screening round's grids, and the notary room's slots and a resident's
own bookings. Every row is a short card inside the screen, no number, date or Latin word
broken over two lines, the row's first line apart from the rest, and where the row leads
somewhere its next action is a full-width tap target. On a wide screen they stay tables."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.legal.notary import services as notary
from gongzhi.mediation import campaigns
from gongzhi.people import checkins
from gongzhi.people.models import CheckInAlert, Stay
from gongzhi.sensing.models import Alarm, Event
from tests.factories import case_in
from tests.legal.conftest import legal  # noqa: F401 (a fixture)
from tests.legal.notary.conftest import INHERIT, notary_world  # noqa: F401 (a fixture)
from tests.mediation.conftest import med, villages  # noqa: F401 (fixtures)
from tests.mediation.test_campaign_pages import new_round, rounds  # noqa: F401
from tests.people.conftest import ppl  # noqa: F401 (a fixture)
from tests.people.factories import BuildingFactory, HouseFactory, ResidentFactory
from tests.sensing.conftest import sns  # noqa: F401 (a fixture)
from tests.sensing.factories import RuleFactory

from .phone import log_in
from .test_phone_cards_browser import WITH_AND_WITHOUT_CARDS, phone
from .test_phone_cards_browser import cards as checked

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG = "西关社区平安路与滨河路交叉口东北角"
SQUARE = [[0.1, 0.1], [0.5, 0.1], [0.5, 0.6], [0.1, 0.6]]


def cards(page, path, selector, **bounds):
    """The shared check, with each card's height printed (seen with ``-s``)."""
    rows = checked(page, path, selector, **bounds)
    print(path, selector, [round(r["height"]) for r in rows])
    return rows


def same_line(row, one: str, other: str):
    a, b = row.locator(one).bounding_box(), row.locator(other).bounding_box()
    assert abs(a["y"] - b["y"]) < a["height"], (one, other, a, b)


def first_line_apart(row, first: str, *, beside: str | None = None, below: str):
    """The card's first line (``first``, and ``beside`` on the same line) stands above the
    cell ``below``: on a phone the row is not one squeezed line of a table."""
    top = row.locator(first).bounding_box()
    if beside:
        same_line(row, first, beside)
    under = row.locator(below).bounding_box()
    assert under["y"] >= top["y"] + top["height"] - 1, (first, below, top, under)


def tap_target(row, target: str):
    """``target`` in the row is a tap target as wide as the card."""
    box = row.locator(target).bounding_box()
    card = row.bounding_box()
    assert box["height"] >= 44, (target, box)
    assert box["width"] >= 0.8 * card["width"], (target, box, card)


@pytest.fixture
def sensors(sns):  # noqa: F811
    """A sensor with an open alarm that raised a case and a cleared one; a camera with two
    rules, an event that raised a case and one dismissed."""
    w = sns
    w.case = case_in(w, "accepted")
    now = timezone.now()
    Alarm.objects.create(device=w.cover, raised_at=now, value=31.5, case_number=w.case.number)
    Alarm.objects.create(
        device=w.cover, raised_at=now - dt.timedelta(days=2), cleared_at=now, value=30
    )
    RuleFactory(camera=w.camera, name=f"{LONG}人员进入禁区", code="zone_enter", zone=SQUARE)
    RuleFactory(camera=w.camera, name="占道经营", code="stall", urgent=True)
    Event.objects.create(
        camera=w.camera,
        rule_code="zone_enter",
        at=now,
        state="confirmed",
        case_number=w.case.number,
    )
    Event.objects.create(
        camera=w.camera, rule_code="stall", at=now, state="dismissed", dismiss_reason="误报：行人"
    )
    return w


@pytest.fixture
def on_duty(chromium, live_server, sensors):
    context, page = phone(chromium, live_server, sensors.township_dispatcher, sensors.password)
    yield page
    context.close()


def test_a_sensors_alarms_are_cards_on_a_phone(on_duty, sensors):
    page, w = on_duty, sensors
    path = reverse("sensing:device", args=[w.cover.pk])
    cards(page, path, "[data-testid=alarm-row]", max_height=180, action=False)
    row = page.locator("[data-testid=alarm-row]", has_text=w.case.number)
    first_line_apart(row, "td:nth-child(1)", below="td:nth-child(2)")
    tap_target(row, "[data-testid=row-action]")  # the case it raised
    row.locator("[data-testid=row-action]").click()
    page.wait_for_url(f"**/cases/{w.case.number}/")


def test_a_cameras_rules_and_events_are_cards_on_a_phone(on_duty, sensors):
    page, w = on_duty, sensors
    path = reverse("sensing:camera", args=[w.camera.pk])
    rows = cards(page, path, "[data-testid=rule-row]", max_height=180)
    assert len(rows) == 2
    first_line_apart(
        page.locator("[data-testid=rule-row]").first, "td:nth-child(1)", below="td:nth-child(2)"
    )
    cards(page, path, "[data-testid=event-row]", max_height=160, action=False)
    row = page.locator("[data-testid=event-row]", has_text=w.case.number)
    first_line_apart(row, "td:nth-child(1)", beside="td:nth-child(3)", below="td:nth-child(2)")
    tap_target(row, "[data-testid=row-action]")
    # The rule's next action opens its drawing.
    page.locator("[data-testid=rule-row]").first.locator("[data-testid=row-action]").click()
    page.wait_for_selector("[data-testid=rule-form] input[name=rule]", state="attached")


def test_the_rules_drawn_on_a_camera_are_cards_on_a_phone(on_duty, sensors):
    page, w = on_duty, sensors
    path = reverse("sensing:camera_rules", args=[w.camera.pk])
    rows = cards(page, path, "[data-testid=zone-rule]", max_height=240, action=False)
    assert len(rows) == 2
    row = page.locator("[data-testid=zone-rule][data-rule=zone_enter]")
    first_line_apart(row, "td:nth-child(1)", beside="td:nth-child(3)", below="td:nth-child(2)")
    tap_target(row, "[data-testid=edit-rule]")
    tap_target(row, "[data-testid=delete-rule]")


@pytest.fixture
def homes(ppl):  # noqa: F811
    """A building with two houses, a tenant's stay in the world's house, and a daily
    check-in whose missed days raised alerts."""
    w = ppl
    w.block = BuildingFactory(grid=w.grid, name=f"{LONG}3号综合楼")
    HouseFactory(grid=w.grid, building=w.block, address=f"海东市乐都区碾伯镇{LONG}2单元1201室")
    HouseFactory(grid=w.grid, building=w.block, address="海东市乐都区碾伯镇西关街120号1单元101室")
    tenant = ResidentFactory(household=w.household, kind="migrant", relation="tenant")
    Stay.objects.create(
        resident=tenant,
        house=w.house,
        since=dt.date(2025, 3, 1),
        until=dt.date(2027, 3, 1),
        landlord_note=f"房东韩成林，租期两年，{LONG}",
    )
    w.plan = checkins.do_start_plan(
        resident=w.resident,
        actor=w.grid_worker,
        family_name="韩小明",
        family_phone="13812345678",
        started_on=timezone.localdate() - dt.timedelta(days=4),
    )
    checkins.alert_missed(now=timezone.now())
    assert CheckInAlert.objects.filter(plan=w.plan).exists()
    return w


@pytest.fixture
def grid_worker(chromium, live_server, homes):
    context, page = phone(chromium, live_server, homes.grid_worker, homes.password)
    yield page
    context.close()


def test_a_buildings_houses_are_cards_on_a_phone(grid_worker, homes):
    page, w = grid_worker, homes
    rows = cards(
        page,
        reverse("people:building", args=[w.block.pk]),
        "[data-testid=house-row]",
        max_height=170,
    )
    assert len(rows) == 2
    row = page.locator("[data-testid=house-row]").first
    first_line_apart(row, "td:nth-child(1)", below="td:nth-child(2)")
    row.locator("[data-testid=row-action]").click()
    page.wait_for_selector("[data-testid=house-page]")


def test_a_houses_tenants_are_cards_on_a_phone(grid_worker, homes):
    page, w = grid_worker, homes
    path = reverse("people:house", args=[w.house.pk])
    cards(page, path, "[data-testid=stay]", max_height=200)
    first_line_apart(page.locator("[data-testid=stay]"), "td:nth-child(1)", below="td:nth-child(2)")


def test_a_daily_check_ins_alerts_are_cards_on_a_phone(grid_worker, homes):
    page, w = grid_worker, homes
    path = reverse("people:checkin_plan", args=[w.plan.pk])
    selector = "[data-testid=plan-alerts] tbody tr"
    cards(page, path, selector, max_height=120, action=False)
    row = page.locator(selector).first
    first_line_apart(row, "td:nth-child(1)", beside="td:nth-child(2)", below="td:nth-child(3)")


def test_a_screening_rounds_grids_are_cards_on_a_phone(chromium, live_server, rounds):  # noqa: F811
    w = rounds
    c = new_round(w, title=f"{LONG}春节前矛盾纠纷大排查")
    campaigns.do_grid_report(actor=w.grid_worker, campaign=c, grid=w.grid)
    campaigns.do_grid_report(
        actor=w.worker_b, campaign=c, grid=w.grid_b, found=2, note=f"{LONG}两户因宅基地争执"
    )
    context, page = phone(chromium, live_server, w.township_leader, w.password)
    try:
        path = reverse("mediation:campaign", args=[c.pk])
        rows = cards(page, path, "[data-testid=grid-row]", max_height=230, action=False)
        assert len(rows) == 3
        row = page.locator(f"[data-testid=grid-row][data-grid='{w.grid_b.pk}']")
        first_line_apart(row, "td:nth-child(1)", beside="td:nth-child(4)", below="td:nth-child(2)")
    finally:
        context.close()


def test_the_notary_offices_slots_are_cards_on_a_phone(chromium, live_server, notary_world):  # noqa: F811
    w = notary_world
    context, page = phone(chromium, live_server, w.notary, w.password)
    try:
        selector = "[data-testid=slot-list] tbody tr"
        rows = cards(page, reverse("legal:notary_slots"), selector, max_height=110, action=False)
        assert len(rows) == 2
        row = page.locator(selector).first
        first_line_apart(row, "td:nth-child(1)", below="td:nth-child(2)")
        same_line(row, "td:nth-child(2)", "td:nth-child(3)")  # the office, then the places taken
    finally:
        context.close()


def test_a_residents_notary_bookings_are_cards_on_a_phone(chromium, live_server, notary_world):  # noqa: F811
    w = notary_world
    booking = notary.do_book(
        user=w.resident, slot_id=w.slot.pk, matter=w.inheritance, answers=INHERIT
    )
    context, page = phone(chromium, live_server, w.resident, w.password)
    try:
        path = reverse("legal:notary_mine")
        rows = cards(page, path, "[data-testid=booking-row]", max_height=260)
        assert [r["id"] for r in rows] == [booking.number]
        row = page.locator("[data-testid=booking-row]")
        # The number, then the state at the right of the same line; the matter below.
        first_line_apart(row, "td:nth-child(1)", beside="td:nth-child(5)", below="td:nth-child(2)")
        tap_target(row, f"[data-testid=cancel-{booking.number}]")
        row.locator("[data-testid=row-action]").click()
        page.wait_for_url(f"**/notary/bookings/{booking.number}/")
    finally:
        context.close()


def test_on_a_wide_screen_the_sensing_lists_stay_tables(page, sensors):
    """At 1440×900 the lists are the tables they were: the card classes move no cell."""
    w = sensors
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, w.township_dispatcher.username, w.password)
    wide_tables(
        page,
        [
            (reverse("sensing:device", args=[w.cover.pk]), "[data-testid=device-alarms]"),
            (reverse("sensing:camera", args=[w.camera.pk]), "[data-testid=camera-rules]"),
            (reverse("sensing:camera", args=[w.camera.pk]), "[data-testid=camera-events]"),
            (reverse("sensing:camera_rules", args=[w.camera.pk]), "[data-testid=zone-rules]"),
        ],
    )


def wide_tables(page, tables):
    for path, table in tables:
        page.goto(page.base_url + path)
        assert page.locator(f"{table} thead").is_visible(), path
        with_cards, without = page.evaluate(WITH_AND_WITHOUT_CARDS, table)
        assert len(with_cards) >= 6, (path, table)
        assert with_cards == without, (path, table)
        assert not page.locator(f"{table} [data-testid=row-action]").first.is_visible()


def test_on_a_wide_screen_the_register_lists_stay_tables(page, homes):
    w = homes
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, w.grid_worker.username, w.password)
    wide_tables(
        page,
        [
            (reverse("people:building", args=[w.block.pk]), "[data-testid=building-houses] table"),
            (reverse("people:house", args=[w.house.pk]), "[data-testid=stays] table"),
            (reverse("people:checkin_plan", args=[w.plan.pk]), "[data-testid=plan-alerts]"),
        ],
    )
