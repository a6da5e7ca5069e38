"""随手拍 in Chromium: picking a category brings its questions into the form; sending without
the required answer is refused next to it, and answering it sends the report."""

import pytest
from playwright.sync_api import expect

from gongzhi.cases.models import Case
from gongzhi.demo import questions as demo_questions

from .phone import log_in, phone_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(chromium, live_server, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    demo_questions.load()
    with phone_page(chromium, live_server.url, world.point) as page:
        yield page


def test_a_categorys_required_question_is_asked_and_enforced(phone, world):
    page = phone
    log_in(page, world.resident.username, world.password)
    page.goto(page.base_url + "/cases/report/")
    expect(page.locator("#id_lng")).not_to_have_value("")
    page.fill("[data-testid=category-search]", "井盖")
    page.locator("[data-testid=category-option]", has_text="井盖缺失破损").first.click()
    question = page.locator("[data-testid=question][data-question=manhole_state]")
    question.wait_for()
    assert question.get_attribute("data-required") == "1"
    page.fill("[data-testid=description]", "西关路口的井盖不见了")
    # The form is sent as it is (novalidate): the server names what is missing.
    page.click("[data-testid=submit]")
    page.wait_for_selector("[data-testid=question-error]")
    assert not Case.objects.exists()
    page.locator("[data-question=manhole_state] input[value=missing]").check()
    page.click("[data-testid=submit]")
    page.wait_for_selector("[data-testid=track]")
    assert Case.objects.get().attributes == {"manhole_state": "missing"}
