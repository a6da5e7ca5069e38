"""The advice API: ask, list and read (scoped), answer, rate, search the knowledge base;
errors in the platform's shape."""

import pytest

from gongzhi.legal.models import KnowledgeEntry
from tests.api import conftest as api_fixtures

as_token = api_fixtures.as_token

TEXT = "在工地干活包工头跑了，剩下的工钱该找谁要？电话13900001111"


@pytest.fixture
def w(advice):
    return advice


def test_ask_answer_rate_and_search_through_the_api(w, as_token):
    resident, adviser = as_token(w.resident), as_token(w.adviser)
    asked = resident.post("/legal/advice/questions", {"text": TEXT, "region": "630202100001"})
    assert asked.status_code == 201, asked.content
    q = asked.json()
    assert q["state"] == "waiting" and q["route"] == "adviser" and q["mine"] is True
    assert adviser.get("/legal/advice/questions").json()["count"] == 1
    # strangers: not found, as a missing question
    for stranger in (w.other_resident, w.other_lawyer, w.other_reviewer):
        assert as_token(stranger).get(f"/legal/advice/questions/{q['id']}").status_code == 404
    # the oversight reviewer sees it, the numbers masked
    seen = as_token(w.reviewer).get(f"/legal/advice/questions/{q['id']}").json()
    assert "13900001111" not in seen["text"]
    # only the routed lawyer answers
    refused = as_token(w.lawyer).post(
        f"/legal/advice/questions/{q['id']}/answer", {"answer": "找施工总承包单位清偿工资。"}
    )
    assert refused.status_code == 404
    short = adviser.post(f"/legal/advice/questions/{q['id']}/answer", {"answer": "找总包"})
    assert short.status_code == 400 and short.json()["field"] == "answer"
    done = adviser.post(
        f"/legal/advice/questions/{q['id']}/answer",
        {"answer": "施工总承包单位对农民工工资承担清偿责任，可向总包单位追讨并向人社部门投诉。"},
    )
    assert done.status_code == 200 and done.json()["state"] == "answered"
    rated = resident.post(f"/legal/advice/questions/{q['id']}/rate", {"rating": 4})
    assert rated.json()["rating"] == 4
    bad = resident.post(f"/legal/advice/questions/{q['id']}/rate", {"rating": 7})
    assert bad.status_code == 400
    found = as_token(w.other_resident).get("/legal/advice/knowledge", {"q": "工头跑了工钱找谁"})
    assert found.status_code == 200
    items = found.json()
    entry = KnowledgeEntry.objects.get(question_id=q["id"])
    assert items[0]["id"] == entry.pk and "13900001111" not in items[0]["question"]
    one = as_token(w.other_resident).get(f"/legal/advice/knowledge/{entry.pk}")
    assert one.json()["answer"].startswith("施工总承包单位")


def test_errors_are_structured(w, as_token):
    resident = as_token(w.resident)
    r = resident.post("/legal/advice/questions", {"text": "短", "region": "999"})
    assert r.status_code == 400 and r.json()["error"] == "region_unknown"
    r = resident.post("/legal/advice/questions", {"text": "短短", "region": "630202100001"})
    assert r.status_code == 400 and r.json()["field"] == "text" and r.json()["message"]
    assert resident.get("/legal/advice/questions/999999").status_code == 404
