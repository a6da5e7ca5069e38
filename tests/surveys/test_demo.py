"""The demo survey is made through the services: a closed wave over the demo city, fielded
by phone and by link, whose results the figures read; loading twice makes nothing more."""

import pytest

from gongzhi.accounts.models import Role
from gongzhi.demo import surveys as demo
from gongzhi.surveys import figures
from gongzhi.surveys.models import Response, Wave
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_demo_wave(sv):
    w = sv
    UserFactory(username="demo_admin", admin=True)
    UserFactory(username="demo_hotline", organisation=w.city_command, role=Role.HOTLINE_OPERATOR)
    made = demo.load()
    assert (
        made["drawn"]
        == made["phone"]
        + made["link"]
        + made["refused"]
        + made["no_answer"]
        + made["call_back"]
        + made["untouched"]
    )
    wave = Wave.objects.get()
    assert wave.region == w.regions.city and wave.state == "closed"
    channels = set(Response.objects.values_list("channel", flat=True))
    assert (
        channels <= {"phone", "link"} and Response.objects.count() == made["phone"] + made["link"]
    )
    data = figures.results(viewer=w.leader, region=w.regions.city, wave=wave)
    assert data["response"]["completed"] == Response.objects.count()
    assert demo.load() == {}
