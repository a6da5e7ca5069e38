"""The notices pages: a resident's list and notice (read on opening, the answer form),
the staff's form, the sender's page (receipts by grid, masked, Excel, remind once)."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.community.choices import AnswerKind
from gongzhi.community.models import Notice, NoticeDelivery

from .conftest import write

pytestmark = pytest.mark.django_db


def test_a_resident_reads_and_answers_on_the_phone(nw, client):
    notice = write(nw, answer_kind=AnswerKind.YES_NO, title="是否参加义诊")
    client.force_login(nw.villagers[4])
    page = client.get(reverse("community:notices")).content.decode()
    assert "是否参加义诊" in page and 'data-read="0"' in page
    page = client.get(reverse("community:notice", args=[notice.number])).content.decode()
    assert 'data-testid="answer-form"' in page
    assert NoticeDelivery.objects.get(household=nw.households[4]).read_by == nw.villagers[4]
    r = client.post(reverse("community:notice_answer", args=[notice.number]), {"value": "啥"})
    assert r.status_code == 400 and 'data-code="answer_yes_no"' in r.content.decode()
    r = client.post(reverse("community:notice_answer", args=[notice.number]), {"value": "yes"})
    assert r.status_code == 302
    page = client.get(reverse("community:notice", args=[notice.number])).content.decode()
    assert 'data-testid="answered"' in page and 'data-testid="answer-form"' not in page
    client.force_login(nw.urban_residents[0])
    assert client.get(reverse("community:notice", args=[notice.number])).status_code == 404


def test_staff_write_send_see_receipts_export_and_remind_once(nw, client):
    client.force_login(nw.clerk)
    assert client.get(reverse("community:notice_new")).status_code == 200
    r = client.post(
        reverse("community:notice_new"),
        {
            "region": nw.village.pk,
            "title": "=危房改造摸底",
            "body": "请各户如实填报。",
            "regions": [nw.village.pk],
            "answer_kind": "number",
            "answer_min": "0",
            "answer_max": "20",
            "publish": "1",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    notice = Notice.objects.get()
    assert notice.answer_choices == [0, 20] and notice.households_count == 12
    page = client.get(reverse("community:notice_sent", args=[notice.number])).content.decode()
    assert 'data-testid="total">12<' in page and 'data-testid="act-remind"' in page
    assert nw.households[0].number not in page and "****" in page
    sheet = client.get(reverse("community:notice_waiting", args=[notice.number]))
    rows = list(load_workbook(BytesIO(sheet.content)).active.values)
    assert len(rows) == 13 and all(r[1].endswith("****") for r in rows[1:])
    act = reverse("community:notice_act", args=[notice.number, "remind"])
    client.post(act)
    page = client.get(reverse("community:notice_sent", args=[notice.number])).content.decode()
    assert 'data-testid="act-remind"' not in page and 'data-testid="reminded"' in page
    r = client.post(act, follow=True)
    assert "已" in r.content.decode() or "already" in r.content.decode()
    client.force_login(nw.other_clerk)
    assert client.get(reverse("community:notice_sent", args=[notice.number])).status_code == 404
    client.force_login(nw.villagers[0])
    assert client.get(reverse("community:notice_new")).status_code == 404
