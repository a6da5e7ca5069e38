"""The pages: the resident asks from the phone (similar answered questions are offered while
typing), reads the answer; the lawyer's desk lists due first and answers; the knowledge
base searches."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongzhi.legal.advice import services
from gongzhi.legal.models import KnowledgeEntry, Question


def client_for(w, user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def kb(advice):
    KnowledgeEntry.objects.create(
        title="老板拖欠工资三个月怎么办",
        body="老板拖欠我三个月工资一直不给，我该怎么办？",
        answer="可先协商，协商不成可向劳动保障监察投诉或申请劳动仲裁。",
        published_at=timezone.now(),
    )
    KnowledgeEntry.objects.create(
        title="离婚后孩子抚养权归谁",
        body="离婚后孩子抚养权归谁？",
        answer="不满两周岁的子女以由母亲直接抚养为原则。",
        published_at=timezone.now(),
    )
    return advice


def test_the_ask_page_offers_similar_answered_questions_while_typing(kb):
    c = client_for(kb, kb.resident)
    page = c.get(reverse("legal:ask"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'hx-trigger="input changed delay:400ms"' in html
    assert f'hx-get="{reverse("legal:advice_similar")}"' in html
    frag = c.get(reverse("legal:advice_similar"), {"text": "东家欠着工钱不发"})
    body = frag.content.decode()
    assert "老板拖欠工资三个月怎么办" in body and "抚养权" not in body
    wages = KnowledgeEntry.objects.get(title="老板拖欠工资三个月怎么办")
    assert reverse("legal:knowledge_entry", args=[wages.pk]) in body


def test_asking_from_the_page_then_reading_the_answer(kb):
    w = kb
    c = client_for(w, w.resident)
    bad = c.post(reverse("legal:ask"), {"text": "短", "region": ""})
    assert bad.status_code == 400 and 'data-testid="error-text"' in bad.content.decode()
    assert not Question.objects.exists()
    r = c.post(
        reverse("legal:ask"),
        {"text": "老板拖欠我两个月工资不给怎么办", "region": w.regions.xiguan.pk},
    )
    q = Question.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("legal:question", args=[q.pk])
    # the adviser's desk lists it, and the stranger cannot open it
    desk = client_for(w, w.adviser).get(reverse("legal:advice_desk")).content.decode()
    assert f'data-id="{q.pk}"' in desk
    assert (
        client_for(w, w.other_resident).get(reverse("legal:question", args=[q.pk])).status_code
        == 404
    )
    answer = client_for(w, w.adviser).post(
        reverse("legal:question_answer", args=[q.pk]),
        {
            "answer": "可向劳动保障监察大队投诉，或申请劳动仲裁。",
            "publish": "on",
            "public_text": "",
        },
    )
    assert answer.status_code == 302
    mine = c.get(reverse("legal:questions_mine")).content.decode()
    assert "老板拖欠我两个月工资" in mine
    detail = c.get(reverse("legal:question", args=[q.pk])).content.decode()
    assert "劳动保障监察大队" in detail and 'data-testid="rate-form"' in detail
    c.post(reverse("legal:question_rate", args=[q.pk]), {"rating": "5"})
    assert Question.objects.get().rating == 5


def test_the_desk_lists_the_earliest_due_first(kb):
    w = kb
    now = timezone.now()
    late = services.do_ask(
        user=w.resident,
        text="老板拖欠我三个月工资不给",
        region=w.regions.xiguan,
        now=now - dt.timedelta(days=10),
    )
    soon = services.do_ask(
        user=w.other_resident, text="离婚后孩子归谁抚养呢请问", region=w.regions.xiguan, now=now
    )
    html = client_for(w, w.adviser).get(reverse("legal:advice_desk")).content.decode()
    assert html.index(f'data-id="{late.pk}"') < html.index(f'data-id="{soon.pk}"')


def test_the_knowledge_page_searches(kb):
    c = client_for(kb, kb.other_resident)
    html = c.get(reverse("legal:knowledge"), {"q": "娃娃离婚后跟谁"}).content.decode()
    assert "离婚后孩子抚养权归谁" in html
    assert Client().get(reverse("legal:knowledge")).status_code == 302  # signed-in users only
