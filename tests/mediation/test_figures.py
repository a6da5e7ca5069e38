"""Figures on a small hand-made set whose answers are worked out by hand below, and a
fixed number of queries whatever the number of disputes."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.mediation import services
from gongzhi.mediation.figures import figures, total
from gongzhi.mediation.models import Dispute, DisputeType, Obligation
from gongzhi.regions.models import Grid, Region

pytestmark = pytest.mark.django_db


def register(w, *, type_code, grid, actor=None, name="马福贵", phone="", title="纠纷"):
    return services.do_register(
        data=services.DisputeIn(
            title=title,
            type_id=DisputeType.objects.get(code=type_code).pk,
            facts="双方因琐事发生争执，需要调解",
            source="screening",
            grid_id=grid.pk,
            parties=[
                services.PartyIn(side="applicant", name=name, phone=phone),
                services.PartyIn(side="respondent", name=f"{name}邻居"),
            ],
        ),
        actor=actor or w.dispatcher,
    )


def act(d, action, actor, **params):
    return services.do_transition(dispute=d, action=action, actor=actor, **params)


def settle(d, actor, *, days):
    d = act(d, "accept", actor)
    d = act(d, "start", actor)
    return act(
        d,
        "settle",
        actor,
        now=d.created_at + timedelta(days=days),
        disputed_matters="赔偿与道歉",
        obligations=[{"party": "被申请人", "what": "赔偿损失", "due_on": "2026-12-31"}],
    )


def check(d, actor, performed: bool):
    (obligation,) = Obligation.objects.filter(agreement__dispute=d)
    return act(
        d, "check_performance", actor, note="已回访", performed={str(obligation.pk): performed}
    )


@pytest.fixture
def hand_made(med):
    """Eight disputes, each of its own type (so none is a repeat but D7):

    ==  ========  ========  ===========================================================
    D1  西关      village   settled after 10 days, performed
    D2  西关      village   settled after 4 days, not performed
    D3  西关      village   mediation failed
    D4  东关      township  settled after 6 days (no village unit), not yet checked
    D5  高庙村    county    registered only (no township unit); registered 40 days ago
    D6  西关      village   declined: found, never concluded
    D7  西关      township  a repeat of D1 (same party): serious, above a village; withdrawn
    D8  西关      village   registered 400 days ago: outside the period
    ==  ========  ========  ===========================================================
    """
    w = med
    village, township = w.village_mediator, w.township_mediator
    dongguan = Grid.objects.get(code="630202100002-01")
    gaomiao = Grid.objects.get(code="630202101201-01")
    d1 = register(w, type_code="neighbour", grid=w.grid, phone="13900002222")
    d1 = check(settle(d1, village, days=10), village, performed=True)
    d2 = register(w, type_code="marriage_family", grid=w.grid, name="韩永祥")
    d2 = check(settle(d2, village, days=4), village, performed=False)
    d3 = register(w, type_code="homestead", grid=w.grid, name="李国栋")
    for action, params in [("accept", {}), ("start", {}), ("fail", {"reason": "分歧过大"})]:
        d3 = act(d3, action, village, **params)
    d4 = settle(
        register(w, type_code="property_mgmt", grid=dongguan, name="赵德明"), township, days=6
    )
    d5 = register(w, type_code="traffic", grid=gaomiao, name="祁有才")
    d6 = register(w, type_code="consumer", grid=w.grid, name="马金花")
    d6 = act(d6, "decline", village, reason="属于消费者协会受理范围")
    d7 = register(w, type_code="contract_debt", grid=w.grid, phone="13900002222")
    d7 = act(d7, "withdraw", township, reason="双方已自行和解")
    d8 = register(w, type_code="medical", grid=w.grid, name="韩梅梅")
    now = timezone.now()
    Dispute.objects.filter(pk=d5.pk).update(created_at=now - timedelta(days=40))
    Dispute.objects.filter(pk=d8.pk).update(created_at=now - timedelta(days=400))
    w.d = {i: d for i, d in enumerate([d1, d2, d3, d4, d5, d6, d7, d8], start=1)}
    w.period = {
        "period_start": timezone.localdate() - timedelta(days=60),
        "period_end": timezone.localdate(),
    }
    return w


def test_the_set_is_what_its_table_says(hand_made):
    w = hand_made
    d = {i: Dispute.objects.get(pk=x.pk) for i, x in w.d.items()}
    assert [d[i].level for i in range(1, 9)] == [
        "village",
        "village",
        "village",
        "township",
        "county",
        "village",
        "township",
        "village",
    ]
    assert [d[i].state for i in range(1, 8)] == [
        "performed",
        "not_performed",
        "failed",
        "settled",
        "registered",
        "declined",
        "withdrawn",
    ]
    assert d[7].repeat_of == d[1] and all(d[i].repeat_of is None for i in (2, 3, 4, 5, 6, 8))


def test_county_figures_by_township(hand_made):
    w = hand_made
    rows = figures(user=w.dispatcher, group_by="region", **w.period)
    assert [r["label"] for r in rows] == ["碾伯镇", "高庙镇"]
    nianbo, gaomiao = rows
    # 碾伯镇: D1–D4, D6, D7 found; D1, D2, D3, D4, D7 concluded (D6 declined); D1, D2, D4
    # settled, of which D1 and D2 at the village and all three within the township.
    assert (nianbo["found"], nianbo["concluded"], nianbo["settled"]) == (6, 5, 3)
    assert nianbo["settle_rate"] == 0.6  # 3 / 5
    assert nianbo["village_share"] == 0.6667  # 2 / 3
    assert nianbo["township_share"] == 1.0  # 3 / 3
    assert nianbo["repeat_rate"] == 0.1667  # D7: 1 / 6
    assert nianbo["avg_days_to_settle"] == 6.67  # (10 + 4 + 6) / 3
    assert nianbo["performance_rate"] == 0.5  # D1 performed, D2 not; D4 not yet checked
    # 高庙镇: D5 only, open: nothing concluded, no rate to give.
    assert (gaomiao["found"], gaomiao["concluded"], gaomiao["settled"]) == (1, 0, 0)
    assert gaomiao["settle_rate"] is None and gaomiao["avg_days_to_settle"] is None
    whole = total(rows)
    assert (whole["found"], whole["settle_rate"], whole["repeat_rate"]) == (7, 0.6, 0.1429)
    assert (whole["settle_days"], whole["avg_days_to_settle"]) == (20, 6.67)


def test_township_figures_by_community_see_only_the_township(hand_made):
    w = hand_made
    rows = figures(user=w.township_mediator, group_by="region", **w.period)
    assert [(r["label"], r["found"], r["settled"]) for r in rows] == [
        ("西关社区", 5, 2),  # D1, D2, D3, D6, D7; D1 and D2 settled
        ("东关社区", 1, 1),  # D4
    ]
    assert rows[0]["settle_rate"] == 0.5  # 2 settled of D1, D2, D3, D7 concluded
    # The county's 高庙村 dispute (D5) is not the township's to see, even when asked for.
    with pytest.raises(NotAllowed):
        figures(user=w.township_mediator, region=w.regions.ledu, group_by="region", **w.period)


def test_figures_by_level_type_and_month(hand_made):
    w = hand_made
    by_level = {r["key"]: r for r in figures(user=w.dispatcher, group_by="level", **w.period)}
    assert {k: r["found"] for k, r in by_level.items()} == {
        "village": 4,  # D1, D2, D3, D6
        "township": 2,  # D4, D7
        "county": 1,  # D5
        "court": 0,
    }
    assert by_level["village"]["settle_rate"] == 0.6667  # D1, D2 of D1, D2, D3
    assert by_level["township"]["settle_rate"] == 0.5  # D4 of D4, D7
    by_type = {
        r["label"]: r["found"] for r in figures(user=w.dispatcher, group_by="type", **w.period)
    }
    assert by_type["邻里纠纷"] == 1 and by_type["医疗纠纷"] == 0  # D8 is outside the period
    assert sum(by_type.values()) == 7
    months = figures(user=w.dispatcher, group_by="month", **w.period)
    d5_month = f"{timezone.localtime(timezone.now() - timedelta(days=40)):%Y-%m}"
    this_month = f"{timezone.localdate():%Y-%m}"
    counted = {r["label"]: r["found"] for r in months if r["found"]}
    assert counted == {d5_month: 1, this_month: 6}
    assert len(months) in (3, 4)  # every month of the 61 days, with zeros


def test_a_region_narrows_the_figures(hand_made):
    w = hand_made
    rows = figures(user=w.dispatcher, region=w.regions.xiguan, group_by="level", **w.period)
    assert {r["key"]: r["found"] for r in rows if r["found"]} == {"village": 4, "township": 1}


def test_bad_figure_requests_are_refused(hand_made):
    w = hand_made
    with pytest.raises(ServiceError) as grouping:
        figures(user=w.dispatcher, group_by="colour", **w.period)
    assert grouping.value.field == "group_by"
    with pytest.raises(ServiceError) as backwards:
        figures(
            user=w.dispatcher,
            period_start=timezone.localdate(),
            period_end=timezone.localdate() - timedelta(days=1),
        )
    assert backwards.value.field == "period_end"


def test_a_resident_sees_no_figures(hand_made):
    w = hand_made
    rows = figures(user=w.resident, group_by="level", **w.period)
    assert sum(r["found"] for r in rows) == 0


def _copies(w, n):
    """More disputes, spread over two townships, some settled."""
    grids = [
        w.grid,
        Grid.objects.get(code="630202100002-01"),
        Grid.objects.get(code="630202101201-01"),
    ]
    types = list(DisputeType.objects.values_list("code", flat=True))
    for i in range(n):
        d = register(w, type_code=types[i % len(types)], grid=grids[i % 3], name=f"当事人{i:03d}")
        if i % 5 == 0 and d.level == "village":
            settle(d, w.village_mediator, days=i % 7 + 1)


def test_queries_do_not_grow_with_the_disputes(med, django_assert_max_num_queries):
    w = med
    period = {
        "period_start": timezone.localdate() - timedelta(days=90),
        "period_end": timezone.localdate(),
    }
    counts = {}
    for n in (10, 190):  # 10 disputes, then 200
        _copies(w, n)
        for group_by in ("region", "level", "type", "month"):
            user = User.objects.get(pk=w.dispatcher.pk)  # a new request builds its scope again
            with django_assert_max_num_queries(8), CaptureQueriesContext(connection) as queries:
                rows = figures(user=user, group_by=group_by, **period)
            counts.setdefault(group_by, []).append(len(queries))
            assert sum(r["found"] for r in rows) == Dispute.objects.count()
            assert (
                sum(r["settled"] for r in rows)
                == Dispute.objects.filter(settled_at__isnull=False).count()
            )
    assert Dispute.objects.count() == 200
    assert all(at_10 == at_200 for at_10, at_200 in counts.values()), counts


def test_the_areas_rows_are_its_child_regions(med):
    w = med
    ledu = Region.objects.get(code="630202")
    rows = figures(
        user=w.dispatcher,
        region=ledu,
        period_start=timezone.localdate(),
        period_end=timezone.localdate(),
    )
    assert [r["label"] for r in rows] == ["碾伯镇", "高庙镇"]
    assert all(r["found"] == 0 and r["settle_rate"] is None for r in rows)
