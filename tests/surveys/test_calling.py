"""Operators field the sample on the phone (outcomes, call backs, retries up to the wave's
limit, the number revealed only on request and audited); members answer by their link,
once; the API records a call the same way."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.models import AuditLog
from gongzhi.surveys import services
from gongzhi.surveys.models import Answer, Response, SampleMember
from tests.surveys.conftest import fielded, pick

pytestmark = pytest.mark.django_db


def _call(client, member, **data):
    return client.post(reverse("surveys:call", args=[member.pk]), data)


def test_calling_form_outcomes_and_retries(client, sv):
    w = sv
    wave = fielded(w, w.nianbo, max_attempts=2, operators=[w.operator, w.operator2])
    mine = list(SampleMember.objects.filter(operator=w.operator).order_by("pk"))
    theirs = SampleMember.objects.filter(operator=w.operator2).first()
    client.force_login(w.operator)
    listed = client.get(reverse("surveys:calls")).content.decode()
    assert all(m.masked_phone in listed for m in mine)
    assert theirs.phone not in listed and mine[0].phone not in listed  # masked
    # Another operator's member: not found, for the form and the number alike.
    assert client.get(reverse("surveys:call", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("surveys:reveal_phone", args=[theirs.pk])).status_code == 404

    first = mine[0]
    # The number, shown on request and audited.
    shown = client.post(reverse("surveys:reveal_phone", args=[first.pk])).content.decode()
    assert first.phone in shown
    assert AuditLog.objects.filter(
        action="unmask", object_id=str(first.pk), actor=w.operator
    ).exists()

    # A call back needs a time to come.
    page = _call(client, first, outcome="call_back", callback_at="2020-01-01T10:00")
    assert "Give a time in the future to call back." in page.content.decode()
    first.refresh_from_db()
    assert (first.state, first.attempts) == ("to_call", 0)
    later = timezone.localtime() + dt.timedelta(days=1)
    assert (
        _call(
            client, first, outcome="call_back", callback_at=later.strftime("%Y-%m-%dT%H:%M")
        ).status_code
        == 302
    )
    first.refresh_from_db()
    assert (first.state, first.attempts) == ("call_back", 1) and first.callback_at

    # No answer twice: the wave allows two calls, so the second takes it off the list.
    second = mine[1]
    _call(client, second, outcome="no_answer")
    second.refresh_from_db()
    assert (second.state, second.attempts) == ("no_answer", 1)
    assert f'data-member="{second.pk}"' in client.get(reverse("surveys:calls")).content.decode()
    _call(client, second, outcome="no_answer")
    listed = client.get(reverse("surveys:calls")).content.decode()
    assert f'data-member="{second.pk}"' not in listed
    refused = _call(client, second, outcome="no_answer")
    assert "This member needs no more calls." in refused.content.decode()
    second.refresh_from_db()
    assert second.attempts == 2

    # Answered, but a question left out: nothing is written.
    questions = services.questions_of(wave)
    answers = pick(questions, "安全", "满意")
    missing = dict(answers)
    missing.pop(str(questions[-1].pk))
    page = _call(client, first, outcome="answered", **{f"q{k}": v for k, v in missing.items()})
    assert "Answer the question" in page.content.decode()
    assert not Response.objects.exists()
    _call(client, first, outcome="answered", **{f"q{k}": v for k, v in answers.items()})
    first.refresh_from_db()
    assert first.state == "answered" and first.attempts == 2
    response = Response.objects.get(member=first)
    assert (response.channel, response.operator) == ("phone", w.operator)
    assert Answer.objects.filter(response=response).count() == len(questions)
    assert set(
        Answer.objects.filter(response=response, measure="safety").values_list("score", flat=True)
    ) == {80}
    # Answered once: the link no longer works either.
    gone = client.get(reverse("surveys:public", args=[first.token]))
    assert gone.status_code == 410


def test_the_link_answers_once_and_only_while_the_wave_is_in_the_field(client, sv):
    w = sv
    wave = fielded(w, w.nianbo)
    member, other = SampleMember.objects.filter(wave=wave).order_by("pk")[:2]
    questions = services.questions_of(wave)
    url = reverse("surveys:public", args=[member.token])
    page = client.get(url)  # no login
    assert page.status_code == 200 and questions[0].text in page.content.decode()
    assert member.phone not in page.content.decode()
    answers = {f"q{k}": v for k, v in pick(questions, "很安全", "基本满意").items()}
    half = dict(list(answers.items())[:2])
    assert "Answer the question" in client.post(url, half).content.decode()
    assert not Response.objects.exists()
    done = client.post(url, answers)
    assert "Thank you: your answers are recorded." in done.content.decode()
    member.refresh_from_db()
    assert member.state == "by_link"
    assert Response.objects.get(member=member).channel == "link"
    # Once only: a second post changes nothing.
    again = client.post(url, answers)
    assert again.status_code == 410
    assert Response.objects.count() == 1
    # An operator can no longer call them.
    client.force_login(w.operator)
    assert (
        "This member needs no more calls."
        in _call(client, member, outcome="refused").content.decode()
    )
    client.logout()
    # A made-up token, and a link of a closed wave, answer nothing.
    assert client.get(reverse("surveys:public", args=["x" * 24])).status_code == 410
    services.do_transition(actor=w.admin, wave=wave, action="close")
    closed = client.post(reverse("surveys:public", args=[other.token]), answers)
    assert closed.status_code == 410 and "This survey has ended." in closed.content.decode()
    assert Response.objects.count() == 1


def test_the_api_records_a_call_and_lists_only_the_operators_members(client, sv):
    w = sv
    wave = fielded(w, w.nianbo, operators=[w.operator, w.operator2])
    mine = SampleMember.objects.filter(operator=w.operator).order_by("pk").first()
    theirs = SampleMember.objects.filter(operator=w.operator2).first()
    client.force_login(w.operator)
    listed = client.get("/api/v1/surveys/calls").json()
    ids = {m["id"] for m in listed["items"]}
    assert mine.pk in ids and theirs.pk not in ids
    assert all("*" in m["phone"] for m in listed["items"])
    url = f"/api/v1/surveys/members/{mine.pk}/calls"
    bad = client.post(url, {"outcome": "answered", "answers": {}}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["error"] == "answer"
    answers = pick(services.questions_of(wave), "不安全", "不满意")
    ok = client.post(
        url, {"outcome": "answered", "answers": answers}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["state"] == "answered"
    other = client.post(
        f"/api/v1/surveys/members/{theirs.pk}/calls",
        {"outcome": "refused"},
        content_type="application/json",
    )
    assert other.status_code == 404
    theirs.refresh_from_db()
    assert theirs.attempts == 0
