"""直接答复 (issue 23, item 3): a consultation the operator answers on the phone is closed at
once with the answer (a final state of its own, counted apart from dispatched cases), from
the case page, the API and the hotline form itself; the operator finds answers in a
knowledge base, searched in Chinese while typing, and saves a good answer to it in one click."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.cases import stats
from gongzhi.cases.choices import State
from gongzhi.cases.models import Answer, Case
from gongzhi.regions.models import Region
from tests.cases.test_caller_texts import PHONE, follow_up, gateway, texts
from tests.factories import call_case, case_in, move
from tests.open311.conftest import get as open311_get

pytestmark = pytest.mark.django_db
__all__ = ["gateway"]  # the SMS gateway fixture, shared with the caller-text tests

HOTLINE = reverse("cases:hotline")
SEARCH = reverse("cases:answer_search")

PERMIT = "居住证办理：携带身份证、租房合同到辖区派出所户籍窗口办理，5个工作日取证。"


def _kb(w, **fields) -> Answer:
    values = {"question": "怎么办理居住证", "answer": PERMIT, **fields}
    return Answer.objects.create(**values)


def _hotline(w, **overrides) -> dict:
    data = {
        "reporter_name": "王建国",
        "reporter_phone": "13812345678",
        "address": "乐都区碾伯镇西关街12号",
        "category": w.pothole.pk,
        "description": "来电咨询居住证怎么办理",
        "idempotency_key": "7b1e0c2d-2222-4b4b-8c8c-00000000aa01",
    }
    data.update(overrides)
    return data


def _entries(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-testid="kb-entry" data-entry="(\d+)"', html)]


# -- the knowledge base -----------------------------------------------------------------------


def test_the_operator_finds_answers_by_the_words_of_the_question(client, world):
    w = world
    permit = _kb(w)
    _kb(w, question="路灯不亮找谁", answer="路灯由城管局照明所维修，电话0972-1234567。")
    other = Region.objects.get(code="630203")  # 平安区: not where the caller is
    _kb(w, question="居住证在平安区怎么办", answer="平安区政务大厅办理居住证。", region=other)
    _kb(w, question="居住证过期了怎么续", answer="旧答案，已停用。", enabled=False)
    client.force_login(w.operator)
    # Reworded, as a caller says it: still found, and only what applies here.
    html = client.get(
        SEARCH, {"kb_q": "我想问下居住证咋办理", "lng": w.point[0], "lat": w.point[1]}
    ).content.decode()
    assert _entries(html) == [permit.pk]
    assert client.get(SEARCH, {"kb_q": "井盖"}).content.decode().count("kb-entry") == 0
    # Picking one fills the answer field and remembers the entry.
    html = client.get(reverse("cases:answer_pick", args=[permit.pk])).content.decode()
    assert PERMIT in html and f'name="answer_entry" value="{permit.pk}"' in html


def test_answers_for_another_category_are_not_offered(client, world):
    w = world
    _kb(w, category=w.manhole)
    client.force_login(w.operator)
    html = client.get(SEARCH, {"kb_q": "居住证怎么办理", "category": w.pothole.pk}).content
    assert _entries(html.decode()) == []
    html = client.get(SEARCH, {"kb_q": "居住证怎么办理", "category": w.manhole.pk}).content
    assert len(_entries(html.decode())) == 1


@pytest.mark.parametrize("who", ["handler", "resident", "grid_worker"])
def test_only_call_takers_search_the_knowledge_base(client, world, who):
    _kb(world)
    client.force_login(getattr(world, who))
    assert client.get(SEARCH, {"kb_q": "居住证"}).status_code == 403


# -- answering on the case page and through the API -------------------------------------------


def test_the_operator_answers_a_call_from_the_case_page_with_a_kb_answer(
    client, world, django_capture_on_commit_callbacks
):
    w = world
    permit = _kb(w, times_used=4)
    call = call_case(w, w.pothole, title="咨询居住证办理", description="来电咨询居住证怎么办理")
    client.force_login(w.operator)
    page = client.get(reverse("cases:detail", args=[call.number])).content.decode()
    assert 'data-testid="action-answer"' in page and 'data-testid="kb-search"' in page
    html = client.get(SEARCH, {"kb_q": "居住证怎么办理", "case": call.number}).content.decode()
    assert _entries(html) == [permit.pk] and "?field=entry" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("cases:act", args=[call.number, "answer"]),
            {"answer": PERMIT, "entry": permit.pk, "expected_state": "accepted"},
        )
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.state == State.ANSWERED and not call.is_open
    assert call.result == PERMIT and call.closed_at is not None
    assert call.owner is None and call.dispatch_due is None  # never a unit's case
    assert Answer.objects.get(pk=permit.pk).times_used == 5
    (step,) = call.events.filter(action="answer")
    assert step.note == PERMIT and step.is_public
    # The caller's tracking page shows the answer, and Open311 says closed.
    track = client.get(call.tracking_url()).content.decode()
    assert 'data-testid="track-answer"' in track and "派出所户籍窗口" in track
    (row,) = open311_get(client, f"requests/{call.number}").json()
    assert row["status"] == "closed"


def test_a_case_in_a_units_hands_is_not_answered_directly(client, world):
    w = world
    case = case_in(w, "dispatched")
    client.force_login(w.dispatcher)
    response = client.post(
        f"/api/v1/cases/{case.number}/transitions",
        {"action": "answer", "params": {"answer": PERMIT}},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).state == State.DISPATCHED


@pytest.mark.parametrize(
    ("params", "code"),
    [({"answer": " "}, "required"), ({"answer": PERMIT, "entry": "99999"}, "unknown_answer")],
    ids=["empty", "unknown entry"],
)
def test_a_bad_answer_is_refused_and_changes_nothing(client, world, params, code):
    w = world
    call = call_case(w, w.pothole, title="咨询居住证")
    client.force_login(w.operator)
    response = client.post(
        f"/api/v1/cases/{call.number}/transitions",
        {"action": "answer", "params": params},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["error"] == code
    call.refresh_from_db()
    assert call.state == State.ACCEPTED and call.result == ""


# -- the hotline form: make and close in one step ---------------------------------------------


def test_the_hotline_form_answers_a_call_in_one_step(client, world):
    w = world
    permit = _kb(w)
    client.force_login(w.operator)
    page = client.get(HOTLINE).content.decode()
    assert 'data-testid="direct-answer-submit"' in page and 'data-testid="kb-search"' in page
    data = _hotline(w, direct_answer="1", answer=PERMIT, answer_entry=permit.pk)
    response = client.post(HOTLINE, data)
    assert response.status_code == 302
    case = Case.objects.get(reporter_phone="13812345678")
    assert case.state == State.ANSWERED and case.result == PERMIT
    assert case.entered_by == w.operator and case.channel == "hotline"
    assert list(case.events.values_list("action", flat=True)) == ["report", "accept", "answer"]
    assert Answer.objects.get(pk=permit.pk).times_used == 1
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="hotline-saved"' in page and case.number in page
    # A retry of the same submission returns the first case.
    assert client.post(HOTLINE, data).status_code == 302
    assert Case.objects.filter(reporter_phone="13812345678").count() == 1


def test_a_hotline_answer_without_text_saves_nothing(client, world):
    w = world
    client.force_login(w.operator)
    response = client.post(HOTLINE, _hotline(w, direct_answer="1", answer=""))
    assert response.status_code == 400
    assert 'data-testid="error-answer"' in response.content.decode()
    assert not Case.objects.exists()


# -- saving to the knowledge base, and counting apart -----------------------------------------


def test_a_direct_answer_is_saved_to_the_knowledge_base_in_one_click(client, world):
    w = world
    call = call_case(w, w.pothole, title="路灯坏了找谁修")
    move(call, "answer", w.operator, answer="路灯由城管局照明所维修，拨打0972-1234567。")
    client.force_login(w.operator)
    page = client.get(reverse("cases:detail", args=[call.number])).content.decode()
    assert 'data-testid="save-answer-button"' in page
    url = reverse("cases:save_answer", args=[call.number])
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302  # once only
    (saved,) = Answer.objects.all()
    assert saved.source_case == call and saved.question == "路灯坏了找谁修"
    assert saved.category == w.pothole and saved.created_by == w.operator
    page = client.get(reverse("cases:detail", args=[call.number])).content.decode()
    assert 'data-testid="answer-saved"' in page
    # The next caller asking the same finds it.
    html = client.get(SEARCH, {"kb_q": "路灯不亮了找谁"}).content.decode()
    assert _entries(html) == [saved.pk]


def test_only_an_answered_case_is_saved_and_only_by_a_call_taker(client, world):
    w = world
    open_case = call_case(w, w.pothole, title="路面坑洼")
    client.force_login(w.operator)
    response = client.post(reverse("cases:save_answer", args=[open_case.number]))
    assert response.status_code == 400
    answered = call_case(w, w.pothole, title="咨询")
    move(answered, "answer", w.operator, answer="已电话答复")
    client.force_login(w.handler)
    assert client.post(reverse("cases:save_answer", args=[answered.number])).status_code in (
        403,
        404,
    )
    assert not Answer.objects.exists()


def test_direct_answers_are_counted_apart_from_the_rates(client, world):
    w = world
    answered = call_case(w, w.pothole, title="咨询居住证")
    move(answered, "answer", w.operator, answer=PERMIT)
    case_in(w, "closed")
    later = timezone.now() + timezone.timedelta(days=30)  # every clock long past
    (row,) = stats.rates(viewer=w.dispatcher, now=later)
    assert row["total"] == 2 and row["answered"] == 1
    # Not in the dispatch rate (it was never for dispatching), nor in the response rate.
    assert row["command_counts"]["dispatch_base"] == 1
    assert row["counts"]["response_base"] == 1
    client.force_login(w.dispatcher)
    body = client.get("/api/v1/cases/rates").json()
    assert body["rows"][0]["answered"] == 1
    page = client.get(reverse("cases:rates")).content.decode()
    assert re.search(r'data-testid="overall-answered">1<', page)


def test_the_caller_is_texted_the_answer_not_a_registration(
    gateway, world, django_capture_on_commit_callbacks
):
    from gongzhi.cases.intake import services

    w = world
    report = services.Report(
        channel="hotline",
        title="咨询居住证",
        description="来电咨询居住证怎么办理",
        category=w.pothole,
        address="乐都区碾伯镇西关街12号",
        reporter_phone=PHONE,
    )
    with django_capture_on_commit_callbacks(execute=True):
        case, created = services.do_answer_call(report=report, operator=w.operator, answer=PERMIT)
    assert created and case.state == State.ANSWERED
    follow_up(django_capture_on_commit_callbacks)  # intake's follow-up sends no "registered"
    (sent,) = texts(gateway)
    assert sent[0] == PHONE and case.number in sent[1] and "派出所户籍窗口" in sent[1]
