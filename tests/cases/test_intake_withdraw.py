"""撤销 by a reporter without an account (issue 23): a hotline caller withdraws on the
public tracking page with the link and the last four digits of their phone; an anonymous
report with its link alone. Same final state and step as a reporter with an account."""

import pytest
from django.utils import translation

from gongzhi.cases.choices import State
from gongzhi.cases.intake import withdraw
from gongzhi.cases.models import Case
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.core.models import AuditLog
from gongzhi.notify.models import Notification
from tests.factories import call_case, case_in, move

pytestmark = pytest.mark.django_db

PHONE = "13900001111"


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(message)


def _call(w, state="dispatched"):
    case = call_case(w, w.manhole, title="西关路口井盖丢失", reporter_phone=PHONE)
    steps = {"accepted": [], "dispatched": [("dispatch", w.dispatcher)]}[state]
    if case.state == State.REPORTED:
        case = move(case, "accept", w.dispatcher)
    for action, actor in steps:
        if case.state != state:
            case = move(case, action, actor)
    case = Case.objects.get(pk=case.pk)
    assert case.reporter_id is None and case.state == state
    return case


def _withdraw(client, case, **data):
    return client.post(case.tracking_url(), {"action": "withdraw", **data})


def test_a_caller_withdraws_with_the_link_and_the_last_four_digits(
    client, world, django_capture_on_commit_callbacks
):
    w = world
    case = _call(w)
    page = client.get(case.tracking_url()).content.decode()
    assert 'data-testid="withdraw"' in page and 'data-testid="withdraw-phone"' in page
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        response = _withdraw(client, case, phone_last4="1111", reason="问题已经自己解决了")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == State.WITHDRAWN and case.closed_at is not None
    event = case.events.get(action="withdraw")
    assert event.to_state == State.WITHDRAWN and event.note == "问题已经自己解决了"
    # Told as for any withdrawal: the unit that had it and the command centre.
    titles = Notification.objects.values_list("recipient_id", "title")
    told = {r for r, t in titles if t.startswith(zh("Case withdrawn by its reporter"))}
    assert w.handler.pk in told and w.dispatcher.pk in told
    assert AuditLog.objects.filter(action="caller_withdraw").count() == 1
    page = client.get(case.tracking_url()).content.decode()
    assert 'data-state="withdrawn"' in page and 'data-testid="withdraw"' not in page


@pytest.mark.parametrize(
    ("digits", "code"),
    [("", "required"), ("12", "required"), ("2222", "wrong_phone_digits")],
)
def test_wrong_or_missing_digits_are_refused_and_change_nothing(client, world, digits, code):
    case = _call(world)
    response = client.post(
        case.tracking_url(),
        {"action": "withdraw", "phone_last4": digits, "reason": "不需要了"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"] == code and response.json()["field"] == "phone_last4"
    html = _withdraw(client, case, phone_last4=digits, reason="不需要了").content.decode()
    assert 'data-testid="withdraw-error"' in html
    assert Case.objects.get(pk=case.pk).state == State.DISPATCHED
    assert not AuditLog.objects.filter(action="caller_withdraw").exists()


def test_guessing_the_digits_is_stopped_after_five_tries(client, world):
    case = _call(world)
    for guess in ("0000", "0001", "0002", "0003", "0004"):
        assert _withdraw(client, case, phone_last4=guess, reason="猜").status_code == 400
    response = _withdraw(client, case, phone_last4="1111", reason="不需要了")
    assert response.status_code == 429 and response["Retry-After"]
    assert Case.objects.get(pk=case.pk).state == State.DISPATCHED


def test_without_the_link_there_is_no_withdrawal(client, world):
    case = _call(world)
    url = case.tracking_url().split("?")[0]
    response = client.post(url, {"action": "withdraw", "t": "x" * 16, "phone_last4": "1111"})
    assert response.status_code == 404
    with pytest.raises(NotAllowed):
        withdraw.check_caller_withdraw(case=case, token="wrong", phone_last4="1111")
    assert Case.objects.get(pk=case.pk).state == State.DISPATCHED


def test_an_anonymous_report_is_withdrawn_with_its_link(client, world):
    case = case_in(world, "accepted", is_anonymous=True)
    assert case.reporter_id is None and case.reporter_phone == ""
    page = client.get(case.tracking_url()).content.decode()
    assert 'data-testid="withdraw"' in page and 'data-testid="withdraw-phone"' not in page
    response = client.post(
        case.tracking_url(),
        {"action": "withdraw", "reason": "报错了"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200 and response.json()["state"] == "withdrawn"
    assert Case.objects.get(pk=case.pk).state == State.WITHDRAWN


def test_a_report_made_with_an_account_still_needs_that_account(client, world):
    case = case_in(world, "dispatched")
    assert case.reporter_id == world.resident.pk
    page = client.get(case.tracking_url()).content.decode()
    assert 'data-testid="withdraw"' not in page and 'data-testid="withdraw-login"' in page
    response = _withdraw(client, case, phone_last4="0000", reason="不需要了")
    assert response.status_code == 403
    with pytest.raises(NotAllowed):
        withdraw.check_caller_withdraw(case=case, token=case.tracking_token)
    assert Case.objects.get(pk=case.pk).state == State.DISPATCHED


def test_a_resolved_call_cannot_be_withdrawn(client, world):
    w = world
    case = _call(w)
    case = move(case, "sign_for", w.handler)
    case = move(case, "resolve", w.handler, result="已补装")
    assert 'data-testid="withdraw"' not in client.get(case.tracking_url()).content.decode()
    assert _withdraw(client, case, phone_last4="1111", reason="算了").status_code == 403
    with pytest.raises(ServiceError) as refused:
        withdraw.check_caller_withdraw(case=case, token=case.tracking_token, phone_last4="1111")
    assert refused.value.code == "not_allowed_in_state"
    assert Case.objects.get(pk=case.pk).state == State.RESOLVED
