"""The openness API, as a client uses it: scoped reads, the same rules as the pages,
errors as ``{"error", "message", "field"}``."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from gongzhi.accounts.masking import mask_name
from gongzhi.deliberation.choices import MatterState, PublicationKind
from gongzhi.deliberation.models import Implementation, Objection, Rating
from gongzhi.deliberation.openness import services
from tests.web.phone import a_photo

pytestmark = pytest.mark.django_db
API = "/api/v1/deliberation"


def as_(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def pub(hall, matter):
    return services.create_publication(
        matter=matter,
        kind=PublicationKind.RESOLUTION,
        params={"text": "同意硬化村东巷道路。"},
        actor=hall.clerk,
        now=timezone.now(),
    )


def test_publications_are_scoped(hall, pub):
    rows = as_(hall.villagers[4]).get(f"{API}/publications").json()["items"]
    assert [r["id"] for r in rows] == [pub.pk]
    assert rows[0]["households_told"] == 12 and rows[0]["running"] is True
    assert as_(hall.outsider).get(f"{API}/publications").json()["items"] == []
    assert as_(hall.outsider).get(f"{API}/publications/{pub.pk}").status_code == 404
    assert as_(hall.township_staff).get(f"{API}/publications/{pub.pk}").status_code == 200
    assert Client().get(f"{API}/publications").status_code == 401


def test_object_and_answer_through_the_api(hall, pub):
    villager = as_(hall.villagers[5])
    bad = villager.post(
        f"{API}/publications/{pub.pk}/objections", {"body": "不"}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert bad.json()["field"] == "body" and bad.json()["message"]
    made = villager.post(
        f"{API}/publications/{pub.pk}/objections",
        {"body": "路线占了我家的地。"},
        content_type="application/json",
    )
    assert made.status_code == 201
    again = villager.post(
        f"{API}/publications/{pub.pk}/objections",
        {"body": "路线占了我家的地。"},
        content_type="application/json",
    )
    assert again.status_code == 409
    oid = made.json()["id"]
    # Another villager sees the objection with the objector's name masked.
    seen = as_(hall.villagers[6]).get(f"{API}/publications/{pub.pk}").json()
    assert seen["objections"][0]["author"] == mask_name(hall.villagers[5].display_name)
    assert hall.villagers[5].display_name not in str(seen)
    # The committee sees the name, and answers.
    assert (
        as_(hall.clerk).get(f"{API}/publications/{pub.pk}").json()["objections"][0]["author"]
        == hall.villagers[5].display_name
    )
    refused = villager.post(
        f"{API}/objections/{oid}/answer",
        {"answer": "自己答复自己"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    answered = as_(hall.clerk).post(
        f"{API}/objections/{oid}/answer",
        {"answer": "线路已调整，不占耕地。"},
        content_type="application/json",
    )
    assert answered.status_code == 200 and answered.json()["state"] == "answered"
    assert Objection.objects.get().answer == "线路已调整，不占耕地。"


def test_implementation_and_progress_through_the_api(hall, matter, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    due = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    clerk = as_(hall.clerk)
    over = clerk.post(
        f"{API}/matters/{matter.number}/implementations",
        {"title": "路面", "owner_name": "施工队", "due_on": due, "budget": "60000"},
        content_type="application/json",
    )
    assert over.status_code == 400 and over.json()["error"] == "over_budget"
    made = clerk.post(
        f"{API}/matters/{matter.number}/implementations",
        {"title": "路面", "owner": "secretary", "due_on": due, "budget": "40000"},
        content_type="application/json",
    )
    assert made.status_code == 201, made.json()
    tid = made.json()["id"]
    assert made.json()["owner_name"] == "祁书记"
    assert (
        as_(hall.villagers[0])
        .post(f"{API}/implementations/{tid}/progress", {"percent": 10, "note": "开工"})
        .status_code
        == 403
    )
    with open(a_photo(tmp_path), "rb") as photo:
        sent = as_(hall.secretary).post(
            f"{API}/implementations/{tid}/progress",
            {"percent": 60, "note": "路基完成", "photos": photo},
        )
    assert sent.status_code == 201, sent.json()
    assert len(sent.json()["photos"]) == 1
    shown = Client().get(sent.json()["photos"][0])
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    assert shown.getvalue()[:2] == b"\xff\xd8"  # a JPEG
    back = as_(hall.secretary).post(
        f"{API}/implementations/{tid}/progress", {"percent": 50, "note": "返工"}
    )
    assert back.status_code == 400 and back.json()["field"] == "percent"
    detail = as_(hall.villagers[2]).get(f"{API}/implementations/{tid}").json()
    assert detail["percent"] == 60 and detail["may_report"] is False
    assert [u["percent"] for u in detail["updates"]] == [60]
    assert as_(hall.outsider).get(f"{API}/implementations/{tid}").status_code == 404
    assert Implementation.objects.get().percent == 60


def test_rating_through_the_api(hall, make_matter):
    done = make_matter(state=MatterState.DONE)
    villager = as_(hall.villagers[7])
    assert villager.get(f"{API}/matters/{done.number}/ratings").json()["may_rate"] is True
    ok = villager.post(
        f"{API}/matters/{done.number}/ratings", {"stars": 5}, content_type="application/json"
    )
    assert ok.status_code == 201 and ok.json() == {
        "average": 5.0,
        "count": 1,
        "mine": 5,
        "may_rate": False,
    }
    twice = villager.post(
        f"{API}/matters/{done.number}/ratings", {"stars": 1}, content_type="application/json"
    )
    assert twice.status_code == 409
    assert (
        as_(hall.outsider)
        .post(f"{API}/matters/{done.number}/ratings", {"stars": 1}, content_type="application/json")
        .status_code
        == 404
    )
    assert Rating.objects.get().stars == 5
