"""A grid worker's visit on a phone (375×740) in a real Chromium: sign in, open the visits
due, record a visit with a need (the phone's position from the browser), and turn the need
into a case with one tap; the case exists, in the care category, at the house."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gongzhi.cases.models import Case
from gongzhi.people import visits
from gongzhi.people.models import Visit
from tests.people.visit_fixtures import visit_world
from tests.web.phone import a_photo, log_in, phone_options

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def vw(ppl):
    return visit_world(ppl)


@pytest.fixture
def phone(chromium, live_server, vw, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Standing about 450 m east of the house: the visit is recorded and flagged.
    context = chromium.new_context(**phone_options((vw.point[0] + 0.005, vw.point[1])))
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    yield page
    context.close()


def test_a_grid_worker_records_a_visit_and_raises_the_need_as_a_case(phone, vw, tmp_path):
    care = vw.enrol(since=timezone.localdate() - dt.timedelta(days=9))  # two days late
    visits.plan()
    visit = Visit.objects.get(membership=care, state="due")

    log_in(phone, vw.grid_worker.username, vw.password)
    phone.goto(phone.base_url + "/people/visits/")
    item = phone.locator(f"[data-testid=visit-due][data-visit='{visit.pk}']")
    assert "late" in item.get_attribute("class")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    item.click()

    phone.wait_for_selector("[data-testid=visit-form]")
    expect(phone.locator("input[name=lng]")).not_to_have_value("")
    assert "ok" in phone.locator("[data-testid=position]").get_attribute("class")
    phone.fill("#id_findings", "老人独自在家，精神尚可，冰箱里食物不多")
    phone.fill("#id_needs", "行动不便，需要社区上门助餐")
    phone.set_input_files("[data-testid=photo]", str(a_photo(tmp_path)))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.click("[data-testid=record]")

    phone.wait_for_selector("[data-testid=visit-record]")
    assert phone.locator("[data-testid=far]").count() == 1
    visit.refresh_from_db()
    assert visit.state == "done" and visit.far and 400 < visit.distance_m < 500
    assert visit.photo
    nxt = Visit.objects.get(membership=care, state="due")
    assert nxt.due_on == timezone.localdate() + dt.timedelta(days=7)

    phone.click("[data-testid=raise-case]")
    phone.wait_for_selector("[data-testid=case-number]")
    visit.refresh_from_db()
    number = phone.locator("[data-testid=case-number]").inner_text().strip()
    assert number == visit.case_number
    case = Case.objects.get(number=number)
    assert case.category.full_name == "特殊人群服务 / 独居老人关爱"
    assert case.reporter == vw.grid_worker and "上门助餐" in case.description
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375


def test_a_refused_position_is_explained_and_nothing_is_sent(chromium, live_server, vw):
    care = vw.enrol(since=timezone.localdate() - dt.timedelta(days=3))
    visits.plan()
    visit = Visit.objects.get(membership=care, state="due")
    options = phone_options(vw.point)
    options.pop("permissions")  # the worker said no to the location prompt
    context = chromium.new_context(**options)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.base_url = live_server.url
        log_in(page, vw.grid_worker.username, vw.password)
        page.goto(f"{live_server.url}/people/visits/{visit.pk}/")
        position = page.locator("[data-testid=position]")
        expect(page.locator("[data-testid=position]")).to_have_class(re.compile(r"\brefused\b"))
        assert position.inner_text() == position.get_attribute("data-msg-refused")
        page.fill("#id_findings", "老人不在家")
        page.click("[data-testid=record]")
        assert page.locator("[data-testid=visit-form]").count() == 1
        visit.refresh_from_db()
        assert visit.state == "due"
    finally:
        context.close()
