"""The PyPI georeport client reads a live server in JSON and in XML; an administrator
issues a key in the admin, shown once and kept only as a hash."""

import re

import pytest
from django.urls import reverse

from gongzhi.cases.workflow import table as workflow
from gongzhi.open311.models import Open311Client, hash_key

from .conftest import report

georeport = pytest.importorskip("georeport")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_georeport_client_reads_a_live_server(live_server, fmt):
    from gongzhi.demo import questions as demo_questions
    from tests.world import build

    world = build()
    demo_questions.load()
    first = report(world, category=world.manhole)
    second = report(world, point=world.other_point)
    workflow.transition(
        case_id=second.pk, action="reject", actor=world.other_dispatcher, reason="重复"
    )

    city = georeport.GeoReport(f"{live_server.url}/open311/v2", output_format=fmt)
    services = city.get_service_list()
    manhole = next(s for s in services if s["service_code"] == "G02.01")
    assert manhole["service_name"] == "井盖缺失破损"
    definition = city.get_service_definition("G02.01")
    assert definition["service_code"] == "G02.01"
    attributes = definition["attributes"]
    attributes = attributes["attribute"] if fmt == "xml" else attributes
    assert attributes[0]["code"] == "manhole_state"

    listed = city.get_service_requests()
    assert {r["service_request_id"] for r in listed} == {first.number, second.number}
    closed = city.get_service_requests(status="closed")
    closed = [closed] if isinstance(closed, dict) else closed  # xmltodict: one is no list
    assert [r["service_request_id"] for r in closed] == [second.number]
    one = city.get_service_request(first.number)
    assert one["service_code"] == "G02.01" and one["status"] == "open"

    ledu = georeport.GeoReport(
        f"{live_server.url}/open311/v2", jurisdiction="630202", output_format=fmt
    )
    only = ledu.get_service_requests()
    only = [only] if isinstance(only, dict) else only
    assert [r["service_request_id"] for r in only] == [first.number]


@pytest.mark.django_db
def test_an_administrator_issues_a_key_shown_once(client, world):
    client.force_login(world.admin)
    response = client.post(
        reverse("admin:open311_open311client_add"),
        {
            "name": "FixMyStreet 海东",
            "contact": "ops@example.com",
            "is_active": "on",
            "rate": "60/m",
        },
        follow=True,
    )
    assert response.status_code == 200
    api_client = Open311Client.objects.get()
    (message,) = [m for m in map(str, response.context["messages"]) if api_client.key_prefix in m]
    key = re.search(re.escape(api_client.key_prefix) + r"[A-Za-z0-9_-]+", message).group(0)
    assert api_client.key_hash == hash_key(key) and key not in api_client.key_hash
    page = client.get(reverse("admin:open311_open311client_change", args=[api_client.pk]))
    assert key not in page.content.decode()  # never shown again


@pytest.mark.django_db
def test_a_malformed_rate_is_refused_in_the_admin(client, world):
    client.force_login(world.admin)
    response = client.post(
        reverse("admin:open311_open311client_add"),
        {"name": "x", "is_active": "on", "rate": "lots"},
    )
    assert response.status_code == 200 and not Open311Client.objects.exists()


@pytest.mark.django_db
def test_a_categorys_questions_are_edited_on_its_admin_page(client, world):
    from gongzhi.demo import questions as demo_questions
    from gongzhi.taxonomy.models import CategoryAttribute

    demo_questions.load()
    client.force_login(world.admin)
    page = client.get(reverse("admin:taxonomy_category_change", args=[world.manhole.pk]))
    assert page.status_code == 200
    assert "manhole_state" in page.content.decode()
    question = CategoryAttribute.objects.get(code="manhole_state")
    page = client.get(reverse("admin:taxonomy_categoryattribute_change", args=[question.pk]))
    assert "缺失" in page.content.decode()  # its allowed answers, inline
