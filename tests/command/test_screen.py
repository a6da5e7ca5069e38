"""The big screen's data: every panel counts and shows only the viewer's place, drill-down
stays inside it, the live messages carry no one's name, and only the people who run the
place may open it."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from gongzhi.accounts.models import Role
from gongzhi.command.models import PublicSafetyFigure
from gongzhi.core.models import PushMessage
from gongzhi.surveys import services
from gongzhi.surveys.models import SampleMember
from tests.factories import UserFactory, move, report_case
from tests.surveys import conftest as surveys_world
from tests.surveys.conftest import fielded, pick

sv = surveys_world.sv  # the surveys' world (a fixture): registers, populations, leaders

pytestmark = pytest.mark.django_db

GAOMIAO = (102.43, 36.47)  # the other township of 乐都区


def _leader(world, org, username):
    return UserFactory(username=username, display_name=username, organisation=org, role=Role.LEADER)


def _screen(client, user, **params):
    client.force_login(user)
    return client.get("/api/v1/command/screen", params)


@pytest.fixture
def cases(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        found = {
            "xiguan": report_case(world, world.manhole, title="西关井盖"),
            "gaomiao": report_case(world, world.pothole, point=GAOMIAO, title="高庙路面"),
            "pingan": report_case(world, world.manhole, point=world.other_point, title="平安井盖"),
        }
    return found


def _numbers(rows, key="number"):
    return {row[key] if key else row for row in rows}


def _ticker_numbers(body):
    return {m["data"].get("number") for m in body["ticker"] if m["topic"] == "cases"}


def test_a_county_leaders_screen_shows_their_county_only(client, world, cases):
    county = _leader(world, world.command.parent, "countylead")
    body = _screen(client, county).json()
    mine = {cases["xiguan"].number, cases["gaomiao"].number}
    assert body["today"]["reported"] == 2
    assert body["month"]["reported"] == 2
    assert _numbers(body["map"]["cases"]) == mine
    assert _ticker_numbers(body) == mine
    assert {h["code"] for h in body["hotspots"]} <= {g.code for g in _ledu_grids(world)}
    assert all(r["label"] != "平安区城市管理局" for r in body["units"]["by_rates"])
    # Each counted figure opens the queue on its records (a leader has the queue).
    assert body["today"]["links"]["reported"].startswith("/cases/")

    # Drilling down to the county lists its two townships, each a place to drill into.
    body = _screen(client, county, region="630202").json()
    assert body["region"]["code"] == "630202"
    assert {r["code"] for r in body["regions"] if r["reported"]} == {"630202100", "630202101"}

    # Another county is refused, with the one error shape and nothing of it shown.
    refused = _screen(client, county, region="630203")
    assert refused.status_code in (400, 403, 404)
    assert refused.json()["message"]
    assert "平安" not in refused.content.decode()


def _ledu_grids(world):
    from gongzhi.regions.models import Grid

    return Grid.objects.filter(region_path__startswith=world.regions.ledu.path)


def test_a_township_screen_shows_no_other_townships_records(client, world, cases):
    township = _leader(world, world.township, "townlead")
    body = _screen(client, township).json()
    assert body["today"]["reported"] == 1
    assert _numbers(body["map"]["cases"]) == {cases["xiguan"].number}
    assert _ticker_numbers(body) == {cases["xiguan"].number}
    assert {h["code"] for h in body["hotspots"]} == {world.grid.code}
    text = json.dumps(body, ensure_ascii=False)
    assert "高庙路面" not in text and "平安井盖" not in text

    # Drilling into its own grid narrows the map and the ticker to the grid; the
    # neighbouring township and its grid are refused.
    body = _screen(client, township, grid=world.grid.code).json()
    assert body["grid"]["code"] == world.grid.code
    assert body["region"]["code"] == "630202100"
    assert _numbers(body["map"]["cases"]) == {cases["xiguan"].number}
    assert _screen(client, township, region="630202101").status_code in (400, 403, 404)
    assert _screen(client, township, grid="630202101201-01").status_code == 404


def test_the_screen_data_has_every_panel(client, world, cases):
    body = _screen(client, world.admin, region="630202").json()
    for panel in ("today", "month", "units", "categories", "regions", "hotspots", "disputes"):
        assert panel in body
    for measure in ("reported", "closed", "overdue", "response_rate", "resolution_rate"):
        assert measure in body["today"]
    assert [r["risk"] for r in body["disputes"]] == ["major", "serious", "general"]
    assert isinstance(body["visits_late"], int)
    assert body["sensing"] is not None  # an administrator sees every camera and sensor
    assert body["categories"][0]["reported"] == 2 and body["categories"][0]["previous"] == 0
    assert body["map"]["bounds"] == pytest.approx([102.40, 36.46, 102.44, 36.50])
    assert body["push_after"] >= max(m["id"] for m in body["ticker"])


def test_live_messages_carry_no_personal_data(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        # The world's resident 马秀兰 (13900001111) reports from the 随手拍 page.
        case = report_case(
            world,
            world.manhole,
            title="井盖丢了",
            reporter_name="马秀兰",
            reporter_phone="13900001111",
        )
    with django_capture_on_commit_callbacks(execute=True):
        move(case, "accept", world.dispatcher)
    messages = list(PushMessage.objects.filter(topic="cases").order_by("id"))
    assert [m.kind for m in messages] == ["case.new", "case.step"]
    new, step = messages
    assert new.region_path == case.region_path
    assert new.data["number"] == case.number and new.data["lat"] == case.lat
    assert step.data["state"] == "accepted"
    for message in messages:
        text = json.dumps(message.data, ensure_ascii=False)
        assert "马秀兰" not in text and "13900001111" not in text


def test_only_leaders_dispatchers_and_administrators_open_the_screen(client, world):
    for person in (world.resident, world.grid_worker, world.handler):
        client.force_login(person)
        assert client.get("/api/v1/command/screen").status_code == 403
        assert client.get("/command/screen/").status_code == 403
    client.force_login(world.dispatcher)
    page = client.get("/command/screen/")
    assert page.status_code == 200
    assert 'data-testid="screen"' in page.content.decode()
    assert 'data-push-topic="cases"' in page.content.decode()
    refused = client.get("/command/screen/?region=630203")
    assert refused.status_code in (400, 403, 404)
    assert 'data-testid="screen-refused"' in refused.content.decode()


# -- the survey and the public-safety figures -----------------------------------------------


@pytest.fixture
def surveyed(sv):
    """A city-wide wave: 碾伯镇 answers 很安全 and 安全, 平安镇 不太安全; satisfaction 满意.
    The police's figures for 碾伯镇 and 平安镇 last month and this one."""
    w = sv
    w.wave = fielded(w, w.regions.city, per_township=2)
    questions = services.questions_of(w.wave)
    for town, labels in ((w.nianbo, ["很安全", "安全"]), (w.pingan_town, ["不太安全"])):
        members = SampleMember.objects.filter(wave=w.wave, region=town).order_by("pk")
        for member, label in zip(members, labels, strict=False):
            services.do_record_call(
                user=w.operator,
                member=member,
                outcome="answered",
                answers=pick(questions, label, "满意"),
            )
    today = timezone.localdate().replace(day=1)
    last = (today - dt.timedelta(days=1)).replace(day=1)
    for town, month, criminal in (
        (w.nianbo, last, 4),
        (w.nianbo, today, 2),
        (w.pingan_town, today, 30),
    ):
        PublicSafetyFigure.objects.create(
            month=month,
            township=town,
            region_path=town.path,
            criminal=criminal,
            public_order=5,
            imported_at=timezone.now(),
        )
    return w


def test_the_survey_and_safety_panels_follow_the_viewers_scope(
    client, surveyed, django_assert_max_num_queries
):
    w = surveyed
    city = _screen(client, w.leader).json()
    survey = city["survey"]
    assert survey["wave"]["id"] == w.wave.pk and survey["region"]["code"] == "630200"
    safety = survey["measures"]["safety"]
    assert safety["n"] == 3 and safety["low"] <= safety["mean"] <= safety["high"]
    assert survey["measures"]["satisfaction"]["mean"] == 80
    assert {a["code"] for a in survey["areas"]} == {"630202", "630203"}  # the counties
    assert survey["url"] == "/surveys/results/?region=630200"
    months = city["safety"]["months"]
    assert len(months) == 6 and months[-1]["criminal"] == 32 and months[-2]["criminal"] == 4
    assert city["safety"]["url"] == "/command/safety/"

    county = _screen(client, w.ledu_leader).json()
    assert county["survey"]["region"]["code"] == "630202"
    assert [a["name"] for a in county["survey"]["areas"]] == ["碾伯镇", "高庙镇"]
    assert county["survey"]["measures"]["safety"]["n"] == 2
    assert [m["criminal"] for m in county["safety"]["months"][-2:]] == [4, 2]
    assert "平安" not in json.dumps(county["survey"], ensure_ascii=False)
    assert county["survey"]["url"] == "/surveys/results/?region=630202"

    # The panels' reads do not grow with the data: a second township's answers and figures
    # add no query.
    client.force_login(w.leader)
    with django_assert_max_num_queries(200) as before:
        client.get("/api/v1/command/screen")
    PublicSafetyFigure.objects.create(
        month=timezone.localdate().replace(day=1),
        township=w.gaomiao,
        region_path=w.gaomiao.path,
        criminal=1,
        public_order=1,
        imported_at=timezone.now(),
    )
    member = SampleMember.objects.filter(wave=w.wave, region=w.gaomiao).first()
    services.do_record_call(
        user=w.operator,
        member=member,
        outcome="answered",
        answers=pick(services.questions_of(w.wave), "安全", "满意"),
    )
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get("/api/v1/command/screen")


def test_without_a_wave_the_survey_panel_says_so(client, sv):
    body = _screen(client, sv.ledu_leader).json()
    assert body["survey"] is None
    assert body["safety"]["months"][-1]["criminal"] is None  # no figures imported yet
    client.force_login(sv.ledu_leader)
    page = client.get("/command/screen/").content.decode()
    assert 'data-panel="survey"' in page and "暂无调查" in page  # "No survey yet", in Chinese


def test_legal_aid_and_questions_waiting_reach_the_screen_of_those_who_read_them(client, world):
    from decimal import Decimal

    from gongzhi.legal.aid import services as aid
    from gongzhi.legal.models import AidMatterType
    from tests.legal.aid.conftest import id_number

    aid.do_apply(
        data=aid.ApplicationIn(
            matter_type_id=AidMatterType.objects.get(code="wages").pk,
            summary="老板拖欠三个月工资共计一万二千元，多次讨要未果。",
            region_id=world.regions.xiguan.pk,
            name="马秀兰",
            id_number=id_number(),
            phone="13900001111",
            household_size=3,
            monthly_income_per_head=Decimal("800"),
            pledge=True,
        ),
        actor=world.resident,
    )
    legal = _screen(client, world.admin, region="630202").json()["legal"]
    assert legal == {
        "aid_pending": 1,
        "aid_overdue": 0,
        "questions_waiting": 0,
        "questions_overdue": 0,
    }
    assert _screen(client, world.admin, region="630203").json()["legal"]["aid_pending"] == 0
    # The command centre's dispatcher reads no legal figures: the panel is left out.
    assert _screen(client, world.dispatcher).json()["legal"] is None


def test_late_village_topics_and_overdue_tasks_reach_the_screen_of_those_who_oversee(client, world):
    import datetime as dt

    from django.utils import timezone

    from gongzhi.deliberation.choices import MatterState, TopicState
    from gongzhi.deliberation.models import Implementation, Matter, Topic

    xiguan = world.regions.xiguan
    now = timezone.now()
    for n, due in enumerate((now - dt.timedelta(days=1), now + dt.timedelta(days=3))):
        Topic.objects.create(
            number=f"YT-2026-0000{n}",
            region=xiguan,
            title="路灯坏了",
            body="西关街路灯坏了三盏。",
            state=TopicState.DUE,
            answer_due=due,
        )
    matter = Matter.objects.create(
        number="YS-2026-00001",
        region=xiguan,
        title="硬化道路",
        summary="硬化西关街小巷。",
        state=MatterState.IMPLEMENTING,
        major=False,
    )
    Implementation.objects.create(
        matter=matter,
        region=xiguan,
        title="铺设路面",
        owner_name="社区居委会",
        due_on=timezone.localdate() - dt.timedelta(days=2),
    )
    hall = _screen(client, world.admin, region="630202").json()["deliberation"]
    assert hall == {"topics_late": 1, "tasks_overdue": 1}
    assert _screen(client, world.admin, region="630203").json()["deliberation"] == {
        "topics_late": 0,
        "tasks_overdue": 0,
    }
    # The county's command centre oversees its villages; the next county's sees none of them.
    assert _screen(client, world.dispatcher).json()["deliberation"]["topics_late"] == 1
    assert _screen(client, world.other_dispatcher).json()["deliberation"]["topics_late"] == 0


def test_a_communitys_screen_opens_without_a_category_breakdown(client, world, cases):
    """The category rollups are kept per township: a community's screen opens (it was a 500)
    with its own cases, and the figures API says why it has no category split there."""
    county = _leader(world, world.command.parent, "countylead")
    response = _screen(client, county, region="630202100001")
    assert response.status_code == 200
    body = response.json()
    assert body["region"]["code"] == "630202100001"
    assert body["categories"] == []
    refused = client.get(
        "/api/v1/command/figures/breakdown",
        {"region": "630202100001", "by": "category", "start": "2026-01-01", "end": "2026-01-31"},
    )
    assert refused.status_code == 400 and refused.json()["error"] == "too_fine"


def test_the_screen_shows_the_command_centres_own_rates_and_direct_answers(
    client, world, django_capture_on_commit_callbacks
):
    from gongzhi.cases.models import Case
    from gongzhi.cases.stats import rates
    from gongzhi.command import rollups
    from tests.factories import call_case

    with django_capture_on_commit_callbacks(execute=True):
        on_time = move(report_case(world, world.manhole, title="西关井盖"), "accept", world.admin)
        move(on_time, "dispatch", world.admin)
        late = report_case(world, world.pothole, title="西关路面")
    Case.objects.filter(pk=late.pk).update(accept_due=late.created_at)  # already passed
    with django_capture_on_commit_callbacks(execute=True):
        move(late, "accept", world.admin)
        call = call_case(world, world.manhole, title="井盖归谁管", description="咨询")
        move(call, "answer", world.admin, answer="由城管部门负责")
    rollups.rebuild()
    today = _screen(client, world.admin).json()["today"]
    [stats] = rates(viewer=world.admin)
    assert today["answered"] == stats["answered"] == 1
    assert today["accept_base"] == stats["command_counts"]["accept_base"] == 2
    assert today["accept_rate"] == stats["accept_rate"] == 0.5
    assert today["dispatch_rate"] == stats["dispatch_rate"] == 1.0
