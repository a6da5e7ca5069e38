"""Staff lists on a phone (375×812): every row is a readable card — short, inside the
screen, no number, date or Latin word broken over two lines, and the row's next action a
full-width tap target. On a wide screen the same lists stay tables."""

import pytest

from tests.factories import case_in, report_case
from tests.mediation.conftest import med, register  # noqa: F401 (its world, as a fixture)

from .phone import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
LONG_TITLE = "西关社区平安路与滨河路交叉口东北角井盖缺失，夜间行人多，很危险"

# For every row: its height and width, and each number/date/Latin token whose text is drawn
# on more than one line (one CJK run may wrap between characters; these must not).
MEASURE = """(selector) => [...document.querySelectorAll(selector)]
  .filter(row => row.getClientRects().length)
  .map(row => {
    const box = row.getBoundingClientRect();
    const broken = [];
    const walker = document.createTreeWalker(row, NodeFilter.SHOW_TEXT);
    for (let node; (node = walker.nextNode());) {
      if (!node.parentElement.getClientRects().length) continue;
      for (const m of node.data.matchAll(/[A-Za-z0-9][A-Za-z0-9\\-:.\\/%]*/g)) {
        if (m[0].length < 2) continue;
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()]
          .filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (lines.size > 1) broken.push(m[0]);
      }
    }
    const action = row.querySelector('[data-testid=row-action]');
    const tap = action && action.getClientRects().length ? action.getBoundingClientRect() : null;
    return {
      id: row.dataset.number || row.dataset.key || row.textContent.trim().slice(0, 20),
      height: box.height, left: box.left, right: box.right, broken,
      action: tap && {height: tap.height, width: tap.width},
    };
  })"""


def phone(chromium, live_server, user, password):
    context = chromium.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    log_in(page, user.username, password)
    return context, page


def cards(page, path, selector, *, max_height, action=True):
    """Open ``path`` and check every row matching ``selector`` as a phone card."""
    page.goto(page.base_url + path)
    page.wait_for_load_state("networkidle")
    rows = page.evaluate(MEASURE, selector)
    assert rows, (path, "no rows")
    for row in rows:
        where = (path, row["id"])
        assert row["height"] <= max_height, (*where, row["height"])
        assert row["left"] >= 0 and row["right"] <= PHONE["width"], (*where, row)
        assert not row["broken"], (*where, row["broken"])
        if action:
            assert row["action"], (*where, "no next action")
            assert row["action"]["height"] >= 44, (*where, row["action"])
            assert row["action"]["width"] >= 0.8 * (row["right"] - row["left"]), where
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (path, "scrolls sideways", width)
    return rows


@pytest.fixture
def cases(world):
    """Cases in the states a dispatcher, a handler and a grid worker work through."""
    made = [
        report_case(
            world,
            world.manhole,
            title=LONG_TITLE,
            description=f"{LONG_TITLE}。" * 3,
            address="乐都区碾伯镇西大街12号",
        ),
        case_in(world, "accepted"),
        case_in(world, "dispatched", title=LONG_TITLE, is_urgent=True),
        case_in(world, "in_progress", title="路灯不亮"),
        case_in(world, "resolved", title="平安路井盖破损"),
        case_in(world, "returned"),
    ]
    return made


def test_the_dispatchers_lists_are_cards_on_a_phone(chromium, live_server, world, cases):
    from gongzhi.triage.models import Assessment

    Assessment.objects.create(case_ref=cases[0].number, status="pending", reason="low")
    context, page = phone(chromium, live_server, world.dispatcher, world.password)
    try:
        rows = cards(page, "/cases/", "[data-testid=case-row]", max_height=180)
        assert {r["id"] for r in rows} == {c.number for c in cases}
        cards(page, "/cases/?state=resolved", "[data-testid=case-row]", max_height=180)
        cards(page, "/cases/triage/", "[data-testid=triage-row]", max_height=300)
        cards(page, "/cases/rates/", "[data-testid=rate-row]", max_height=180, action=False)
        # The card leads with the number and the state on one line, then the title.
        row = page.locator("[data-testid=rate-row]").first
        assert row.is_visible()
        page.goto(page.base_url + "/cases/")
        first = page.locator(f'[data-testid=case-row][data-number="{cases[2].number}"]')
        number = first.get_by_text(cases[2].number, exact=True).bounding_box()
        state = first.locator("[data-testid=state]").bounding_box()
        title = first.get_by_text(LONG_TITLE).bounding_box()
        assert abs(number["y"] - state["y"]) < number["height"]
        assert title["y"] > number["y"] + number["height"] / 2
        # The next action opens the case.
        first.locator("[data-testid=row-action]").click()
        page.wait_for_url(f"**/cases/{cases[2].number}/")
    finally:
        context.close()


def test_the_handlers_inbox_and_the_grid_workers_tasks_are_cards_on_a_phone(
    chromium, live_server, world, cases
):
    context, page = phone(chromium, live_server, world.handler, world.password)
    try:
        rows = cards(page, "/cases/inbox/", "[data-testid=case-row]", max_height=180)
        assert {r["id"] for r in rows} == {c.number for c in cases[2:5]}
    finally:
        context.close()
    context, page = phone(chromium, live_server, world.grid_worker, world.password)
    try:
        cards(page, "/cases/tasks/", "[data-testid=task]", max_height=180, action=False)
    finally:
        context.close()


def test_the_mediators_lists_are_cards_on_a_phone(chromium, live_server, med):  # noqa: F811
    register(med, title="西关社区马家与韩家因院墙排水问题发生争执，多次协商未果")
    register(med)
    context, page = phone(chromium, live_server, med.village_mediator, med.password)
    try:
        cards(page, "/mediation/desk/", "[data-testid=dispute-row]", max_height=220)
        rows = cards(page, "/mediation/board/", "[data-testid=dispute-row]", max_height=220)
        assert len(rows) == 2
    finally:
        context.close()


# Each cell's box in a table, then again once the card classes, labels and phone-only cells
# are taken away: in one task, so no countdown ticks in between.
WITH_AND_WITHOUT_CARDS = """(selector) => {
  const table = document.querySelector(selector);
  const boxes = () => [...table.querySelectorAll('th, td')]
    .filter(cell => cell.getClientRects().length)
    .map(cell => { const r = cell.getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; });
  const before = boxes();
  table.classList.remove('cards');
  table.querySelectorAll('.card-only').forEach(cell => cell.remove());
  for (const cell of table.querySelectorAll('td')) {
    cell.removeAttribute('data-label');
    [...cell.classList].filter(c => c.startsWith('card-')).forEach(c => cell.classList.remove(c));
  }
  return [before, boxes()];
}"""


def test_on_a_wide_screen_the_lists_stay_tables(page, world, cases):
    """At 1440×900 the lists are the tables they were: the card classes move no cell."""
    from gongzhi.triage.models import Assessment

    Assessment.objects.create(case_ref=cases[0].number, status="pending", reason="low")
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, world.dispatcher.username, world.password)
    for path in ["/cases/", "/cases/rates/", "/cases/triage/"]:
        page.goto(page.base_url + path)
        assert page.locator("table.cards thead").is_visible(), path
        assert (
            page.locator("table.cards tbody tr").first.evaluate(
                "row => getComputedStyle(row).display"
            )
            == "table-row"
        ), path
        with_cards, without = page.evaluate(WITH_AND_WITHOUT_CARDS, "table.cards")
        assert len(with_cards) >= 10, path
        assert with_cards == without, path
    # The phone's tap target is not an extra column on a desk.
    page.goto(page.base_url + "/cases/")
    assert not page.locator("[data-testid=row-action]").first.is_visible()
