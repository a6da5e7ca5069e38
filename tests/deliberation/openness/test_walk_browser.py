"""Openness in a real Chromium at phone size (390×844): the task's owner posts a progress
update with a photo from the phone, the task completes; once the result is published a
villager sees the progress with its photo and rates the result."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gongzhi.deliberation.choices import ImplementationState, MatterState, PublicationKind
from gongzhi.deliberation.models import Implementation, Matter, Rating
from gongzhi.deliberation.openness import services
from tests.web.phone import a_photo, log_in, phone_options

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone_for(chromium, live_server, hall, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    contexts = []

    def open_as(user):
        context = chromium.new_context(**phone_options(hall.village_point, viewport=PHONE))
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.base_url = live_server.url
        log_in(page, user.username, hall.password)
        return page

    yield open_as
    for context in contexts:
        context.close()


def fits(page):
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_owner_reports_progress_and_a_villager_rates(phone_for, hall, make_matter, tmp_path):
    matter = make_matter(state=MatterState.PUBLISHED)
    task = services.do_add_implementation(
        actor=hall.clerk,
        matter=matter,
        title="村东巷路面硬化",
        owner=hall.secretary,
        due_on=timezone.localdate() + dt.timedelta(days=20),
        budget="40000",
    )

    # 1. The owner, on the phone, reports the work done with a photo.
    owner = phone_for(hall.secretary)
    owner.goto(f"{owner.base_url}/deliberation/implementations/{task.pk}/")
    owner.fill("#id_percent", "100")
    owner.fill("#id_note", "路面浇筑完成，已养护七天。")
    owner.fill("#id_spent", "38000")
    owner.set_input_files("#id_photos", str(a_photo(tmp_path, "road.jpg")))
    assert fits(owner), "the progress form fits a phone's width"
    owner.click("[data-testid=submit-progress]")
    owner.wait_for_selector("[data-testid=implementation-page][data-state=completed]")
    assert owner.locator("[data-testid=progress-photo]").count() == 1
    task.refresh_from_db()
    assert (task.state, task.percent) == (ImplementationState.COMPLETED, 100)

    # 2. The result is published (the matters room's step; here directly).
    services.check_result_ready(matter)
    result = services.create_publication(
        matter=matter,
        kind=PublicationKind.RESULT,
        params={"text": "村东巷道路已硬化 300 米，实际支出三万八千元。"},
        actor=hall.clerk,
        now=timezone.now(),
    )
    Matter.objects.filter(pk=matter.pk).update(state=MatterState.DONE)

    # 3. A villager opens it from the phone, sees the photo and rates the result.
    villager = phone_for(hall.villagers[4])
    villager.goto(f"{villager.base_url}/deliberation/publications/{result.pk}/")
    assert "实际支出三万八千元" in villager.inner_text("[data-testid=publication-text]")
    photo = villager.locator("[data-testid=progress-photo]")
    assert photo.count() == 1
    # The photo loads after the page: wait for it to draw rather than read it at once.
    expect(photo).not_to_have_js_property("naturalWidth", 0)
    villager.check("input[name=stars][value='5']")
    villager.fill("#id_comment", "路好走了，谢谢村委会")
    assert fits(villager)
    villager.click("[data-testid=submit-rate]")
    villager.wait_for_selector("[data-testid=my-rating]")
    assert villager.inner_text("[data-testid=rating-average]") == "5.0"
    assert not villager.locator("[data-testid=rate-form]").count()
    rating = Rating.objects.get()
    assert (rating.user, rating.stars) == (hall.villagers[4], 5)
    assert Implementation.objects.get().spent == 38000
