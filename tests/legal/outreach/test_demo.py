"""The demo's 普法 on the demo's own regions, loaded once for the module: three campaigns of
乐都区 (宪法宣传周 and 民法典宣传月 sent and read, the wage-settlement one scheduled), articles
with images and quizzes, the demo resident's profile; loading again adds nothing."""

import time

import pytest
from django.db import transaction
from django.utils import timezone

from gongzhi.demo import accounts as demo_accounts
from gongzhi.demo import regions as demo_regions
from gongzhi.demo.legal import outreach as demo_outreach
from gongzhi.demo.legal import staff as demo_staff
from gongzhi.legal.models import Article, Campaign, Delivery, QuizAnswer, ResidentProfile
from gongzhi.legal.outreach import queries
from gongzhi.regions import lookup
from tests.legal.outreach.conftest import seeded_groups


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.conf import settings

    media, settings.MEDIA_ROOT = settings.MEDIA_ROOT, tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            seeded_groups()
            lookup.invalidate()
            demo_regions.load()
            demo_accounts.load()
            demo_staff.load()
            started = time.perf_counter()
            first = demo_outreach.load()
            first["seconds"] = time.perf_counter() - started
            second = demo_outreach.load()
            yield first, second
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            lookup.invalidate()
            settings.MEDIA_ROOT = media


@pytest.fixture
def demo(loaded, db):
    return loaded


def test_three_campaigns_sent_read_and_scheduled(demo):
    first, second = demo
    print("demo outreach", first)
    assert first["campaigns"] == 3 and second["campaigns"] == 0 and second["sent"] == 0
    today = timezone.localdate()
    statuses = sorted(c.status(today) for c in Campaign.objects.all())
    assert statuses.count("scheduled") == 1
    assert {c.starts_on.month for c in Campaign.objects.all()} >= {12, 5}
    assert Article.objects.filter(cover__gt="", images__isnull=False).distinct().count() == 6
    assert Article.objects.exclude(quiz=[]).count() == 4
    week = Campaign.objects.get(title__contains="宪法宣传周")
    assert Delivery.objects.filter(article__campaign=week).count() > 100
    assert Delivery.objects.filter(article__campaign=week, read_at__isnull=False).exists()
    assert QuizAnswer.objects.exists()
    scheduled = Campaign.objects.get(title__contains="农民工")
    assert (
        scheduled.starts_on > today
        and not Delivery.objects.filter(article__campaign=scheduled).exists()
    )
    resident = ResidentProfile.objects.get(user__username="demo_resident")
    assert Delivery.objects.filter(user=resident.user, sent_at__isnull=False).count() >= 2
    county = week.region
    rows = queries.region_counts(week.articles.first(), (county.path,))
    assert len({r["name"] for r in rows}) > 3
    assert first["seconds"] < 60


def test_the_demo_justice_sees_the_campaigns_on_the_desk(demo, client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="demo_justice"))
    desk = client.get("/legal/outreach/desk/")
    assert desk.status_code == 200 and "民法典宣传月" in desk.text
