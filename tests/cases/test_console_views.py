"""The consoles list exactly what their viewer may see, filter it, and stay cheap.

Cases are built through the services (tests.cases.test_permissions.case_in); assertions are
on data-testid attributes, status codes and stored data, never on translated text.
"""

import json
import re
from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongzhi.cases import stats
from gongzhi.cases.models import Callback, Case
from gongzhi.core.models import AuditLog
from gongzhi.taxonomy.models import Category
from tests.factories import call_case, case_in, move, png, report

pytestmark = pytest.mark.django_db

ROW = re.compile(r'data-testid="case-row" data-number="([^"]+)"')
TASK = re.compile(r'data-testid="task" data-number="([^"]+)"')
GRID_B_POINT = (102.415, 36.47)  # world.grid_b: same community, not the grid worker's grid


def numbers(response, pattern=ROW) -> set[str]:
    return set(pattern.findall(response.content.decode()))


def section(html: str, testid: str) -> str:
    """The HTML of one data-testid section, up to the next </section>."""
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index("</section>", start)]


def clone(case, count: int) -> list[Case]:
    """``count`` copies of a case with fresh numbers (cheap rows for list tests)."""
    prefix = case.number.rsplit("-", 1)[0]
    copies = []
    for i in range(count):
        copy = Case.objects.get(pk=case.pk)
        copy.pk = None
        copy.number = f"{prefix}-{900000 + i:06d}"
        copy.idempotency_key = None
        copies.append(copy)
    return Case.objects.bulk_create(copies)


# -- the queue ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "viewer,expected",
    [
        ("dispatcher", {"ledu_new", "ledu_doing", "ledu_closed"}),
        ("other_dispatcher", {"pingan_new"}),
        ("city_dispatcher", {"ledu_new", "ledu_doing", "ledu_closed", "pingan_new"}),
        ("operator", {"ledu_new", "ledu_doing", "ledu_closed", "pingan_new"}),
        ("leader", {"ledu_new", "ledu_doing", "ledu_closed", "pingan_new"}),
        ("admin", {"ledu_new", "ledu_doing", "ledu_closed", "pingan_new"}),
    ],
)
def test_the_queue_lists_exactly_the_visible_cases(client, world, spread, viewer, expected):
    client.force_login(getattr(world, viewer))
    response = client.get(reverse("cases:queue"))
    assert response.status_code == 200
    assert numbers(response) == {spread[k].number for k in expected}


@pytest.mark.parametrize(
    "viewer,console",
    [
        ("handler", "cases:inbox"),
        ("zjj_handler", "cases:inbox"),
        ("grid_worker", "cases:tasks"),
        ("resident", "cases:report"),
    ],
)
def test_people_without_a_desk_go_to_their_own_console(client, world, viewer, console):
    client.force_login(getattr(world, viewer))
    response = client.get(reverse("cases:queue"))
    assert response.status_code == 302 and response.url == reverse(console)


def test_the_queue_needs_a_login(client, world):
    response = client.get(reverse("cases:queue"))
    assert response.status_code == 302 and "login" in response.url


def test_queue_filters(client, world, spread):
    w = world
    client.force_login(w.city_dispatcher)
    url = reverse("cases:queue")
    hotline = call_case(w, w.pothole, title="路面坑洼")
    old = report(w, title="去年的老问题")
    Case.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    other = Category.objects.exclude(pk=w.manhole.parent_id).filter(parent__isnull=True).first()
    s = {k: v.number for k, v in spread.items()}

    def get(**params):
        return numbers(client.get(url, params))

    assert get(state=["reported"]) == {s["ledu_new"], s["pingan_new"], old.number}
    assert get(state=["reported", "closed"]) == {
        s["ledu_new"],
        s["pingan_new"],
        s["ledu_closed"],
        old.number,
    }
    assert get(channel="hotline") == {hotline.number}
    assert get(category=w.manhole.parent_id) == {*s.values(), hotline.number, old.number}
    assert get(category=other.pk) == set()
    assert get(region=w.regions.pingan.code) == {s["pingan_new"]}
    assert get(region=w.regions.nianbo.code) == {
        s["ledu_new"],
        s["ledu_doing"],
        s["ledu_closed"],
        hotline.number,
        old.number,
    }
    assert get(q=s["pingan_new"]) == {s["pingan_new"]}
    assert get(q="路灯") == {s["pingan_new"]}
    today = timezone.localdate()
    assert old.number not in get(date_from=(today - timedelta(days=7)).isoformat())
    assert get(date_to=(today - timedelta(days=30)).isoformat()) == {old.number}
    assert get(overdue="on") == set()
    Case.objects.filter(pk=spread["ledu_doing"].pk).update(
        resolve_due=timezone.now() - timedelta(hours=1)
    )
    assert get(overdue="on") == {s["ledu_doing"]}
    # A bad value is ignored, not fatal.
    assert client.get(url, {"date_from": "yesterday", "category": "x"}).status_code == 200
    # A period that ends before it starts is said, not answered with an empty list.
    backwards = {"date_from": today.isoformat(), "date_to": (today - timedelta(days=3)).isoformat()}
    html = client.get(url, backwards).content.decode()
    assert 'data-testid="filter-errors"' in html and "结束日期早于开始日期" in html


def test_queue_sorting(client, world):
    w = world
    soon = case_in(w, "in_progress")
    later = case_in(w, "in_progress")
    fresh = report(w)
    now = timezone.now()
    Case.objects.filter(pk=soon.pk).update(resolve_due=now + timedelta(hours=2))
    Case.objects.filter(pk=later.pk).update(
        resolve_due=now + timedelta(days=2), supervision_count=3
    )
    client.force_login(w.dispatcher)
    url = reverse("cases:queue")

    def order(sort):
        return ROW.findall(client.get(url, {"sort": sort}).content.decode())

    assert order("newest") == [fresh.number, later.number, soon.number]
    # A report waiting to be accepted races its acceptance deadline.
    Case.objects.filter(pk=fresh.pk).update(accept_due=now + timedelta(days=1))
    assert order("deadline") == [soon.number, fresh.number, later.number]
    assert order("supervised")[0] == later.number


def test_state_chips_count_the_other_filters_but_not_the_state(client, world, spread):
    client.force_login(world.city_dispatcher)
    html = client.get(reverse("cases:queue"), {"state": "closed"}).content.decode()
    assert re.search(r'data-testid="count-reported">2<', html)
    assert re.search(r'data-testid="count-in_progress">1<', html)
    assert re.search(r'data-testid="count-closed">1<', html)
    html = client.get(
        reverse("cases:queue"), {"state": "closed", "region": world.regions.pingan.code}
    ).content.decode()
    assert re.search(r'data-testid="count-reported">1<', html)
    assert re.search(r'data-testid="count-closed">0<', html)


def test_htmx_refreshes_only_the_table_and_the_chip_counts(client, world, spread):
    client.force_login(world.dispatcher)
    response = client.get(
        reverse("cases:queue"),
        {"state": "reported"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="queue-results",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'data-testid="queue-filters"' not in html
    assert html.lstrip().startswith('<section id="queue-results"')
    assert 'id="state-chips"' in html and 'hx-swap-oob="true"' in html
    assert numbers(response) == {spread["ledu_new"].number}
    assert "HX-Request" in response["Vary"]


def test_the_queue_pages_by_fifty(client, world):
    clone(report(world), 54)
    client.force_login(world.dispatcher)
    url = reverse("cases:queue")
    first = numbers(client.get(url))
    second = numbers(client.get(url, {"page": 2}))
    assert (len(first), len(second)) == (50, 5)
    assert 'data-testid="result-count" data-count="55"' in client.get(url).content.decode()
    assert not first & second
    assert 'data-testid="pager"' in client.get(url).content.decode()


@pytest.mark.parametrize("viewer", ["dispatcher", "admin"])
def test_the_queue_query_count_does_not_grow_with_the_rows(
    client, world, viewer, django_assert_max_num_queries
):
    base = case_in(world, "in_progress")
    client.force_login(getattr(world, viewer))
    url = reverse("cases:queue")
    client.get(url)  # warm caches that are not per request (content types, grid index)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    clone(base, 60)
    with django_assert_max_num_queries(12):
        response = client.get(url, {"sort": "deadline", "overdue": ""})
    assert len(numbers(response)) == 50
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


# -- the inbox -------------------------------------------------------------------------------------


def test_the_inbox_groups_the_units_cases(client, world):
    w = world
    to_sign = case_in(w, "dispatched")
    doing = case_in(w, "in_progress")
    done = case_in(w, "resolved")
    report(w)  # not dispatched: not the unit's yet
    other = report(w, point=w.other_point)
    move(other, "accept", w.other_dispatcher)
    move(other, "dispatch", w.other_dispatcher)
    client.force_login(w.handler)
    html = client.get(reverse("cases:inbox")).content.decode()
    assert set(ROW.findall(section(html, "group-to_sign"))) == {to_sign.number}
    assert set(ROW.findall(section(html, "group-in_progress"))) == {doing.number}
    assert set(ROW.findall(section(html, "group-recent"))) == {done.number}
    assert 'data-testid="deadline"' in section(html, "group-to_sign")

    client.force_login(w.other_handler)
    html = client.get(reverse("cases:inbox")).content.decode()
    assert set(ROW.findall(html)) == {other.number}
    assert set(ROW.findall(section(html, "group-to_sign"))) == {other.number}


def test_a_governments_leader_has_no_inbox_of_its_bureaus_cases(client, world):
    w = world
    case_in(w, "dispatched")
    inbox = reverse("cases:inbox")
    client.force_login(w.leader)  # 海东市人民政府: supervises 乐都区城市管理局, does not handle
    assert numbers(client.get(inbox)) == set()
    assert f'href="{inbox}"' not in client.get(reverse("cases:queue")).content.decode()
    client.force_login(w.cgj_head)  # the bureau's own head does
    assert len(numbers(client.get(inbox))) == 1
    assert f'href="{inbox}"' in client.get(inbox).content.decode()


def test_a_co_handling_unit_sees_the_case_in_its_inbox(client, world):
    w = world
    case = case_in(w, "in_progress")
    client.force_login(w.zjj_handler)
    assert numbers(client.get(reverse("cases:inbox"))) == set()
    move(case, "add_co_handlers", w.dispatcher, organisations=[w.zjj.pk], task="配合")
    html = client.get(reverse("cases:inbox")).content.decode()
    assert set(ROW.findall(section(html, "group-in_progress"))) == {case.number}
    assert 'data-testid="co-handled"' in html


def test_overdue_rows_are_marked(client, world):
    case = case_in(world, "dispatched")
    Case.objects.filter(pk=case.pk).update(sign_for_due=timezone.now() - timedelta(minutes=5))
    client.force_login(world.handler)
    html = section(client.get(reverse("cases:inbox")).content.decode(), "group-to_sign")
    assert 'class="overdue"' in html and 'data-late="1"' in html


def test_rows_due_soon_are_marked_from_when_the_owner_is_warned(client, world):
    """The queue and the inbox mark a deadline due soon from the moment the deadline scan
    warns its unit (the last fifth of the time to resolve, at least an hour)."""
    now = timezone.now()
    soon, calm, late = (case_in(world, "in_progress") for _ in range(3))
    week_ago = now - timedelta(days=7)
    Case.objects.filter(pk=soon.pk).update(
        dispatched_at=week_ago, resolve_due=now + timedelta(hours=3)
    )
    Case.objects.filter(pk=calm.pk).update(
        dispatched_at=week_ago, resolve_due=now + timedelta(days=3)
    )
    Case.objects.filter(pk=late.pk).update(
        dispatched_at=week_ago, resolve_due=now - timedelta(hours=1)
    )
    client.force_login(world.dispatcher)
    html = client.get(reverse("cases:queue")).content.decode()

    def marks(case):
        row = html[html.index(f'data-number="{case.number}"') :]
        row = row[: row.index("</tr>")]
        return re.search(r'data-late="(\d)" data-soon="(\d)"', row).groups()

    assert marks(soon) == ("0", "1") and marks(calm) == ("0", "0") and marks(late) == ("1", "0")
    page = client.get(reverse("cases:detail", args=[soon.number])).content.decode()
    assert 'class="deadline soon"' in page


@pytest.mark.parametrize("viewer", ["dispatcher", "operator", "grid_worker", "resident"])
def test_the_inbox_is_for_units(client, world, viewer):
    client.force_login(getattr(world, viewer))
    assert client.get(reverse("cases:inbox")).status_code == 302


# -- the grid worker's tasks -------------------------------------------------------------------------


def test_the_tasks_are_the_cases_in_the_workers_grids(client, world):
    w = world
    to_verify = case_in(w, "resolved")
    doing = case_in(w, "in_progress")
    case_in(w, "closed")
    report(w, point=GRID_B_POINT)  # the neighbouring grid: someone else's round
    report(w, point=w.other_point)
    client.force_login(w.grid_worker)
    response = client.get(reverse("cases:tasks"))
    html = response.content.decode()
    assert response.status_code == 200
    assert set(TASK.findall(section(html, "group-verify"))) == {to_verify.number}
    assert set(TASK.findall(section(html, "group-open"))) == {doing.number}
    # Each task opens the case page.
    assert f'href="{reverse("cases:detail", args=[to_verify.number])}"' in html


@pytest.mark.parametrize("viewer", ["dispatcher", "handler", "resident"])
def test_the_tasks_are_for_grid_workers(client, world, viewer):
    client.force_login(getattr(world, viewer))
    assert client.get(reverse("cases:tasks")).status_code == 302


# -- the case page -----------------------------------------------------------------------------------


def test_the_case_page_is_404_outside_the_viewers_scope(client, world):
    case = report(world, point=world.other_point)
    for viewer, status in [
        ("other_dispatcher", 200),
        ("city_dispatcher", 200),
        ("dispatcher", 404),
        ("handler", 404),
        ("grid_worker", 404),
        ("other_resident", 404),
    ]:
        client.force_login(getattr(world, viewer))
        response = client.get(reverse("cases:detail", args=[case.number]))
        assert response.status_code == status, viewer


def test_the_case_page_shows_the_case(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    w = world
    case = case_in(w, "in_progress", is_urgent=True)
    move(case, "add_co_handlers", w.dispatcher, organisations=[w.zjj.pk], task="配合")
    move(case, "comment", w.dispatcher, note="内部意见")
    client.force_login(w.dispatcher)
    html = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert 'data-testid="case-page"' in html and 'data-state="in_progress"' in html
    assert 'data-testid="urgent"' in html
    assert 'data-testid="deadlines"' in html
    assert 'data-testid="case-map"' in html and 'id="case-map-data"' in html
    actions = re.findall(r'data-testid="event" data-action="(\w+)"', html)
    assert actions == ["report", "accept", "dispatch", "sign_for", "add_co_handlers", "comment"]
    assert 'data-testid="co-handler"' in html and w.zjj.name in html
    assert w.cgj.name in section(html, "units")
    # Every form says which state the page showed.
    forms = re.findall(r'<form method="post" action="/cases/[^"]+/act/(\w+)/"', html)
    assert forms and len(re.findall(r'name="expected_state" value="in_progress"', html)) == len(
        forms
    )
    # The map gets the point and the grid's outline.
    data = json.loads(re.search(r'id="case-map-data"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert data["point"] == [w.point[0], w.point[1]]
    assert data["grid"]["type"] == "Polygon"


def test_the_dispatch_form_suggests_the_routed_unit_and_offers_units_in_scope(client, world):
    w = world
    case = case_in(w, "accepted")
    client.force_login(w.dispatcher)
    html = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    select = html[html.index('data-testid="dispatch-unit"') :]
    select = select[: select.index("</select>")]
    assert re.search(rf'<option value="{w.cgj.pk}" selected>', select)
    offered = set(int(pk) for pk in re.findall(r'<option value="(\d+)"', select))
    assert {w.cgj.pk, w.zjj.pk, w.township.pk, w.community.pk} <= offered
    assert w.other_cgj.pk not in offered and w.command.pk not in offered
    # A city-wide dispatcher is offered the units serving this place, not every county's.
    client.force_login(w.city_dispatcher)
    html = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    select = html[html.index('data-testid="dispatch-unit"') :]
    offered = set(
        int(pk) for pk in re.findall(r'<option value="(\d+)"', select[: select.index("</select>")])
    )
    assert {w.cgj.pk, w.zjj.pk, w.city_cgj.pk, w.community.pk} <= offered
    assert w.other_cgj.pk not in offered


def test_the_reporter_sees_only_the_public_timeline_and_no_staff_names(client, world):
    w = world
    case = case_in(w, "in_progress")
    move(case, "comment", w.dispatcher, note="内部意见")
    client.force_login(w.resident)
    response = client.get(reverse("cases:detail", args=[case.number]))
    html = response.content.decode()
    assert response.status_code == 200
    actions = re.findall(r'data-testid="event" data-action="(\w+)"', html)
    assert "comment" not in actions and "dispatch" in actions
    assert "内部意见" not in html
    assert w.handler.masked_name not in html
    assert 'data-testid="reporter"' not in html
    # The reporter may only withdraw their report (撤销).
    assert set(re.findall(r'data-testid="action-(\w+)"', html)) == {"withdraw"}


def test_the_reporters_personal_data_is_masked(client, world):
    w = world
    case = call_case(w, w.manhole, title="噪音扰民")
    client.force_login(w.dispatcher)
    html = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert "马秀兰" not in html and "13900001111" not in html
    assert "马**" in html and "139****1111" in html


def test_the_reporters_data_can_be_revealed_audited_by_roles_that_need_it(client, world):
    w = world
    case = call_case(w, w.manhole, title="噪音扰民")
    reveal_url = reverse("reveal_personal_data", args=["cases", "case", case.pk])
    client.force_login(w.leader)  # a leader's role may not unmask
    html = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert reveal_url not in html and "马秀兰" not in html
    client.force_login(w.dispatcher)
    html = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert reveal_url in html and "马秀兰" not in html
    response = client.post(
        reveal_url, {"fields": ["reporter_name", "reporter_phone"], "reason": "回访核实"}
    )
    assert response.status_code == 200
    assert "马秀兰" in response.content.decode() and "13900001111" in response.content.decode()
    entry = AuditLog.objects.get(action="unmask")
    assert entry.actor == w.dispatcher and entry.fields == ["reporter_name", "reporter_phone"]


def test_the_case_page_query_count_is_bounded(client, world, django_assert_max_num_queries):
    w = world
    case = case_in(w, "in_progress")
    for i in range(10):
        move(case, "comment", w.dispatcher, note=f"意见{i}")
    client.force_login(w.dispatcher)
    url = reverse("cases:detail", args=[case.number])
    client.get(url)
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200


# -- the map -----------------------------------------------------------------------------------------


def features(response) -> dict[str, dict]:
    data = response.json()
    assert data["type"] == "FeatureCollection"
    return {f["properties"]["number"]: f for f in data["features"]}


def test_map_data_is_scoped_geojson_of_open_cases(client, world, spread):
    w = world
    client.force_login(w.dispatcher)
    found = features(client.get(reverse("cases:map_data")))
    assert set(found) == {spread["ledu_new"].number, spread["ledu_doing"].number}
    point = found[spread["ledu_new"].number]
    assert point["geometry"] == {"type": "Point", "coordinates": list(w.point)}
    assert point["properties"]["state"] == "reported"
    assert point["properties"]["url"] == reverse("cases:detail", args=[spread["ledu_new"].number])
    client.force_login(w.other_dispatcher)
    assert set(features(client.get(reverse("cases:map_data")))) == {spread["pingan_new"].number}
    client.force_login(w.city_dispatcher)
    assert len(features(client.get(reverse("cases:map_data")))) == 3


def test_map_data_filters(client, world, spread):
    w = world
    client.force_login(w.city_dispatcher)
    url = reverse("cases:map_data")
    assert set(features(client.get(url, {"state": "in_progress"}))) == {spread["ledu_doing"].number}
    other = Category.objects.exclude(pk=w.manhole.parent_id).filter(parent__isnull=True).first()
    assert features(client.get(url, {"category": other.pk})) == {}
    assert len(features(client.get(url, {"category": w.manhole.parent_id}))) == 3
    assert features(client.get(url, {"overdue": "on"})) == {}
    Case.objects.filter(pk=spread["ledu_doing"].pk).update(is_overdue=True)
    found = features(client.get(url, {"overdue": "on"}))
    assert set(found) == {spread["ledu_doing"].number}
    assert found[spread["ledu_doing"].number]["properties"]["overdue"] is True


def test_the_map_is_for_staff(client, world):
    client.force_login(world.resident)
    assert client.get(reverse("cases:map")).status_code == 302
    assert client.get(reverse("cases:map_data")).status_code == 403
    client.force_login(world.handler)
    response = client.get(reverse("cases:map"))
    assert response.status_code == 200
    assert 'data-testid="cases-map"' in response.content.decode()


# -- the rates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("group_by", ["unit", "county", "township", "category", "month", None])
def test_the_rates_page_shows_what_stats_computes(client, world, rated, group_by):
    client.force_login(world.city_dispatcher)
    params = {"group_by": group_by} if group_by else {}
    response = client.get(reverse("cases:rates"), params)
    assert response.status_code == 200
    today = timezone.localdate()
    start = timezone.make_aware(datetime.combine(today - timedelta(days=29), time.min))
    end = timezone.make_aware(datetime.combine(today + timedelta(days=1), time.min))
    expected = stats.rates(
        viewer=world.city_dispatcher, group_by=group_by or "unit", start=start, end=end
    )
    assert response.context["rows"] == expected
    html = response.content.decode()
    shown = re.findall(
        r'data-testid="rate-row" data-key="([^"]*)" data-total="(\d+)"\s+'
        r'data-response-rate="([^"]*)" data-resolution-rate="([^"]*)" '
        r'data-satisfaction-rate="([^"]*)"',
        html,
    )

    def text(value):
        return "" if value is None else str(value)

    assert shown == [
        (
            row["key"],
            str(row["total"]),
            text(row["response_rate"]),
            text(row["resolution_rate"]),
            text(row["satisfaction_rate"]),
        )
        for row in expected
    ]
    overall = stats.rates(viewer=world.city_dispatcher, group_by="all", start=start, end=end)[0]
    assert overall["total"] == 4
    assert overall["counts"]["rated"] == 2 and overall["resolution_rate"] == 0.5


def test_the_rates_are_scoped_and_the_period_is_chosen(client, world, rated):
    client.force_login(world.other_dispatcher)
    response = client.get(reverse("cases:rates"), {"group_by": "county"})
    assert [r["total"] for r in response.context["rows"]] == [1]
    Case.objects.update(created_at=timezone.now() - timedelta(days=60))
    # A raw UPDATE marks nothing: the rollups the rates read are rebuilt, as after any.
    from gongzhi.command import rollups

    rollups.rebuild()
    client.force_login(world.dispatcher)
    assert client.get(reverse("cases:rates")).context["rows"] == []
    start = (timezone.localdate() - timedelta(days=90)).isoformat()
    rows = client.get(reverse("cases:rates"), {"start": start, "group_by": "unit"}).context["rows"]
    assert sum(r["total"] for r in rows) == 3
    assert Callback.objects.count() == 2


def test_the_rates_are_for_staff(client, world):
    client.force_login(world.resident)
    assert client.get(reverse("cases:rates")).status_code == 302


def test_photos_are_served_only_to_those_who_see_the_case(client, world, settings, tmp_path):
    """The case page's photos come through a scoped view: uploads have no public URL."""
    from gongzhi.cases.workflow import services as transitions

    settings.MEDIA_ROOT = tmp_path
    case = case_in(world, "in_progress")
    transitions.do_transition(
        case=case, action="resolve", actor=world.handler, photos=[png()], result="已补装井盖"
    )
    client.force_login(world.dispatcher)
    html = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    thumb = re.search(r'data-testid="photo"><img src="([^"]+)"', html).group(1)
    full = re.search(r'<a href="([^"]+)"[^>]*data-testid="photo">', html).group(1)
    response = client.get(thumb)
    assert response.status_code == 200 and response["Cache-Control"].startswith("private")
    assert b"".join(response.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"
    client.force_login(world.other_dispatcher)
    assert client.get(full).status_code == 404


def test_the_queue_filters_the_cases_whose_unit_was_warned(client, world):
    from gongzhi.cases.workflow import deadlines

    now = timezone.now()
    soon, calm = case_in(world, "in_progress"), case_in(world, "in_progress")
    Case.objects.filter(pk=soon.pk).update(
        dispatched_at=now - timedelta(days=7), resolve_due=now + timedelta(hours=3)
    )
    Case.objects.filter(pk=calm.pk).update(
        dispatched_at=now - timedelta(days=1), resolve_due=now + timedelta(days=6)
    )
    deadlines.scan(now=now)  # the watcher's scan warns the first unit
    client.force_login(world.dispatcher)
    listed = numbers(client.get(reverse("cases:queue"), {"due_soon": "on"}))
    assert listed == {soon.number}
    api = client.get("/api/v1/cases", {"due_soon": "true"}).json()
    assert [c["number"] for c in api["items"]] == [soon.number]
    # Past its deadline it is overdue instead, and leaves this list.
    Case.objects.filter(pk=soon.pk).update(resolve_due=now - timedelta(minutes=1))
    assert numbers(client.get(reverse("cases:queue"), {"due_soon": "on"})) == set()


def test_a_countdown_under_a_minute_does_not_read_zero():
    from django.utils import translation

    from gongzhi.cases.templatetags.gongzhi_cases import human_duration

    with translation.override("en"):
        assert human_duration(timedelta(seconds=-40)) == "under a minute"
        assert human_duration(timedelta(minutes=3, seconds=5)) == "3 min"
    with translation.override("zh-hans"):
        assert human_duration(timedelta(seconds=40)) == "不足 1 分钟"


def test_the_rates_chart_leaves_out_rows_without_any_rate(client, world, rated):
    report(world)  # nobody has taken it on: no lead unit, no rate yet
    client.force_login(world.city_dispatcher)
    response = client.get(reverse("cases:rates"), {"group_by": "unit"})
    labels = [label for _row, label in response.context["table"]]
    unowned = [label for row, label in response.context["table"] if not row["key"]]
    assert unowned and unowned[0] in labels
    assert unowned[0] not in response.context["chart"]["labels"]


def test_the_callback_list_holds_closed_cases_nobody_has_asked_yet(client, world, settings):
    """回访: the operators' list of closed cases whose caller has not been asked, the one
    closed longest ago first; rated, reopened, stale and unreachable cases leave it."""
    now = timezone.now()

    def called_in(state="closed"):
        return case_in(world, state, reporter=None, reporter_phone="13900002222")

    older, newer, hotline, rated, stale = (called_in() for _ in range(5))
    open_case = called_in("in_progress")
    anonymous = case_in(world, "closed", reporter=None, is_anonymous=True)
    in_app = case_in(world, "closed")  # a resident's own report: asked on the tracking page
    days = settings.GONGZHI["CALLBACK_WINDOW_DAYS"]
    for case, ago in ((older, 5), (newer, 1), (hotline, 3), (stale, days + 1)):
        Case.objects.filter(pk=case.pk).update(closed_at=now - timedelta(days=ago))
    move(rated, "callback", world.operator, resolved=True, satisfaction="satisfied")
    expected = [older.number, hotline.number, newer.number]

    client.force_login(world.operator)
    url = reverse("cases:queue")
    page = client.get(url, {"awaiting_callback": "on", "sort": "closed"})
    assert ROW.findall(page.content.decode()) == expected
    assert "<h1>回访</h1>" in page.content.decode()
    left_out = {rated.number, stale.number, anonymous.number, in_app.number, open_case.number}
    assert not left_out & numbers(page)
    # Each row says when the case was closed: how long the caller has waited to be asked.
    closed = timezone.localtime(Case.objects.get(pk=older.pk).closed_at)
    assert f'data-testid="closed-at">{closed:%m-%d %H:%M} 结案<' in page.content.decode()
    api = client.get("/api/v1/cases", {"awaiting_callback": "true", "ordering": "closed"}).json()
    assert [c["number"] for c in api["items"]] == expected
    # The operator's menu and overview lead there, with the count.
    home = client.get(reverse("home")).content.decode()
    assert 'data-testid="nav-callbacks"' in home
    assert f'data-testid="cases-awaiting-callback">{len(expected)}<' in home

    # Once the caller is reached and answers, the case leaves the list.
    move(hotline, "callback", world.operator, resolved=True, satisfaction="basic")
    assert numbers(client.get(url, {"awaiting_callback": "on"})) == {older.number, newer.number}
    # An unhappy answer reopens the case: it is work again, not a call to make.
    move(older, "callback", world.operator, resolved=False, satisfaction="unsatisfied")
    assert numbers(client.get(url, {"awaiting_callback": "on"})) == {newer.number}
    # Another centre's operator has none of them to call.
    client.force_login(world.other_dispatcher)
    assert numbers(client.get(url, {"awaiting_callback": "on"})) == set()


def test_the_callback_list_is_in_the_menu_of_those_who_call_back(client, world):
    for user, shown in ((world.operator, True), (world.dispatcher, True), (world.handler, False)):
        client.force_login(user)
        html = client.get(reverse("cases:queue") if shown else reverse("cases:inbox")).content
        assert (b'data-testid="nav-callbacks"' in html) is shown, user


def test_the_map_says_it_loads_no_tiles_only_when_it_loads_none(client, world, settings):
    client.force_login(world.dispatcher)
    html = client.get(reverse("cases:map")).content.decode()
    hint = html[html.index('data-testid="map-legend-hint"') :].split("</p>")[0]
    assert "离线" in hint and "县（区）为蓝色" in hint
    settings.GONGZHI = {
        **settings.GONGZHI,
        "MAP_TILES": ["https://tiles.example.test/{z}/{x}/{y}.png"],
    }
    html = client.get(reverse("cases:map")).content.decode()
    hint = html[html.index('data-testid="map-legend-hint"') :].split("</p>")[0]
    assert "离线" not in hint and "县（区）为蓝色" in hint
