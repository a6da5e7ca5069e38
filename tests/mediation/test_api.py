"""The mediation API as apps and integrations use it: scoped like the pages (404 outside the
caller's places), the parties' personal data masked in every answer and revealed only with
an audit entry, bad input refused with nothing written, the workflow's own 403 and 409, and
the referral keys of courts and other systems."""

import json
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from gongzhi.accounts.models import OrganisationKind, Role
from gongzhi.core.models import AuditLog
from gongzhi.mediation import referrals, services
from gongzhi.mediation.models import (
    Dispute,
    DisputeEvent,
    DisputeNumberSequence,
    DisputeType,
    ReferralToken,
    Session,
)
from gongzhi.regions.models import Region
from tests.api import conftest as api_fixtures
from tests.api.conftest import API
from tests.factories import OrganisationFactory, UserFactory

from .test_services import dispute_in

# Fixtures shared with the services' and the API's tests.
as_token = api_fixtures.as_token

pytestmark = pytest.mark.django_db

ERROR_KEYS = {"error", "message", "field"}
ID_NUMBER = "630202199003071237"
PERSONAL = ("马福贵", "韩成林", "13900001111", ID_NUMBER, "西关街12号")


@pytest.fixture
def w(med):
    """The services' world, and a second village of the same township with its mediator."""
    dongguan = Region.objects.get(code="630202100002")
    med.dongguan_committee = OrganisationFactory(
        kind=OrganisationKind.COMMUNITY, name="东关社区居民委员会", regions=[dongguan]
    )
    med.dongguan_mediator = UserFactory(organisation=med.dongguan_committee, role=Role.MEDIATOR)
    med.township_leader = UserFactory(organisation=med.township, role=Role.LEADER)
    return med


def body(w, **extra) -> dict:
    """A registration as a grid worker's app sends it: the parties named in the facts too."""
    return {
        "title": "马福贵与韩成林排水纠纷",
        "type": "neighbour",
        "facts": "马福贵（电话13900001111）称韩成林院墙排水流入其院内，双方发生争执",
        "source": "screening",
        "grid": w.grid.code,
        "parties": [
            {
                "side": "applicant",
                "name": "马福贵",
                "phone": "13900001111",
                "id_number": ID_NUMBER,
                "address": "乐都区碾伯镇西关街12号",
                "claims": "要求韩成林改建排水沟",
            },
            {"side": "respondent", "name": "韩成林"},
        ],
        **extra,
    }


def assert_masked(response):
    text = response.content.decode()
    for value in PERSONAL:
        assert value not in text, value


def registered(w) -> Dispute:
    return services.do_register(data=dispute_in(w), actor=w.grid_worker)


def act(client, number, action, expected_state=None, **params):
    payload = {"action": action, "params": params}
    if expected_state:
        payload["expected_state"] = expected_state
    return client.post(f"/mediation/disputes/{number}/transitions", payload)


# -- reading --------------------------------------------------------------------------------


def test_lists_and_details_are_scoped_to_the_callers_places(w, as_token):
    mine = registered(w)
    elsewhere = dispute_in(w)
    elsewhere.grid_id, elsewhere.region_id = None, w.dongguan_committee.regions.get().pk
    theirs = services.do_register(data=elsewhere, actor=w.township_mediator)

    def listed(user):
        response = as_token(user).get("/mediation/disputes")
        assert response.status_code == 200, response.content
        return {row["number"] for row in response.json()["items"]}

    assert listed(w.village_mediator) == {mine.number}
    assert listed(w.dongguan_mediator) == {theirs.number}
    assert listed(w.township_mediator) == {mine.number, theirs.number}
    assert listed(w.other_dispatcher) == set()  # another county
    comment = {"action": "comment", "params": {"note": "看看"}}
    for user, hidden in [(w.dongguan_mediator, mine), (w.village_mediator, theirs)]:
        client, url = as_token(user), f"/mediation/disputes/{hidden.number}"
        for response in [
            client.get(url),
            client.post(f"{url}/reveal"),
            client.post(f"{url}/transitions", comment),
        ]:
            assert response.status_code == 404 and set(response.json()) == ERROR_KEYS, user
    assert DisputeEvent.objects.filter(action="comment").count() == 0
    assert as_token(w.village_mediator).get("/mediation/disputes/MD-20990101-0001").status_code == (
        404
    )


def test_the_detail_shows_risk_level_holder_timeline_and_the_callers_actions(w, as_token):
    d = registered(w)
    answer = as_token(w.village_mediator).get(f"/mediation/disputes/{d.number.lower()}")
    assert answer.status_code == 200
    detail = answer.json()
    assert (detail["state"], detail["level"], detail["risk"]) == (
        "registered",
        "village",
        "general",
    )
    assert detail["holder"] == w.village_committee.code
    assert [e["action"] for e in detail["timeline"]] == ["register"]
    assert {"accept", "decline", "withdraw", "comment"} <= set(detail["actions"])
    assert (
        "accept"
        not in as_token(w.grid_worker).get(f"/mediation/disputes/{d.number}").json()["actions"]
    )


def test_filters_ordering_and_pages(w, as_token):
    small = registered(w)
    major = services.do_register(
        data=dispute_in(w, facts="韩成林扬言要动刀报复，情绪激动"), actor=w.grid_worker
    )
    Dispute.objects.filter(pk=small.pk).update(created_at=timezone.now() - timedelta(days=40))
    client = as_token(w.township_mediator)

    def get(**params):
        response = client.get("/mediation/disputes", params)
        assert response.status_code == 200, response.content
        return [row["number"] for row in response.json()["items"]]

    assert get(risk="major") == [major.number]
    assert get(level="village") == [small.number]
    assert get(state=["registered", "accepted"]) == [major.number, small.number]
    assert get(ordering="oldest") == [small.number, major.number]
    assert get(ordering="risk")[0] == major.number
    assert get(type="neighbour", region="630202100") == [major.number, small.number]
    assert get(type="marriage_family") == [] and get(region="630203") == []
    week_ago = (timezone.localdate() - timedelta(days=7)).isoformat()
    assert get(created_from=week_ago) == [major.number]
    assert get(page_size=1, page=2) == [small.number]
    for bad in [{"type": "nonsense"}, {"region": "999999"}, {"risk": "huge"}, {"page_size": 999}]:
        response = client.get("/mediation/disputes", bad)
        assert response.status_code == 400 and set(response.json()) == ERROR_KEYS, bad


def test_the_types_are_the_enabled_reference_rows(w, as_token):
    client = as_token(w.grid_worker)
    codes = [t["code"] for t in client.get("/mediation/types").json()]
    assert "neighbour" in codes and len(codes) == DisputeType.objects.count()
    DisputeType.objects.filter(code="neighbour").update(enabled=False)
    assert "neighbour" not in [t["code"] for t in client.get("/mediation/types").json()]


# -- registering ----------------------------------------------------------------------------


def test_a_grid_worker_registers_and_every_answer_is_masked(w, as_token):
    client = as_token(w.grid_worker)
    created = client.post("/mediation/disputes", body(w))
    assert created.status_code == 201, created.content
    assert_masked(created)
    detail = created.json()
    applicant = detail["parties"][0]
    assert (applicant["name"], applicant["phone"]) == ("马**", "139****1111")
    assert applicant["id_number"] == "630202********1237"
    assert detail["title"] == "马**与韩**排水纠纷" and "马**" in detail["facts"]
    assert detail["source"] == "screening" and detail["holder"] == w.village_committee.code
    dispute = Dispute.objects.get(number=detail["number"])
    assert dispute.registered_by == w.grid_worker and dispute.parties.count() == 2
    assert dispute.parties.get(side="applicant").phone == "13900001111"  # stored as given
    mediator = as_token(w.village_mediator)
    assert_masked(mediator.get("/mediation/disputes"))
    assert_masked(mediator.get(f"/mediation/disputes/{dispute.number}"))


@pytest.mark.parametrize(
    "change, field",
    [
        ({"title": ""}, "title"),
        ({"type": "nonsense"}, "type"),
        ({"source": "rumour"}, "source"),
        ({"grid": "no-such-grid"}, "grid"),
        ({"grid": None, "region": "630203100001"}, "region"),  # another county's village
        ({"amount": "lots"}, "amount"),
        ({"campaign": 999}, "campaign"),
        ({"parties": [{"side": "applicant", "name": "马福贵"}]}, "parties"),
        ({"parties": [{"side": "applicant", "name": "马福贵", "phone": "12345"}]}, "parties[0]"),
    ],
)
def test_bad_input_is_refused_with_its_field_and_nothing_is_written(w, as_token, change, field):
    response = as_token(w.grid_worker).post("/mediation/disputes", body(w, **change))
    assert response.status_code == 400, response.content
    answer = response.json()
    assert answer["field"] == field and answer["message"]
    assert Dispute.objects.count() == DisputeEvent.objects.count() == 0
    assert DisputeNumberSequence.objects.count() == 0


def test_several_problems_are_named_at_once(w, as_token):
    response = as_token(w.grid_worker).post(
        "/mediation/disputes", body(w, title="", facts="", type="")
    )
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["title", "facts", "type"]


# -- acting ---------------------------------------------------------------------------------


def test_a_mediation_through_the_api_with_the_workflows_checks(w, as_token):
    d = registered(w)
    mediator, worker = as_token(w.village_mediator), as_token(w.grid_worker)

    refused = act(worker, d.number, "accept")
    assert refused.status_code == 403 and set(refused.json()) == ERROR_KEYS
    stale = act(mediator, d.number, "accept", expected_state="mediating")
    assert stale.status_code == 409 and stale.json()["error"] == "state_changed"
    d.refresh_from_db()
    assert d.state == "registered" and d.events.count() == 1

    accepted = act(mediator, d.number, "accept", expected_state="registered")
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    assert act(mediator, d.number, "start", lead=w.village_mediator.pk).json()["state"] == (
        "mediating"
    )
    held = (timezone.localtime() - timedelta(days=1)).replace(microsecond=0, tzinfo=None)
    session = {
        "place": "西关社区调解室",
        "attendees": "马福贵、韩成林",
        "summary": "韩成林同意改建排水沟",
        "held_at": held.isoformat(),  # local time, as a form sends it
        "next_at": (held + timedelta(days=3)).isoformat(),
    }
    recorded = act(mediator, d.number, "record_session", **session)
    assert recorded.status_code == 200, recorded.content
    saved = Session.objects.get(dispute=d)
    assert timezone.localtime(saved.held_at).replace(tzinfo=None) == held
    assert saved.next_at - saved.held_at == timedelta(days=3)
    for bad, field in [
        ({"held_at": "tomorrow"}, "held_at"),
        ({"held_at": "2999-01-01T10:00"}, "held_at"),
    ]:
        response = act(mediator, d.number, "record_session", **{**session, **bad})
        assert response.status_code == 400 and response.json()["field"] == field, bad
    assert Session.objects.filter(dispute=d).count() == 1

    no_obligations = act(mediator, d.number, "settle", disputed_matters="院墙排水", obligations=[])
    assert no_obligations.status_code == 400 and no_obligations.json()["field"] == "obligations"
    due = (date.today() + timedelta(days=30)).isoformat()
    settled = act(
        mediator,
        d.number,
        "settle",
        disputed_matters="韩成林院墙排水流入马福贵院内",
        obligations=[{"party": "韩成林", "what": "改建排水沟", "due_on": due}],
    )
    assert settled.status_code == 200 and settled.json()["state"] == "settled"
    detail = mediator.get(f"/mediation/disputes/{d.number}")
    assert_masked(detail)
    agreement = detail.json()["agreement"]
    assert agreement["obligations"][0]["party"] == "韩**"
    assert agreement["obligations"][0]["due_on"] == due
    assert detail.json()["sessions"][0]["attendees"] == "马**、韩**"
    assert [e["action"] for e in detail.json()["timeline"]] == [
        "register",
        "accept",
        "start",
        "record_session",
        "settle",
    ]
    assert [
        r["number"] for r in mediator.get("/mediation/disputes", {"mine": "true"}).json()["items"]
    ] == [d.number]
    assert worker.get("/mediation/disputes", {"mine": "true"}).json()["count"] == 0


def test_an_unknown_action_or_malformed_params_are_refused(w, as_token):
    d = registered(w)
    client = as_token(w.village_mediator)
    for payload in [
        {"action": "explode"},
        {"action": "start", "params": {"lead": "someone"}},
        {"action": "start", "params": {"lead": 10**12}},
        {"action": "judge_risk", "params": {"risk": "apocalyptic", "reason": "x"}},
    ]:
        response = client.post(f"/mediation/disputes/{d.number}/transitions", payload)
        assert response.status_code == 400 and set(response.json()) == ERROR_KEYS, payload
    assert Dispute.objects.get(pk=d.pk).state == "registered"


# -- revealing ------------------------------------------------------------------------------


def test_a_reveal_shows_the_real_data_and_is_audited(w, as_token):
    d = registered(w)
    response = as_token(w.admin).post(f"/mediation/disputes/{d.number}/reveal")
    assert response.status_code == 200, response.content
    revealed = {p["name"]: p for p in response.json()}
    assert revealed["马福贵"]["phone"] == "13900001111"
    entries = AuditLog.objects.filter(action="unmask", actor=w.admin)
    assert entries.count() == 2 and {e.reason for e in entries} == {d.number}


def test_a_role_that_may_not_see_personal_data_is_refused(w, as_token):
    d = registered(w)
    response = as_token(w.township_leader).post(f"/mediation/disputes/{d.number}/reveal")
    assert response.status_code == 403 and set(response.json()) == ERROR_KEYS
    assert "13900001111" not in response.content.decode()
    assert not AuditLog.objects.filter(action="unmask").exists()


def test_the_mediator_of_the_dispute_may_reveal_what_their_role_needs(w, as_token):
    d = registered(w)
    response = as_token(w.village_mediator).post(f"/mediation/disputes/{d.number}/reveal")
    assert response.status_code == 200
    assert {p["phone"] for p in response.json()} == {"13900001111", ""}
    assert {p["id_number"] for p in response.json()} == {None}  # not what a mediator needs
    assert AuditLog.objects.filter(action="unmask", actor=w.village_mediator).count() == 2


# -- referrals ------------------------------------------------------------------------------


@pytest.fixture
def court(w):
    """乐都区人民法院's key: refers disputes in 乐都区 for pre-litigation mediation."""
    token = ReferralToken(name="乐都区人民法院", region=w.regions.ledu, source="court")
    return token, referrals.do_issue(token=token)


def referral(w, ref="（2026）青0202民诉前调88号", **extra) -> dict:
    return {**body(w), "external_ref": ref, **extra}


class KeyClient:
    def __init__(self, raw):
        self.client, self.headers = Client(), {"Authorization": f"Bearer {raw}"}

    def post(self, path, payload):
        return self.client.post(
            API + path, json.dumps(payload), content_type="application/json", headers=self.headers
        )

    def get(self, path):
        return self.client.get(API + path, headers=self.headers)


def test_a_court_refers_a_dispute_once_and_reads_its_outcome(w, court):
    token, raw = court
    key = KeyClient(raw)
    first = key.post("/mediation/referrals", referral(w))
    assert first.status_code == 201, first.content
    assert first.json()["created"] and first.json()["outcome"] == "pending"
    assert_masked(first)
    dispute = Dispute.objects.get(number=first.json()["number"])
    assert (dispute.source, dispute.external_ref, dispute.registered_by) == (
        "court",
        "（2026）青0202民诉前调88号",
        None,
    )
    assert dispute.holder == w.village_committee  # the lowest level that serves the place

    again = key.post("/mediation/referrals", referral(w, title="重复提交"))
    assert again.status_code == 200 and not again.json()["created"]
    assert again.json()["number"] == dispute.number and Dispute.objects.count() == 1

    ref = "/mediation/referrals/（2026）青0202民诉前调88号"
    read = key.get(ref)
    assert read.status_code == 200 and read.json()["state"] == "registered"
    assert set(read.json()) >= {"state", "level", "outcome", "agreement_number", "performance"}
    assert_masked(read)
    assert "facts" not in read.json() and "parties" not in read.json()

    m = w.village_mediator
    for action, params in [
        ("accept", {}),
        ("start", {"lead": m.pk}),
        (
            "settle",
            {
                "disputed_matters": "排水",
                "obligations": [{"party": "韩成林", "what": "改建排水沟", "due_on": "2099-01-01"}],
            },
        ),
    ]:
        dispute = services.do_transition(dispute=dispute, action=action, actor=m, **params)
    settled = key.get(ref).json()
    assert (settled["outcome"], settled["performance"]) == ("settled", "pending")
    assert settled["agreement_number"] == dispute.agreement.number
    assert_masked(key.get(ref))


def test_a_referral_without_a_place_goes_to_the_units_of_the_keys_region(w, court):
    _token, raw = court
    answer = KeyClient(raw).post("/mediation/referrals", referral(w, grid=None))
    assert answer.status_code == 201, answer.content
    assert answer.json()["level"] == "county" and answer.json()["unit"] == w.command.name


def test_keys_are_refused_unless_known_and_enabled(w, court, as_token):
    token, raw = court
    for header in ["Bearer md_wrong", "Bearer ", None]:
        client = Client()
        headers = {"Authorization": header} if header else {}
        response = client.post(
            API + "/mediation/referrals",
            json.dumps(referral(w)),
            content_type="application/json",
            headers=headers,
        )
        assert response.status_code == 401 and set(response.json()) == ERROR_KEYS, header
    # A user's API token is not a referral key, nor the other way round.
    staff = as_token(w.admin)
    assert staff.post("/mediation/referrals", referral(w)).status_code == 401
    assert KeyClient(raw).get("/mediation/disputes").status_code == 401
    ReferralToken.objects.filter(pk=token.pk).update(enabled=False)
    assert KeyClient(raw).post("/mediation/referrals", referral(w)).status_code == 401
    assert Dispute.objects.count() == 0


def test_a_key_reads_only_what_it_referred(w, court):
    _token, raw = court
    other = ReferralToken(name="乐都区公安分局", region=w.regions.ledu, source="police")
    other_raw = referrals.do_issue(token=other)
    ref = "JJ20260301-0007"
    mine = KeyClient(raw).post("/mediation/referrals", referral(w, ref=ref)).json()
    assert KeyClient(other_raw).get(f"/mediation/referrals/{ref}").status_code == 404
    theirs = KeyClient(other_raw).post("/mediation/referrals", referral(w, ref=ref))
    assert theirs.status_code == 201 and theirs.json()["number"] != mine["number"]
    assert Dispute.objects.get(number=theirs.json()["number"]).source == "police"
    assert KeyClient(raw).get(f"/mediation/referrals/{ref}").json()["number"] == mine["number"]


def test_a_key_refers_only_in_its_region_and_needs_a_reference(w, court):
    _token, raw = court
    key = KeyClient(raw)
    elsewhere = key.post("/mediation/referrals", referral(w, grid=w.other_grid.code))
    assert elsewhere.status_code == 400 and elsewhere.json()["field"] == "region"
    no_ref = key.post("/mediation/referrals", {**body(w), "external_ref": ""})
    assert no_ref.status_code == 400 and no_ref.json()["field"] == "external_ref"
    bad = key.post("/mediation/referrals", referral(w, parties=[]))
    assert bad.status_code == 400 and bad.json()["field"] == "parties"
    assert Dispute.objects.count() == 0


# -- the schema -----------------------------------------------------------------------------


def test_the_schema_builds_with_the_mediation_paths():
    response = Client().get(API + "/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    for path in [
        "/api/v1/mediation/disputes",
        "/api/v1/mediation/disputes/{number}",
        "/api/v1/mediation/disputes/{number}/transitions",
        "/api/v1/mediation/disputes/{number}/reveal",
        "/api/v1/mediation/types",
        "/api/v1/mediation/referrals",
        "/api/v1/mediation/referrals/{external_ref}",
    ]:
        assert path in schema["paths"], path
    assert "ReferralKeyAuth" in schema["components"]["securitySchemes"]
    refer = schema["paths"]["/api/v1/mediation/referrals"]["post"]
    assert refer["security"] == [{"ReferralKeyAuth": []}]
