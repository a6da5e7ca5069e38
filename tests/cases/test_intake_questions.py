"""A category's questions are asked and enforced the same on every channel that a person
reports through: the 随手拍 page (and the phone's outbox, which posts it), the 12345 form
and the JSON API (Open311 has its own tests in tests/open311)."""

import pytest
from django.urls import reverse

from gongzhi.accounts import tokens
from gongzhi.cases.models import Case
from gongzhi.demo import questions as demo_questions
from gongzhi.taxonomy.models import Category
from tests.api.conftest import TokenClient

pytestmark = pytest.mark.django_db


def as_token(user) -> TokenClient:
    """The JSON API as an app calls it, with a bearer token of ``user``."""
    _token, raw = tokens.do_issue(user=user, name="test")
    return TokenClient(raw)


REPORT = reverse("cases:report")
HOTLINE = reverse("cases:hotline")
QUESTIONS = reverse("cases:category_questions")
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture(autouse=True)
def _questions(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "zh-hans"
    demo_questions.load()  # 井盖缺失破损 asks “井盖是什么情况？” (required) and “井盖在哪里？”


def quick(world, **extra):
    return {
        "category": world.manhole.pk,
        "lng": world.point[0],
        "lat": world.point[1],
        "description": "西关路口井盖丢失，晚上很危险",
        "idempotency_key": "9a1b2c3d-4444-4e4e-9f9f-000000000001",
        **extra,
    }


def call(world, **extra):
    return {
        "reporter_phone": "13812345678",
        "address": "乐都区碾伯镇西关街12号",
        "category": world.manhole.pk,
        "description": "西关街井盖松动，车一过就响",
        "idempotency_key": "9a1b2c3d-5555-4e4e-9f9f-000000000002",
        **extra,
    }


def test_picking_a_category_shows_its_questions(client, world):
    client.force_login(world.resident)
    html = client.get(QUESTIONS, {"category": world.manhole.pk}).content.decode()
    assert "井盖是什么情况？" in html and "井盖在哪里？" in html
    assert 'name="attribute[manhole_state]"' in html and 'value="missing"' in html
    assert html.count('data-required="1"') == 1
    # A category without questions, or no category, shows nothing.
    plain = Category.objects.filter(enabled=True, attributes__isnull=True).first()
    assert client.get(QUESTIONS, {"category": plain.pk}).content.decode().strip() == ""
    assert client.get(QUESTIONS, {"category": "x"}).content.decode().strip() == ""


def test_a_quick_report_without_the_required_answer_is_refused_in_chinese(client, world):
    client.force_login(world.resident)
    response = client.post(REPORT, quick(world))
    assert response.status_code == 400
    html = response.content.decode()
    assert "请回答“井盖是什么情况？”" in html
    # The question is on the page again, next to its error, for the category still chosen.
    assert 'data-testid="question-error"' in html and 'name="attribute[manhole_state]"' in html
    assert not Case.objects.exists()


def test_an_answer_not_in_the_list_is_refused_and_the_others_are_kept(client, world):
    client.force_login(world.resident)
    data = quick(world, **{"attribute[manhole_state]": "stolen", "attribute[lane]": "sidewalk"})
    html = client.post(REPORT, data).content.decode()
    assert "不是可选的答案" in html or "“井盖是什么情况？”" in html
    assert 'value="sidewalk" checked' in html  # what was answered is shown again
    assert not Case.objects.exists()


def test_a_quick_report_with_its_answers_keeps_them(client, world):
    client.force_login(world.resident)
    data = quick(world, **{"attribute[manhole_state]": "missing", "attribute[lane]": "sidewalk"})
    assert client.post(REPORT, data).status_code == 302
    case = Case.objects.get()
    assert case.attributes == {"manhole_state": "missing", "lane": "sidewalk"}


def test_the_phones_outbox_gets_the_question_named_in_json(client, world):
    client.force_login(world.resident)
    response = client.post(REPORT, quick(world), **JSON)
    assert response.status_code == 400
    assert response.json()["field"] == "attribute[manhole_state]"
    assert "井盖是什么情况？" in response.json()["message"]
    assert not Case.objects.exists()


def test_the_hotline_asks_the_same_questions(client, world):
    client.force_login(world.operator)
    response = client.post(HOTLINE, call(world))
    assert response.status_code == 400
    assert "请回答“井盖是什么情况？”" in response.content.decode()
    assert not Case.objects.exists()
    response = client.post(HOTLINE, call(world, **{"attribute[manhole_state]": "loose"}))
    assert response.status_code == 302
    assert Case.objects.get().attributes == {"manhole_state": "loose"}


def test_the_api_refuses_a_missing_answer_with_a_structured_error(world):
    api = as_token(world.resident)
    body = {
        "title": "井盖丢失",
        "description": "西关街井盖丢失",
        "category": world.manhole.code,
        "lng": world.point[0],
        "lat": world.point[1],
    }
    refused = api.post("/cases", body)
    assert refused.status_code == 400
    assert refused.json()["error"] == "required"
    assert refused.json()["field"] == "attribute[manhole_state]"
    wrong = api.post("/cases", {**body, "attributes": {"manhole_state": "stolen"}})
    assert (wrong.status_code, wrong.json()["error"]) == (400, "not_in_list")
    unknown = api.post("/cases", {**body, "attributes": {"manhole_state": "missing", "x": "1"}})
    assert (unknown.status_code, unknown.json()["error"]) == (400, "unknown_attribute")
    assert not Case.objects.exists()
    made = api.post("/cases", {**body, "attributes": {"manhole_state": "missing", "lane": []}})
    assert made.status_code == 201
    assert Case.objects.get().attributes == {"manhole_state": "missing"}


def test_a_number_question_takes_numbers_only(world):
    api = as_token(world.resident)
    light = world.manhole.parent.children.get(code="G02.04")
    body = {"description": "路灯不亮", "category": light.code, "lng": 102.405, "lat": 36.47}
    refused = api.post("/cases", {**body, "attributes": {"lamps_out": "三"}})
    assert (refused.status_code, refused.json()["error"]) == (400, "not_a_number")
    made = api.post("/cases", {**body, "attributes": {"lamps_out": 3}})
    assert made.status_code == 201
    assert Case.objects.get().attributes["lamps_out"] == 3


def test_the_category_list_kept_for_offline_carries_each_categorys_questions(client, world):
    # A phone without signal asks the questions from the list the page (and its kept shell)
    # carries: the same questions, answers and required marks as the page asks online.
    import json
    import re

    client.force_login(world.resident)
    for url in (REPORT, reverse("cases:report_shell")):
        html = client.get(url).content.decode()
        found = re.search(
            r'<script id="offline-categories" type="application/json">(.*?)</script>', html
        )
        categories = {c["id"]: c for c in json.loads(found[1])}
        asked = {q["code"]: q for q in categories[world.manhole.pk]["questions"]}
        state = asked["manhole_state"]
        assert state["required"] is True and state["text"] == "井盖是什么情况？"
        assert "missing" in dict(state["values"])
        assert state["datatype"] == "singlevaluelist"
        assert asked["lane"]["required"] is False
        plain = Category.objects.filter(enabled=True, attributes__isnull=True).first()
        assert "questions" not in categories[plain.pk]
