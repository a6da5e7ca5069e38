"""报事报修's categories are for repair requests only: the 随手拍 and hotline pickers, the
offline picker and Open311's service list do not offer them, and a report on another
channel naming one is refused with nothing written."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.cases.choices import Channel
from gongzhi.cases.intake.outbox import offline_categories
from gongzhi.cases.intake.services import Report, do_report
from gongzhi.cases.models import Case
from gongzhi.core.errors import ServiceError

pytestmark = pytest.mark.django_db


def test_the_general_pickers_do_not_offer_repair_categories(client, repairs):
    w = repairs
    client.force_login(w.resident)
    html = client.get(reverse("cases:category_search"), {"q": "电梯"}).content.decode()
    assert "报事报修" not in html
    assert all(not c["full_name"].startswith("报事报修") for c in offline_categories())
    services = client.get("/open311/v2/services.json").json()
    assert all(not s["service_code"].startswith("RP") for s in services)
    assert any(s["service_code"] == "G02.01" for s in services)  # the rest are still there


def test_a_quick_report_in_a_repair_category_is_refused(repairs):
    w = repairs
    report = Report(
        channel=Channel.QUICK_REPORT,
        description="电梯坏了，困在三楼",
        category_id=w.lift.pk,
        lng=w.point[0],
        lat=w.point[1],
    )
    with pytest.raises(ServiceError) as refused:
        do_report(report=report, reporter=w.resident)
    assert refused.value.code == "invalid_category"
    assert not Case.objects.exists()


def test_a_repair_request_may_use_them(repairs):
    w = repairs
    report = Report(
        channel=Channel.REPAIR,
        description="电梯坏了，困在三楼",
        category_id=w.lift.pk,
        lng=w.point[0],
        lat=w.point[1],
    )
    case, created = do_report(report=report, reporter=w.urban_residents[0])
    assert created and case.category == w.lift
