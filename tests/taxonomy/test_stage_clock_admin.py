"""A time limit's channel is chosen from the channels cases come by, not typed."""

import pytest

from gongzhi.taxonomy.models import StageClock

pytestmark = pytest.mark.django_db

ADD = "/admin/taxonomy/stageclock/add/"


def _post(client, channel):
    return client.post(
        ADD,
        {
            "stage": "accept",
            "channel": channel,
            "urgency": "",
            "value": "20",
            "unit": "minutes",
            "enabled": "on",
        },
    )


def test_the_add_page_offers_the_known_channels(admin_client):
    html = admin_client.get(ADD).content.decode()
    assert '<select name="channel"' in html
    assert 'value="hotline"' in html and 'value="grid_worker"' in html
    assert "12345" in html  # the channel's name, not only its code


def test_a_known_channel_is_saved_and_shown_by_name(admin_client):
    response = _post(admin_client, "hotline")
    assert response.status_code == 302
    row = StageClock.objects.get(stage="accept", channel="hotline")
    assert "12345" in str(row)
    listing = admin_client.get("/admin/taxonomy/stageclock/", {"channel": "hotline"})
    assert listing.status_code == 200 and "20" in listing.content.decode()


def test_a_typed_channel_nobody_uses_is_refused(admin_client):
    before = StageClock.objects.count()
    response = _post(admin_client, "hotlien")
    assert response.status_code == 200  # the form again, with the error
    assert "hotlien" in response.content.decode() and "errorlist" in response.content.decode()
    assert StageClock.objects.count() == before
