"""One dispute's life in a real Chromium, each person in their own browser: a grid worker
on a phone registers a dispute found in 排查 → the village mediator accepts it, starts
mediation, records two sessions and a settlement with an obligation, and prints the
agreement → a leader of the township finds it in the figures."""

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from gongzhi.mediation.choices import Level, State
from gongzhi.mediation.models import Dispute
from tests.web.phone import log_in, phone_options

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_for(chromium, live_server, villages, settings, tmp_path):
    """A fresh browser context (own cookies) for each person, phone- or desk-sized."""
    settings.MEDIA_ROOT = tmp_path / "media"
    contexts = []

    def open_as(user, *, phone=False):
        if phone:
            options = phone_options(villages.point)
        else:
            options = {"locale": "zh-CN", "viewport": {"width": 1366, "height": 900}}
        context = chromium.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.base_url = live_server.url
        log_in(page, user.username, villages.password)
        return page

    yield open_as
    for context in contexts:
        context.close()


def act(page, action, fill=None, *, watch="state"):
    """Open the action's panel, fill it, send it, and wait for the page to show the step
    (a new state, or for a session one more session)."""
    panel = page.locator(f"[data-testid=action-{action}]")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    if fill:
        fill(panel)
    before = page.locator("[data-testid=dispute-page]").get_attribute(f"data-{watch}")
    panel.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=dispute-page]")).not_to_have_attribute(
        f"data-{watch}", before
    )
    assert not page.locator("[data-testid=action-error]").count()


def session(place, summary):
    def fill(panel):
        panel.locator("input[name=place]").fill(place)
        panel.locator("textarea[name=attendees]").fill("马福贵、韩成林、调解员")
        panel.locator("textarea[name=summary]").fill(summary)

    return fill


def settlement(panel):
    panel.locator("textarea[name=disputed_matters]").fill("马家院墙排水流入韩家院内")
    row = panel.locator("[data-testid=obligation-row]").first
    row.locator("input[name=obligation_party]").fill("马福贵")
    row.locator("input[name=obligation_what]").fill("改建院墙排水沟，雨水不再流入韩家")
    row.locator("input[name=obligation_how]").fill("自行施工")
    row.locator("input[name=obligation_due_on]").fill("2026-12-31")


def test_a_dispute_found_in_screening_is_settled_in_the_village(browser_for, villages):
    w = villages

    # 1. The grid worker registers, on the phone, a dispute found in 排查 in their grid.
    phone = browser_for(w.grid_worker, phone=True)
    phone.goto(phone.base_url + "/mediation/register/")
    assert phone.locator("#id_grid").input_value() == str(w.grid.pk)  # their own grid
    phone.fill("#id_title", "院墙排水纠纷")
    phone.select_option("#id_type", str(w.neighbour.pk))
    phone.fill("#id_facts", "马家院墙排水流入韩家院内，双方多次争吵")
    phone.select_option("#id_source", "screening")
    phone.fill("#id_parties-0-name", "马福贵")
    phone.fill("#id_parties-0-phone", "13900001111")
    phone.fill("#id_parties-0-claims", "要求对方停止指责")
    phone.fill("#id_parties-1-name", "韩成林")
    phone.fill("#id_parties-1-claims", "要求改建排水沟")
    phone.click("[data-testid=add-party]")  # a third party: the respondent's wife
    phone.fill("#id_parties-2-name", "马秀英")
    phone.select_option("#id_parties-2-side", "respondent")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, "the form fits a phone's width"
    phone.click("[data-testid=submit]")
    phone.wait_for_selector("[data-testid=dispute-page]")
    d = Dispute.objects.get()
    assert (d.source, d.level, d.holder, d.state) == (
        "screening",
        Level.VILLAGE,
        w.village_committee,
        State.REGISTERED,
    )
    assert d.parties.count() == 3
    assert "139****1111" in phone.locator("[data-testid=parties]").inner_text()

    # 2. The village mediator finds it waiting at the unit, accepts it and starts.
    desk = browser_for(w.village_mediator)
    desk.goto(desk.base_url + "/mediation/desk/")
    desk.locator("[data-testid=to-accept]").get_by_role("link", name=d.number).click()
    desk.wait_for_selector("[data-testid=dispute-page]")
    act(desk, "accept")
    act(desk, "start")  # the lead offered first is the mediator themselves
    d.refresh_from_db()
    assert d.state == State.MEDIATING and d.lead_mediator == w.village_mediator

    # 3. Two sessions, then the settlement with one obligation.
    act(
        desk,
        "record_session",
        session("西关社区调解室", "双方陈述，分歧在排水沟位置"),
        watch="sessions",
    )
    act(desk, "record_session", session("韩家院内", "现场查看后双方同意改建"), watch="sessions")
    assert desk.locator("[data-testid=session]").count() == 2
    act(desk, "settle", settlement)
    d.refresh_from_db()
    assert d.state == State.SETTLED and d.agreement.obligations.count() == 1

    # 4. The agreement, printed for the parties' signatures.
    link = desk.locator("[data-testid=agreement-pdf]")
    response = desk.context.request.get(desk.base_url + link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    assert "人民调解协议书" in text and "改建院墙排水沟" in text

    # 5. A leader of the township sees it among the village's figures.
    leader = browser_for(w.township_leader)
    leader.goto(leader.base_url + "/mediation/figures/")
    row = leader.locator("[data-testid=figure-row][data-label=西关社区]")
    assert row.get_attribute("data-found") == "1" and row.get_attribute("data-settled") == "1"
    leader.locator("#figures-chart canvas").first.wait_for(state="attached")
