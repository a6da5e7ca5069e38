"""The board and the workbench as their number of disputes grows: the same queries for one
dispute as for many (issue 16: the pages must not slow with the county's disputes), the
board's total and pages still adding up, and a helping mediator's disputes on their desk."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts.models import Role
from gongzhi.mediation.choices import Level, Risk, State
from gongzhi.mediation.models import Dispute
from tests.factories import UserFactory
from tests.mediation.conftest import register

pytestmark = pytest.mark.django_db

ROW = re.compile(
    r'data-testid="dispute-row" data-number="([^"]+)" data-risk="(\w+)">(.*?)</tr>', re.S
)
TOTAL = re.compile(r'<span class="chip-total">(\d+)')


def queries(client, url, **params) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode(), len(captured)


def act(client, d, action, **fields):
    data = {"expected_state": Dispute.objects.get(pk=d.pk).state, **fields}
    response = client.post(reverse("mediation:act", args=[d.number, action]), data)
    assert response.status_code == 302, response.content.decode()[:500]


def test_the_board_and_the_workbench_take_as_many_queries_for_many_disputes_as_for_one(
    client, villages
):
    w = villages
    first = register(w)
    client.force_login(w.village_mediator)
    act(client, first, "accept")
    act(client, first, "start", lead=str(w.village_mediator.pk))
    counted = {}
    for name in ("board", "workbench"):
        counted[name] = queries(client, reverse(f"mediation:{name}"))[1]

    # Many more, in every list the pages show: new, accepted, mediating with a session due,
    # settled with a performance overdue, of every type and risk.
    for i in range(6):
        register(w, title=f"邻里纠纷{i}", phone=f"1390000{i:04d}")
    accepted = register(w, type_code="contract_debt", title="借款纠纷", phone="13900002222")
    act(client, accepted, "accept")
    register(w, type_code="traffic", title="交通事故赔偿", facts="对方扬言要动刀报复")  # major
    settled = register(w, type_code="property_mgmt", title="物业纠纷", phone="13900003333")
    act(client, settled, "accept")
    act(client, settled, "start", lead=str(w.village_mediator.pk))
    act(
        client,
        first,
        "record_session",
        place="调解室",
        attendees="双方",
        summary="初步沟通",
        next_at=(timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
    )
    act(
        client,
        settled,
        "settle",
        disputed_matters="赔偿",
        obligation_party=["韩成林"],
        obligation_what=["赔偿三千元"],
        obligation_how=["现金"],
        obligation_due_on=[(timezone.localdate() - timedelta(days=1)).isoformat()],
    )

    board, on_board = queries(client, reverse("mediation:board"))
    desk, on_desk = queries(client, reverse("mediation:workbench"))
    assert (on_board, on_desk) == (counted["board"], counted["workbench"])
    assert len(ROW.findall(board)) == 10 and TOTAL.search(board).group(1) == "10"
    assert 'data-testid="session-due"' in desk and 'data-testid="performance-due"' in desk


def test_the_board_total_and_its_pages_hold_every_visible_open_dispute(
    client, villages, monkeypatch
):
    from gongzhi.mediation.views import boards

    w = villages
    kinds = ("marriage_family", "homestead", "land_contract", "consumer", "other")
    made = [
        register(w, type_code=kind, title=f"纠纷{i}", phone=f"1390000{i:04d}")
        for i, kind in enumerate(kinds)
    ]
    assert {d.risk for d in made} == {Risk.GENERAL}
    major = register(w, type_code="traffic", title="交通事故赔偿", facts="对方扬言要动刀报复")
    register(w, region=w.dongguan, actor=w.dongguan_mediator, title="宅基地", phone="13900003333")
    monkeypatch.setattr(boards, "PER_PAGE", 4)
    client.force_login(w.village_mediator)  # sees 西关, not 东关 next door
    first, _n = queries(client, reverse("mediation:board"))
    second, _n = queries(client, reverse("mediation:board"), page=2)
    rows = ROW.findall(first) + ROW.findall(second)
    assert TOTAL.search(first).group(1) == "6"
    assert [n for n, _risk, _cells in rows] == [major.number] + [d.number for d in made]
    number, risk, cells = rows[0]
    # The row's labels: its risk, its level and its state.
    for label in (Risk.label_of(risk), Level.label_of(major.level), State.label_of(major.state)):
        assert f">{label}<" in cells
    last, _n = queries(client, reverse("mediation:board"), page=99)  # past the end: the last
    assert [n for n, _r, _c in ROW.findall(last)] == [d.number for d in made[3:]]


def test_a_helping_mediator_finds_the_dispute_on_their_desk(client, villages):
    w = villages
    helper = UserFactory(organisation=w.village_committee, role=Role.MEDIATOR)
    d = register(w)
    client.force_login(w.village_mediator)
    act(client, d, "accept")
    act(client, d, "start", lead=str(w.village_mediator.pk), helpers=[str(helper.pk)])
    client.force_login(helper)
    desk, _n = queries(client, reverse("mediation:workbench"))
    mine = desk.split('data-testid="mine"')[1].split("</section>")[0]
    assert d.number in mine
    Dispute.objects.filter(pk=d.pk).update(state=State.CLOSED)  # closed: off the desk
    desk, _n = queries(client, reverse("mediation:workbench"))
    assert d.number not in desk.split('data-testid="mine"')[1].split("</section>")[0]


def test_a_desk_list_at_its_limit_says_there_are_more(client, villages, monkeypatch):
    from gongzhi.mediation.views import boards

    w = villages
    kinds = ("marriage_family", "homestead", "land_contract")
    new = [
        register(w, type_code=kind, title=f"纠纷{i}", phone=f"1390000{i:04d}")
        for i, kind in enumerate(kinds)
    ]
    monkeypatch.setattr(boards, "LIST_LIMIT", 2)
    client.force_login(w.village_mediator)
    desk, _n = queries(client, reverse("mediation:workbench"))
    waiting = desk.split('data-testid="to-accept"')[1].split("</section>")[0]
    assert '<span class="count">2+</span>' in waiting
    assert [n for n, _r, _c in ROW.findall(waiting)] == [d.number for d in new[:2]]
    monkeypatch.setattr(boards, "LIST_LIMIT", 3)
    desk, _n = queries(client, reverse("mediation:workbench"))
    assert '<span class="count">3</span>' in desk.split('data-testid="to-accept"')[1]
