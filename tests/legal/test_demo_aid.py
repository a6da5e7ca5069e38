"""The legal-aid demo on the legal test world: ~300 applications in every state made through
the aid room's services, demo_resident owning a few; loading again makes nothing."""

import pytest

from gongzhi.demo.legal import aid as demo_aid
from gongzhi.legal.aid.choices import State
from gongzhi.legal.figures import queries as figures
from gongzhi.legal.models import Application, ResidentProfile
from tests.factories import UserFactory
from tests.legal.aid.conftest import aid  # noqa: F401  (the aid world)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_demo_loads_every_state_once(aid, settings):  # noqa: F811
    w = aid
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    me = UserFactory(username="demo_resident", display_name="马秀兰")
    ResidentProfile.objects.create(user=me, region=w.regions.xiguan)
    first = demo_aid.load()
    assert 280 <= first["created"] <= 320, first
    states = set(first["states"])
    assert states >= {
        State.SUBMITTED,
        State.AWAITING_DOCUMENTS,
        State.GRANTED,
        State.REFUSED,
        State.ASSIGNED,
        State.CLOSED,
        State.WITHDRAWN,
        State.TERMINATED,
    }, first
    mine = Application.objects.filter(applicant=me)
    assert mine.count() == 5 and len(set(mine.values_list("state", flat=True))) >= 3
    assert Application.objects.filter(rating__isnull=False).exists()
    # Loading again makes nothing.
    again = demo_aid.load()
    assert again["created"] == 0 and Application.objects.count() == first["created"]
    # The figures count them.
    data = figures.figures(user=w.director)
    assert data["total"]["applications"] == first["created"]
    assert 0.5 < data["total"]["decided_in_time_share"] < 1.0
