"""Who may take which action on which case, through the act URL as a browser would.

Every workflow action is tried by people who may take it (the case moves on) and by
people who may not (403 when they can see the case, 404 when they cannot), on a case in
乐都区 (world.grid, reported by world.resident). A refused, stale or malformed request
changes nothing at all.
"""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from gongzhi.cases.choices import State
from gongzhi.cases.models import Case
from gongzhi.cases.workflow import table as workflow
from tests.factories import case_in, move, png, report

pytestmark = pytest.mark.django_db


# Cases in a given state come from tests.factories (report, move, case_in), through the
# services; tests/core and tests/web still import those names from here.
__all__ = ["case_in", "move", "png", "report"]


def snapshot(case) -> dict:
    case = Case.objects.get(pk=case.pk)
    return {
        "state": case.state,
        "owner": case.owner_id,
        "command": case.command_id,
        "supervised": case.supervision_count,
        "resolve_due": case.resolve_due,
        "result": case.result,
        "events": case.events.count(),
        "co_handlers": case.co_handlers.count(),
        "extensions": list(case.extension_requests.values_list("status", flat=True)),
        "callbacks": case.callbacks.count(),
        "attachments": case.attachments.count(),
        "suspensions": list(case.suspensions.values_list("status", flat=True)),
        "all_cases": Case.objects.count(),  # a refused split makes no case
    }


def post(client, case, action, data=None, *, expected_state="auto", **extra):
    data = dict(data or {})
    if expected_state == "auto":
        data["expected_state"] = case.state
    elif expected_state is not None:
        data["expected_state"] = expected_state
    return client.post(reverse("cases:act", args=[case.number, action]), data, **extra)


# Form data for each action; a callable gets (world, case) for values that depend on them.
FORM = {
    "reason": {"reason": "情况说明"},
    "result": {"result": "已补装井盖"},
    "note": {"note": "请尽快处理"},
    "orgs": lambda w, case: {"organisations": [w.zjj.pk], "task": "配合施工"},
    "into": lambda w, case: {"into": report(w, title="同一井盖").number},
    "extension": lambda w, case: {
        "new_due": timezone.localtime(timezone.now() + timedelta(days=12)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "reason": "需采购材料",
    },
    "approve": {"approve": "1"},
    "deny": {"approve": "0", "note": "理由不充分"},
    "satisfied": {"resolved": "yes", "satisfaction": "satisfied", "comment": "很好"},
    "unhappy_phone": {
        "resolved": "no",
        "satisfaction": "unsatisfied",
        "reopen_offered": "1",
        "reopen": "1",
    },
    "category": lambda w, case: {"category": w.pothole.pk},
    "transfer": lambda w, case: {"organisation": w.zjj.pk, "reason": "属于住建局"},
    "answer": {"answer": "办理居住证请携带身份证到派出所"},
    "split": lambda w, case: {
        "part-0-description": "西关街井盖丢失",
        "part-0-category": w.manhole.pk,
        "part-1-description": "西关街路面坑洼",
        "part-1-category": w.pothole.pk,
    },
    "suspension": lambda w, case: {
        "reason": "等待井盖到货",
        "resume_on": (timezone.localdate() + timedelta(days=5)).isoformat(),
    },
    "none": {},
}


def form_data(key, w, case):
    value = FORM[key]
    return value(w, case) if callable(value) else dict(value)


# -- allowed: the case moves on ----------------------------------------------------------------

ALLOWED = [
    # action, state, actor, form, state afterwards
    ("accept", "reported", "dispatcher", "none", State.ACCEPTED),
    ("accept", "reported", "city_dispatcher", "none", State.ACCEPTED),
    ("accept", "reported", "admin", "none", State.ACCEPTED),
    ("reject", "reported", "dispatcher", "reason", State.REJECTED),
    ("reject", "accepted", "city_dispatcher", "reason", State.REJECTED),
    ("dispatch", "accepted", "dispatcher", "none", State.DISPATCHED),
    ("dispatch", "returned", "dispatcher", "none", State.DISPATCHED),
    ("dispatch", "reopened", "dispatcher", "none", State.DISPATCHED),
    ("dispatch", "escalated", "city_dispatcher", "none", State.DISPATCHED),
    ("sign_for", "dispatched", "handler", "none", State.IN_PROGRESS),
    ("sign_for", "dispatched", "cgj_head", "none", State.IN_PROGRESS),
    ("return", "dispatched", "handler", "reason", State.RETURNED),
    ("return", "in_progress", "handler", "reason", State.RETURNED),
    ("add_co_handlers", "in_progress", "dispatcher", "orgs", State.IN_PROGRESS),
    ("add_co_handlers", "dispatched", "cgj_head", "orgs", State.DISPATCHED),
    ("resolve", "in_progress", "handler", "result", State.RESOLVED),
    ("resolve", "in_progress", "cgj_head", "result", State.RESOLVED),
    ("verify_pass", "resolved", "grid_worker", "none", State.CLOSED),
    ("verify_pass", "resolved", "dispatcher", "none", State.CLOSED),
    ("verify_fail", "resolved", "grid_worker", "reason", State.REOPENED),
    ("verify_fail", "resolved", "dispatcher", "reason", State.REOPENED),
    ("escalate", "accepted", "dispatcher", "reason", State.ESCALATED),
    ("escalate", "in_progress", "dispatcher", "reason", State.ESCALATED),
    ("merge", "reported", "dispatcher", "into", State.MERGED),
    ("merge", "returned", "dispatcher", "into", State.MERGED),
    ("supervise", "in_progress", "dispatcher", "note", State.IN_PROGRESS),
    ("supervise", "dispatched", "leader", "note", State.DISPATCHED),
    ("supervise", "reported", "city_dispatcher", "note", State.REPORTED),
    ("request_extension", "in_progress", "handler", "extension", State.IN_PROGRESS),
    ("request_extension", "dispatched", "cgj_head", "extension", State.DISPATCHED),
    ("decide_extension", "pending_extension", "dispatcher", "approve", State.IN_PROGRESS),
    ("decide_extension", "pending_extension", "leader", "deny", State.IN_PROGRESS),
    ("categorise", "reported", "dispatcher", "category", State.REPORTED),
    ("categorise", "in_progress", "city_dispatcher", "category", State.IN_PROGRESS),
    ("comment", "in_progress", "handler", "note", State.IN_PROGRESS),
    ("comment", "in_progress", "grid_worker", "note", State.IN_PROGRESS),
    ("comment", "in_progress", "operator", "note", State.IN_PROGRESS),
    ("comment", "closed", "dispatcher", "note", State.CLOSED),
    ("callback", "closed", "resident", "satisfied", State.CLOSED),
    ("callback", "closed", "operator", "unhappy_phone", State.REOPENED),
    ("callback", "closed", "dispatcher", "satisfied", State.CLOSED),
    ("transfer", "in_progress", "dispatcher", "transfer", State.DISPATCHED),
    ("transfer", "dispatched", "city_dispatcher", "transfer", State.DISPATCHED),
    ("withdraw", "in_progress", "resident", "reason", State.WITHDRAWN),
    ("withdraw", "reported", "resident", "reason", State.WITHDRAWN),
    ("withdraw", "suspended", "resident", "reason", State.WITHDRAWN),
    ("answer", "reported", "operator", "answer", State.ANSWERED),
    ("answer", "accepted", "dispatcher", "answer", State.ANSWERED),
    ("split", "reported", "operator", "split", State.REPORTED),
    ("split", "returned", "dispatcher", "split", State.RETURNED),
    ("request_suspension", "in_progress", "handler", "suspension", State.IN_PROGRESS),
    ("request_suspension", "dispatched", "dispatcher", "suspension", State.DISPATCHED),
    ("decide_suspension", "pending_suspension", "dispatcher", "approve", State.SUSPENDED),
    ("decide_suspension", "pending_suspension", "city_dispatcher", "deny", State.IN_PROGRESS),
    ("resume", "suspended", "handler", "none", State.IN_PROGRESS),
    ("resume", "suspended", "dispatcher", "none", State.IN_PROGRESS),
]


@pytest.mark.parametrize(
    "action,state,actor,form,after",
    ALLOWED,
    ids=[f"{a}-{s}-{p}" for a, s, p, _f, _t in ALLOWED],
)
def test_allowed(client, world, action, state, actor, form, after):
    case = case_in(world, state)
    before = snapshot(case)
    client.force_login(getattr(world, actor))
    response = post(client, case, action, form_data(form, world, case))
    assert response.status_code == 302, response.content.decode()[:2000]
    now = snapshot(case)
    assert now["state"] == after
    assert now["events"] > before["events"]
    event = Case.objects.get(pk=case.pk).events.order_by("-id").first()
    assert (event.action, event.actor) == (action, getattr(world, actor))


# -- refused: nothing changes ------------------------------------------------------------------

REFUSED = [
    # action, state, actor, form, status (404: the case is outside their scope)
    ("transfer", "in_progress", "handler", "reason", 403),
    ("transfer", "accepted", "dispatcher", "reason", 403),
    ("transfer", "in_progress", "other_dispatcher", "transfer", 404),
    ("withdraw", "resolved", "resident", "reason", 403),
    ("withdraw", "in_progress", "dispatcher", "reason", 403),
    ("withdraw", "in_progress", "other_resident", "reason", 404),
    ("answer", "in_progress", "operator", "answer", 403),
    ("answer", "reported", "resident", "answer", 403),
    ("answer", "reported", "other_dispatcher", "answer", 404),
    ("split", "in_progress", "dispatcher", "split", 403),
    ("split", "reported", "resident", "split", 403),
    ("split", "reported", "other_dispatcher", "split", 404),
    ("request_suspension", "in_progress", "grid_worker", "suspension", 403),
    ("request_suspension", "accepted", "dispatcher", "suspension", 403),
    ("request_suspension", "in_progress", "other_handler", "suspension", 404),
    ("decide_suspension", "pending_suspension", "handler", "approve", 403),
    ("decide_suspension", "pending_suspension", "other_dispatcher", "approve", 404),
    ("resume", "suspended", "grid_worker", "none", 403),
    ("resume", "in_progress", "handler", "none", 403),
    ("resume", "suspended", "other_handler", "none", 404),
    ("accept", "reported", "other_dispatcher", "none", 404),
    ("accept", "reported", "resident", "none", 403),
    ("accept", "reported", "other_resident", "none", 404),
    ("accept", "reported", "operator", "none", 403),
    ("accept", "reported", "grid_worker", "none", 403),
    ("accept", "reported", "leader", "none", 403),
    ("accept", "reported", "handler", "none", 404),
    ("reject", "reported", "other_dispatcher", "reason", 404),
    ("reject", "reported", "resident", "reason", 403),
    ("reject", "dispatched", "dispatcher", "reason", 403),
    ("dispatch", "accepted", "other_dispatcher", "none", 404),
    ("dispatch", "accepted", "resident", "none", 403),
    ("dispatch", "accepted", "grid_worker", "none", 403),
    ("dispatch", "accepted", "operator", "none", 403),
    ("dispatch", "accepted", "leader", "none", 403),
    ("dispatch", "accepted", "zjj_handler", "none", 404),
    ("dispatch", "in_progress", "dispatcher", "none", 403),
    ("sign_for", "dispatched", "zjj_handler", "none", 404),
    ("sign_for", "dispatched", "other_handler", "none", 404),
    ("sign_for", "dispatched", "dispatcher", "none", 403),
    ("sign_for", "dispatched", "grid_worker", "none", 403),
    ("sign_for", "dispatched", "resident", "none", 403),
    ("sign_for", "in_progress", "handler", "none", 403),
    # A government's leader supervises its bureaus' cases but does not handle them.
    ("sign_for", "dispatched", "leader", "none", 403),
    ("return", "in_progress", "leader", "reason", 403),
    ("resolve", "in_progress", "leader", "result", 403),
    ("request_extension", "in_progress", "leader", "extension", 403),
    ("return", "in_progress", "dispatcher", "reason", 403),
    ("return", "in_progress", "zjj_handler", "reason", 404),
    ("return", "resolved", "handler", "reason", 403),
    ("add_co_handlers", "in_progress", "handler", "orgs", 403),
    ("add_co_handlers", "in_progress", "other_dispatcher", "orgs", 404),
    ("add_co_handlers", "accepted", "dispatcher", "orgs", 403),
    ("resolve", "in_progress", "dispatcher", "result", 403),
    ("resolve", "in_progress", "zjj_handler", "result", 404),
    ("resolve", "in_progress", "other_handler", "result", 404),
    ("resolve", "in_progress", "grid_worker", "result", 403),
    ("resolve", "in_progress", "resident", "result", 403),
    ("resolve", "dispatched", "handler", "result", 403),
    ("verify_pass", "resolved", "handler", "none", 403),
    ("verify_pass", "resolved", "resident", "none", 403),
    ("verify_pass", "resolved", "operator", "none", 403),
    ("verify_pass", "resolved", "other_dispatcher", "none", 404),
    ("verify_pass", "in_progress", "grid_worker", "none", 403),
    ("verify_fail", "resolved", "handler", "reason", 403),
    ("verify_fail", "resolved", "resident", "reason", 403),
    ("escalate", "in_progress", "handler", "reason", 403),
    ("escalate", "accepted", "other_dispatcher", "reason", 404),
    ("escalate", "resolved", "dispatcher", "reason", 403),
    ("merge", "reported", "resident", "into", 403),
    ("merge", "reported", "other_dispatcher", "into", 404),
    ("merge", "in_progress", "dispatcher", "into", 403),
    ("supervise", "in_progress", "handler", "note", 403),
    ("supervise", "in_progress", "cgj_head", "note", 403),
    ("supervise", "in_progress", "operator", "note", 403),
    ("supervise", "in_progress", "other_dispatcher", "note", 404),
    ("supervise", "closed", "dispatcher", "note", 403),
    ("request_extension", "in_progress", "dispatcher", "extension", 403),
    ("request_extension", "in_progress", "zjj_handler", "extension", 404),
    ("request_extension", "resolved", "handler", "extension", 403),
    ("decide_extension", "pending_extension", "handler", "approve", 403),
    ("decide_extension", "pending_extension", "cgj_head", "approve", 403),
    ("decide_extension", "pending_extension", "other_dispatcher", "approve", 404),
    ("categorise", "in_progress", "handler", "category", 403),
    ("categorise", "reported", "leader", "category", 403),
    ("categorise", "reported", "operator", "category", 403),
    ("categorise", "reported", "other_dispatcher", "category", 404),
    ("categorise", "closed", "dispatcher", "category", 403),
    ("comment", "in_progress", "resident", "note", 403),
    ("comment", "in_progress", "zjj_handler", "note", 404),
    ("comment", "in_progress", "other_dispatcher", "note", 404),
    ("comment", "rejected", "dispatcher", "note", 403),
    ("callback", "closed", "handler", "satisfied", 403),
    ("callback", "closed", "grid_worker", "satisfied", 403),
    ("callback", "closed", "other_resident", "satisfied", 404),
    ("callback", "in_progress", "resident", "satisfied", 403),
    ("callback", "resolved", "resident", "satisfied", 403),
]


@pytest.mark.parametrize(
    "action,state,actor,form,status",
    REFUSED,
    ids=[f"{a}-{s}-{p}" for a, s, p, _f, _c in REFUSED],
)
def test_refused(client, world, action, state, actor, form, status):
    case = case_in(world, state)
    data = form_data(form, world, case)
    before = snapshot(case)
    client.force_login(getattr(world, actor))
    response = post(client, case, action, data)
    assert response.status_code == status
    assert snapshot(case) == before
    if status == 403:  # the case page again, with the reason in place
        html = response.content.decode()
        assert 'data-testid="action-error"' in html and 'data-status="403"' in html


def test_every_workflow_action_is_tried_both_ways():
    actions = set(workflow.RULES)
    assert {row[0] for row in ALLOWED} == actions
    assert {row[0] for row in REFUSED} == actions


def test_the_buttons_offered_are_the_actions_allowed(client, world):
    """The page offers a form for each action the workflow allows this viewer, no more."""
    case = case_in(world, "in_progress")
    for actor, expected in [
        ("handler", {"return", "resolve", "request_extension", "request_suspension", "comment"}),
        (
            "cgj_head",
            {
                "return",
                "resolve",
                "request_extension",
                "request_suspension",
                "comment",
                "add_co_handlers",
            },
        ),
        (
            "dispatcher",
            {
                "escalate",
                "add_co_handlers",
                "supervise",
                "comment",
                "transfer",
                "request_suspension",
            },
        ),
        ("grid_worker", {"comment"}),
        ("resident", {"withdraw"}),
    ]:
        client.force_login(getattr(world, actor))
        html = client.get(reverse("cases:detail", args=[case.number])).content.decode()
        offered = {a for a in workflow.RULES if f'data-testid="action-{a}"' in html}
        assert offered == expected, actor
        assert offered <= set(workflow.allowed_actions(case, getattr(world, actor)))


# -- a stale page, bad input ---------------------------------------------------------------------


@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
def test_a_stale_page_gets_a_conflict_and_changes_nothing(client, world, htmx):
    case = case_in(world, "accepted")  # the dispatcher's page still says "reported"
    before = snapshot(case)
    client.force_login(world.dispatcher)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = post(
        client, case, "reject", {"reason": "重复"}, expected_state="reported", **headers
    )
    assert response.status_code == 409
    assert snapshot(case) == before
    html = response.content.decode()
    assert 'data-code="state_changed"' in html
    assert 'data-state="accepted"' in html  # the page now shows the case as it is


def test_two_handlers_signing_for_at_once(client, world):
    case = case_in(world, "dispatched")
    client.force_login(world.cgj_head)
    assert post(client, case, "sign_for").status_code == 302
    after_first = snapshot(case)
    client.force_login(world.handler)
    assert post(client, case, "sign_for", expected_state="dispatched").status_code == 409
    assert snapshot(case) == after_first


BAD_INPUT = [
    # action, state, actor, form data (callable: (world, case) → data), error code
    ("reject", "reported", "dispatcher", {}, "required"),
    ("return", "in_progress", "handler", {"reason": " "}, "required"),
    ("resolve", "in_progress", "handler", {"result": ""}, "required"),
    ("resolve", "in_progress", "handler", {"result": "长" * 2001}, "too_long"),
    ("verify_fail", "resolved", "grid_worker", {}, "required"),
    ("escalate", "accepted", "dispatcher", {}, "required"),
    ("supervise", "in_progress", "dispatcher", {"note": ""}, "required"),
    ("comment", "in_progress", "dispatcher", {}, "required"),
    (
        "request_extension",
        "in_progress",
        "handler",
        {"new_due": "明天", "reason": "需采购"},
        "required",
    ),
    (
        "request_extension",
        "in_progress",
        "handler",
        {"new_due": "2020-01-01T08:00", "reason": "需采购"},
        "not_later",
    ),
    (
        "request_extension",
        "pending_extension",
        "handler",
        FORM["extension"],
        "pending_request",
    ),
    ("decide_extension", "pending_extension", "dispatcher", {}, "required"),
    ("decide_extension", "in_progress", "dispatcher", {"approve": "1"}, "no_request"),
    (
        "dispatch",
        "accepted",
        "dispatcher",
        lambda w, c: {"organisation": w.other_cgj.pk},  # a unit of another county
        "unknown_organisation",
    ),
    ("dispatch", "accepted", "dispatcher", {"organisation": "abc"}, "unknown_organisation"),
    ("add_co_handlers", "in_progress", "dispatcher", {}, "required"),
    (
        "add_co_handlers",
        "in_progress",
        "dispatcher",
        lambda w, c: {"organisations": [w.cgj.pk]},
        "is_owner",
    ),
    (
        "add_co_handlers",
        "in_progress",
        "dispatcher",
        lambda w, c: {"organisations": [w.other_cgj.pk]},
        "unknown_organisation",
    ),
    ("merge", "reported", "dispatcher", {"into": "HD-20000101-000001"}, "unknown_case"),
    ("merge", "reported", "dispatcher", lambda w, c: {"into": c.number}, "bad_merge_target"),
    (
        "merge",
        "reported",
        "dispatcher",
        lambda w, c: {"into": report(w, point=w.other_point).number},  # outside their scope
        "unknown_case",
    ),
    ("callback", "closed", "resident", {"resolved": "yes"}, "required"),
    ("callback", "closed", "resident", {"satisfaction": "satisfied"}, "required"),
    ("callback", "closed", "resident", {"resolved": "yes", "satisfaction": "ecstatic"}, "required"),
]


@pytest.mark.parametrize(
    "action,state,actor,data,code",
    BAD_INPUT,
    ids=[f"{a}-{code}-{i}" for i, (a, _s, _p, _d, code) in enumerate(BAD_INPUT)],
)
def test_bad_input_gets_400_and_changes_nothing(client, world, action, state, actor, data, code):
    case = case_in(world, state)
    data = data(world, case) if callable(data) else dict(data)
    before = snapshot(case)
    client.force_login(getattr(world, actor))
    response = post(client, case, action, data)
    assert response.status_code == 400
    assert snapshot(case) == before
    html = response.content.decode()
    assert f'data-code="{code}"' in html
    if f'data-testid="action-{action}"' in html:  # the form is still offered: message in it
        assert 'data-testid="action-error-inline"' in html


def test_a_second_callback_is_refused(client, world):
    case = case_in(world, "closed")
    client.force_login(world.resident)
    assert post(client, case, "callback", FORM["satisfied"]).status_code == 302
    before = snapshot(case)
    response = post(client, case, "callback", FORM["satisfied"])
    assert response.status_code == 400 and snapshot(case) == before


def test_resolve_with_photos_stores_the_evidence(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = case_in(world, "in_progress")
    client.force_login(world.handler)
    response = post(
        client, case, "resolve", {"result": "已补装井盖", "photos": [png(), png("b.png")]}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == State.RESOLVED
    stages = list(case.attachments.values_list("stage", flat=True))
    assert stages == ["resolution", "resolution"]
    assert case.attachments.first().event.action == "resolve"


def test_a_file_that_is_not_a_photo_changes_nothing(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = case_in(world, "in_progress")
    before = snapshot(case)
    client.force_login(world.handler)
    fake = SimpleUploadedFile("x.png", b"not an image at all", content_type="image/png")
    response = post(client, case, "resolve", {"result": "已补装井盖", "photos": [fake]})
    assert response.status_code == 400
    assert snapshot(case) == before
    assert not list(tmp_path.rglob("*.png"))


def test_dispatch_to_a_chosen_unit_in_scope(client, world):
    case = case_in(world, "accepted")
    client.force_login(world.dispatcher)
    response = post(client, case, "dispatch", {"organisation": world.zjj.pk})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.owner) == (State.DISPATCHED, world.zjj)
    assert case.sign_for_due and case.resolve_due


def test_an_approved_extension_moves_the_deadline(client, world):
    case = case_in(world, "pending_extension")
    wanted = case.extension_requests.get().new_due
    client.force_login(world.dispatcher)
    assert post(client, case, "decide_extension", {"approve": "1"}).status_code == 302
    case.refresh_from_db()
    assert case.resolve_due == wanted
    assert case.extension_requests.get().status == "approved"


def test_the_extension_form_says_when_it_is_too_late_and_shows_the_deadline(client, world):
    case = case_in(world, "in_progress")
    client.force_login(world.handler)
    url = reverse("cases:detail", args=[case.number])
    html = client.get(url).content.decode()
    assert 'data-testid="extension-current-due"' in html and 'name="new_due"' in html
    Case.objects.filter(pk=case.pk).update(is_overdue=True)
    html = client.get(url).content.decode()
    assert 'data-testid="extension-too-late"' in html and 'name="new_due"' not in html


def test_a_unit_returning_a_case_goes_back_to_its_inbox(client, world):
    """After returning, the case is no longer the unit's to see: back to the inbox."""
    case = case_in(world, "in_progress")
    client.force_login(world.handler)
    response = post(client, case, "return", {"reason": "不属于本单位"})
    assert response.status_code == 302 and response.url == reverse("cases:inbox")
    response = post(client, case, "return", {"reason": "不属于本单位"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 404  # and now they cannot see it at all


def test_htmx_success_follows_the_redirect_to_the_case_page(client, world):
    case = case_in(world, "reported")
    client.force_login(world.dispatcher)
    response = post(client, case, "accept", HTTP_HX_REQUEST="true", follow=True)
    assert response.status_code == 200
    assert 'data-state="accepted"' in response.content.decode()


def test_unknown_action_get_and_anonymous(client, world):
    case = case_in(world, "reported")
    before = snapshot(case)
    url = reverse("cases:act", args=[case.number, "accept"])
    response = client.post(url, {"expected_state": "reported"})
    assert response.status_code == 302 and "login" in response.url
    client.force_login(world.dispatcher)
    assert client.get(url).status_code == 405
    assert post(client, case, "teleport").status_code == 404
    assert snapshot(case) == before


def test_no_case_leaks_across_counties(client, world):
    """A 平安区 case is invisible to 乐都区 people: every action answers 404."""
    case = report(world, point=world.other_point)
    before = snapshot(case)
    for actor in ("dispatcher", "handler", "grid_worker", "other_resident"):
        client.force_login(getattr(world, actor))
        for action in workflow.RULES:
            assert post(client, case, action, {"note": "x", "reason": "x"}).status_code == 404
    assert snapshot(case) == before
