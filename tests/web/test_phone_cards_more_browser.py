"""More staff lists on a phone (375×812): the register's buildings, houses, care groups and
daily check-ins, the sensors and cameras, the survey waves, the legal outreach desk, the
command centre's monthly reports and an early warning's reports, and the mediation pages
(screening rounds, cases to convert, a dispute's parties). Every row is a short card inside
the screen, no number, date or Latin word broken over two lines, and where the row leads
somewhere its next action is a full-width tap target."""

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.people import checkins
from gongzhi.people.models import CareGroup, CheckInAlert
from tests.command.test_early_warnings import surge  # noqa: F401 (a fixture)
from tests.legal.conftest import legal  # noqa: F401 (a fixture)
from tests.legal.outreach.conftest import _media, pf, write  # noqa: F401 (fixtures)
from tests.mediation.conftest import med, register, villages  # noqa: F401 (fixtures)
from tests.mediation.test_campaign_pages import new_round, rounds  # noqa: F401
from tests.mediation.test_conversion_pages import noisy  # noqa: F401 (a fixture)
from tests.people.conftest import ppl  # noqa: F401 (a fixture)
from tests.people.factories import BuildingFactory, CareMembershipFactory, HouseFactory
from tests.sensing.conftest import sns  # noqa: F401 (a fixture)
from tests.sensing.factories import DeviceFactory
from tests.surveys.conftest import new_wave, sv  # noqa: F401 (fixtures)

from .test_phone_cards_browser import cards as checked
from .test_phone_cards_browser import phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG = "西关社区平安路与滨河路交叉口东北角"


def cards(page, path, selector, **bounds):
    """The shared check, with each card's height printed (seen with ``-s``)."""
    rows = checked(page, path, selector, **bounds)
    print(path, selector, [round(r["height"]) for r in rows])
    return rows


def test_the_grid_workers_register_is_cards_on_a_phone(chromium, live_server, ppl):  # noqa: F811
    w = ppl
    block = BuildingFactory(
        grid=w.grid, name=f"{LONG}3号综合楼", address=f"海东市乐都区碾伯镇{LONG}西关街120号"
    )
    HouseFactory(grid=w.grid, building=block, address=f"海东市乐都区碾伯镇{LONG}2单元1201室")
    CareMembershipFactory(resident=w.resident, group=CareGroup.objects.get(code="elderly_alone"))
    plan = checkins.do_start_plan(
        resident=w.resident,
        actor=w.grid_worker,
        family_name="韩小明",
        family_phone="13812345678",
        started_on=timezone.localdate() - dt.timedelta(days=4),
    )
    checkins.alert_missed(now=timezone.now())
    assert CheckInAlert.objects.filter(plan=plan).exists()
    context, page = phone(chromium, live_server, w.grid_worker, w.password)
    try:
        rows = cards(page, "/people/buildings/", "[data-testid=building-row]", max_height=190)
        assert len(rows) == 1
        cards(page, "/people/houses/", "[data-testid=house-row]", max_height=160)
        cards(page, "/people/groups/elderly_alone/", "[data-testid=member-row]", max_height=210)
        cards(page, "/people/checkin/", "[data-testid=alert-row]", max_height=180)
        cards(page, "/people/checkin/", "[data-testid=plan-row]", max_height=200)
        # The next action opens the building.
        page.goto(page.base_url + "/people/buildings/")
        page.locator("[data-testid=building-row] [data-testid=row-action]").click()
        page.wait_for_selector("[data-testid=building-page]")
    finally:
        context.close()


def test_the_sensors_and_cameras_are_cards_on_a_phone(chromium, live_server, sns):  # noqa: F811
    w = sns
    DeviceFactory(grid=w.grid, owner=w.cgj, name=f"{LONG}井盖位移传感器")
    context, page = phone(chromium, live_server, w.township_dispatcher, w.password)
    try:
        rows = cards(page, "/sensing/devices/", "[data-testid=device-row]", max_height=240)
        assert len(rows) == 2
        rows = cards(page, "/sensing/cameras/", "[data-testid=camera-row]", max_height=180)
        assert len(rows) == 2
    finally:
        context.close()


def test_the_survey_waves_are_cards_on_a_phone(chromium, live_server, sv):  # noqa: F811
    w = sv
    new_wave(w, w.nianbo, name=f"{LONG}2026年第四季度群众安全感调查")
    context, page = phone(chromium, live_server, w.admin, w.password)
    try:
        cards(page, "/surveys/", "[data-testid=wave-row]", max_height=210)
    finally:
        context.close()


def test_the_outreach_desk_is_cards_on_a_phone(chromium, live_server, pf, write):  # noqa: F811
    from gongzhi.legal.outreach import services

    services.do_create_campaign(
        user=pf.sfs_staff,
        title=f"{LONG}宪法宣传周进社区活动",
        region=pf.regions.nianbo,
        starts_on=dt.date(2026, 12, 1),
        ends_on=dt.date(2026, 12, 7),
    )
    write(pf.sfs_staff, [pf.regions.nianbo], title=f"{LONG}宪法宣传周：宪法是根本大法")
    context, page = phone(chromium, live_server, pf.sfs_staff, pf.password)
    try:
        cards(page, "/legal/outreach/desk/", "[data-testid=campaign-row]", max_height=160,
              action=False)  # fmt: skip
        cards(page, "/legal/outreach/desk/", "[data-testid=desk-article]", max_height=200)
    finally:
        context.close()


def test_the_command_centres_lists_are_cards_on_a_phone(chromium, live_server, surge):  # noqa: F811
    from gongzhi.command import early_warnings
    from gongzhi.command.models import EarlyWarning, MonthlyReport

    w = surge
    MonthlyReport.objects.create(
        month=dt.date(2026, 10, 1),
        region=w.regions.ledu,
        created_at=timezone.now(),
        sent_at=timezone.now(),
        pdf="command/reports/2026/630202-2026-10.pdf",
        xlsx="command/reports/2026/630202-2026-10.xlsx",
    )
    early_warnings.run(day=w.today)
    warning = EarlyWarning.objects.get()
    context, page = phone(chromium, live_server, w.county_leader, w.password)
    try:
        cards(page, "/command/reports/", "[data-testid=report-row]", max_height=180)
        rows = cards(
            page, f"/command/warnings/{warning.pk}/", "[data-testid=warning-row]", max_height=180
        )
        assert len(rows) >= 10
    finally:
        context.close()


def test_a_grid_workers_screening_rounds_are_cards_on_a_phone(chromium, live_server, rounds):  # noqa: F811
    w = rounds
    new_round(w, title=f"{LONG}春节前矛盾纠纷大排查")
    context, page = phone(chromium, live_server, w.grid_worker, w.password)
    try:
        cards(page, "/mediation/campaigns/", "[data-testid=campaign-row]", max_height=220)
    finally:
        context.close()


def test_the_cases_to_convert_are_cards_on_a_phone(chromium, live_server, noisy):  # noqa: F811
    w = noisy
    context, page = phone(chromium, live_server, w.dispatcher, w.password)
    try:
        rows = cards(
            page, "/mediation/from-cases/", "[data-testid=case-row]", max_height=220, action=False
        )
        assert {r["id"] for r in rows} == {w.case.number}
        # The card leads with the number and the state on one line; its action is the
        # full-width convert button.
        row = page.locator(f'[data-testid=case-row][data-number="{w.case.number}"]')
        number = row.get_by_text(w.case.number, exact=True).bounding_box()
        state = row.locator("[data-testid=state]").bounding_box()
        assert abs(number["y"] - state["y"]) < number["height"]
        button = row.locator("[data-testid=convert]").bounding_box()
        assert button["height"] >= 44 and button["width"] >= 300
    finally:
        context.close()


def test_a_disputes_parties_are_cards_on_a_phone(chromium, live_server, med):  # noqa: F811
    dispute = register(med, title="西关社区马家与韩家因院墙排水问题发生争执")
    context, page = phone(chromium, live_server, med.village_mediator, med.password)
    try:
        rows = cards(
            page, f"/mediation/{dispute.number}/", "[data-testid=party]", max_height=140,
            action=False,
        )  # fmt: skip
        assert len(rows) == 2
    finally:
        context.close()
