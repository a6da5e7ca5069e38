"""Early warnings: the test on simulated series, a surge in one township found from real
reports and told to its leaders, and the two ways of dealing with a warning."""

from __future__ import annotations

import io
import json
import re
from datetime import datetime, time, timedelta

import numpy as np
import pytest
from django.core.management import call_command
from django.utils import timezone

from gongzhi.accounts.models import Role
from gongzhi.cases.models import Case
from gongzhi.command import early_warnings, rollups
from gongzhi.command.models import EarlyWarning, EarlyWarningRun, WarningState
from gongzhi.notify.models import Notification
from gongzhi.regions.models import Region
from tests.factories import member, report_case

pytestmark = pytest.mark.django_db

# Weekday rhythm of reports (Monday first): busier early in the week, quiet at weekends.
RHYTHM = np.array([1.3, 1.2, 1.1, 1.0, 1.0, 0.7, 0.7]) / (6.0 / 7)


def _weeks(rng, mean: float, weeks: int, shape: float | None = None) -> np.ndarray:
    """Weekly totals of a daily series with a weekly rhythm: Poisson, or negative binomial
    (gamma-mixed) when ``shape`` is given."""
    rate = np.tile(RHYTHM, weeks) * mean / 7
    if shape:
        rate = rng.gamma(shape, rate / shape)
    return rng.poisson(rate).reshape(weeks, 7).sum(axis=1).astype(float)


def test_the_test_rarely_cries_wolf_and_catches_a_tripling():
    rng = np.random.default_rng(20261206)
    alarms = weeks = 0
    for mean, shape in [(2, None), (6, None), (15, None), (6, 3.0), (15, 3.0)]:
        for _ in range(40):
            verdicts = early_warnings.scan(_weeks(rng, mean, 30, shape))[12:]
            alarms += sum(v.alarm for v in verdicts)
            weeks += len(verdicts)
    assert alarms / weeks <= 0.01  # false alarms per township-category-week on null series

    # A week of three times the usual reports: caught most of the time from 15 a week (a
    # tripling of 8 a week about two times in three: the price of few false alarms).
    for mean, share in [(8, 0.5), (15, 0.85)]:
        caught = 0
        for _ in range(100):
            series = _weeks(rng, mean, 13)
            series[-1] = rng.poisson(3 * mean)
            caught += early_warnings.scan(series)[-1].alarm
        assert caught >= 100 * share

    # Small counts are never alarms, however quiet the weeks before; nor a short history.
    assert not early_warnings.assess(4, [0] * 12).alarm
    assert early_warnings.assess(9, [0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]).alarm
    assert not early_warnings.assess(40, [5, 6, 5]).alarm
    verdict = early_warnings.assess(38, [6, 7, 8, 9, 11, 10, 6, 8, 9, 7, 10, 11])
    assert verdict.alarm and (verdict.low, verdict.high) == (6, 11)
    assert verdict.threshold < 38 and verdict.p_value < 0.005


def _reports(world, category, point, on, n: int) -> list[int]:
    """``n`` reports through intake, dated at noon on ``on``."""
    ids = [report_case(world, category, point=point, title=f"井盖{on}-{i}").pk for i in range(n)]
    at = timezone.make_aware(datetime.combine(on, time(12)))
    Case.objects.filter(pk__in=ids).update(created_at=at)
    return ids


@pytest.fixture
def surge(world):
    """碾伯镇 (乐都区): 1–2 road reports a week for five weeks, then 10 this week; 平安镇
    (平安区): a steady 5 or so a week. The daily figures are recounted from the cases."""
    today = timezone.localdate()
    for back, (nianbo, pingan) in enumerate([(10, 6), (2, 5), (1, 4), (2, 6), (1, 5), (2, 5)]):
        day = today - timedelta(days=7 * back + 1)
        _reports(world, world.manhole, world.point, day, nianbo)
        _reports(world, world.pothole, world.other_point, day, pingan)
    rollups.rebuild()
    world.nianbo_leader = member(world.township, Role.LEADER)
    world.county_leader = member(world.command, Role.LEADER)
    world.other_leader = member(world.other_command, Role.LEADER)
    world.today = today
    return world


def test_a_surge_in_one_township_warns_its_and_its_countys_leaders(surge):
    w = surge
    out = io.StringIO()
    call_command("command", "warn", "--day", w.today.isoformat(), stdout=out)
    result = json.loads(out.getvalue())
    assert result["created"] == 1

    warning = EarlyWarning.objects.get()
    assert warning.township == Region.objects.get(code="630202100")
    assert warning.category.full_name == "道路与井盖"
    assert warning.count == 10 and (warning.expected_low, warning.expected_high) == (1, 2)
    assert warning.state == WarningState.OPEN
    headline = early_warnings.headline(warning)
    assert "碾伯镇" in headline and "10" in headline

    told = set(
        Notification.objects.filter(kind="command.early_warning").values_list(
            "recipient_id", flat=True
        )
    )
    assert told == {w.nianbo_leader.pk, w.county_leader.pk}  # not 平安区's, not the city's

    # Rerun, and the next night (the same rise): nothing new, nobody told twice.
    assert early_warnings.run(day=w.today)["created"] == 0
    assert early_warnings.run(day=w.today + timedelta(days=1))["created"] == 0
    assert EarlyWarning.objects.count() == 1
    assert Notification.objects.filter(kind="command.early_warning").count() == 2


def test_the_nightly_run_claims_its_night_once(surge):
    tz = timezone.get_current_timezone()
    night = datetime.combine(surge.today + timedelta(days=1), time(0, 30), tzinfo=tz)
    assert "skipped" in early_warnings.tick(now=night)  # before 01:00
    first = early_warnings.tick(now=night + timedelta(hours=1))
    again = early_warnings.tick(now=night + timedelta(hours=2))
    assert first["created"] == 1 and again["skipped"] == "already run"
    assert EarlyWarningRun.objects.get().day == surge.today


def test_a_warning_is_tasked_or_dismissed_by_who_governs_the_township(client, surge):
    w = surge
    early_warnings.run(day=w.today)
    warning = EarlyWarning.objects.get()
    url = f"/api/v1/command/warnings/{warning.pk}"

    # Outside the township's territory: not found, whatever the role.
    for outsider in (w.other_leader, w.other_dispatcher, w.handler):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        assert client.post(f"{url}/task", {}, content_type="application/json").status_code == 404
    client.force_login(w.other_leader)
    listed = client.get("/api/v1/command/warnings").json()
    assert listed["count"] == 0

    client.force_login(w.nianbo_leader)
    detail = client.get(url).json()
    assert detail["count"] == 10 and detail["case_count"] == 10
    # The first week began before the records: not a quiet week, no week at all.
    assert detail["weeks"][-6:] == [None, 1, 2, 1, 2, 10]
    assert len(detail["cases"]) == 10
    # A reason is needed to dismiss: refused, nothing changed.
    refused = client.post(f"{url}/dismiss", {"reason": " "}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["field"] == "reason"
    assert EarlyWarning.objects.get().state == WarningState.OPEN

    client.force_login(w.county_leader)
    tasked = client.post(f"{url}/task", {"note": "请城管局排查"}, content_type="application/json")
    assert tasked.status_code == 200, tasked.content
    case = Case.objects.get(number=tasked.json()["case"])
    assert case.supervision_count == 1
    assert case.region_path.startswith(warning.township.path)
    assert case.category.path.startswith(warning.category.path)
    assert case.entered_by == w.county_leader and "请城管局排查" in case.description
    assert case.events.filter(action="supervise").exists()
    assert EarlyWarning.objects.get().state == WarningState.TASKED

    # Dealt with: neither action again.
    again = client.post(f"{url}/dismiss", {"reason": "已处理"}, content_type="application/json")
    assert again.status_code == 409


def test_the_pages_list_draw_and_dismiss_a_warning(client, surge):
    w = surge
    early_warnings.run(day=w.today)
    warning = EarlyWarning.objects.get()

    client.force_login(w.county_leader)
    listing = client.get("/command/warnings/").content.decode()
    assert 'data-testid="warning-row" data-township="630202100" data-count="10"' in listing
    page = client.get(f"/command/warnings/{warning.pk}/").content.decode()
    assert 'id="warning-chart-data"' in page and 'data-testid="warning-actions"' in page
    # The reports it counts, in the case queue: the same ten.
    queue = re.search(r'href="([^"]+)" data-testid="warning-queue"', page).group(1)
    listed = client.get(queue.replace("&amp;", "&")).content.decode()
    assert re.search(r'data-testid="result-count" data-count="10"', listed)
    client.force_login(w.other_leader)
    assert client.get(f"/command/warnings/{warning.pk}/").status_code == 404
    assert 'data-testid="no-warnings"' in client.get("/command/warnings/").content.decode()
    assert (
        client.post(f"/command/warnings/{warning.pk}/dismiss/", {"reason": "x"}).status_code == 404
    )

    client.force_login(w.nianbo_leader)
    response = client.post(
        f"/command/warnings/{warning.pk}/dismiss/", {"reason": "集中换装井盖，已知情况"}
    )
    assert response.status_code == 302
    warning.refresh_from_db()
    assert warning.state == WarningState.DISMISSED and warning.decided_by == w.nianbo_leader
    assert warning.reason == "集中换装井盖，已知情况"
    page = client.get(f"/command/warnings/{warning.pk}/").content.decode()
    assert 'data-testid="warning-decision"' in page and "warning-actions" not in page
    opened = client.get("/command/warnings/?state=open").content.decode()
    assert 'data-testid="no-warnings"' in opened


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_county_leader_reads_the_weeks_and_turns_the_warning_into_a_task(page, surge):
    from tests.web.phone import log_in

    early_warnings.run(day=surge.today)
    log_in(page, surge.county_leader.username, surge.password)
    page.goto(f"{page.base_url}/command/warnings/")
    page.locator("[data-testid=warning-row] a").first.click()
    page.locator("#warning-chart canvas").wait_for()  # ECharts drew the weeks
    assert "碾伯镇" in page.locator("[data-testid=warning-headline]").inner_text()
    page.locator("textarea[name=note]").fill("请城管局排查井盖")
    page.locator("[data-testid=warning-task]").click()
    number = page.locator("[data-testid=warning-case]").inner_text()
    case = Case.objects.get(number=number)
    assert case.supervision_count == 1 and "请城管局排查井盖" in case.description
