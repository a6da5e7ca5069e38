"""In a real Chromium at phone size (375×812): the village's clerk writes a notice to
大古城村 asking yes or no; a villager opens the inbox, reads it and answers; the sender's
page counts the read and the answered by grid and lists who has not answered (masked);
the clerk reveals their names (audited), reminds them once, and a second reminder (from a
page opened before the first) is refused with a message."""

from __future__ import annotations

import pytest
from django.utils.translation import gettext, override

from gongzhi.accounts.masking import mask_name
from gongzhi.community.models import Notice, NoticeDelivery
from gongzhi.core.models import AuditLog
from tests.web.phone import log_in, phone_options

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


def phone(chromium, live_server, w, user):
    context = chromium.new_context(**phone_options(w.village_point, viewport=PHONE))
    page = context.new_page()
    page.set_default_timeout(40_000)
    page.base_url = live_server.url
    log_in(page, user.username, w.password)
    return context, page


def fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_notice_that_needs_an_answer_from_writing_to_the_reminder(chromium, live_server, nw):
    clerk_context, clerk = phone(chromium, live_server, nw, nw.clerk)
    resident_context, resident = phone(chromium, live_server, nw, nw.villagers[0])
    try:
        # The clerk writes and sends it.
        clerk.goto(live_server.url + "/community/notices/new/")
        clerk.select_option("#id_region", str(nw.village.pk))
        clerk.fill("#id_title", "是否同意硬化村西巷道")
        clerk.fill("#id_body", "村西巷道拟于下月硬化，请各户表态。")
        clerk.select_option("#id_regions", [str(nw.village.pk)])
        clerk.select_option("#id_answer_kind", "yes_no")
        clerk.click("[data-testid=publish]")
        clerk.wait_for_selector("[data-testid=state][data-state=published]")
        number = Notice.objects.get().number
        assert clerk.inner_text("[data-testid=total]") == "12"
        assert clerk.inner_text("[data-testid=answered]") == "0"
        fits(clerk)

        # A villager reads and answers yes.
        resident.goto(live_server.url + "/community/notices/")
        row = resident.locator(f"[data-testid=notice-row][data-number='{number}']")
        assert row.get_attribute("data-read") == "0"
        row.locator("a").click()
        resident.wait_for_selector("[data-testid=answer-form]")
        fits(resident)
        resident.check("input[name=value][value=yes]")
        resident.click("[data-testid=submit-answer]")
        resident.wait_for_selector("[data-testid=answered]")
        resident.goto(live_server.url + "/community/notices/")
        row = resident.locator(f"[data-testid=notice-row][data-number='{number}']")
        assert row.get_attribute("data-read") == "1"

        # The sender's page: counts by grid, the eleven still waiting, masked.
        clerk.reload()
        assert clerk.inner_text("[data-testid=read]") == "1"
        assert clerk.inner_text("[data-testid=answered]") == "1"
        grid_row = clerk.locator("[data-testid=by-grid] tbody tr").first
        cells = grid_row.locator("td").all_inner_texts()
        assert cells[1:] == ["12", "11", "11"]  # households, not read, not answered
        names = clerk.locator("[data-testid=waiting-name]").all_inner_texts()
        assert len(names) == 11 and mask_name(nw.heads[5].name) in names
        assert nw.heads[5].name not in clerk.content()
        assert nw.heads[0].name not in clerk.content()  # who answered is not waiting
        fits(clerk)

        # Reveal: the names in full, one audit row per head shown.
        clerk.click("[data-testid=reveal]")
        clerk.wait_for_selector("[data-testid=hide]")
        names = clerk.locator("[data-testid=waiting-name]").all_inner_texts()
        assert sorted(names) == sorted(h.name for h in nw.heads[1:])
        assert clerk.locator(f"a[href='tel:{nw.heads[5].phone}']").count() == 1
        fits(clerk)
        rows = AuditLog.objects.filter(actor=nw.clerk, action="unmask")
        assert sorted(int(r.object_id) for r in rows) == sorted(h.pk for h in nw.heads[1:])
        clerk.click("[data-testid=hide]")
        clerk.wait_for_selector("[data-testid=reveal]")
        assert nw.heads[5].name not in clerk.content()

        # Remind once; the same button on a page opened before it is refused.
        stale = clerk_context.new_page()
        stale.set_default_timeout(40_000)
        stale.goto(live_server.url + f"/community/notices/sent/{number}/")
        clerk.click("[data-testid=act-remind]")
        clerk.wait_for_selector("[data-testid=reminded]")
        assert "11" in clerk.inner_text(".messages")
        assert clerk.locator("[data-testid=act-remind]").count() == 0
        stale.click("[data-testid=act-remind]")
        stale.wait_for_selector(".messages .error")
        with override("zh-hans"):
            said = gettext("The reminder has already been sent once.")
        assert said in stale.inner_text(".messages .error")
        reminded = NoticeDelivery.objects.filter(notice__number=number, reminded_at__isnull=False)
        assert reminded.count() == 11
    finally:
        clerk_context.close()
        resident_context.close()
