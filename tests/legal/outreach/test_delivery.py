"""Targeting by region and group, delivery exactly once (tick twice, concurrent ticks on
PostgreSQL), campaigns sent on their first day, reading marks read, read counts per region."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from gongzhi.legal.models import Campaign, Delivery
from gongzhi.legal.outreach import queries, services
from gongzhi.notify.models import Notification

pytestmark = pytest.mark.django_db


def sent_to(article):
    return set(
        Delivery.objects.filter(article=article, sent_at__isnull=False).values_list(
            "user__username", flat=True
        )
    )


def notices(user):
    return Notification.objects.filter(recipient=user, kind="legal.outreach").count()


def test_regions_and_groups_choose_who_is_sent(pf, write, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        everyone = write(pf.bureau_staff, [pf.regions.ledu])
        migrants = write(pf.bureau_staff, [pf.regions.ledu], groups=["migrant_worker"])
        township = write(pf.sfs_staff, [pf.regions.nianbo])
    assert sent_to(everyone) == {"resident", "resident2", "farmer"}  # not 平安区's, not profileless
    assert sent_to(migrants) == {"resident"}
    assert sent_to(township) == {"resident", "resident2"}
    assert notices(pf.resident) == 3 and notices(pf.far) == 0
    note = Notification.objects.filter(recipient=pf.resident).latest("pk")
    assert note.link == f"/legal/outreach/{township.pk}/" and "宪法" in note.title


def test_tick_twice_sends_once(pf, write, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    campaign = services.do_create_campaign(
        user=pf.bureau_staff,
        title="宪法宣传周",
        region=pf.regions.ledu,
        starts_on=today + dt.timedelta(days=2),
        ends_on=today + dt.timedelta(days=8),
    )
    article = write(pf.bureau_staff, [pf.regions.ledu], campaign=campaign)
    assert services.tick() == {"articles": 0, "sent": 0}  # not started yet
    assert not sent_to(article)
    start = timezone.now() + dt.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.tick(now=start)["sent"] == 3
        assert services.tick(now=start) == {"articles": 0, "sent": 0}
        assert services.tick(now=start + dt.timedelta(hours=1))["sent"] == 0
    assert Delivery.objects.filter(article=article).count() == 3
    assert notices(pf.resident) == 1
    # Someone who says where they live later is sent it at the next tick, once.
    from tests.legal.outreach.conftest import profile

    profile(pf.no_profile, pf.dongguan)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.tick(now=start + dt.timedelta(days=1))["sent"] == 1
        assert services.tick(now=start + dt.timedelta(days=1))["sent"] == 0
    assert notices(pf.no_profile) == 1
    # After the campaign nothing more is sent.
    assert services.tick(now=start + dt.timedelta(days=30)) == {"articles": 0, "sent": 0}


def test_a_reader_before_sending_is_marked_sent_once(pf, write, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        article = write(pf.bureau_staff, [pf.regions.ledu])
    # Someone who has not said where they live reads it (public), then says 东关社区.
    services.do_read(user=pf.no_profile, article=article)
    from tests.legal.outreach.conftest import profile

    profile(pf.no_profile, pf.dongguan)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.tick()["sent"] == 1
        assert services.tick()["sent"] == 0
    row = Delivery.objects.get(article=article, user=pf.no_profile)
    assert row.sent_at and row.read_at
    assert notices(pf.no_profile) == 1
    assert Delivery.objects.filter(article=article).count() == 4


@pytest.mark.django_db(transaction=True)
def test_concurrent_ticks_send_once(pf, write):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        title="宪法宣传周", region=pf.regions.ledu, starts_on=today, ends_on=today
    )
    article = write(pf.bureau_staff, [pf.regions.ledu], campaign=campaign, publish=False)
    from tests.factories import UserFactory
    from tests.legal.outreach.conftest import profile

    for n in range(40):
        profile(UserFactory(username=f"herder{n}"), pf.gaomiao_village, "herder")
    services.do_publish(
        user=pf.bureau_staff, article=article, now=timezone.now() - dt.timedelta(days=1)
    )
    Delivery.objects.all().delete()
    Notification.objects.all().delete()
    barrier, results, errors = threading.Barrier(4), [], []

    def run():
        try:
            barrier.wait()
            results.append(services.tick()["sent"])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sum(results) == 43 and sorted(results)[:3] == [0, 0, 0]
    assert Delivery.objects.filter(article=article).count() == 43
    assert Notification.objects.filter(kind="legal.outreach").count() == 43


def test_reading_marks_read_and_counts_per_region(
    pf, write, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        article = write(pf.bureau_staff, [pf.regions.ledu])
    client.force_login(pf.resident)
    listed = client.get("/legal/outreach/")
    assert 'data-read="0"' in listed.text
    assert client.get(f"/legal/outreach/{article.pk}/").status_code == 200
    assert Delivery.objects.get(article=article, user=pf.resident).read_at
    client.force_login(pf.farmer)
    client.get(f"/legal/outreach/{article.pk}/")
    rows = {r["name"]: r for r in queries.region_counts(article, ("/630000/630200/630202/",))}
    assert (rows["碾伯镇"]["sent"], rows["碾伯镇"]["read"]) == (2, 1)
    assert (rows["西关社区"]["sent"], rows["西关社区"]["read"], rows["西关社区"]["read_share"]) == (
        1,
        1,
        100,
    )
    assert (rows["东关社区"]["sent"], rows["东关社区"]["read"]) == (1, 0)
    assert (rows["高庙镇"]["sent"], rows["高庙镇"]["read"]) == (1, 1)
    # The desk page shows them; the township's 司法所 sees only its township's.
    client.force_login(pf.bureau_staff)
    page = client.get(f"/legal/outreach/desk/{article.pk}/")
    assert 'data-region="高庙镇" data-sent="1" data-read="1"' in page.text
    assert 'data-testid="total-sent">3<' in page.text


def test_unread_count_and_reading_outside_targets(
    pf, write, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        article = write(pf.sfs_staff, [pf.regions.nianbo], public=False)
    assert services.unread_count(pf.resident) == 1
    client.force_login(pf.far)  # 平安区: neither sent nor public for them
    assert client.get(f"/legal/outreach/{article.pk}/").status_code == 404
    client.force_login(pf.resident)
    client.get(f"/legal/outreach/{article.pk}/")
    assert services.unread_count(pf.resident) == 0


def test_a_scheduled_campaign_is_not_shown_before_it_starts(pf, write, client):
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        title="民法典宣传月",
        region=pf.regions.ledu,
        starts_on=today + dt.timedelta(days=3),
        ends_on=today + dt.timedelta(days=30),
    )
    article = write(pf.bureau_staff, [pf.regions.ledu], campaign=campaign)
    client.force_login(pf.resident)
    assert client.get(f"/legal/outreach/{article.pk}/").status_code == 404
    assert f'data-article="{article.pk}"' not in client.get("/legal/outreach/").text
    client.force_login(pf.bureau_staff)  # the staff preview it
    assert client.get(f"/legal/outreach/{article.pk}/").status_code == 200
    services.tick(now=timezone.now() + dt.timedelta(days=3))
    client.force_login(pf.resident)
    assert client.get(f"/legal/outreach/{article.pk}/").status_code == 200
