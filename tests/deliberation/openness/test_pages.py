"""The openness pages through the Django test client: a publication with its objections,
a task's progress, the committee's list (late first) and the matter page's panel; every act
goes through the one POST door and bad input changes nothing."""

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts.masking import mask_name
from gongzhi.deliberation.choices import MatterState, PublicationKind
from gongzhi.deliberation.models import Implementation, Objection, Rating
from gongzhi.deliberation.openness import queries, services

pytestmark = pytest.mark.django_db
ACT = "/deliberation/openness/act/"


def as_(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def pub(hall, matter):
    return services.create_publication(
        matter=matter,
        kind=PublicationKind.RESOLUTION,
        params={"text": "同意硬化村东巷道路，预算五万元。"},
        actor=hall.clerk,
        now=timezone.now(),
    )


def test_a_villager_objects_on_the_publication_page(hall, pub):
    villager = as_(hall.villagers[3])
    page = villager.get(reverse("deliberation:publication", args=[pub.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "同意硬化村东巷道路" in html and 'data-testid="object-form"' in html
    short = villager.post(ACT, {"action": "object", "id": pub.pk, "body": "不行"})
    assert short.status_code == 400
    assert 'data-testid="error-body"' in short.content.decode()
    assert not Objection.objects.exists()
    sent = villager.post(ACT, {"action": "object", "id": pub.pk, "body": "路线经过我家耕地。"})
    assert sent.status_code == 302
    assert Objection.objects.get().author == hall.villagers[3]
    # Now waiting for an answer: no second form.
    again = villager.get(reverse("deliberation:publication", args=[pub.pk])).content.decode()
    assert 'data-testid="object-form"' not in again


def test_objector_masked_for_others_and_answered_by_the_committee(hall, pub):
    services.do_object(actor=hall.villagers[3], publication=pub, body="路线经过我家耕地。")
    name = hall.villagers[3].display_name
    other = as_(hall.villagers[4]).get(reverse("deliberation:publication", args=[pub.pk]))
    assert name not in other.content.decode()
    assert mask_name(name) in other.content.decode()
    assert 'data-testid="object-form"' in other.content.decode()
    assert 'data-testid="answer-form"' not in other.content.decode()
    clerk = as_(hall.clerk)
    page = clerk.get(reverse("deliberation:publication", args=[pub.pk])).content.decode()
    assert name in page and 'data-testid="answer-form"' in page
    objection = Objection.objects.get()
    answered = clerk.post(
        ACT, {"action": "answer", "id": objection.pk, "answer": "已改线，绕开耕地。"}
    )
    assert answered.status_code == 302
    objection.refresh_from_db()
    assert objection.answer == "已改线，绕开耕地。"


def test_outsiders_do_not_see_the_publication(hall, pub):
    assert (
        as_(hall.outsider).get(reverse("deliberation:publication", args=[pub.pk])).status_code
        == 404
    )
    anonymous = Client().get(reverse("deliberation:publication", args=[pub.pk]))
    assert anonymous.status_code == 302
    posted = as_(hall.outsider).post(
        ACT, {"action": "object", "id": pub.pk, "body": "我反对这个。"}
    )
    assert posted.status_code == 404
    assert not Objection.objects.exists()


def test_progress_on_the_task_page(hall, matter):
    due = timezone.localdate() + dt.timedelta(days=10)
    task = services.do_add_implementation(
        actor=hall.clerk, matter=matter, title="路面浇筑", owner=hall.secretary, due_on=due
    )
    url = reverse("deliberation:implementation", args=[task.pk])
    assert 'data-testid="progress-form"' in as_(hall.secretary).get(url).content.decode()
    villager_page = as_(hall.villagers[1]).get(url)
    assert villager_page.status_code == 200
    assert 'data-testid="progress-form"' not in villager_page.content.decode()
    refused = as_(hall.villagers[1]).post(
        ACT, {"action": "progress", "id": task.pk, "percent": 20, "note": "开工"}
    )
    assert refused.status_code == 403
    bad = as_(hall.secretary).post(
        ACT, {"action": "progress", "id": task.pk, "percent": 120, "note": "开工"}
    )
    assert bad.status_code == 400
    ok = as_(hall.secretary).post(
        ACT, {"action": "progress", "id": task.pk, "percent": 20, "note": "开工"}
    )
    assert ok.status_code == 302
    task.refresh_from_db()
    assert task.percent == 20


def test_committee_list_shows_late_tasks_first(hall, make_matter, today):
    matter = make_matter(state=MatterState.IMPLEMENTING)
    later = Implementation.objects.create(
        matter=matter, region=matter.region, title="验收", owner_name="村委会", due_on=today
    )
    late = Implementation.objects.create(
        matter=matter,
        region=matter.region,
        title="路面",
        owner_name="村委会",
        due_on=today + dt.timedelta(days=40),
    )
    Implementation.objects.filter(pk=late.pk).update(due_on=today - dt.timedelta(days=2))
    for user in (hall.clerk, hall.township_staff):
        page = as_(user).get(reverse("deliberation:implementations"))
        rows = [r.pk for r in page.context["rows"]]
        assert rows == [late.pk, later.pk]
    assert as_(hall.other_clerk).get(reverse("deliberation:implementations")).context["rows"] == []
    assert as_(hall.villagers[0]).get(reverse("deliberation:implementations")).status_code == 403


def test_add_task_from_the_matter_panel(hall, matter):
    due = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    back = f"/deliberation/matters/{matter.number}/"
    over = as_(hall.clerk).post(
        ACT,
        {
            "action": "add_implementation",
            "matter": matter.number,
            "title": "路面",
            "owner_name": "施工队",
            "due_on": due,
            "budget": "99999",
            "next": back,
        },
    )
    assert over.status_code == 302 and over.url == back
    assert not Implementation.objects.exists()
    ok = as_(hall.clerk).post(
        ACT,
        {
            "action": "add_implementation",
            "matter": matter.number,
            "title": "路面",
            "owner_name": "施工队",
            "due_on": due,
            "budget": "50000",
            "next": "https://evil.example/",
        },
    )
    assert ok.status_code == 302 and ok.url == reverse("deliberation:implementations")
    assert Implementation.objects.get().budget == 50000


def test_matter_panel_renders_and_masks(hall, pub, matter):
    services.do_object(actor=hall.villagers[3], publication=pub, body="路线经过我家耕地。")
    request = RequestFactory().get("/")
    for user, shown in ((hall.villagers[4], False), (hall.clerk, True)):
        request.user = user
        panel = queries.matter_panel(matter, user)
        html = render_to_string(
            "deliberation/openness/_matter_panel.html", {"openness": panel}, request=request
        )
        assert "同意硬化村东巷道路" in html
        assert (hall.villagers[3].display_name in html) is shown
        assert ('data-testid="add-task"' in html) is shown


def test_rate_on_the_result_publication(hall, make_matter):
    done = make_matter(state=MatterState.DONE)
    Implementation.objects.create(
        matter=done,
        region=done.region,
        title="路面",
        owner_name="村委会",
        due_on=timezone.localdate(),
        percent=100,
        state="completed",
    )
    result = services.create_publication(
        matter=done,
        kind=PublicationKind.RESULT,
        params={"text": "道路已硬化 300 米。"},
        actor=hall.clerk,
        now=timezone.now(),
    )
    villager = as_(hall.villagers[8])
    page = villager.get(reverse("deliberation:publication", args=[result.pk])).content.decode()
    assert 'data-testid="rate-form"' in page
    assert (
        villager.post(ACT, {"action": "rate", "matter": done.number, "stars": 9}).status_code == 400
    )
    assert (
        villager.post(ACT, {"action": "rate", "matter": done.number, "stars": 4}).status_code == 302
    )
    assert (
        villager.post(ACT, {"action": "rate", "matter": done.number, "stars": 2}).status_code == 409
    )
    assert Rating.objects.get().stars == 4
    page = villager.get(reverse("deliberation:publication", args=[result.pk])).content.decode()
    assert 'data-testid="rate-form"' not in page and 'data-testid="my-rating"' in page


def test_panel_task_given_to_a_staff_member(hall, matter):
    due = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    base = {"action": "add_implementation", "matter": matter.number, "title": "路灯", "due_on": due}
    stranger = as_(hall.clerk).post(ACT, {**base, "owner": hall.other_clerk.pk})
    assert stranger.status_code == 302
    assert not Implementation.objects.exists()
    as_(hall.clerk).post(ACT, {**base, "owner": hall.secretary.pk})
    task = Implementation.objects.get()
    assert (task.owner, task.owner_name) == (hall.secretary, "祁书记")
