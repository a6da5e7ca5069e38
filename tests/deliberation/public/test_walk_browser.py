"""The issue's walk in a real Chromium, the villagers on phones (390×844): a resident raises a
topic, ten households support it (the tenth in the browser), the clerk puts it on a hall
session's agenda, the session opens, a villager signs in by the QR link and votes, the clerk
opens the voting and closes the session with minutes, publishes the decision and posts its
progress — and the village's public page, signed out, shows the decision and its progress,
with nobody's name on it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gongzhi.deliberation.choices import MeetingKind
from gongzhi.deliberation.meetings import services as meetings
from gongzhi.deliberation.models import Matter, Meeting, Topic, TopicRule
from gongzhi.deliberation.topics import services as topics
from tests.factories import PASSWORD
from tests.web.phone import log_in, phone_options

from .conftest import personal_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def open_as(chromium, live_server, hall, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    contexts = []

    def opened(user=None, *, phone=True):
        if phone:
            options = phone_options(hall.village_point, viewport=PHONE)
        else:
            options = {"locale": "zh-CN", "viewport": {"width": 1280, "height": 900}}
        context = chromium.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.base_url = live_server.url
        if user is not None:
            log_in(page, user.username, PASSWORD)
        return page

    yield opened
    for context in contexts:
        context.close()


def _act(page, name, fill=None):
    """Open an action's panel (a <details>), fill it and send it."""
    panel = page.locator(f"[data-testid=action-{name}]")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    if fill:
        fill(panel)
    panel.locator(f"[data-testid=submit-{name}]").click()


def test_a_topic_becomes_a_decision_carried_out_in_the_open(open_as, hall):
    w = hall
    TopicRule.objects.create(
        code="dagucheng-10",
        name="大古城村：10户联名",
        region=w.village,
        households=10,
        percent=Decimal("100"),
        answer_days=10,
    )
    # A hall session called and noticed a week ago (notice is due days before), starting soon.
    now = timezone.now()
    meeting = meetings.do_schedule(
        actor=w.clerk,
        region=w.village,
        kind=MeetingKind.HALL,
        title="百姓议事会：村里的事",
        place="村委会议室",
        starts_at=now + dt.timedelta(minutes=20),
        now=now - dt.timedelta(days=8),
    )
    meetings.do_send_notice(actor=w.clerk, meeting=meeting, now=now - dt.timedelta(days=7))

    # 1. A resident raises a topic from the hall's home on the phone.
    resident = open_as(w.villagers[0])
    resident.goto(resident.base_url + "/deliberation/")
    resident.click("[data-testid=raise-topic]")
    resident.fill("[data-testid=title]", "村口路灯坏了")
    resident.fill("[data-testid=body]", "村口的三盏路灯坏了一个月，晚上出行不安全。")
    resident.fill("[data-testid=place]", "村口")
    resident.click("[data-testid=submit-topic]")
    resident.wait_for_selector("[data-testid=topic-page][data-state=open]")
    topic = Topic.objects.get()
    assert topic.threshold == 10
    assert resident.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # 2. Households support it until one is missing; the tenth supports it on the phone.
    for n in range(1, 12):
        topic.refresh_from_db()
        if topic.households_count >= topic.threshold - 1:
            break
        topics.do_support(actor=w.villagers[n], topic=topic)
    topic.refresh_from_db()
    assert topic.households_count == 9 and topic.state == "open"
    tenth = open_as(w.villagers[11])
    tenth.goto(tenth.base_url + f"/deliberation/topics/{topic.number}/")
    tenth.click("[data-testid=support-button]")
    tenth.wait_for_selector("[data-testid=supported]")
    tenth.reload()
    tenth.wait_for_selector("[data-testid=topic-page][data-state=due]")

    # 3. The clerk finds it on the desk and puts it on the session's agenda.
    clerk = open_as(w.clerk, phone=False)
    clerk.goto(clerk.base_url + "/deliberation/")
    clerk.click(f"[data-testid=desk-due-topic] a[href$='/{topic.number}/']")
    clerk.wait_for_selector("[data-testid=topic-page][data-state=due]")
    _act(clerk, "put_on_agenda")
    clerk.wait_for_selector("[data-testid=topic-page][data-state=on_agenda]")

    # 4. The session opens; the resident signs in by the QR code's link, three neighbours
    #    by the clerk's list.
    clerk.goto(clerk.base_url + f"/deliberation/meetings/{meeting.number}/")
    _act(clerk, "open")
    clerk.wait_for_selector("[data-testid=meeting-page][data-state=in_session]")
    link = clerk.get_attribute("[data-testid=sign-in-link]", "href")
    resident.goto(link if link.startswith("http") else resident.base_url + link)
    resident.click("[data-testid=sign-in]")
    resident.wait_for_selector("[data-testid=signed-in]")
    for n in (1, 2, 3):
        meetings.do_sign_in(actor=w.clerk, meeting=meeting, resident=w.heads[n])

    # 5. Voting: the resident votes on the phone, the neighbours by their own phones (API).
    clerk.reload()
    _act(clerk, "open_voting")
    clerk.wait_for_selector("[data-testid=meeting-page][data-state=voting]")
    resident.goto(resident.base_url + f"/deliberation/meetings/{meeting.number}/")
    resident.click("[data-testid=vote-for]")
    resident.wait_for_selector("[data-testid=my-ballot]")
    item = Meeting.objects.get(pk=meeting.pk).items.get()
    for n in (1, 2):
        meetings.do_vote(actor=w.villagers[n], item=item, choice="for")
    meetings.do_vote(actor=w.villagers[3], item=item, choice="against")

    # 6. The clerk closes the session with its minutes: the topic is decided.
    clerk.reload()
    _act(
        clerk,
        "close",
        lambda panel: panel.locator("textarea[name=minutes]").fill(
            "到会4户，议定维修村口路灯。同意3票，反对1票。"
        ),
    )
    clerk.wait_for_selector("[data-testid=meeting-page][data-state=closed]")
    topic.refresh_from_db()
    assert topic.state == "decided" and topic.matter_id is not None
    matter = Matter.objects.get(pk=topic.matter_id)

    # 7. The clerk publishes the decision, plans the work and posts its progress.
    clerk.goto(clerk.base_url + f"/deliberation/matters/{matter.number}/")
    _act(
        clerk,
        "publish",
        lambda panel: panel.locator("textarea[name=text]").fill(
            "经百姓议事会议定：维修村口路灯三盏，村委会一个月内完成。"
        ),
    )
    clerk.wait_for_selector("[data-testid=matter-page][data-state=published]")
    task_panel = clerk.locator("[data-testid=add-task]")
    task_panel.locator("summary").click()
    task_panel.locator("input[name=title]").fill("更换路灯")
    task_panel.locator("input[name=owner_name]").fill("村委会")
    due = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    task_panel.locator("input[name=due_on]").fill(due)
    task_panel.locator("[data-testid=submit-add-task]").click()
    clerk.wait_for_selector("[data-testid=task]")
    clerk.click("[data-testid=task] h3 a")
    clerk.wait_for_selector("[data-testid=implementation-page]")
    form = clerk.locator("[data-testid=progress-form]")
    form.locator("input[name=percent]").fill("40")
    form.locator("textarea[name=note]").fill("已更换两盏路灯。")
    form.locator("[data-testid=submit-progress]").click()
    clerk.wait_for_selector("[data-testid=implementation-page][data-percent='40']")

    # 8. Anyone, signed out, sees the decision and its progress on the village's page.
    visitor = open_as(None)
    visitor.goto(visitor.base_url + f"/deliberation/v/{w.village.code}/")
    decision = visitor.locator(f"[data-testid=decision][data-number='{matter.number}']")
    decision.wait_for()
    assert "维修村口路灯三盏" in decision.locator("[data-testid=resolution]").inner_text()
    assert "40%" in decision.locator("[data-testid=progress]").inner_text()
    assert "已更换两盏路灯" in decision.inner_text()
    html = visitor.content()
    assert [v for v in personal_data(w) if v in html] == []
    assert visitor.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
