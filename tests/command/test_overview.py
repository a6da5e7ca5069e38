"""The overview counts what the viewer governs: regions by level, grids, open cases."""

import re

import pytest

from tests.factories import report_case

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


def test_each_case_figure_opens_the_queue_on_the_cases_it_counts(client, world):
    report_case(world, world.manhole)
    client.force_login(world.dispatcher)
    html = client.get("/").content.decode()
    opened = (
        re.search(r'href="([^"]+)" data-testid="link-open"', html).group(1).replace("&amp;", "&")
    )
    counted = int(re.search(r'data-testid="cases-open">(\d+)<', html).group(1))
    queue = client.get(opened).content.decode()
    assert (
        int(re.search(r'data-testid="result-count" data-count="(\d+)"', queue).group(1)) == counted
    )
    overdue = re.search(r'href="([^"]+)" data-testid="link-overdue"', html).group(1)
    assert "overdue=on" in overdue
    # A handler has no queue: the figures are figures, not links.
    client.force_login(world.handler)
    assert 'data-testid="link-open"' not in client.get("/").content.decode()
