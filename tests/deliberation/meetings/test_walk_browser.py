"""A meeting in a real Chromium: the clerk opens it and signs residents in from the
register, a villager scans the QR code on their phone (390×844) and signs in, the clerk
opens the voting, the villager votes, the clerk closes with minutes and the outcome
shows on the villager's phone."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from gongzhi.deliberation.models import Attendance, Vote
from tests.web.phone import log_in, phone_options

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser_for(chromium, live_server, hall):
    contexts = []

    def open_as(user, *, phone=False):
        if phone:
            options = phone_options(hall.village_point, viewport=PHONE)
        else:
            options = {"locale": "zh-CN", "viewport": {"width": 1366, "height": 900}}
        context = chromium.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.base_url = live_server.url
        log_in(page, user.username, hall.password)
        return page

    yield open_as
    for context in contexts:
        context.close()


def step(page, action, fill=None, *, to):
    panel = page.locator(f"[data-testid=action-{action}]")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    if fill:
        fill(panel)
    panel.locator(f"[data-testid=submit-{action}]").click()
    page.wait_for_selector(f"[data-testid=meeting-page][data-state={to}]")


def test_the_clerk_opens_a_villager_signs_in_by_qr_and_votes(browser_for, hall, meet):
    w = hall
    meeting = meet.call(title="村道硬化")
    url = reverse("deliberation:meeting", args=[meeting.number])

    clerk = browser_for(w.clerk)
    clerk.goto(clerk.base_url + url)
    step(clerk, "open", to="in_session")
    # The door's QR code is drawn (a real PNG the phone can scan).
    expect(clerk.locator("[data-testid=qr]")).not_to_have_js_property("naturalWidth", 0)
    # The clerk signs in twelve adults from the register's list.
    for resident in meet.adults()[:12]:
        clerk.click(f"[data-testid=sign-in-{resident.pk}]")
        clerk.wait_for_selector(f"[data-testid=meeting-page] >> text={resident.name}")
    assert clerk.locator("[data-testid=quorum-state]").get_attribute("data-ok") == "0"

    # A villager scans the code: the phone opens the sign-in page.
    phone = browser_for(w.villagers[11], phone=True)
    sign_in_link = clerk.locator("[data-testid=sign-in-link]").get_attribute("href")
    phone.goto(sign_in_link)
    phone.click("[data-testid=sign-in]")
    phone.wait_for_selector("[data-testid=meeting-page] [data-testid=signed-in]")
    assert Attendance.objects.filter(meeting=meeting, resident=w.heads[11], method="qr").exists()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    clerk.reload()
    assert clerk.locator("[data-testid=quorum-state]").get_attribute("data-ok") == "1"
    step(clerk, "open_voting", to="voting")

    phone.reload()
    phone.click("[data-testid=vote-for]")
    phone.wait_for_selector("[data-testid=my-ballot]")
    assert (
        Vote.objects.filter(item__meeting=meeting, ballot=f"r{w.heads[11].pk}").get().choice
        == "for"
    )
    assert "1" in phone.locator("[data-testid=tally]").inner_text()

    step(
        clerk,
        "close",
        lambda p: p.locator("textarea[name=minutes]").fill("到会13人，表决未过半。"),
        to="closed",
    )
    phone.reload()
    assert phone.locator("[data-testid=item]").get_attribute("data-outcome") == "rejected"
    assert "表决未过半" in phone.locator("[data-testid=minutes]").inner_text()
