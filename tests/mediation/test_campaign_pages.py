"""The screening-round pages (排查) as their users meet them: who may open them, a township
leader setting a round (a village mediator may not; bad input is named beside its field and
saves nothing), a grid worker's one-tap zero report for their own grid (never another's),
and the late grids marked once the deadline has passed."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts.models import Role
from gongzhi.mediation import campaigns
from gongzhi.mediation.models import Campaign, GridReport
from gongzhi.notify.models import Notification
from gongzhi.regions.models import Grid
from tests.factories import GridAssignmentFactory, UserFactory
from tests.mediation.conftest import register

pytestmark = pytest.mark.django_db

LIST_ROW = re.compile(
    r'data-testid="campaign-row" data-campaign="(\d+)" data-late="(\d+)".*?'
    r'data-testid="answered">(\d+)<.*?data-testid="found">(\d+)<',
    re.S,
)
GRID_ROW = re.compile(r'data-testid="grid-row" data-grid="(\d+)" data-late="(\d)"')
MY_GRID = re.compile(r'data-testid="my-grid" data-grid="(\d+)" data-reported="(\d)"')


@pytest.fixture
def rounds(villages):
    """碾伯镇's three grids with a worker each: 西关 1 (the world's), 西关 2 and 东关 1."""
    w = villages
    w.worker_b = UserFactory(organisation=w.community, role=Role.GRID_WORKER)
    GridAssignmentFactory(grid=w.grid_b, user=w.worker_b)
    w.dongguan_grid = Grid.objects.get(code="630202100002-01")
    w.dongguan_worker = UserFactory(organisation=w.dongguan_committee, role=Role.GRID_WORKER)
    GridAssignmentFactory(grid=w.dongguan_grid, user=w.dongguan_worker)
    w.due = timezone.now() + timedelta(days=3)
    return w


def new_round(w, **extra):
    args = {
        "actor": w.township_leader,
        "title": "春节前矛盾纠纷大排查",
        "region": w.regions.nianbo,
        "starts_on": timezone.localdate(),
        "due_at": w.due,
    }
    return campaigns.do_create_campaign(**{**args, **extra})


def round_form(w, **overrides) -> dict:
    data = {
        "title": "清明节前矛盾纠纷排查",
        "region": str(w.regions.nianbo.pk),
        "starts_on": timezone.localdate().isoformat(),
        "due_at": timezone.localtime(w.due).strftime("%Y-%m-%dT%H:%M"),
    }
    data.update(overrides)
    return data


def grid_rows(response) -> dict[int, str]:
    assert response.status_code == 200
    return {int(g): late for g, late in GRID_ROW.findall(response.content.decode())}


def report(client, campaign, grid, **fields):
    return client.post(
        reverse("mediation:campaign_report", args=[campaign.pk]), {"grid": str(grid.pk), **fields}
    )


# -- who may open what ------------------------------------------------------------------------


def test_the_pages_open_for_their_people_only(client, rounds):
    w = rounds
    c = new_round(w)
    listing, page, new = (
        reverse("mediation:campaigns"),
        reverse("mediation:campaign", args=[c.pk]),
        reverse("mediation:campaign_new"),
    )
    assert campaigns.campaign_link(c) == page  # the link the workers were sent
    for url in (listing, page, new):
        assert client.get(url).status_code == 302  # to the login page
    expected = {
        "grid_worker": (200, 200, 403),
        "village_mediator": (200, 200, 403),
        "township_mediator": (200, 200, 200),
        "dispatcher": (200, 200, 200),
        "township_leader": (200, 200, 200),
        "other_dispatcher": (200, 404, 200),  # the county next door: not its round
        "resident": (403, 403, 403),
        "handler": (403, 403, 403),
    }
    for name, statuses in expected.items():
        client.force_login(getattr(w, name))
        got = tuple(client.get(url).status_code for url in (listing, page, new))
        assert got == statuses, name


def test_the_menu_leads_to_the_rounds(client, rounds):
    w = rounds
    url = reverse("mediation:campaigns")
    for name, shown in [("grid_worker", True), ("dispatcher", True), ("handler", False)]:
        client.force_login(getattr(w, name))
        menu = client.get(reverse("home"), follow=True).content.decode()
        assert (f'href="{url}"' in menu) is shown, name


# -- setting a round --------------------------------------------------------------------------


def test_a_township_leader_sets_a_round_through_the_page(client, rounds):
    w = rounds
    client.force_login(w.township_leader)
    listing = client.get(reverse("mediation:campaigns")).content.decode()
    assert 'data-testid="new-campaign"' in listing
    form = client.get(reverse("mediation:campaign_new")).content.decode()
    assert f'<option value="{w.regions.nianbo.pk}" selected>' in form  # their whole area
    assert f'value="{w.regions.ledu.pk}"' not in form  # not the county above it
    response = client.post(reverse("mediation:campaign_new"), round_form(w))
    c = Campaign.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("mediation:campaign", args=[c.pk])
    assert (c.title, c.region, c.organiser, c.created_by) == (
        "清明节前矛盾纠纷排查",
        w.regions.nianbo,
        w.township,
        w.township_leader,
    )
    told = set(Notification.objects.filter(kind="campaign.new").values_list("recipient", flat=True))
    assert told == {w.grid_worker.pk, w.worker_b.pk, w.dongguan_worker.pk}
    page = client.get(response.url)
    assert set(grid_rows(page)) == {w.grid.pk, w.grid_b.pk, w.dongguan_grid.pk}
    listing = client.get(reverse("mediation:campaigns")).content.decode()
    assert f'data-campaign="{c.pk}"' in listing


@pytest.mark.parametrize(
    "overrides, shown_beside, status",
    [
        ({"title": " "}, "error-title", 400),  # the service's word
        ({"due_at": "2020-01-01T18:00"}, "error-due_at", 400),  # the service: in the past
        ({"due_at": "下周五"}, "error-due_at", 400),  # the form: not a date
        ({"region": "999999"}, "error-region", 400),  # not one of the places offered
    ],
)
def test_a_bad_round_is_named_beside_its_field_and_saves_nothing(
    client, rounds, overrides, shown_beside, status
):
    w = rounds
    client.force_login(w.township_leader)
    response = client.post(reverse("mediation:campaign_new"), round_form(w, **overrides))
    assert response.status_code == status
    page = response.content.decode()
    assert f'data-testid="{shown_beside}"' in page and 'data-testid="form-error"' in page
    assert not Campaign.objects.exists()
    assert not Notification.objects.filter(kind="campaign.new").exists()


def test_a_township_may_not_set_a_round_over_the_county(client, rounds):
    w = rounds
    client.force_login(w.township_leader)
    response = client.post(
        reverse("mediation:campaign_new"), round_form(w, region=str(w.regions.ledu.pk))
    )
    assert response.status_code == 400
    assert 'data-testid="error-region"' in response.content.decode()
    assert not Campaign.objects.exists()


def test_a_village_mediator_may_not_set_a_round(client, rounds):
    w = rounds
    client.force_login(w.village_mediator)
    listing = client.get(reverse("mediation:campaigns")).content.decode()
    assert 'data-testid="new-campaign"' not in listing
    data = round_form(w, region=str(w.regions.xiguan.pk))
    assert client.post(reverse("mediation:campaign_new"), data).status_code == 403
    assert not Campaign.objects.exists()


# -- a grid's answer --------------------------------------------------------------------------


def test_a_grid_worker_files_a_zero_report_for_their_grid_and_not_for_anothers(client, rounds):
    w = rounds
    c = new_round(w)
    client.force_login(w.grid_worker)
    page = client.get(reverse("mediation:campaign", args=[c.pk])).content.decode()
    assert MY_GRID.findall(page) == [(str(w.grid.pk), "0")]  # only their own grid
    assert f"{reverse('mediation:register')}?campaign={c.pk}" in page

    response = report(client, c, w.grid, found="0")  # the one-tap 零报告
    assert response.status_code == 302
    assert response.url == reverse("mediation:campaign", args=[c.pk])
    (answer,) = GridReport.objects.all()
    assert (answer.grid, answer.found, answer.reported_by) == (w.grid, 0, w.grid_worker)
    page = client.get(response.url).content.decode()
    assert MY_GRID.findall(page) == [(str(w.grid.pk), "1")]
    assert 'data-testid="figure-zero">1<' in page

    refused = report(client, c, w.grid_b, found="0")  # worker_b's grid
    assert refused.status_code == 403
    assert 'data-testid="report-error"' in refused.content.decode()
    assert not GridReport.objects.filter(grid=w.grid_b).exists()


def test_a_bad_count_is_named_beside_the_grid_and_a_correction_replaces_the_answer(client, rounds):
    w = rounds
    c = new_round(w)
    client.force_login(w.grid_worker)
    report(client, c, w.grid, found="0")
    bad = report(client, c, w.grid, found="两起", note="东头两户")
    assert bad.status_code == 400
    page = bad.content.decode()
    assert 'data-testid="my-grid-error"' in page and "东头两户" in page  # typed text kept
    assert GridReport.objects.get().found == 0  # unchanged
    assert report(client, c, w.grid, found="2", note="东头两户").status_code == 302
    answer = GridReport.objects.get()
    assert (answer.found, answer.note) == (2, "东头两户")


def test_a_leader_watches_but_answers_for_no_grid(client, rounds):
    w = rounds
    c = new_round(w)
    client.force_login(w.township_leader)
    page = client.get(reverse("mediation:campaign", args=[c.pk])).content.decode()
    assert 'data-testid="my-grids"' not in page
    assert report(client, c, w.grid, found="0").status_code == 403
    assert not GridReport.objects.exists()


# -- late grids -------------------------------------------------------------------------------


def test_late_grids_are_marked_once_the_deadline_has_passed(client, rounds):
    w = rounds
    c = new_round(w)
    client.force_login(w.grid_worker)
    report(client, c, w.grid, found="0")
    client.force_login(w.township_leader)
    url = reverse("mediation:campaign", args=[c.pk])
    before = grid_rows(client.get(url))
    assert set(before.values()) == {"0"}  # nobody is late before the deadline

    Campaign.objects.filter(pk=c.pk).update(due_at=timezone.now() - timedelta(hours=1))
    after = client.get(url)
    assert grid_rows(after) == {w.grid.pk: "0", w.grid_b.pk: "1", w.dongguan_grid.pk: "1"}
    assert 'data-testid="figure-late">2<' in after.content.decode()
    only_late = grid_rows(client.get(url, {"show": "late"}))
    assert set(only_late) == {w.grid_b.pk, w.dongguan_grid.pk}
    listing = client.get(reverse("mediation:campaigns")).content.decode()
    assert f'data-campaign="{c.pk}" data-late="2"' in listing

    client.force_login(w.worker_b)  # the late worker sees their grid marked
    page = client.get(url).content.decode()
    assert MY_GRID.findall(page) == [(str(w.grid_b.pk), "0")]
    assert "my-grid late" in page


def test_the_register_link_of_a_round_counts_the_dispute_for_it(client, med):
    """A round's page links to the register page with ?campaign=<id>: the form carries it."""
    w = med
    township_leader = UserFactory(organisation=w.justice, role=Role.LEADER)
    round_ = campaigns.do_create_campaign(
        actor=township_leader,
        title="十二月排查",
        region=w.grid.community.parent,
        starts_on=timezone.localdate(),
        due_at=timezone.now() + timedelta(days=3),
    )
    client.force_login(w.grid_worker)
    page = client.get(reverse("mediation:register") + f"?campaign={round_.pk}")
    assert f'name="campaign" value="{round_.pk}"' in page.content.decode()


# -- the list of rounds -----------------------------------------------------------------------


def listed(client) -> tuple[dict[int, tuple[int, int, int]], int]:
    """The list's rounds as (late, answered, found), and the queries the page took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("mediation:campaigns"))
    assert response.status_code == 200
    rows = LIST_ROW.findall(response.content.decode())
    return {int(c): (int(late), int(n), int(found)) for c, late, n, found in rows}, len(queries)


@pytest.mark.parametrize("viewer", ["township_leader", "grid_worker"])
def test_the_list_takes_as_many_queries_for_several_rounds_as_for_one(client, rounds, viewer):
    w = rounds
    client.force_login(getattr(w, viewer))
    first = new_round(w)
    one, queries_for_one = listed(client)
    assert set(one) == {first.pk}

    # More rounds, answered in every way a grid answers: a zero report, a count, a
    # dispute registered in the round for a grid, one without a grid; one past its deadline.
    more = [new_round(w, title=f"第{i}轮排查") for i in range(4)]
    campaigns.do_grid_report(actor=w.grid_worker, campaign=more[0], grid=w.grid, found=0)
    campaigns.do_grid_report(actor=w.worker_b, campaign=more[1], grid=w.grid_b, found=3)
    register(w, campaign_id=more[2].pk)  # in the world's grid
    register(w, campaign_id=more[2].pk, grid_id=None, region=w.regions.xiguan)
    Campaign.objects.filter(pk=more[3].pk).update(due_at=timezone.now() - timedelta(hours=1))
    several, queries_for_several = listed(client)

    assert queries_for_several == queries_for_one
    # Each round's figures on the list are the ones its own page gives.
    now = timezone.now()
    assert several == {
        c.pk: (f["late"], f["reported"], f["found"])
        for c in Campaign.objects.all()
        for f in [campaigns.progress(c, now)]
    }
    assert several[more[0].pk] == (0, 1, 0)
    assert several[more[1].pk] == (0, 1, 3)
    assert several[more[2].pk] == (0, 1, 2)  # the dispute without a grid counts as found
    assert several[more[3].pk] == (3, 0, 0)  # past the deadline, nobody answered


def test_a_grid_worker_sees_on_the_list_which_rounds_still_wait_for_them(client, rounds):
    w = rounds
    answered, waiting = new_round(w, title="已报排查"), new_round(w, title="待报排查")
    campaigns.do_grid_report(actor=w.grid_worker, campaign=answered, grid=w.grid, found=0)
    client.force_login(w.grid_worker)
    page = client.get(reverse("mediation:campaigns")).content.decode()
    waits = re.findall(r'data-campaign="(\d+)".*?(data-testid="waiting">1<|</tr>)', page, re.S)
    assert dict(waits) == {
        str(answered.pk): "</tr>",
        str(waiting.pk): 'data-testid="waiting">1<',
    }
