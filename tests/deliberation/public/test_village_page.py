"""Each village's public page (no sign-in): its open topics with supports and clocks,
upcoming meetings with their agenda, published decisions with their progress, results and
ratings — and never a person's name, phone or ID number."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from gongzhi.deliberation.choices import MatterState, MeetingState, PublicationKind, TopicState
from gongzhi.deliberation.models import Publication

from .conftest import personal_data

pytestmark = pytest.mark.django_db


def _page(w, client=None) -> str:
    response = (client or Client()).get(f"/deliberation/v/{w.village.code}/")
    assert response.status_code == 200
    return response.content.decode()


def test_shows_what_the_village_raised_met_decided_and_did(hall, make):
    w = hall
    now = timezone.now()
    topic = make.topic(title="村口路灯坏了", supports_count=5, households_count=4, threshold=10)
    due = make.topic(
        title="灌溉渠清淤",
        state=TopicState.DUE,
        households_count=10,
        threshold=10,
        answer_due=now - dt.timedelta(days=1),
    )
    make.topic(title="已撤回的议题", state=TopicState.WITHDRAWN)
    make.topic(
        title="修建篮球场",
        state=TopicState.ANSWERED,
        answer="今年村集体资金已用于道路硬化，明年再议。",
        answered_at=now - dt.timedelta(days=3),
    )
    meeting = make.meeting(title="三月议事会", place="村委会议室")
    make.item(meeting, title="村口路灯维修")
    make.meeting(title="已取消的会", state=MeetingState.CANCELLED)
    road = make.decision(title="硬化村内主干道")
    work = make.implementation(road, percent=60, title="路基平整")
    make.progress(work, percent=60, note="路基已平整六成")
    make.rating(road, w.villagers[1], 4)
    make.rating(road, w.villagers[2], 5)
    make.decision(title="尚未公示的事项", state=MatterState.RESOLVED)

    html = _page(w)
    assert "村口路灯坏了" in html and topic.number in html
    assert 'data-testid="supports">5' in html
    assert "灌溉渠清淤" in html and due.number in html
    assert "已撤回的议题" not in html
    assert "今年村集体资金已用于道路硬化" in html  # the answer with its reason is public
    assert "三月议事会" in html and "村口路灯维修" in html and "村委会议室" in html
    assert "已取消的会" not in html
    assert "经村民代表会议表决通过" in html and "路基已平整六成" in html and "60%" in html
    assert "4.5" in html  # the rating average
    assert "尚未公示的事项" not in html


def test_no_personal_data_of_anyone(hall, make):
    w = hall
    make.topic(body="联系人电话 13912345678，身份证 630202197003010011。")
    road = make.decision()
    work = make.implementation(road, owner_name=w.heads[3].name)
    make.progress(work, percent=50, note=f"{w.heads[3].name}负责施工")
    meeting = make.meeting()
    make.attend(meeting, 5)
    html = _page(w)
    # A name typed into a note is masked like the owner's: the register knows the names.
    assert [v for v in personal_data(w) if v in html] == []
    assert "13912345678" not in html and "630202197003010011" not in html
    assert "139****5678" in html


def test_owner_names_are_masked(hall, make):
    w = hall
    road = make.decision()
    make.implementation(road, owner_name="马成林")
    html = _page(w)
    assert "马成林" not in html and "马*" in html


def test_open_to_everyone_and_cacheable(hall, make):
    w = hall
    make.topic()
    response = Client().get(f"/deliberation/v/{w.village.code}/")
    assert response.status_code == 200
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    signed_in = Client()
    signed_in.force_login(w.villagers[0])
    response = signed_in.get(f"/deliberation/v/{w.village.code}/")
    assert "private" in response["Cache-Control"]


def test_unknown_place_or_a_township_is_not_found(hall):
    w = hall
    assert Client().get("/deliberation/v/999999999999/").status_code == 404
    assert Client().get(f"/deliberation/v/{w.regions.nianbo.code}/").status_code == 404


def test_only_its_own_village(hall, make):
    w = hall
    make.topic(region=w.regions.xiguan, title="西关社区的议题", author=w.urban_residents[0])
    html = _page(w)
    assert "西关社区的议题" not in html


def test_a_decision_with_its_result_published(hall, make):
    w = hall
    road = make.decision(state=MatterState.DONE, done_at=timezone.now())
    make.implementation(road, percent=100)
    today = timezone.localdate()
    Publication.objects.create(
        region=w.village,
        matter=road,
        kind=PublicationKind.RESULT,
        text="主干道硬化完工，实际花费28万元。",
        starts_on=today,
        ends_on=today + dt.timedelta(days=7),
    )
    html = _page(w)
    assert "主干道硬化完工" in html and "100%" in html


def test_the_api_gives_the_same_page_without_sign_in(hall, make):
    w = hall
    make.topic(title="村口路灯坏了", supports_count=5, households_count=4, threshold=10)
    road = make.decision()
    make.implementation(road, owner_name="马成林", percent=30)
    response = Client().get(f"/api/v1/deliberation/public/{w.village.code}")
    assert response.status_code == 200
    data = response.json()
    assert data["name"] == "大古城村"
    assert [t["title"] for t in data["topics"]] == ["村口路灯坏了"]
    assert data["topics"][0]["supports"] == 5
    assert data["decisions"][0]["implementations"][0]["owner"] == "马**"
    body = response.content.decode()
    assert not [v for v in personal_data(w) if v in body]
    assert Client().get("/api/v1/deliberation/public/000").json()["error"] == "not_found"


def test_a_topics_photos_are_public_while_the_topic_is(hall, make, settings, tmp_path):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    settings.MEDIA_ROOT = tmp_path / "media"
    w = hall
    stored = {
        "file": default_storage.save("deliberation/topics/t/1.jpg", ContentFile(b"full")),
        "thumb": default_storage.save("deliberation/topics/t/1-t.jpg", ContentFile(b"thumb")),
    }
    topic = make.topic(photos=[stored])
    html = _page(w)
    url = f"/deliberation/v/{w.village.code}/topics/{topic.number}/photos/1/"
    assert f'src="{url}?thumb=1"' in html
    response = Client().get(url + "?thumb=1")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"thumb"
    assert Client().get(url.replace("/1/", "/2/")).status_code == 404
    topic.state = TopicState.WITHDRAWN
    topic.save(update_fields=["state"])
    assert Client().get(url).status_code == 404


def test_the_page_costs_the_same_queries_however_much_it_shows(hall, make):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    w = hall

    def add_one(n):
        make.topic(title=f"议题{n}")
        meeting = make.meeting(title=f"会议{n}")
        make.item(meeting, title=f"事项{n}")
        road = make.decision(title=f"决议{n}")
        work = make.implementation(road, percent=20)
        make.progress(work, percent=20)
        make.rating(road, w.villagers[n], 4)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            _page(w)
        return len(captured)

    add_one(1)
    one = queries()
    for n in range(2, 6):
        add_one(n)
    assert queries() == one
