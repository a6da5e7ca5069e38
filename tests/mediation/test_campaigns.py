"""Screening rounds (排查): set by township and county staff over their grids, answered by
each grid's own worker (a count or a zero report), late grids listed and their workers
reminded once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.accounts.models import Role
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.mediation import campaigns, services
from gongzhi.mediation.models import Campaign, GridReport
from gongzhi.notify.models import Notification
from gongzhi.regions.models import Grid
from tests.factories import GridAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rounds(med):
    """碾伯镇's three grids, each with its own worker: 西关 1 (the world's), 西关 2, 东关 1."""
    w = med
    w.township_leader = UserFactory(organisation=w.township, role=Role.LEADER)
    w.worker_b = UserFactory(organisation=w.community, role=Role.GRID_WORKER)
    GridAssignmentFactory(grid=w.grid_b, user=w.worker_b)
    w.dongguan_grid = Grid.objects.get(code="630202100002-01")
    w.dongguan_worker = UserFactory(organisation=w.community, role=Role.GRID_WORKER)
    GridAssignmentFactory(grid=w.dongguan_grid, user=w.dongguan_worker)
    w.due = timezone.now() + timedelta(days=3)
    return w


def new_round(w, actor=None, region=None, **extra):
    args = {
        "actor": actor or w.township_leader,
        "title": "2026年春节前矛盾纠纷大排查",
        "region": region or w.regions.nianbo,
        "starts_on": timezone.localdate(),
        "due_at": w.due,
        **extra,
    }
    return campaigns.do_create_campaign(**args)


def found_in_round(w, campaign, grid, worker):
    """A dispute a worker registers in the round for their grid."""
    return services.do_register(
        data=services.DisputeIn(
            title="宅基地边界纠纷",
            type_id=w.neighbour.pk,
            facts="两户因宅基地边界发生争执",
            source="screening",
            grid_id=grid.pk,
            campaign_id=campaign.pk,
            parties=[
                services.PartyIn(side="applicant", name="马有福"),
                services.PartyIn(side="respondent", name="祁生财"),
            ],
        ),
        actor=worker,
    )


def test_township_and_county_staff_set_rounds_over_their_own_area(rounds):
    w = rounds
    by_leader = new_round(w, w.township_leader)
    by_justice = new_round(w, w.township_mediator)
    by_county = new_round(w, w.dispatcher, region=w.regions.ledu)
    assert by_leader.organiser == w.township
    assert by_justice.organiser == w.justice
    assert by_county.organiser == w.command
    # The workers of the round's grids hear of it.
    xiguan_only = new_round(w, w.township_leader, region=w.regions.xiguan)
    told = {}
    for recipient, data in Notification.objects.filter(kind="campaign.new").values_list(
        "recipient", "data"
    ):
        told.setdefault(data["campaign"], set()).add(recipient)
    everyone = {w.grid_worker.pk, w.worker_b.pk, w.dongguan_worker.pk}
    assert told[by_leader.pk] == told[by_county.pk] == everyone
    assert told[xiguan_only.pk] == {w.grid_worker.pk, w.worker_b.pk}


@pytest.mark.parametrize(
    "who", ["village_mediator", "grid_worker", "handler", "other_dispatcher", "resident"]
)
def test_others_may_not_set_a_round(rounds, who):
    w = rounds
    with pytest.raises(NotAllowed):
        new_round(w, getattr(w, who))
    assert not Campaign.objects.exists()


def test_a_township_may_not_set_a_round_over_the_county(rounds):
    w = rounds
    with pytest.raises(NotAllowed):
        new_round(w, w.township_leader, region=w.regions.ledu)
    assert not Campaign.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": " "}, "title"),
        ({"due_at": timezone.now() - timedelta(hours=1)}, "due_at"),
        ({"starts_on": timezone.localdate() + timedelta(days=10)}, "due_at"),
        ({"due_at": "next friday"}, "due_at"),
    ],
)
def test_a_bad_round_is_refused_with_the_field_named(rounds, change, field):
    w = rounds
    with pytest.raises(ServiceError) as refused:
        new_round(w, **change)
    assert refused.value.field == field
    assert not Campaign.objects.exists()


def test_the_rounds_grids_are_the_active_grids_of_its_area(rounds):
    w = rounds
    township = new_round(w)
    village = new_round(w, region=w.regions.xiguan)
    assert set(campaigns.grids_of(township).values_list("code", flat=True)) == {
        "630202100001-01",
        "630202100001-02",
        "630202100002-01",
    }
    assert set(campaigns.grids_of(village)) == {w.grid, w.grid_b}
    w.grid_b.is_active = False
    w.grid_b.save()
    assert set(campaigns.grids_of(village)) == {w.grid}


def test_a_worker_reports_zero_for_their_grid_and_not_for_anothers(rounds):
    w = rounds
    c = new_round(w)
    report = campaigns.do_grid_report(actor=w.grid_worker, campaign=c, grid=w.grid)
    assert (report.found, report.reported_by) == (0, w.grid_worker)
    with pytest.raises(NotAllowed):
        campaigns.do_grid_report(actor=w.grid_worker, campaign=c, grid=w.grid_b)
    with pytest.raises(NotAllowed):  # a leader is not the grid's worker either
        campaigns.do_grid_report(actor=w.township_leader, campaign=c, grid=w.grid_b)
    assert list(GridReport.objects.values_list("grid", flat=True)) == [w.grid.pk]
    assert campaigns.progress(c)["zero_reports"] == 1


def test_a_second_report_corrects_the_first(rounds):
    w = rounds
    c = new_round(w)
    first = campaigns.do_grid_report(actor=w.grid_worker, campaign=c, grid=w.grid)
    again = campaigns.do_grid_report(
        actor=w.grid_worker, campaign=c, grid=w.grid, found=2, note="补报两起"
    )
    assert again.pk == first.pk and again.reported_at == first.reported_at
    assert GridReport.objects.get().found == 2
    assert campaigns.progress(c)["zero_reports"] == 0


def test_a_report_cannot_count_fewer_than_the_disputes_registered(rounds):
    w = rounds
    c = new_round(w)
    found_in_round(w, c, w.grid_b, w.worker_b)
    with pytest.raises(ServiceError) as refused:
        campaigns.do_grid_report(actor=w.worker_b, campaign=c, grid=w.grid_b, found=0)
    assert refused.value.field == "found"
    assert not GridReport.objects.exists()


def test_a_grid_outside_the_round_or_a_bad_count_is_refused(rounds):
    w = rounds
    c = new_round(w, region=w.regions.xiguan)
    with pytest.raises(ServiceError) as outside:
        campaigns.do_grid_report(actor=w.dongguan_worker, campaign=c, grid=w.dongguan_grid)
    assert outside.value.code == "not_in_round"
    with pytest.raises(ServiceError) as bad:
        campaigns.do_grid_report(actor=w.grid_worker, campaign=c, grid=w.grid, found="两起")
    assert bad.value.field == "found"
    assert not GridReport.objects.exists()


def test_late_grids_are_listed_after_the_deadline(rounds):
    w = rounds
    c = new_round(w)
    campaigns.do_grid_report(actor=w.grid_worker, campaign=c, grid=w.grid)  # 零报告
    found_in_round(w, c, w.grid_b, w.worker_b)  # registering a dispute answers too
    assert list(campaigns.late_grids(c, now=w.due - timedelta(minutes=1))) == []
    after = w.due + timedelta(minutes=1)
    assert list(campaigns.late_grids(c, now=after)) == [w.dongguan_grid]
    figures = campaigns.progress(c, now=after)
    assert figures == {
        "grids": 3,
        "reported": 2,
        "zero_reports": 1,
        "found": 1,
        "registered": 1,
        "late": 1,
        "share_reported": 2 / 3,
    }


def test_late_workers_are_reminded_once_over_two_runs(rounds):
    w = rounds
    c = new_round(w)
    campaigns.do_grid_report(actor=w.grid_worker, campaign=c, grid=w.grid)
    # One worker answers for two grids: one reminder naming both.
    GridAssignmentFactory(grid=w.grid_b, user=w.dongguan_worker)
    assert campaigns.remind_late(now=w.due - timedelta(minutes=1)) == 0  # not yet due
    after = w.due + timedelta(hours=1)
    assert campaigns.remind_late(now=after) == 2
    assert campaigns.remind_late(now=after + timedelta(hours=1)) == 0
    late = Notification.objects.filter(kind="campaign.late")
    assert sorted(late.values_list("recipient", flat=True)) == sorted(
        [w.worker_b.pk, w.dongguan_worker.pk]
    )
    both = late.get(recipient=w.dongguan_worker)
    assert w.grid_b.name in both.body and w.dongguan_grid.name in both.body
    c.refresh_from_db()
    assert c.reminded_at == after


def test_a_round_long_past_its_deadline_is_not_reminded(rounds):
    w = rounds
    new_round(w)
    assert campaigns.remind_late(now=w.due + campaigns.REMIND_WINDOW + timedelta(days=1)) == 0
    assert not Notification.objects.filter(kind="campaign.late").exists()


def test_who_sees_which_rounds(rounds):
    w = rounds
    township = new_round(w)
    county = new_round(w, w.dispatcher, region=w.regions.ledu)
    assert set(campaigns.visible_campaigns(w.grid_worker)) == {township, county}
    assert set(campaigns.visible_campaigns(w.township_leader)) == {township, county}
    assert set(campaigns.visible_campaigns(w.other_dispatcher)) == set()
    assert list(campaigns.my_grids(township, w.worker_b)) == [w.grid_b]
