"""随手拍 with no signal, in a real Chromium: the report page opens from its service worker,
a report taken offline waits on the phone, and it is sent exactly once when the network is
back; a send repeated after its answer was lost still makes one case."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from gongzhi.cases.models import Attachment, Case

from .phone import PHONE, a_photo, log_in, phone_page, until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPORT_URL = re.compile(r".*/cases/report/$")


@pytest.fixture
def phone(chromium, live_server, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # live_server.url names localhost, a secure context, where service workers may run.
    with phone_page(chromium, live_server.url, world.point, service_workers="allow") as page:
        yield page


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def open_with_worker(page):
    """Open the report page and wait until its worker controls it and has kept the shell."""
    page.goto(page.base_url + "/cases/report/")
    # Installing fetches every file it keeps: give a busy machine time for it.
    # Polled through evaluate: wait_for_function compiles its string in the page, which the
    # Content-Security-Policy (no 'unsafe-eval') forbids.
    until(page, "() => navigator.serviceWorker.controller !== null", timeout=45_000)
    until(page, "() => caches.match('/cases/report/shell/').then(Boolean)", timeout=45_000)


def go_offline(page, offline: bool):
    page.context.set_offline(offline)  # in Chromium this covers the worker's fetches too


def test_a_report_taken_without_signal_is_sent_once_when_the_network_is_back(
    phone, world, tmp_path
):
    page = phone
    log_in(page, world.resident.username, world.password)
    open_with_worker(page)
    expect(page.locator("#id_lng")).not_to_have_value("")

    go_offline(page, True)
    page.wait_for_selector("[data-testid=offline-banner]:visible")
    page.set_input_files("[data-testid=photos]", str(a_photo(tmp_path)))
    page.wait_for_selector("[data-testid=photo-previews] img")
    # The category picker searches the list the page carries.
    page.fill("[data-testid=category-search]", "坑洼")
    page.locator("[data-testid=category-option]", has_text="路面坑洼").first.click()
    # What the server would refuse is said now, not when the network is back.
    page.click("[data-testid=submit]")
    error = page.locator("[data-testid=outbox-error]")
    error.wait_for()
    assert error.inner_text() == zh("Please describe the problem.")
    assert page.locator("[data-testid=outbox-item]").count() == 0
    page.fill("[data-testid=description]", "村口路面塌了一个大坑")
    page.click("[data-testid=submit]")

    item = page.locator("[data-testid=outbox-item]")
    item.wait_for()
    assert item.count() == 1 and not error.is_visible()
    assert item.get_attribute("data-status") == "waiting"
    assert item.locator("[data-testid=outbox-title]").inner_text() == "村口路面塌了一个大坑"
    status = item.locator("[data-testid=outbox-status]").inner_text()
    assert status == zh("Waiting to send")  # 待发送
    expect(page.locator("[data-testid=description]")).to_have_value("")  # ready for the next
    assert not Case.objects.exists()

    # Reloaded with no network: the page comes from the worker, the report still waits.
    page.reload()
    page.wait_for_selector("[data-testid=outbox][data-shell]")
    assert page.locator("[data-testid=my-reports]").count() == 0  # the shell is nobody's
    item.wait_for()
    assert item.get_attribute("data-status") == "waiting"
    assert not Case.objects.exists()

    go_offline(page, False)
    page.wait_for_selector("[data-testid=outbox-item][data-status=sent]")
    case = Case.objects.get(title="村口路面塌了一个大坑")
    assert page.locator("[data-testid=outbox-number]").inner_text().startswith(case.number)
    assert case.reporter_id == world.resident.pk and case.category_id == world.pothole.pk
    assert Attachment.objects.filter(case=case).count() == 1
    # Loading the page again sends nothing more.
    open_with_worker(page)
    page.wait_for_selector("[data-testid=outbox-item][data-status=sent]")
    assert Case.objects.count() == 1
    page.click("[data-testid=outbox-number]")
    page.wait_for_url("**/cases/track/**")
    assert page.locator("[data-testid=case-number]").inner_text() == case.number


def test_a_send_repeated_after_its_answer_was_lost_makes_one_case(phone, world):
    page = phone
    # Only the page sends here (no worker, so no Background Sync racing it): the test decides
    # which answer is lost.
    context = page.context.browser.new_context(
        locale="zh-CN", viewport=PHONE, service_workers="block"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = phone.base_url
    log_in(page, world.resident.username, world.password)
    page.goto(page.base_url + "/cases/report/")
    go_offline(page, True)
    page.fill("[data-testid=category-search]", "井盖")
    page.locator("[data-testid=category-option]", has_text="井盖缺失破损").first.click()
    page.fill("#id_address", "碾伯镇西关街小学门口")
    page.fill("[data-testid=description]", "学校门口井盖丢了")
    page.click("[data-testid=submit]")
    page.wait_for_selector("[data-testid=outbox-item][data-status=waiting]")

    # The first send reaches the server, which makes the case, but its answer never comes
    # back (the signal drops): the phone still has the report as waiting.
    answers = []

    def lose_the_answer(route):
        if route.request.method == "POST":
            answers.append(route.fetch())  # the server has it
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route(REPORT_URL, lose_the_answer)
    with page.expect_event("requestfailed", lambda r: r.method == "POST"):
        go_offline(page, False)
    assert [a.status for a in answers] == [201]
    case = Case.objects.get(title="学校门口井盖丢了")
    assert page.locator("[data-testid=outbox-item]").get_attribute("data-status") == "waiting"

    # Sent again with the same key: the server answers with the same case and adds none.
    page.unroute(REPORT_URL)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("[data-testid=outbox-item][data-status=sent]")
    assert page.locator("[data-testid=outbox-number]").inner_text().startswith(case.number)
    assert Case.objects.count() == 1
    context.close()


def take_offline(page, description, photo=None):
    """Open the page with its worker, cut the network and send a report, which waits."""
    open_with_worker(page)
    expect(page.locator("#id_lng")).not_to_have_value("")
    go_offline(page, True)
    if photo:
        page.set_input_files("[data-testid=photos]", str(photo))
        page.wait_for_selector("[data-testid=photo-previews] img")
    page.fill("[data-testid=category-search]", "井盖")
    page.locator("[data-testid=category-option]", has_text="井盖缺失破损").first.click()
    page.fill("[data-testid=description]", description)
    page.click("[data-testid=submit]")
    page.wait_for_selector("[data-testid=outbox-item][data-status=waiting]")


def test_a_report_whose_post_fails_on_the_server_is_kept_and_sent_again(
    phone, world, tmp_path, monkeypatch
):
    from gongzhi.cases.intake import services

    page = phone
    log_in(page, world.resident.username, world.password)
    open_with_worker(page)
    expect(page.locator("#id_lng")).not_to_have_value("")
    page.set_input_files("[data-testid=photos]", str(a_photo(tmp_path)))
    page.fill("[data-testid=category-search]", "井盖")
    page.locator("[data-testid=category-option]", has_text="井盖缺失破损").first.click()
    page.fill("[data-testid=description]", "桥头井盖松动")

    # The phone believes it is online, but the server errs once (a 500).
    do_report = services.do_report
    failures = []

    def fails_once(**kwargs):
        if not failures:
            failures.append(1)
            raise RuntimeError("the database went away")
        return do_report(**kwargs)

    monkeypatch.setattr(services, "do_report", fails_once)
    page.click("[data-testid=submit]")
    # The worker kept it and showed the page again, which sends it: one case, with its photo.
    page.wait_for_selector("[data-testid=outbox-item][data-status=sent]")
    assert failures == [1]
    case = Case.objects.get(title="桥头井盖松动")
    assert page.locator("[data-testid=outbox-number]").inner_text().startswith(case.number)
    assert Attachment.objects.filter(case=case).count() == 1


def test_a_report_the_server_refuses_is_kept_with_its_reason_to_correct(phone, world, tmp_path):
    page = phone
    log_in(page, world.resident.username, world.password)
    fake = tmp_path / "photo.jpg"
    fake.write_bytes(b"this is not a picture at all")
    take_offline(page, "路灯下面的井盖坏了", photo=fake)

    go_offline(page, False)
    refused = page.locator("[data-testid=outbox-item][data-status=refused]")
    refused.wait_for()
    assert not Case.objects.exists()
    reason = refused.locator("[data-testid=outbox-message]").inner_text()
    assert reason and reason != zh("The report was not accepted.")  # the server's own words
    page.reload()  # still there: never dropped
    refused.wait_for()

    # Corrected: back in the form with its photo, which is removed, and sent.
    refused.locator("[data-fix]").click()
    # The form is filled and the item leaves the list asynchronously: wait for both.
    expect(page.locator("[data-testid=description]")).to_have_value("路灯下面的井盖坏了")
    expect(page.locator("[data-testid=outbox-item]")).to_have_count(0)
    page.locator("[data-testid=photo-previews] .remove").click()
    page.click("[data-testid=submit]")
    page.wait_for_url("**/cases/track/**")
    assert Case.objects.get().title == "路灯下面的井盖坏了"


def test_a_report_waiting_when_the_session_ended_asks_to_sign_in_and_is_kept(phone, world):
    page = phone
    log_in(page, world.resident.username, world.password)
    take_offline(page, "广场旁边井盖破了")

    # The session expired while the phone had no signal. Only the session cookie goes, as
    # in life: the CSRF cookie lasts a year (clearing it too lets a background fetch of the
    # shell set a new one while the login page is open, which is not what this is about).
    page.context.clear_cookies(name="sessionid")
    go_offline(page, False)
    sign_in = zh(
        "Sign in again to send the reports waiting on this phone. They are kept until then."
    )
    page.locator("[data-testid=outbox-note]", has_text=sign_in).wait_for()
    assert page.locator("[data-testid=outbox-item]").get_attribute("data-status") == "waiting"
    assert not Case.objects.exists()

    # Signed in again, the report page sends it.
    log_in(page, world.resident.username, world.password)
    page.goto(page.base_url + "/cases/report/")
    page.wait_for_selector("[data-testid=outbox-item][data-status=sent]")
    assert Case.objects.filter(title="广场旁边井盖破了", reporter=world.resident).count() == 1


def test_a_report_taken_under_one_account_is_not_sent_under_another(phone, world):
    page = phone
    log_in(page, world.resident.username, world.password)
    take_offline(page, "市场门口井盖丢了")
    go_offline(page, True)
    page.context.clear_cookies(name="sessionid")  # signed out (the session ended)
    go_offline(page, False)

    log_in(page, world.other_resident.username, world.password)
    page.goto(page.base_url + "/cases/report/")
    item = page.locator("[data-testid=outbox-item]")
    other_account = zh(
        "Taken while another account was signed in on this phone: "
        "sign in as that account to send it."
    )
    item.locator("[data-testid=outbox-message]", has_text=other_account).wait_for()
    assert item.get_attribute("data-status") == "waiting"
    assert not Case.objects.exists()
