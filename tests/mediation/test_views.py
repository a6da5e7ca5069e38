"""The mediation pages as their users meet them: who may open what (a village never sees
its neighbour's disputes, the township sees its villages'), registering with the parties'
rows, actions through the dispute page (refused or stale: nothing changes), the
workbench, the board with major risk on top and its export, and the figures."""

import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gongzhi.core.models import AuditLog
from gongzhi.mediation.choices import Level, Risk, State
from gongzhi.mediation.models import Dispute, DisputeEvent, Party, Session

from .conftest import register

pytestmark = pytest.mark.django_db

ROW = re.compile(r'data-testid="dispute-row" data-number="(MD-[\d-]+)" data-risk="(\w+)"')


def board_rows(response) -> list[tuple[str, str]]:
    assert response.status_code == 200
    return ROW.findall(response.content.decode())


def sheet_rows(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]


# -- who may open what ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "page, allowed, refused",
    [
        (
            "register",
            ["grid_worker", "village_mediator", "township_leader"],
            ["resident", "handler"],
        ),
        ("workbench", ["village_mediator", "township_leader"], ["grid_worker", "resident"]),
        (
            "board",
            ["township_mediator", "dispatcher", "township_leader"],
            ["grid_worker", "handler"],
        ),
        (
            "figures",
            ["township_mediator", "dispatcher", "township_leader"],
            ["grid_worker", "resident"],
        ),
    ],
)
def test_each_page_opens_for_its_people_only(client, villages, page, allowed, refused):
    url = reverse(f"mediation:{page}")
    assert client.get(url).status_code == 302  # to the login page
    for name in allowed:
        client.force_login(getattr(villages, name))
        assert client.get(url).status_code == 200, name
    for name in refused:
        client.force_login(getattr(villages, name))
        assert client.get(url).status_code == 403, name


def test_the_menu_leads_each_desk_to_its_pages(client, villages):
    w = villages
    client.force_login(w.grid_worker)
    menu = client.get(reverse("home"), follow=True).content.decode()
    assert reverse("mediation:register") in menu and reverse("mediation:board") not in menu
    client.force_login(w.village_mediator)
    menu = client.get(reverse("mediation:workbench")).content.decode()
    for name in ("register", "workbench", "board", "figures"):
        assert reverse(f"mediation:{name}") in menu


def test_a_village_never_sees_its_neighbours_dispute_and_the_township_sees_both(client, villages):
    w = villages
    here = register(w)
    next_door = register(
        w, region=w.dongguan, actor=w.dongguan_mediator, type_code="homestead", phone="13900003333"
    )
    assert (here.holder, next_door.holder) == (w.village_committee, w.dongguan_committee)
    seen = {
        "village_mediator": {here.number},
        "dongguan_mediator": {next_door.number},
        "township_mediator": {here.number, next_door.number},
        "township_leader": {here.number, next_door.number},
        "other_dispatcher": set(),  # the county next door
    }
    for name, numbers in seen.items():
        client.force_login(getattr(w, name))
        for d in (here, next_door):
            status = client.get(reverse("mediation:detail", args=[d.number])).status_code
            assert status == (200 if d.number in numbers else 404), (name, d.number)
        listed = {n for n, _risk in board_rows(client.get(reverse("mediation:board")))}
        assert listed == numbers, name
    client.force_login(w.resident)
    assert client.get(reverse("mediation:detail", args=[here.number])).status_code == 404


# -- registering ------------------------------------------------------------------------------


def form_data(w, **overrides) -> dict:
    data = {
        "title": "院墙排水纠纷",
        "type": str(w.neighbour.pk),
        "facts": "马家院墙排水流入韩家院内，双方多次争吵",
        "source": "screening",
        "amount": "3000",
        "grid": str(w.grid.pk),
        "parties-TOTAL_FORMS": "2",
        "parties-INITIAL_FORMS": "0",
        "parties-MIN_NUM_FORMS": "0",
        "parties-MAX_NUM_FORMS": "30",
        "parties-0-side": "applicant",
        "parties-0-kind": "person",
        "parties-0-name": "马福贵",
        "parties-0-phone": "13900001111",
        "parties-0-claims": "要求改建排水沟",
        "parties-0-people": "1",
        "parties-0-petitions": "0",
        "parties-1-side": "respondent",
        "parties-1-kind": "person",
        "parties-1-name": "韩成林",
        "parties-1-people": "1",
        "parties-1-petitions": "0",
    }
    data.update(overrides)
    return data


def test_a_grid_worker_registers_a_dispute_in_their_grid(client, villages):
    w = villages
    client.force_login(w.grid_worker)
    form = client.get(reverse("mediation:register")).content.decode()
    assert f'<option value="{w.grid.pk}" selected>' in form  # their own grid, preselected
    response = client.post(reverse("mediation:register"), form_data(w))
    d = Dispute.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "mediation:detail", args=[d.number]
    )
    assert (d.grid, d.registered_by, d.level, d.holder) == (
        w.grid,
        w.grid_worker,
        Level.VILLAGE,
        w.village_committee,
    )
    assert sorted(d.parties.values_list("side", "name")) == [
        ("applicant", "马福贵"),
        ("respondent", "韩成林"),
    ]
    page = client.get(response.url).content.decode()
    assert "139****1111" in page and "13900001111" not in page  # masked on the page


def test_the_form_sent_twice_registers_one_dispute(client, villages):
    """A second click on 登记, or the browser sending the form again, finds the first
    dispute: the page carries a key of its own."""
    w = villages
    client.force_login(w.grid_worker)
    form = client.get(reverse("mediation:register")).content.decode()
    once = re.search(r'name="once" value="([A-Za-z0-9_-]+)"', form).group(1)
    first = client.post(reverse("mediation:register"), form_data(w, once=once))
    again = client.post(reverse("mediation:register"), form_data(w, once=once))
    number = Dispute.objects.get().number
    assert first.url == again.url == reverse("mediation:detail", args=[number])
    fresh = client.get(reverse("mediation:register")).content.decode()
    assert once not in fresh  # each drawing of the page has its own key
    client.post(reverse("mediation:register"), form_data(w))  # no key: a new dispute
    assert Dispute.objects.count() == 2


@pytest.mark.parametrize(
    "overrides, shown_beside",
    [
        ({"facts": ""}, 'data-testid="error-facts"'),
        ({"type": ""}, 'data-testid="error-type"'),
        ({"grid": "", "region": ""}, 'data-testid="error-region"'),
        ({"amount": "三千"}, 'data-testid="error-amount"'),
        ({"parties-1-id_number": "630202198001011234"}, 'data-testid="party-error"'),
        ({"parties-1-name": "", "parties-1-phone": ""}, 'data-testid="form-error"'),
        ({"parties-0-people": "0"}, 'data-testid="error-parties-0-people"'),
    ],
)
def test_register_with_bad_input_shows_why_and_saves_nothing(
    client, villages, overrides, shown_beside
):
    w = villages
    client.force_login(w.grid_worker)
    response = client.post(reverse("mediation:register"), form_data(w, **overrides))
    assert response.status_code == 400
    page = response.content.decode()
    assert shown_beside in page and 'data-testid="form-error"' in page
    assert "院墙排水纠纷" in page  # what was typed is kept
    assert not Dispute.objects.exists() and not Party.objects.exists()
    assert not DisputeEvent.objects.exists()


def test_a_third_party_row_and_a_removed_row(client, villages):
    w = villages
    client.force_login(w.village_mediator)
    data = form_data(
        w,
        **{
            "grid": "",  # a mediator has no grid: the village instead
            "region": str(w.regions.xiguan.pk),
            "parties-TOTAL_FORMS": "4",
            "parties-2-side": "applicant",
            "parties-2-kind": "person",
            "parties-2-name": "马秀英",
            "parties-2-is_vulnerable": "on",
            "parties-3-side": "respondent",
            "parties-3-kind": "person",
            "parties-3-name": "不该登记",
            "parties-3-DELETE": "on",
        },
    )
    assert client.post(reverse("mediation:register"), data).status_code == 302
    d = Dispute.objects.get()
    assert sorted(d.parties.values_list("name", flat=True)) == ["韩成林", "马福贵", "马秀英"]
    assert d.risk == Risk.SERIOUS  # a vulnerable party
    assert d.level == Level.TOWNSHIP  # more than the village may hold


# -- actions through the page -----------------------------------------------------------------


def act(client, d, action, state=None, **fields):
    data = {"expected_state": state or Dispute.objects.get(pk=d.pk).state, **fields}
    return client.post(reverse("mediation:act", args=[d.number, action]), data)


def test_the_village_mediator_takes_a_dispute_to_settlement_through_the_page(client, villages):
    w = villages
    d = register(w)
    client.force_login(w.village_mediator)
    page = client.get(reverse("mediation:detail", args=[d.number])).content.decode()
    assert 'data-testid="action-accept"' in page and 'data-testid="action-settle"' not in page
    assert act(client, d, "accept").status_code == 302
    page = client.get(reverse("mediation:detail", args=[d.number])).content.decode()
    assert f'<option value="{w.village_mediator.pk}" selected>' in page  # lead: themselves
    assert act(client, d, "start", lead=str(w.village_mediator.pk)).status_code == 302
    held = timezone.localtime() - timedelta(hours=2)
    response = act(
        client,
        d,
        "record_session",
        held_at=held.strftime("%Y-%m-%dT%H:%M"),
        place="西关社区调解室",
        attendees="马福贵、韩成林、调解员",
        summary="双方陈述意见，同意改建排水沟",
        next_at=(held + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
    )
    assert response.status_code == 302 and Session.objects.filter(dispute=d).count() == 1
    response = act(
        client,
        d,
        "settle",
        form="written",
        disputed_matters="院墙排水流入邻院",
        obligation_party=["韩成林", "马福贵"],
        obligation_what=["改建排水沟", "承担一半材料费"],
        obligation_how=["自行施工", ""],
        obligation_due_on=["2026-12-31", "2026-11-30"],
    )
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.state == State.SETTLED and d.lead_mediator == w.village_mediator
    assert sorted(d.agreement.obligations.values_list("party", flat=True)) == ["韩成林", "马福贵"]
    actions = list(d.events.values_list("action", flat=True))
    assert actions == ["register", "accept", "start", "record_session", "settle"]
    page = client.get(reverse("mediation:detail", args=[d.number])).content.decode()
    assert 'data-testid="agreement"' in page and 'data-testid="action-check_performance"' in page
    assert reverse("mediation:agreement_pdf", args=[d.number]) in page


def test_a_settlement_without_obligations_is_refused_with_what_was_typed(client, villages):
    w = villages
    d = register(w)
    client.force_login(w.village_mediator)
    act(client, d, "accept")
    act(client, d, "start", lead=str(w.village_mediator.pk))
    before = DisputeEvent.objects.count()
    response = act(
        client,
        d,
        "settle",
        disputed_matters="院墙排水",
        obligation_party=["韩成林"],
        obligation_what=[""],
        obligation_how=[""],
        obligation_due_on=[""],
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="action-error-inline"' in page and 'value="韩成林"' in page
    d.refresh_from_db()
    assert d.state == State.MEDIATING and DisputeEvent.objects.count() == before


def test_a_stale_form_is_a_conflict_and_changes_nothing(client, villages):
    w = villages
    d = register(w)
    client.force_login(w.village_mediator)
    act(client, d, "accept")
    before = DisputeEvent.objects.count()
    response = act(client, d, "decline", state=State.REGISTERED, reason="不属于调解范围")
    assert response.status_code == 409
    assert 'data-testid="action-error"' in response.content.decode()
    d.refresh_from_db()
    assert d.state == State.ACCEPTED and not d.decline_reason
    assert DisputeEvent.objects.count() == before


@pytest.mark.parametrize("who", ["township_mediator", "grid_worker"])
def test_an_action_refused_by_the_table_is_403_and_changes_nothing(client, villages, who):
    w = villages
    d = register(w)
    client.force_login(getattr(w, who))
    assert client.get(reverse("mediation:detail", args=[d.number])).status_code == 200
    response = act(client, d, "accept")
    assert response.status_code == 403
    d.refresh_from_db()
    assert d.state == State.REGISTERED and d.events.count() == 1


def test_a_lead_outside_the_holding_unit_is_refused(client, villages):
    w = villages
    d = register(w)
    client.force_login(w.village_mediator)
    act(client, d, "accept")
    response = act(client, d, "start", lead=str(w.dongguan_mediator.pk))
    assert response.status_code == 400
    d.refresh_from_db()
    assert d.state == State.ACCEPTED and d.lead_mediator is None


def test_a_neighbouring_village_cannot_act_on_the_dispute(client, villages):
    w = villages
    d = register(w)
    client.force_login(w.dongguan_mediator)
    assert act(client, d, "accept", state=State.REGISTERED).status_code == 404
    assert Dispute.objects.get(pk=d.pk).state == State.REGISTERED


# -- the parties' personal data ---------------------------------------------------------------


def test_a_mediator_reveals_the_parties_and_it_is_audited(client, villages):
    w = villages
    d = register(w)
    client.force_login(w.village_mediator)
    response = client.post(reverse("mediation:reveal", args=[d.number]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "13900001111" in response.content.decode()
    assert AuditLog.objects.filter(action="unmask", actor=w.village_mediator).exists()


def test_a_leader_gets_no_reveal_button_and_a_refused_reveal_shows_nothing(client, villages):
    w = villages
    d = register(w)
    client.force_login(w.township_leader)
    page = client.get(reverse("mediation:detail", args=[d.number])).content.decode()
    assert 'data-testid="reveal"' not in page and "马福贵" not in page
    response = client.post(reverse("mediation:reveal", args=[d.number]))
    assert response.status_code == 403 and "13900001111" not in response.content.decode()
    client.force_login(w.dongguan_mediator)
    assert client.post(reverse("mediation:reveal", args=[d.number])).status_code == 404


# -- the workbench ----------------------------------------------------------------------------


def test_the_workbench_lists_new_disputes_my_disputes_sessions_and_performances_due(
    client, villages
):
    w = villages
    waiting = register(w)
    mine = register(w, type_code="contract_debt", title="借款纠纷", phone="13900002222")
    client.force_login(w.village_mediator)
    page = client.get(reverse("mediation:workbench")).content.decode()
    assert waiting.number in page.split('data-testid="to-accept"')[1].split("</section>")[0]
    act(client, mine, "accept")
    act(client, mine, "start", lead=str(w.village_mediator.pk))
    act(
        client,
        mine,
        "record_session",
        place="调解室",
        attendees="双方",
        summary="初步沟通",
        next_at=(timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
    )
    page = client.get(reverse("mediation:workbench")).content.decode()
    section = page.split('data-testid="mine"')[1].split("</section>")[0]
    assert mine.number in section and waiting.number not in section
    assert 'data-testid="session-due"' in page and 'data-testid="performance-due"' not in page
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    act(
        client,
        mine,
        "settle",
        disputed_matters="借款归还",
        obligation_party=["韩成林"],
        obligation_what=["归还借款五千元"],
        obligation_how=["现金"],
        obligation_due_on=[yesterday],
    )
    page = client.get(reverse("mediation:workbench")).content.decode()
    assert 'data-testid="performance-due"' in page and "归还借款五千元" in page
    assert 'data-testid="session-due"' not in page  # settled: no more sessions


# -- the board and its export -----------------------------------------------------------------


@pytest.fixture
def spread(villages):
    """Disputes of every risk in 碾伯镇: ordinary (two), serious (a repeat), major."""
    w = villages
    ordinary = register(w, type_code="contract_debt", title="借款纠纷", phone="13900002222")
    major = register(w, type_code="traffic", title="交通事故赔偿", facts="对方扬言要动刀报复")
    serious = register(w, type_code="contract_debt", title="借款纠纷再起", phone="13900002222")
    next_door = register(
        w,
        region=w.dongguan,
        actor=w.dongguan_mediator,
        type_code="homestead",
        title="宅基地",
        phone="13900003333",
    )
    assert (ordinary.risk, major.risk, serious.risk, next_door.risk) == (
        Risk.GENERAL,
        Risk.MAJOR,
        Risk.SERIOUS,
        Risk.GENERAL,
    )
    return {"ordinary": ordinary, "major": major, "serious": serious, "next_door": next_door}


@pytest.mark.parametrize(
    "sort, ordinary_first", [("", "ordinary"), ("age", "ordinary"), ("new", "next_door")]
)
def test_the_board_puts_major_risk_first_whatever_the_order(
    client, villages, spread, sort, ordinary_first
):
    client.force_login(villages.township_leader)
    page = client.get(reverse("mediation:board"), {"sort": sort})
    rows = board_rows(page)
    assert [risk for _number, risk in rows] == [
        Risk.MAJOR,
        Risk.SERIOUS,
        Risk.GENERAL,
        Risk.GENERAL,
    ]
    assert rows[0][0] == spread["major"].number
    assert rows[2][0] == spread[ordinary_first].number  # within a risk, the order chosen
    assert 'name="sort"' in page.content.decode()


def test_the_board_filters_by_risk_level_type_and_state(client, villages, spread):
    client.force_login(villages.township_leader)
    board = reverse("mediation:board")
    assert {n for n, _r in board_rows(client.get(board, {"risk": "general"}))} == {
        spread["ordinary"].number,
        spread["next_door"].number,
    }
    assert {n for n, _r in board_rows(client.get(board, {"level": "county"}))} == {
        spread["major"].number
    }
    homestead = spread["next_door"].type.pk
    assert [n for n, _r in board_rows(client.get(board, {"type": homestead}))] == [
        spread["next_door"].number
    ]
    assert board_rows(client.get(board, {"state": "settled"})) == []


def test_the_board_pages(client, villages, spread, monkeypatch):
    from gongzhi.mediation.views import boards

    monkeypatch.setattr(boards, "PER_PAGE", 3)
    client.force_login(villages.township_leader)
    first = board_rows(client.get(reverse("mediation:board")))
    second = board_rows(client.get(reverse("mediation:board"), {"page": 2}))
    assert len(first) == 3 and len(second) == 1 and not set(first) & set(second)


@pytest.mark.parametrize(
    "viewer, params",
    [
        ("township_leader", {}),
        ("township_leader", {"risk": "general"}),
        ("village_mediator", {}),
        ("dongguan_mediator", {"state": "all"}),
    ],
)
def test_the_export_holds_exactly_the_visible_filtered_rows_and_is_audited(
    client, villages, spread, viewer, params
):
    w = villages
    client.force_login(getattr(w, viewer))
    shown = [n for n, _r in board_rows(client.get(reverse("mediation:board"), params))]
    rows = sheet_rows(client.get(reverse("mediation:board_export"), params))
    assert [row[0] for row in rows[1:]] == shown and shown
    cells = " ".join(str(v) for row in rows for v in row if v is not None)
    assert "马福贵" not in cells and "韩成林" not in cells and "13900001111" not in cells
    entry = AuditLog.objects.get(action="export")
    assert entry.actor == getattr(w, viewer)
    assert entry.reason.startswith(f"mediation board ({len(shown)})")


def test_the_village_mediator_sees_only_their_village_on_the_board(client, villages, spread):
    client.force_login(villages.village_mediator)
    listed = {n for n, _r in board_rows(client.get(reverse("mediation:board")))}
    assert spread["next_door"].number not in listed and spread["ordinary"].number in listed


# -- the figures ------------------------------------------------------------------------------


def test_the_township_sees_its_villages_in_the_figures_and_downloads_them(client, villages, spread):
    w = villages
    client.force_login(w.township_leader)
    page = client.get(reverse("mediation:figures")).content.decode()
    found = dict(re.findall(r'data-label="([^"]+)" data-found="(\d+)"', page))
    # Where each arose, whichever level holds it now (the major one is the county's).
    assert found["西关社区"] == "3" and found["东关社区"] == "1"
    assert 'data-testid="figures-chart"' in page
    rows = sheet_rows(client.get(reverse("mediation:figures_export")))
    by_label = {row[0]: row for row in rows[2:]}
    assert by_label["西关社区"][1] == 3 and by_label["东关社区"][1] == 1
    assert AuditLog.objects.filter(action="export", actor=w.township_leader).exists()


def test_figures_for_a_region_outside_the_area_are_refused_with_a_message(client, villages, spread):
    w = villages
    client.force_login(w.village_mediator)
    response = client.get(reverse("mediation:figures"), {"region": w.regions.pingan.pk})
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="figures-error"' in page
    assert 'data-label="平安区"' not in page and 'data-label="西关社区"' in page
