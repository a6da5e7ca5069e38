"""我也遇到: the intake hint ranks the likeliest repeat of what the reporter is typing first,
and a resident can add their voice to that case instead of filing a duplicate. Supports show
on the case page and count towards a hotspot's heat."""

import re

import pytest
from django.urls import reverse

from gongzhi.cases.intake import services
from gongzhi.cases.models import Case, CaseSupport
from gongzhi.cases.triage import hooks as triage_hooks
from tests.factories import report_case

from .test_intake_views import close

pytestmark = pytest.mark.django_db

NEARBY = reverse("cases:nearby")
EAST_50_M = 0.00056  # degrees of longitude at 36.5° N
EAST_150_M = 0.00168


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def hint(client, world, text=""):
    query = {"category": world.manhole.pk, "lng": world.point[0], "lat": world.point[1]}
    if text:
        query["text"] = text
    html = client.get(NEARBY, query).content.decode()
    rows = re.findall(r'data-testid="nearby-case" data-number="([^"]+)"( data-likely)?', html)
    return html, [(number, bool(likely)) for number, likely in rows]


def quick_report(world, text, east, reporter, category=None):
    """A 随手拍 report ``east`` degrees of longitude east of the world's point."""
    point = (world.point[0] + east, world.point[1])
    category = category or world.manhole
    return report_case(world, category, point=point, title="", description=text, reporter=reporter)


@pytest.fixture
def cases(world):
    other = quick_report(world, "井盖旁边堆了很多建筑垃圾没人清理", EAST_50_M, world.other_resident)
    same = quick_report(world, "西关路口井盖丢失，晚上很危险", EAST_150_M, world.other_resident)
    return other, same


def test_the_hint_puts_the_likeliest_repeat_first_once_there_is_text(client, world, cases):
    other, same = cases
    client.force_login(world.resident)
    _html, rows = hint(client, world)
    assert rows == [(other.number, False), (same.number, False)]  # nearest first
    html, rows = hint(client, world, text="西关路口的井盖丢了，很危险")
    assert rows == [(same.number, True), (other.number, False)]
    assert "Probably the same problem" in html


def test_residents_see_a_public_summary_and_may_add_their_voice(client, world, cases):
    other, same = cases
    client.force_login(world.resident)
    html, _rows = hint(client, world, text="井盖丢失")
    # Another resident's reports: title and state, no link to the staff page, no reporter.
    assert same.title in html and "韩梅" not in html
    assert reverse("cases:detail", args=[same.number]) not in html
    assert html.count('data-testid="support"') == 2
    response = client.post(reverse("cases:support", args=[same.number]))
    assert response.status_code == 200
    assert "no need to report it again" in response.content.decode()
    assert CaseSupport.objects.filter(case=same, user=world.resident).count() == 1
    # A second press adds nothing; the hint now says so instead of offering the button.
    client.post(reverse("cases:support", args=[same.number]))
    assert CaseSupport.objects.filter(case=same).count() == 1
    html, _rows = hint(client, world, text="井盖丢失")
    assert html.count('data-testid="support"') == 1
    assert 'data-testid="supported"' in html
    assert "1 other has this problem too" in html


def test_staff_get_links_and_no_support_button(client, world, cases):
    _other, same = cases
    client.force_login(world.dispatcher)
    html, _rows = hint(client, world)
    assert reverse("cases:detail", args=[same.number]) in html
    assert 'data-testid="support"' not in html


def test_support_is_refused_for_ones_own_closed_or_unknown_cases(client, world, cases):
    _other, same = cases
    client.force_login(world.other_resident)  # who reported it
    own = client.post(reverse("cases:support", args=[same.number]))
    assert own.status_code == 400 and "your own report" in own.content.decode()
    close(world, same)
    client.force_login(world.resident)
    # A closed case is no longer in the hint: answered like a number never given (issue 22).
    closed = client.post(reverse("cases:support", args=[same.number]))
    assert closed.status_code == 404
    assert client.post(reverse("cases:support", args=["HD-20000101-000001"])).status_code == 404
    assert client.get(reverse("cases:support", args=[same.number])).status_code == 405
    client.logout()
    anonymous = client.post(reverse("cases:support", args=[same.number]))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert not CaseSupport.objects.exists()


def test_supports_show_on_the_case_page_and_heat_up_a_hotspot(client, world, cases):
    _other, same = cases
    for person in (world.resident, world.grid_worker):
        services.do_support(case=same, user=person)
    client.force_login(world.dispatcher)
    html = client.get(reverse("cases:detail", args=[same.number])).content.decode()
    assert re.search(r'data-testid="supports"[^>]*>2 more residents have this problem<', html)
    for _ in range(2):  # a hotspot needs a few reports of the same place and problem
        quick_report(world, "西关路口井盖丢失，晚上很危险", EAST_150_M, world.resident)
    _start, _end, found = triage_hooks.case_hotspots(viewer=world.dispatcher, region=None)
    with_same = [h for h in found if same.number in [c.number for c in h["cases"]]]
    assert with_same and with_same[0]["supports"] == 2


def test_the_public_summary_masks_numbers_and_leaves_out_private_categories(client, world):
    from gongzhi.taxonomy.models import Category

    tip_off = Category.objects.get(code="G03.02")  # kept out of public feeds
    assert not tip_off.is_listed_publicly()
    for category, text in [
        (tip_off, "出租屋有人聚众吸毒"),
        (world.manhole, "井盖丢了，我的电话13900001111"),
    ]:
        quick_report(world, text, EAST_50_M, world.other_resident, category)
    client.force_login(world.resident)
    html, rows = hint(client, world)
    assert len(rows) == 1 and "139****1111" in html and "13900001111" not in html
    query = {"category": tip_off.pk, "lng": world.point[0], "lat": world.point[1]}
    assert 'data-count="0"' in client.get(NEARBY, query).content.decode()
    tip = Case.objects.get(category=tip_off)
    assert client.post(reverse("cases:support", args=[tip.number])).status_code == 404
    client.force_login(world.dispatcher)  # within the dispatcher's scope it is shown
    assert 'data-count="1"' in client.get(NEARBY, query).content.decode()
    assert not CaseSupport.objects.exists()
