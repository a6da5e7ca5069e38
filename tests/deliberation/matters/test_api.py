"""The matters' API as an app uses it: propose, list and detail scoped to the caller, every
step out of order refused with 409 and nothing changed, structured errors."""

import pytest

from gongzhi.deliberation.choices import ItemOutcome, MeetingState
from gongzhi.deliberation.models import Matter, MatterEvent, MatterStep
from tests.api import conftest as api_fixtures

from .conftest import deliberate, held, make_meeting, propose

as_token = api_fixtures.as_token
pytestmark = pytest.mark.django_db
ERROR_KEYS = {"error", "message", "field"}


def body(**change):
    data = {
        "region": "630202100201",
        "title": "村集体资金修建灌溉水渠",
        "summary": "拟使用村集体资金二十万元修建北片灌溉水渠八百米。",
        "resolved_by": "village_assembly",
        "budget": "200000",
        "participants": "祁书记、马委员、韩委员",
        "minutes": "支部委员会一致同意提议。",
    }
    data.update(change)
    return data


def test_propose_and_walk_the_first_steps_through_the_api(hall, as_token):
    w = hall
    secretary, clerk = as_token(w.secretary), as_token(w.clerk)
    r = secretary.post("/deliberation/matters", body())
    assert r.status_code == 201, r.content
    out = r.json()
    number = out["number"]
    assert out["state"] == "proposed" and out["resolved_by"] == "village_assembly"
    assert [s["kind"] for s in out["steps"] if s["taken"]] == ["propose"]
    assert len(out["steps"]) == 6 and out["actions"] == ["deliberate", "withdraw"]

    r = clerk.post(
        f"/deliberation/matters/{number}/actions/deliberate",
        {"participants": "祁书记、韩文书、马成0", "minutes": "两委商议同意。", "votes_for": 3},
    )
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "deliberated"
    matter = Matter.objects.get(number=number)
    item = held(w, "party", matter, votes=(3, 0, 0), present=3)
    r = clerk.post(
        f"/deliberation/matters/{number}/actions/review", {"meeting": item.meeting.number}
    )
    assert r.status_code == 200 and r.json()["state"] == "reviewed"

    detail = clerk.get(f"/deliberation/matters/{number}").json()
    review = next(s for s in detail["steps"] if s["kind"] == "review")
    assert review["taken"] and review["meeting"] == item.meeting.number
    assert review["votes_for"] == 3 and review["participant_count"] == 3
    assert [e["action"] for e in detail["timeline"]] == ["propose", "deliberate", "review"]


def test_every_step_out_of_order_is_409_and_changes_nothing(hall, as_token):
    w = hall
    matter = propose(w)
    clerk, secretary = as_token(w.clerk), as_token(w.secretary)
    closed = held(w, "village_reps", matter).meeting
    before = (MatterStep.objects.count(), MatterEvent.objects.count())
    for action, payload in [
        ("review", {"meeting": closed.number}),
        ("resolve", {"meeting": closed.number}),
        ("publish", {"text": "公示"}),
        ("start", {}),
        ("publish_result", {"text": "结果"}),
    ]:
        r = clerk.post(f"/deliberation/matters/{matter.number}/actions/{action}", payload)
        assert r.status_code == 409, (action, r.content)
        assert set(r.json()) >= ERROR_KEYS and r.json()["message"]
    # A failed matter takes no step at all, not even a withdrawal.
    deliberate(w, matter, outcome="rejected")
    r = secretary.post(
        f"/deliberation/matters/{matter.number}/actions/withdraw", {"reason": "撤回"}
    )
    assert r.status_code == 409
    matter.refresh_from_db()
    assert matter.state == "failed"
    assert (MatterStep.objects.count(), MatterEvent.objects.count()) == (
        before[0] + 1,
        before[1] + 1,
    )


def test_a_stale_expected_state_is_409(hall, as_token):
    w = hall
    matter = deliberate(w, propose(w))
    r = as_token(w.secretary).post(
        f"/deliberation/matters/{matter.number}/actions/withdraw",
        {"expected_state": "proposed", "reason": "撤回"},
    )
    assert r.status_code == 409 and r.json()["error"] == "state_changed"
    assert Matter.objects.get(pk=matter.pk).state == "deliberated"


def test_roles_and_bad_input_through_the_api(hall, as_token):
    w = hall
    r = as_token(w.clerk).post("/deliberation/matters", body())
    assert r.status_code == 403 and set(r.json()) >= ERROR_KEYS
    r = as_token(w.secretary).post("/deliberation/matters", body(title="", minutes=""))
    assert r.status_code == 400 and r.json()["field"] in {"title", "minutes"}
    assert {e["field"] for e in r.json()["errors"]} == {"title", "minutes"}
    r = as_token(w.secretary).post("/deliberation/matters", body(region="999999999999"))
    assert r.status_code == 400 and r.json()["field"] == "region"
    assert not Matter.objects.exists()

    matter = propose(w)
    url = f"/deliberation/matters/{matter.number}/actions/deliberate"
    step = {"participants": "甲、乙", "minutes": "同意。"}
    assert as_token(w.villagers[0]).post(url, step).status_code == 403
    assert as_token(w.township_staff).post(url, step).status_code == 403
    assert as_token(w.other_clerk).post(url, step).status_code == 404
    r = as_token(w.clerk).post(url, {"participants": "甲、乙"})
    assert r.status_code == 400 and r.json()["field"] == "minutes"
    r = as_token(w.clerk).post(f"/deliberation/matters/{matter.number}/actions/fly", {})
    assert r.status_code == 404
    assert Matter.objects.get(pk=matter.pk).state == "proposed"


def test_lists_and_details_are_scoped(hall, as_token):
    w = hall
    matter = propose(w)
    urban = propose(w, actor=w.admin, region=w.regions.xiguan, title="社区加装电梯")

    def numbers(user):
        r = as_token(user).get("/deliberation/matters")
        assert r.status_code == 200
        return {row["number"] for row in r.json()["items"]}

    assert numbers(w.clerk) == {matter.number}
    assert numbers(w.villagers[3]) == {matter.number}
    # 碾伯镇 oversees both its village and its urban community.
    assert numbers(w.township_staff) == {matter.number, urban.number}
    assert numbers(w.community_staff) == {urban.number}
    assert numbers(w.urban_residents[0]) == {urban.number}
    assert numbers(w.outsider) == set() and numbers(w.other_clerk) == set()
    assert numbers(w.admin) == {matter.number, urban.number}
    assert as_token(w.outsider).get(f"/deliberation/matters/{matter.number}").status_code == 404
    assert as_token(w.nobody).get(f"/deliberation/matters/{matter.number}").status_code == 404
    r = as_token(w.clerk).get("/deliberation/matters", {"state": "done"})
    assert r.json()["items"] == []


def test_residents_see_the_names_of_who_took_part_masked(hall, as_token):
    w = hall
    matter = deliberate(w, propose(w), participants="祁书记、韩文书、马成0")
    staff = as_token(w.clerk).get(f"/deliberation/matters/{matter.number}").json()
    villager = as_token(w.villagers[5]).get(f"/deliberation/matters/{matter.number}").json()
    step = next(s for s in staff["steps"] if s["kind"] == "deliberate")
    seen = next(s for s in villager["steps"] if s["kind"] == "deliberate")
    assert step["participants"] == "祁书记、韩文书、马成0"
    assert seen["participants"] == "祁**、韩**、马**" and seen["participant_count"] == 3
    assert "马成0" not in str(villager)


def test_putting_a_matter_on_the_next_meeting_s_agenda(hall, as_token):
    w = hall
    matter = deliberate(w, propose(w))
    party = make_meeting(w, "party")
    reps = make_meeting(w, "village_reps")
    clerk = as_token(w.clerk)
    url = f"/deliberation/matters/{matter.number}/agenda"
    r = clerk.post(url, {"meeting": reps.number})  # the villagers come after the Party members
    assert r.status_code == 400 and r.json()["field"] == "meeting"
    assert as_token(w.villagers[0]).post(url, {"meeting": party.number}).status_code == 403
    r = clerk.post(url, {"meeting": party.number})
    assert r.status_code == 201, r.content
    assert party.items.get().matter == matter
    assert clerk.post(url, {"meeting": party.number}).status_code == 400
    party.state = MeetingState.CLOSED
    party.save(update_fields=["state"])
    party.items.update(outcome=ItemOutcome.PASSED, votes_for=3)
    r = clerk.post(
        f"/deliberation/matters/{matter.number}/actions/review", {"meeting": party.number}
    )
    assert r.json()["state"] == "reviewed"
