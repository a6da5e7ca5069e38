"""The topics pages through the Django test client: the list scoped, raising with a photo,
support and comments by htmx, the committee's actions, errors shown and nothing changed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.deliberation.models import Comment, Topic

from .conftest import a_photo

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def page_of(client, user):
    client.force_login(user)
    return client


def test_a_villager_raises_a_topic_with_a_photo(tw, client):
    c = page_of(client, tw.villagers[0])
    assert c.get(reverse("deliberation:topic_new")).status_code == 200
    r = c.post(
        reverse("deliberation:topic_new"),
        {
            "title": "村口路灯坏了",
            "body": "村口的三盏路灯坏了一个月，晚上出行不安全。",
            "place": "村口",
            "lng": "102.37",
            "lat": "36.47",
            "photos": a_photo(),
        },
    )
    topic = Topic.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse(
        "deliberation:topic", args=[topic.number]
    )
    assert len(topic.photos) == 1 and (topic.lng, topic.lat) == (102.37, 36.47)
    page = c.get(r["Location"])
    assert page.status_code == 200 and "村口路灯坏了" in page.content.decode()
    photo = c.get(reverse("deliberation:topic_photo", args=[topic.number, 1]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    c.force_login(tw.outsider)
    assert c.get(reverse("deliberation:topic_photo", args=[topic.number, 1])).status_code == 404


def test_bad_input_shows_the_errors_and_raises_nothing(tw, client):
    c = page_of(client, tw.villagers[0])
    r = c.post(reverse("deliberation:topic_new"), {"title": "路灯", "body": "坏了"})
    assert r.status_code == 400 and not Topic.objects.exists()
    assert 'data-testid="form-error"' in r.content.decode()
    c.force_login(tw.nobody)
    r = c.get(reverse("deliberation:topic_new"))
    assert 'data-testid="not-villager"' in r.content.decode()
    r = c.post(
        reverse("deliberation:topic_new"), {"title": "路灯坏了", "body": "村口路灯坏了一个月了"}
    )
    assert r.status_code == 403 and not Topic.objects.exists()


def test_support_and_comment_by_htmx(tw, client):
    topic = tw.raise_topic()
    c = page_of(client, tw.villagers[1])
    url = reverse("deliberation:topic_support", args=[topic.number])
    r = c.post(url, headers=HTMX)
    assert r.status_code == 200 and 'data-testid="supported"' in r.content.decode()
    r = c.post(url, headers=HTMX)
    assert 'data-testid="support-error"' in r.content.decode()
    assert Topic.objects.get(pk=topic.pk).supports_count == 1

    r = c.post(
        reverse("deliberation:topic_comment", args=[topic.number]), {"body": "同意修"}, headers=HTMX
    )
    assert r.status_code == 200 and "同意修" in r.content.decode()
    comment = Comment.objects.get()
    c.force_login(tw.clerk)
    hide = reverse("deliberation:topic_hide", args=[topic.number, comment.pk])
    r = c.post(hide, {"reason": "重复内容"}, headers=HTMX)
    assert "重复内容" in r.content.decode()
    c.force_login(tw.villagers[2])
    html = c.get(reverse("deliberation:topic", args=[topic.number])).content.decode()
    assert "重复内容" in html and "同意修" not in html


def test_the_list_is_scoped_and_filtered(tw, client):
    mine = tw.raise_topic()
    theirs = tw.raise_topic(tw.outsider, title="东村的水渠")
    c = page_of(client, tw.villagers[3])
    html = c.get(reverse("deliberation:topics")).content.decode()
    assert mine.number in html and theirs.number not in html
    assert mine.number not in c.get(reverse("deliberation:topics") + "?state=due").content.decode()
    c.force_login(tw.township_staff)
    html = c.get(reverse("deliberation:topics")).content.decode()
    assert mine.number in html and theirs.number not in html
    assert c.get(reverse("deliberation:topic", args=[theirs.number])).status_code == 404


def test_the_committee_acts_from_the_page(tw, client):
    topic = tw.support(tw.raise_topic(), *tw.villagers[1:4])
    meeting = tw.meeting()
    c = page_of(client, tw.clerk)
    page = c.get(reverse("deliberation:topic", args=[topic.number])).content.decode()
    assert 'data-testid="action-put_on_agenda"' in page and meeting.number in page
    act = reverse("deliberation:topic_act", args=[topic.number])
    r = c.post(act, {"action": "answer", "answer": "太短", "expected_state": "due"})
    assert r.status_code == 400 and 'data-testid="action-error"' in r.content.decode()
    assert Topic.objects.get(pk=topic.pk).state == "due"
    r = c.post(act, {"action": "put_on_agenda", "meeting": meeting.number, "expected_state": "due"})
    assert r.status_code == 302 and Topic.objects.get(pk=topic.pk).state == "on_agenda"
    r = c.post(act, {"action": "answer", "answer": "这件事已交由镇里统一处理。"})
    assert r.status_code == 409 and Topic.objects.get(pk=topic.pk).state == "on_agenda"
    c.force_login(tw.villagers[2])
    page = c.get(reverse("deliberation:topic", args=[topic.number])).content.decode()
    assert 'data-testid="action-' not in page
    r = c.post(act, {"action": "withdraw"})  # not theirs, and too late anyway: out of order
    assert r.status_code == 409 and Topic.objects.get(pk=topic.pk).state == "on_agenda"


def test_the_admin_pages_open(tw, admin_client):
    topic = tw.raise_topic()
    comment = Comment.objects.create(topic=topic, author=tw.villagers[1], body="同意")
    for url in (
        reverse("admin:deliberation_topic_changelist"),
        reverse("admin:deliberation_topic_change", args=[topic.pk]),
        reverse("admin:deliberation_topicrule_changelist"),
        reverse("admin:deliberation_topicrule_change", args=[tw.rule.pk]),
        reverse("admin:deliberation_comment_change", args=[comment.pk]),
    ):
        assert admin_client.get(url).status_code == 200, url
    assert admin_client.get(reverse("admin:deliberation_topic_add")).status_code == 403
