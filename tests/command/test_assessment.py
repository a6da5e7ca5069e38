"""考核: units' scores come from the weight and penalty rows, and the rows are checked."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.cases.models import Case
from gongzhi.command import assessment
from gongzhi.command.models import AssessmentPenalty, AssessmentWeight
from tests.factories import case_in, move

pytestmark = pytest.mark.django_db
API = "/api/v1/command/assessment"


@pytest.fixture
def world(world):
    assessment.seed_defaults()  # a transactional test before may have flushed the seeded rows
    return world


def rated(w, *, happy: bool):
    case = case_in(w, "closed")
    satisfaction = "satisfied" if happy else "unsatisfied"
    move(case, "callback", w.resident, resolved=happy, satisfaction=satisfaction)
    return case


def unit_row(body: dict, name: str) -> dict:
    found = [u for u in body["units"] if u["unit"] == name]
    assert found, f"{name} not among {[u['unit'] for u in body['units']]}"
    return found[0]


def test_scores_follow_the_weight_and_penalty_rows(client, world):
    w = world
    rated(w, happy=True)
    rated(w, happy=False)
    late = case_in(w, "in_progress")
    Case.objects.filter(pk=late.pk).update(is_overdue=True)
    today = timezone.localdate().isoformat()
    client.force_login(w.leader)

    body = client.get(API, {"start": today, "end": today}).json()
    bureau = unit_row(body, w.cgj.name)
    parts = {p["measure"]: p for p in bureau["parts"]}
    # Three cases signed in time; of the two rated, one solved and satisfied.
    assert parts["response_rate"]["rate"] == 1.0
    assert parts["resolution_rate"]["rate"] == 0.5
    assert parts["satisfaction_rate"]["rate"] == 0.5
    # 30×1 + 40×0.5 + 30×0.5 = 65, minus 0.5 for the overdue case.
    assert bureau["rate_points"] == 65.0
    assert {m["measure"]: m["points"] for m in bureau["penalties"]} == {
        "overdue": 0.5,
        "returned": 0.0,
    }
    assert bureau["score"] == 64.5
    assert bureau["rank"] == 1
    assert [x["weight"] for x in body["weights"]] == [30.0, 40.0, 30.0]

    # An administrator weighs the response rate more, and overdue cases heavier.
    AssessmentWeight.objects.filter(code="response_rate").update(weight=Decimal(50))
    AssessmentWeight.objects.filter(code="resolution_rate").update(weight=Decimal(25))
    AssessmentWeight.objects.filter(code="satisfaction_rate").update(weight=Decimal(25))
    AssessmentPenalty.objects.filter(code="overdue").update(points=Decimal(10), cap=Decimal(4))
    bureau = unit_row(client.get(API, {"start": today, "end": today}).json(), w.cgj.name)
    assert bureau["rate_points"] == 75.0  # 50 + 12.5 + 12.5
    assert bureau["score"] == 71.0  # 10 points for the overdue case, capped at 4

    # Switching a rate off leaves it out of every score.
    AssessmentWeight.objects.filter(code="satisfaction_rate").update(enabled=False)
    AssessmentWeight.objects.filter(code="resolution_rate").update(weight=Decimal(50))
    body = client.get(API, {"start": today, "end": today}).json()
    bureau = unit_row(body, w.cgj.name)
    assert [p["measure"] for p in bureau["parts"]] == ["response_rate", "resolution_rate"]
    assert bureau["rate_points"] == 75.0  # 50×1 + 50×0.5


def test_a_rate_without_a_base_gives_its_weight_to_the_others():
    rates = [
        AssessmentWeight(code="response_rate", weight=Decimal(30)),
        AssessmentWeight(code="resolution_rate", weight=Decimal(40)),
        AssessmentWeight(code="satisfaction_rate", weight=Decimal(30)),
    ]
    minus = [AssessmentPenalty(code="returned", points=Decimal(1), cap=Decimal(20))]
    row = {"response_rate": 0.8, "resolution_rate": None, "satisfaction_rate": None}
    scored = assessment.score({**row, "returned": 30}, rates, minus)
    # Nothing rated yet: the response rate counts for all 100 points; 30 returns cost 20.
    assert scored["parts"][0]["effective_weight"] == 100.0
    assert scored["rate_points"] == 80.0
    assert scored["score"] == 60.0
    # No base at all: not scored, whatever the penalties.
    nothing = assessment.score({"returned": 3}, rates, minus)
    assert nothing["score"] is None and nothing["minus_points"] == 3.0
    # Never below zero.
    assert assessment.score({"response_rate": 0.1, "returned": 50}, rates, minus)["score"] == 0


def test_weights_that_do_not_add_up_to_100_are_refused_in_the_admin(client, world):
    client.force_login(world.admin)
    rows = list(AssessmentWeight.objects.order_by("order"))
    assert [(r.code, r.weight) for r in rows] == [
        ("response_rate", 30),
        ("resolution_rate", 40),
        ("satisfaction_rate", 30),
    ]
    url = reverse("admin:command_assessmentweight_changelist")

    def post(weights):
        data = {
            "form-TOTAL_FORMS": str(len(rows)),
            "form-INITIAL_FORMS": str(len(rows)),
            "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000",
            "_save": "Save",
        }
        for i, (row, weight) in enumerate(zip(rows, weights, strict=True)):
            data.update(
                {
                    f"form-{i}-id": str(row.pk),
                    f"form-{i}-weight": str(weight),
                    f"form-{i}-enabled": "on",
                    f"form-{i}-order": str(row.order),
                }
            )
        return client.post(url, data)

    refused = post([50, 40, 30])
    assert refused.status_code == 200  # the list again, with the reason
    assert "120" in refused.content.decode()
    assert AssessmentWeight.objects.get(code="response_rate").weight == 30
    # Changed together, the weights are taken.
    assert post([50, 25, 25]).status_code == 302
    assert AssessmentWeight.objects.get(code="response_rate").weight == 50

    # One row's own page checks the sum with the others as stored.
    one = AssessmentWeight.objects.get(code="satisfaction_rate")
    page = client.post(
        reverse("admin:command_assessmentweight_change", args=[one.pk]),
        {
            "code": one.code,
            "name": one.name,
            "weight": "40",
            "enabled": "on",
            "order": "30",
            "colour": one.colour,
        },
    )
    assert page.status_code == 200
    assert AssessmentWeight.objects.get(code="satisfaction_rate").weight == 25
    with pytest.raises(assessment.AssessmentError):
        assessment.check_weights(rows=[("response_rate", False, Decimal(100))])


def test_a_return_is_charged_to_the_unit_that_returned_the_case(client, world):
    w = world
    # 城管局 sends the case back; 住建局 takes it over and resolves it.
    case = case_in(w, "returned")
    assert case.owner_id is None
    case = move(case, "dispatch", w.dispatcher, organisation=w.zjj)
    case = move(case, "sign_for", w.zjj_handler)
    move(case, "resolve", w.zjj_handler, result="已处理")
    today = timezone.localdate().isoformat()
    client.force_login(w.leader)

    body = client.get(API, {"start": today, "end": today}).json()
    returned = {
        u["unit"]: {p["measure"]: p for p in u["penalties"]}["returned"] for u in body["units"]
    }
    # The returning unit carries it, although it leads no case now (so it is not scored).
    assert (returned[w.cgj.name]["count"], returned[w.cgj.name]["points"]) == (1, 1.0)
    assert unit_row(body, w.cgj.name)["score"] is None
    # The unit that took it over is not charged, though it leads a case that was returned.
    assert returned[w.zjj.name]["count"] == 0
    assert returned[w.zjj.name]["points"] == 0.0
    assert unit_row(body, w.zjj.name)["reported"] == 1
