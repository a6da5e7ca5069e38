"""The inbox pages: own notifications only, htmx mark-read, the polled unread badge."""

import pytest
from django.urls import reverse

from gongzhi.notify import services
from gongzhi.notify.models import Notification

pytestmark = [pytest.mark.django_db]

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def me(make_user, client):
    user = make_user()
    client.force_login(user)
    return user


def _note(user, title, **kw):
    return services.notify(
        recipients=[user], kind="case.dispatched", title=title, **kw
    ).notifications[0]


def test_inbox_lists_own_notifications_unread_first(client, me, make_user):
    old = _note(me, "旧通知")
    _note(make_user(), "别人的通知")
    services.mark_read(user=me, notification_id=old.pk)
    _note(me, "新工单", body="请签收")
    response = client.get(reverse("notify:inbox"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "别人的通知" not in html
    assert html.index("新工单") < html.index("旧通知")
    assert [n.title for n in response.context["page_obj"]] == ["新工单", "旧通知"]
    assert 'hx-post="/notify/read-all"' in html


def test_mark_read_with_htmx_returns_the_row_and_updates_the_badge(client, me):
    note, _other = _note(me, "a"), _note(me, "b")
    response = client.post(reverse("notify:mark_read", args=[note.pk]), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="notification-{note.pk}"' in html and "unread" not in html.split("</li>")[0]
    assert 'hx-swap-oob="true"' in html and ">1</span>" in html
    note.refresh_from_db()
    assert note.read_at is not None


def test_mark_read_without_htmx_redirects_to_the_inbox(client, me):
    note = _note(me, "a")
    response = client.post(reverse("notify:mark_read", args=[note.pk]))
    assert response.status_code == 302 and response.url == reverse("notify:inbox")


def test_another_users_notification_is_not_found(client, me, make_user):
    theirs = _note(make_user(), "别人的")
    assert client.post(reverse("notify:mark_read", args=[theirs.pk]), **HTMX).status_code == 404
    assert client.get(reverse("notify:open", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_needs_post(client, me):
    note = _note(me, "a")
    assert client.get(reverse("notify:mark_read", args=[note.pk])).status_code == 405


def test_mark_all_read(client, me, make_user):
    _note(me, "a"), _note(me, "b")
    theirs = _note(make_user(), "c")
    response = client.post(reverse("notify:mark_all_read"), **HTMX)
    assert response.status_code == 200
    assert 'id="notify-list"' in response.content.decode()
    assert not Notification.objects.filter(recipient=me, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_unread_count_badge(client, me):
    _note(me, "a"), _note(me, "b")
    response = client.get(reverse("notify:unread_count"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="notify-badge"' in html and ">2</span>" in html
    assert 'hx-trigger="every 60s"' in html and " hidden" not in html
    services.mark_all_read(user=me)
    assert "hidden" in client.get(reverse("notify:unread_count")).content.decode()


def test_anonymous_visitors(client):
    assert client.get(reverse("notify:unread_count")).status_code == 204
    response = client.get(reverse("notify:inbox"))
    assert response.status_code == 302 and reverse("login") in response.url


def test_open_marks_read_and_follows_only_site_links(client, me):
    inside = _note(me, "a", link="/cases/42")
    response = client.get(reverse("notify:open", args=[inside.pk]))
    assert response.status_code == 302 and response.url == "/cases/42"
    inside.refresh_from_db()
    assert inside.read_at is not None
    outside = _note(me, "b", link="https://elsewhere.example/phish")
    response = client.get(reverse("notify:open", args=[outside.pk]))
    assert response.url == reverse("notify:inbox")
