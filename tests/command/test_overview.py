"""The overview counts what the viewer governs: regions by level, grids, open cases."""

import re

import pytest

pytestmark = pytest.mark.django_db


def figure(html: str, testid: str) -> int:
    match = re.search(rf'data-testid="{testid}"><b>(\d+)</b>', html)
    assert match, f"no {testid} on the page"
    return int(match.group(1))


def test_the_city_dispatcher_sees_every_level_of_the_city(client, world):
    client.force_login(world.city_dispatcher)
    html = client.get("/").content.decode()
    assert figure(html, "level-county") == 2
    assert figure(html, "level-township") == 3
    assert figure(html, "level-community") == 4


def test_a_county_dispatcher_sees_only_the_county(client, world):
    client.force_login(world.dispatcher)
    html = client.get("/").content.decode()
    assert figure(html, "level-county") == 1
    assert figure(html, "level-township") == 2
    assert figure(html, "level-community") == 3
