"""mySociety service-request updates: GET lists the public timeline with extended
statuses; POST takes the mapped workflow action as the client's bound user, within that
user's scope and roles; anything else is refused and changes nothing."""

import pytest

from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.workflow import table as workflow
from gongzhi.open311 import statuses
from gongzhi.open311.models import Open311Client, Open311Update

from . import local_schemas
from .conftest import get, post, report, same_in_both, valid

pytestmark = pytest.mark.django_db


@pytest.fixture
def updater(o311):
    """The FixMyStreet-style client, allowed to post updates as the 城管局 handler."""
    Open311Client.objects.filter(pk=o311.api_client.pk).update(
        may_post_updates=True, update_user=o311.handler
    )
    return o311


def dispatched(world):
    case = report(world)
    workflow.transition(case_id=case.pk, action="accept", actor=world.dispatcher)
    return workflow.transition(case_id=case.pk, action="dispatch", actor=world.dispatcher)


def update(client, world, case, status, n, text="已安排人员处理", fmt="json", **extra):
    data = {
        "api_key": world.key,
        "service_request_id": case.number,
        "update_id": f"fms-{n}",
        "status": status,
        "updated_datetime": "2026-11-30T10:00:00+08:00",
        "description": text,
        **extra,
    }
    return post(client, "servicerequestupdates", data, fmt=fmt)


def test_get_updates_lists_the_public_timeline_with_extended_statuses(client, o311):
    case = dispatched(o311)
    workflow.transition(case_id=case.pk, action="comment", actor=o311.dispatcher, note="内部")
    status, data = same_in_both(client, "servicerequestupdates", item="request_update")
    assert status == 200
    valid(local_schemas.UPDATES, data)
    assert [(u["status"], u["external_status_code"]) for u in data] == [
        ("open", "reported"),
        ("investigating", "accepted"),
        ("action_scheduled", "dispatched"),
    ]
    assert {u["service_request_id"] for u in data} == {case.number}
    assert "内部" not in str(data)


def test_get_updates_by_period_and_jurisdiction(client, o311):
    report(o311, point=o311.other_point)
    assert len(get(client, "servicerequestupdates", jurisdiction_id="630202").json()) == 0
    assert len(get(client, "servicerequestupdates", jurisdiction_id="630203").json()) == 1
    later = get(client, "servicerequestupdates", start_date="2099-01-01T00:00:00+08:00")
    assert later.json() == []
    bad = get(client, "servicerequestupdates", start_date="soon")
    assert bad.status_code == 400


def test_the_status_table_names_real_actions_and_states():
    for status, actions in statuses.ACTIONS.items():
        assert status in statuses.EXTENDED
        assert all(a in workflow.RULES for a in actions)
    assert set(statuses.OF_STATE.values()) <= set(statuses.EXTENDED)


def test_a_unit_signs_for_and_resolves_through_updates(client, updater):
    case = dispatched(updater)
    response = update(client, updater, case, "in_progress", 1)
    assert response.status_code == 201
    valid(local_schemas.UPDATE_POSTED, response.json())
    case.refresh_from_db()
    assert case.state == "in_progress"
    event = CaseEvent.objects.get(pk=int(response.json()[0]["update_id"]))
    assert event.action == "sign_for" and event.actor == updater.handler
    assert update(client, updater, case, "fixed", 2, text="井盖已更换").status_code == 201
    case.refresh_from_db()
    assert case.state == "resolved" and case.result == "井盖已更换"
    mine = get(client, f"requests/{case.number}").json()[0]
    assert mine["status_notes"] == "井盖已更换"


def test_an_xml_update_answers_in_xml(client, updater):
    case = dispatched(updater)
    response = update(client, updater, case, "in_progress", 1, fmt="xml")
    assert response.status_code == 201
    assert b"<update_id>" in response.content


def test_the_same_update_id_again_returns_the_first_result(client, updater):
    case = dispatched(updater)
    first = update(client, updater, case, "in_progress", 7)
    again = update(client, updater, case, "in_progress", 7)
    assert again.status_code == 200 and again.json() == first.json()
    assert Open311Update.objects.count() == 1
    assert CaseEvent.objects.filter(case=case, action="sign_for").count() == 1


def test_the_same_status_again_is_a_comment(client, updater):
    case = dispatched(updater)
    update(client, updater, case, "in_progress", 1)
    response = update(client, updater, case, "in_progress", 2, text="材料已到")
    assert response.status_code == 201
    assert CaseEvent.objects.filter(case=case, action="comment", note="材料已到").exists()


@pytest.mark.parametrize(
    "status,text",
    [
        ("duplicate", "与另一件重复"),  # merging needs the case it duplicates
        ("for_triage", "请分拨"),
        ("closed", "已结案"),  # only a resolved case can be closed
        ("fixed", "已修好"),  # not signed for yet
        ("wonderful", "?"),  # not a status
        ("not_councils_responsibility", ""),  # returning needs a reason
    ],
)
def test_an_unmappable_update_is_400_and_changes_nothing(client, updater, status, text):
    case = dispatched(updater)
    events = CaseEvent.objects.count()
    response = update(client, updater, case, status, 1, text=text)
    assert response.status_code == 400, response.content
    valid(local_schemas.ERRORS, response.json())
    case.refresh_from_db()
    assert case.state == "dispatched" and CaseEvent.objects.count() == events
    assert not Open311Update.objects.exists()


def test_an_action_the_bound_user_may_not_take_is_403(client, updater):
    """The 城管局 handler may not accept a case: that is the command centre's."""
    case = report(updater)
    response = update(client, updater, case, "investigating", 1, text="核实中")
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.state == "reported" and not Open311Update.objects.exists()


def test_a_case_outside_the_bound_users_scope_is_403(client, updater):
    Open311Client.objects.filter(pk=updater.api_client.pk).update(update_user=updater.other_handler)
    case = dispatched(updater)
    assert update(client, updater, case, "in_progress", 1).status_code == 403
    assert Case.objects.get(pk=case.pk).state == "dispatched"


def test_a_client_without_update_rights_or_key_is_403(client, o311):
    case = dispatched(o311)
    assert update(client, o311, case, "in_progress", 1).status_code == 403
    assert update(client, o311, case, "in_progress", 2, api_key="nope").status_code == 403
    assert Case.objects.get(pk=case.pk).state == "dispatched"


def test_updates_stay_within_the_clients_jurisdictions(client, updater):
    updater.api_client.jurisdictions.set([updater.regions.pingan])
    case = dispatched(updater)  # in 乐都区
    assert update(client, updater, case, "in_progress", 1).status_code == 403
    response = update(client, updater, case, "in_progress", 2, jurisdiction_id="630203")
    assert response.status_code == 404


def test_an_unknown_request_is_404(client, updater):
    response = post(
        client,
        "servicerequestupdates",
        {"api_key": updater.key, "service_request_id": "HD-1", "update_id": "x", "status": "fixed"},
    )
    assert response.status_code == 404
