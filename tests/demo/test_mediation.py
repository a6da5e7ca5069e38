"""The demo's disputes and screening rounds, loaded once on the demo's own regions and people.

Every timeline entry is checked against the workflow table, so an edit to the table that the
demo does not follow fails here; the demo logins see what their level should.
"""

from collections import Counter
from collections.abc import Mapping

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from gongzhi.accounts.models import Membership, OrganisationKind, Role, User
from gongzhi.accounts.validators import normalise_phone, validate_id_number
from gongzhi.demo import accounts as demo_accounts
from gongzhi.demo import mediation as demo_mediation
from gongzhi.demo import regions as demo_regions
from gongzhi.mediation import campaigns as rounds
from gongzhi.mediation import followup, services
from gongzhi.mediation.choices import IN_HAND, Level, PartyKind, Risk, Source, State
from gongzhi.mediation.models import (
    Campaign,
    Dispute,
    DisputeEvent,
    DisputeType,
    GridReport,
    Obligation,
    Party,
    Session,
)
from gongzhi.mediation.workflow import RULES
from gongzhi.regions import lookup
from gongzhi.regions.models import Grid

# Entries that move no state: the registration (from nothing) and the watcher's reminder.
UNRULED = {"register", "performance_due"}


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The demo regions, people and disputes, loaded once for this module and rolled back
    after it (each test runs in a savepoint inside)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            lookup.invalidate()
            demo_regions.load()
            demo_accounts.load()
            now = timezone.now()
            counts = demo_mediation.generate(now=now)
            yield counts, now
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            lookup.invalidate()


@pytest.fixture
def demo(loaded, db):
    return loaded


def disputes():
    return Dispute.objects.filter(external_ref__startswith=demo_mediation.MARK)


def test_about_six_hundred_disputes_of_the_last_year(demo):
    counts, now = demo
    assert counts["disputes"] == disputes().count() == demo_mediation.DEMO_COUNT
    oldest = disputes().order_by("created_at").first().created_at
    assert (now - oldest).days <= demo_mediation.DEMO_DAYS
    assert not disputes().filter(created_at__gt=now).exists()
    assert not DisputeEvent.objects.filter(dispute__in=disputes(), at__gt=now).exists()


def test_every_type_level_and_risk_is_there(demo):
    ds = disputes()
    enabled = set(DisputeType.objects.filter(enabled=True).values_list("code", flat=True))
    assert set(ds.values_list("type__code", flat=True)) == enabled
    assert set(ds.values_list("level", flat=True)) == set(Level.values)
    # A case's or a hall topic's dispute is made by that app's services, not this demo.
    assert set(ds.values_list("source", flat=True)) >= set(Source.values) - {
        Source.CASE,
        Source.TOPIC,
    }
    risks = Counter(ds.values_list("risk", flat=True))
    assert set(risks) == set(Risk.values)
    assert risks[Risk.GENERAL] > len(ds) / 2 > risks[Risk.SERIOUS] > risks[Risk.MAJOR]
    # The reasons come from the rule rows: threats, many people, repeats, the vulnerable,
    # petitions, and the mediator's own judgement.
    reasons = Counter(
        r.split("：")[0] for d in ds.exclude(risk=Risk.GENERAL) for r in d.risk_reasons
    )
    for reason in (
        "有暴力威胁言语",
        "一方人数30人以上",
        "一方人数5人以上",
        "12个月内重复发生",
        "当事人为老弱病残等弱势群体",
        "曾向上级上访",
        "调解员研判",
    ):
        assert reasons[reason] > 0, reason
    assert ds.exclude(repeat_of=None).exists()
    major = ds.filter(risk=Risk.MAJOR)
    assert not major.filter(level__in=[Level.VILLAGE, Level.TOWNSHIP]).exists()


def test_every_outcome_is_there(demo):
    ds = disputes()
    events = DisputeEvent.objects.filter(dispute__in=ds)
    actions = Counter(events.values_list("action", flat=True))
    for action in ("decline", "settle", "fail", "withdraw", "check_performance", "close"):
        assert actions[action] > 0, action
    why = Counter(e.data.get("why") for e in events.filter(action="escalate"))
    assert why["hand"] and why["risk"] and why["time"]
    assert ds.filter(level=Level.COURT).exists()
    # Still in hand, settled and followed, performed, not performed, concluded and closed.
    states = set(ds.values_list("state", flat=True))
    assert {State.REGISTERED, State.MEDIATING, State.SETTLED, State.CLOSED} <= states
    ends = Counter(events.filter(action="check_performance").values_list("to_state", flat=True))
    assert ends[State.PERFORMED] and ends[State.NOT_PERFORMED] and ends[State.SETTLED]
    obligations = Counter(
        Obligation.objects.filter(agreement__dispute__in=ds).values_list("status", flat=True)
    )
    assert set(obligations) == {"due", "performed", "not_performed"}
    # Each agreement has its obligations; settled disputes were mediated in 1–4 sessions.
    settled = ds.filter(events__action="settle").distinct()
    assert settled.count() > len(ds) / 2
    assert not settled.annotate(n=Count("agreement__obligations")).filter(n=0).exists()
    sessions = Counter(settled.annotate(n=Count("sessions")).values_list("n", flat=True))
    assert min(sessions) >= 1 and max(sessions) <= 4 and len(sessions) == 4


def test_every_entry_is_a_step_the_table_allows(demo):
    seen = Counter()
    last = {}
    entries = DisputeEvent.objects.filter(dispute__in=disputes()).order_by("dispute_id", "at", "id")
    for e in entries:
        if e.action == "register":
            assert (e.from_state, e.to_state) == ("", State.REGISTERED), e
            assert e.dispute_id not in last, e  # registered first, once
        elif e.action == "performance_due":
            assert e.from_state == e.to_state == State.SETTLED and e.actor_id is None, e
        else:
            rule = RULES[e.action]
            assert e.from_state in rule.sources, (e.action, e.from_state)
            branches = rule.target if isinstance(rule.target, Mapping) else {None: rule.target}
            targets = {rule.next_state(branch, e.from_state) for branch in branches}
            assert e.to_state in targets, (e.action, e.from_state, e.to_state)
        if e.dispute_id in last:
            assert e.from_state == last[e.dispute_id], e  # each step starts where one ended
        last[e.dispute_id] = e.to_state
        seen[e.action] += 1
        assert not e.effects_pending, e  # long told: nothing for the sweep to send
    states = dict(disputes().values_list("pk", "state"))
    assert last == states
    assert set(seen) - UNRULED <= set(RULES)


def test_rows_are_dated_by_their_timelines(demo):
    for d in disputes().annotate(n=Count("events")):
        first = d.events.order_by("at", "id").first()
        assert first.action == "register" and d.created_at == first.at
        assert d.updated_at >= d.created_at
    for s in Session.objects.filter(dispute__in=disputes()).select_related("dispute")[:300]:
        assert s.dispute.created_at <= s.held_at


def test_the_watcher_finds_nothing_left_to_do(demo):
    _counts, now = demo
    assert not disputes().filter(state__in=IN_HAND, level_due__lt=now).exists()
    assert services.escalate_overdue(now=now) == 0
    assert followup.remind_due(now=now) == 0
    assert rounds.remind_late(now=now) == 0


def test_parties_are_synthetic_and_valid(demo):
    parties = Party.objects.filter(dispute__in=disputes())
    assert parties.filter(kind=PartyKind.ORGANISATION).exists()
    for p in parties:
        if p.kind == PartyKind.PERSON:
            validate_id_number(p.id_number)
        assert normalise_phone(p.phone) == p.phone
    # Boundary disputes are between two villages, many people on each side.
    for d in disputes().filter(type__code="boundary"):
        sides = list(d.parties.all())
        assert {p.kind for p in sides} == {PartyKind.ORGANISATION}
        assert all(p.people >= 5 for p in sides) and d.risk != Risk.GENERAL
    with pytest.raises(ValidationError):
        validate_id_number(parties.filter(kind=PartyKind.PERSON).first().id_number[:17] + "?")


def test_screening_rounds(demo):
    _counts, now = demo
    campaigns = Campaign.objects.all()
    townships = campaigns.values("region").distinct().count()
    assert townships > 50 and campaigns.count() == townships * demo_mediation.ROUNDS
    reports = GridReport.objects.select_related("campaign")
    assert reports.filter(found=0).exists() and reports.filter(found__gt=0).exists()
    late = [r for r in reports if r.reported_at > r.campaign.due_at]
    assert 0 < len(late) < reports.count() / 5
    assert not [r for r in reports if r.reported_at > now]
    # Past rounds: the watcher claimed each just after its deadline (and reminded the
    # workers of the grids that had not filed); some grids never did.
    missing = 0
    for c in campaigns.filter(due_at__lt=now).select_related("region"):
        expected = set(
            Grid.objects.filter(region_path__startswith=c.region.path, is_active=True).values_list(
                "pk", flat=True
            )
        )
        filed = set(c.reports.values_list("grid_id", flat=True))
        assert filed <= expected
        missing += len(expected - filed)
        assert c.reminded_at is not None and c.reminded_at > c.due_at
        assert len(rounds.late_grids(c, now)) == len(expected - filed)
    assert missing > 0
    found = disputes().filter(source=Source.SCREENING).exclude(campaign=None)
    for d in found:
        report = GridReport.objects.get(campaign=d.campaign, grid=d.grid)
        assert report.found >= 1


def test_loading_twice_adds_nothing(demo):
    def snapshot():
        return (
            disputes().count(),
            DisputeEvent.objects.count(),
            Session.objects.count(),
            Campaign.objects.count(),
            GridReport.objects.count(),
            User.objects.count(),
        )

    before = snapshot()
    assert demo_accounts.load()
    assert demo_mediation.load() == {"disputes": 0, "skipped": True}
    assert snapshot() == before


def _login(username):
    return User.objects.get(username=username)


def test_the_demo_logins_see_their_level_and_never_sideways(demo):
    village = _login("demo_village_mediator")
    township = _login("demo_township_mediator")
    county = _login("demo_county_mediation")
    units = {
        u: Membership.objects.get(user=u, role=Role.MEDIATOR).organisation
        for u in (village, township, county)
    }
    assert units[village].kind == OrganisationKind.COMMUNITY
    assert units[township].kind == OrganisationKind.JUSTICE_OFFICE
    assert units[county].kind == OrganisationKind.COMMAND_CENTRE
    places = {u: units[u].regions.get().path for u in units}
    # Each one's committee, office and centre are nested: village in township in county.
    assert places[village].startswith(places[township])
    assert places[township].startswith(places[county])

    for user in (village, township, county):
        seen = Dispute.objects.visible_to(user)
        assert seen.exists(), user
        assert not seen.exclude(region_path__startswith=places[user]).exists(), user
        # Everything that arose in their place, at whatever level it is now.
        assert set(seen.values_list("pk", flat=True)) >= set(
            disputes().filter(region_path__startswith=places[user]).values_list("pk", flat=True)
        )
    # Never sideways: the places next door hold disputes the user does not see.
    for user in (village, township, county):
        parent = places[user].rstrip("/").rsplit("/", 1)[0] + "/"
        beside = (
            disputes()
            .filter(region_path__startswith=parent)
            .exclude(region_path__startswith=places[user])
        )
        assert beside.exists(), user
        assert not Dispute.objects.visible_to(user).filter(pk__in=beside).exists(), user
    # Each has work of their own at their level.
    assert disputes().filter(lead_mediator=village, level=Level.VILLAGE).exists()
    assert disputes().filter(lead_mediator=county, level=Level.COUNTY).exists()
    assert disputes().filter(holder=units[township], level=Level.TOWNSHIP).exists()
    assert Dispute.objects.visible_to(county).filter(level=Level.COUNTY).exists()
