"""A repair in a real Chromium on a phone (390×844): a resident asks for a repair with a
photo; the company signs for and resolves it and the grid worker verifies it (through the
engine); the resident sees it done and rates it on the phone."""

from __future__ import annotations

import pytest

from gongzhi.cases.models import Callback
from gongzhi.cases.workflow.services import do_transition
from gongzhi.community.models import RepairRequest
from tests.web.phone import a_photo, log_in, phone_options

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_a_resident_asks_for_a_repair_and_rates_it(chromium, live_server, repairs, tmp_path):
    w = repairs
    context = chromium.new_context(**phone_options(w.point, viewport=PHONE))
    phone = context.new_page()
    phone.set_default_timeout(20_000)
    phone.base_url = live_server.url
    log_in(phone, w.resident_a.username, w.password)

    # 1. The resident asks from the phone, with a photo.
    phone.goto(live_server.url + "/community/repairs/")
    phone.click("[data-testid=ask-repair]")
    phone.select_option("[data-testid=category]", str(w.water.pk))
    phone.fill("[data-testid=description]", "1号楼2单元楼道水管漏水")
    phone.set_input_files("[data-testid=photos]", str(a_photo(tmp_path)))
    phone.click("[data-testid=submit-repair]")
    phone.wait_for_selector("[data-testid=repair-state][data-state=dispatched]")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    repair = RepairRequest.objects.get()
    assert repair.case.owner == w.company and repair.case.attachments.count() == 1

    # 2. The company signs for it and resolves it; the grid worker verifies it.
    case = do_transition(case=repair.case, action="sign_for", actor=w.company_staff)
    case = do_transition(case=case, action="resolve", actor=w.company_staff, result="已更换阀门")
    do_transition(case=case, action="verify_pass", actor=w.grid_worker)

    # 3. The resident sees it done and rates it.
    phone.reload()
    phone.wait_for_selector("[data-testid=repair-state][data-state=closed]")
    assert "已更换阀门" in phone.inner_text("[data-testid=result]")
    phone.check("[data-testid=resolved-yes]")
    phone.check("[data-testid=satisfaction-satisfied]")
    phone.fill("[data-testid=comment]", "师傅来得很快")
    phone.click("[data-testid=submit-rating]")
    phone.wait_for_selector("[data-testid=rating]")
    assert phone.locator("[data-testid=rate-form]").count() == 0
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    rating = Callback.objects.get(case=repair.case)
    assert rating.satisfaction == "satisfied" and rating.resolved and not rating.by_phone
    context.close()
