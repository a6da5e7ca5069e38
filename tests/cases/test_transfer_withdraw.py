"""转派 and 撤销 (issue 23, item 3): the command centre moves a case in hand straight to
another unit, and a reporter withdraws their own case before it is resolved."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from gongzhi.cases.choices import State
from gongzhi.cases.models import Case
from gongzhi.notify.models import Notification
from tests.factories import case_in, move

pytestmark = pytest.mark.django_db


def zh(message: str) -> str:
    """A notice title as the platform writes it (in Chinese, its default language)."""
    with translation.override("zh-hans"):
        return translation.gettext(message)


def _titles(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


# -- transfer ---------------------------------------------------------------------------------


def test_the_dispatcher_transfers_a_case_from_the_case_page(
    client, world, django_capture_on_commit_callbacks
):
    w = world
    case = case_in(w, "in_progress")
    assert case.owner == w.cgj and case.signed_at is not None
    client.force_login(w.dispatcher)
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    select = page[page.index('data-testid="transfer-unit"') :]
    offered = {
        int(pk) for pk in re.findall(r'<option value="(\d+)"', select[: select.index("</select>")])
    }
    assert w.zjj.pk in offered and w.cgj.pk not in offered and w.other_cgj.pk not in offered

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("cases:act", args=[case.number, "transfer"]),
            {"organisation": w.zjj.pk, "reason": "属于住建局的窨井"},
        )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == State.DISPATCHED and case.owner == w.zjj
    # The new unit's clock starts again: it has to sign for the case itself.
    assert case.signed_at is None and case.sign_for_due is not None
    assert case.sign_for_due > case.dispatched_at
    assert any(t.startswith(zh("Case transferred to your unit")) for t in _titles(w.zjj_handler))
    assert any(t.startswith(zh("Case transferred away from your unit")) for t in _titles(w.handler))

    # The timeline names both units, not their codes; the new unit now signs for it.
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    step = re.search(r'data-action="transfer".*?</li>', page, re.S).group(0)
    assert w.cgj.name in step and w.zjj.name in step and "属于住建局的窨井" in step
    assert w.cgj.code not in step
    move(case, "sign_for", w.zjj_handler)
    assert Case.objects.get(pk=case.pk).state == State.IN_PROGRESS


def test_a_transfer_needs_a_reason_and_another_unit(client, world):
    w = world
    case = case_in(w, "dispatched")
    client.force_login(w.dispatcher)
    url = reverse("cases:act", args=[case.number, "transfer"])
    assert client.post(url, {"organisation": w.zjj.pk, "reason": ""}).status_code == 400
    assert client.post(url, {"reason": "换单位"}).status_code == 400
    assert client.post(url, {"organisation": w.cgj.pk, "reason": "换单位"}).status_code == 400
    # A unit outside the dispatcher's area is not offered, and not taken.
    assert client.post(url, {"organisation": w.other_cgj.pk, "reason": "换单位"}).status_code == 400
    case.refresh_from_db()
    assert case.owner == w.cgj and case.state == State.DISPATCHED


@pytest.mark.parametrize("viewer", ["handler", "resident", "operator"])
def test_only_the_command_centre_transfers(client, world, viewer):
    w = world
    case = case_in(w, "in_progress")
    client.force_login(getattr(w, viewer))
    response = client.post(
        reverse("cases:act", args=[case.number, "transfer"]),
        {"organisation": w.zjj.pk, "reason": "换单位"},
    )
    # Refused (a resident is not even offered a unit to name), and nothing changes.
    assert response.status_code in (400, 403, 404)
    assert Case.objects.get(pk=case.pk).owner == w.cgj


@pytest.mark.parametrize("state", ["accepted", "resolved", "closed"])
def test_a_case_not_in_a_units_hands_cannot_be_transferred(client, world, state):
    w = world
    case = case_in(w, state)
    client.force_login(w.dispatcher)
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert 'data-testid="action-transfer"' not in page


def test_the_api_transfers_a_case(client, world):
    w = world
    case = case_in(w, "dispatched")
    client.force_login(w.dispatcher)
    response = client.post(
        f"/api/v1/cases/{case.number}/transitions",
        {"action": "transfer", "params": {"organisation": w.zjj.pk, "reason": "住建局负责"}},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "dispatched"
    assert Case.objects.get(pk=case.pk).owner == w.zjj


# -- withdraw ---------------------------------------------------------------------------------


def test_the_reporter_withdraws_on_the_tracking_page(
    client, world, django_capture_on_commit_callbacks
):
    w = world
    case = case_in(w, "in_progress")
    client.force_login(w.resident)
    page = client.get(case.tracking_url()).content.decode()
    assert 'data-testid="withdraw"' in page
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        response = client.post(case.tracking_url(), {"action": "withdraw", "reason": "已自行修好"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == State.WITHDRAWN and case.closed_at is not None
    assert not case.is_open
    # The unit handling it and the command centre are told.
    assert any(t.startswith(zh("Case withdrawn by its reporter")) for t in _titles(w.handler))
    assert any(t.startswith(zh("Case withdrawn by its reporter")) for t in _titles(w.dispatcher))
    page = client.get(case.tracking_url()).content.decode()
    assert 'data-testid="outcome"' in page and "已自行修好" in page
    assert 'data-testid="withdraw"' not in page


def test_a_withdrawal_needs_a_reason(client, world):
    w = world
    case = case_in(w, "dispatched")
    client.force_login(w.resident)
    response = client.post(case.tracking_url(), {"action": "withdraw", "reason": " "})
    assert response.status_code == 400
    assert 'data-testid="withdraw-error"' in response.content.decode()
    assert Case.objects.get(pk=case.pk).state == State.DISPATCHED


@pytest.mark.parametrize("state", ["resolved", "closed", "rejected"])
def test_a_resolved_or_finished_case_cannot_be_withdrawn(client, world, state):
    w = world
    case = case_in(w, state)
    client.force_login(w.resident)
    assert 'data-testid="withdraw"' not in client.get(case.tracking_url()).content.decode()
    response = client.post(case.tracking_url(), {"action": "withdraw", "reason": "不要了"})
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).state == state


def test_only_the_reporter_withdraws(client, world):
    w = world
    case = case_in(w, "accepted")
    # Someone else holding the tracking link sees no form and may not withdraw.
    client.force_login(w.other_resident)
    assert (
        client.post(case.tracking_url(), {"action": "withdraw", "reason": "x" * 5}).status_code
        == 403
    )
    client.force_login(w.dispatcher)
    response = client.post(
        f"/api/v1/cases/{case.number}/transitions",
        {"action": "withdraw", "params": {"reason": "代为撤销"}},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).state == State.ACCEPTED


def test_the_reporter_withdraws_through_the_api(client, world):
    w = world
    case = case_in(w, "reported")
    client.force_login(w.resident)
    response = client.post(
        f"/api/v1/cases/{case.number}/transitions",
        {"action": "withdraw", "params": {"reason": "报错了"}},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "withdrawn"


def test_withdrawn_cases_are_counted_apart_from_closed_ones(client, world):
    w = world
    case_in(w, "closed")
    withdrawn = case_in(w, "dispatched")
    move(withdrawn, "withdraw", w.resident, reason="不需要了")
    client.force_login(w.dispatcher)
    rows = client.get("/api/v1/cases?state=withdrawn").json()["items"]
    assert [r["number"] for r in rows] == [withdrawn.number]
    closed = client.get("/api/v1/cases?state=closed").json()["items"]
    assert closed and withdrawn.number not in [r["number"] for r in closed]
    # The queue's state chips show them apart too.
    page = client.get(reverse("cases:queue")).content.decode()
    assert 'data-state="withdrawn"' in page


def test_the_reporter_is_offered_withdrawal_on_the_case_page_too(client, world):
    w = world
    case = case_in(w, "accepted")
    client.force_login(w.resident)
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert 'data-testid="action-withdraw"' in page
    response = client.post(
        reverse("cases:act", args=[case.number, "withdraw"]), {"reason": "问题已消失"}
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).state == State.WITHDRAWN
