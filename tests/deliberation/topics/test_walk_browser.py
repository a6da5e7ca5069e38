"""Topics in a real Chromium on a phone (390×844): a villager raises a topic with a photo and
the place from the phone's position; a neighbour finds it in the village's list and
supports it (htmx, no reload); the clerk sees the threshold reached and its clock."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from gongzhi.deliberation.models import Topic
from tests.web.phone import a_photo, log_in, phone_options

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone_as(chromium, live_server, tw):
    contexts = []

    def open_as(user):
        context = chromium.new_context(**phone_options(tw.village_point, viewport=PHONE))
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.base_url = live_server.url
        log_in(page, user.username, tw.password)
        return page

    yield open_as
    for context in contexts:
        context.close()


def test_a_villager_raises_a_topic_and_a_neighbour_supports_it(phone_as, tw, tmp_path):
    tw.rule.households = 2
    tw.rule.save()

    # 1. The villager raises a topic from the phone, with a photo; the map takes their position.
    phone = phone_as(tw.villagers[0])
    phone.goto(phone.base_url + "/deliberation/topics/")
    phone.click("[data-testid=raise-topic]")
    phone.fill("[data-testid=title]", "村口路灯坏了")
    phone.fill("[data-testid=body]", "村口的三盏路灯坏了一个月，晚上出行不安全。")
    phone.set_input_files("[data-testid=photos]", str(a_photo(tmp_path)))
    phone.fill("[data-testid=place]", "村口")
    expect(phone.locator("#id_lng")).not_to_have_value("")
    phone.click("[data-testid=submit-topic]")
    phone.wait_for_selector("[data-testid=topic-page][data-state=open]")
    topic = Topic.objects.get()
    assert len(topic.photos) == 1
    assert (
        abs(topic.lng - tw.village_point[0]) < 0.001
        and abs(topic.lat - tw.village_point[1]) < 0.001
    )
    assert phone.locator("[data-testid=photos] img").count() == 1
    # Nothing wider than the phone's screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # 2. Two neighbours find it and support it; the count updates without a reload.
    for n in (1, 2):
        other = phone_as(tw.villagers[n])
        other.goto(other.base_url + "/deliberation/topics/")
        other.click(f"[data-testid=topic-row][data-number='{topic.number}'] a")
        other.evaluate("window.stayed = true")
        other.click("[data-testid=support-button]")
        other.wait_for_selector("[data-testid=supported]")
        assert other.evaluate("window.stayed === true")  # swapped in place by htmx
        assert other.locator("[data-testid=support]").get_attribute("data-households") == str(n)

    # 3. The threshold is reached: the clock is public on the page.
    other.reload()
    other.wait_for_selector("[data-testid=topic-page][data-state=due]")
    assert other.locator("[data-testid=answer-due]").is_visible()
    topic.refresh_from_db()
    assert topic.state == "due" and topic.households_count == 2
