"""Regions, grids, point lookup, categories and organisations in the API; the schema and
the interactive docs, which must work on an intranet with no way out."""

import json
import re

import pytest
from django.test import Client

from gongzhi.taxonomy.models import Category
from tests.factories import SlaPolicyFactory

pytestmark = pytest.mark.django_db


def codes(response) -> set[str]:
    assert response.status_code == 200, response.content
    body = response.json()
    return {row["code"] for row in (body["items"] if isinstance(body, dict) else body)}


def test_regions_and_grids_are_scoped(world, as_token):
    ledu = as_token(world.dispatcher)
    pingan = as_token(world.other_dispatcher)
    assert "630202100001" in codes(ledu.get("/regions")) and "630203" not in codes(
        ledu.get("/regions")
    )
    assert codes(pingan.get("/regions", {"level": "county"})) == {"630203"}
    assert codes(ledu.get("/regions", {"parent": "630202100"})) == {"630202100001", "630202100002"}
    rows = ledu.get("/regions", {"level": "community"}).json()["items"]
    assert {r["parent"] for r in rows} == {"630202100", "630202101"}
    assert codes(ledu.get("/regions/grids", {"region": "630202100001"})) == {
        "630202100001-01",
        "630202100001-02",
    }
    assert codes(pingan.get("/regions/grids")) == {"630203100001-01"}
    assert codes(as_token(world.resident).get("/regions/grids")) == set()
    unknown = ledu.get("/regions/grids", {"region": "999"})
    assert unknown.status_code == 400 and unknown.json()["error"] == "unknown_region"


def test_a_point_is_located_in_its_grid_and_places(world, as_token):
    client = as_token(world.resident)  # where a point lies is not private
    body = client.get("/regions/locate", {"lng": 102.405, "lat": 36.47}).json()
    assert body["found"] and body["exact"]
    assert body["grid"]["code"] == "630202100001-01"
    assert (body["community"]["name"], body["township"]["name"], body["county"]["name"]) == (
        "西关社区",
        "碾伯镇",
        "乐都区",
    )
    nowhere = client.get("/regions/locate", {"lng": 90.0, "lat": 30.0}).json()
    assert nowhere["found"] is False and nowhere["grid"] is None
    bad = client.get("/regions/locate", {"lng": 200, "lat": 36.47})
    assert bad.status_code == 400 and bad.json()["field"] == "lng"


def test_categories_carry_the_owner_and_sla_they_use(world, as_token):
    fast = SlaPolicyFactory(code="fast", name="快速", sign_for_value=1, resolve_value=1)
    Category.objects.filter(pk=world.pothole.pk).update(sla=fast)
    Category.objects.filter(pk=world.manhole.pk).update(enabled=False)
    rows = {r["code"]: r for r in as_token(world.resident).get("/categories").json()}
    road, pothole = rows["G02"], rows[world.pothole.code]
    assert world.manhole.code not in rows
    assert pothole["parent"] == "G02" and pothole["sla"]["code"] == "fast"
    assert pothole["owner"] == road["owner"] == world.city_cgj.code  # inherited
    # Every row says what routing and deadlines use: its own, else the nearest ancestor's.
    for category in Category.objects.filter(enabled=True).select_related("parent"):
        sla, owner = category.effective_sla(), category.effective_owner()
        row = rows[category.code]
        assert (row["sla"] or {}).get("code") == (sla.code if sla else None), category.code
        assert row["owner"] == (owner.code if owner else None), category.code


def test_organisations_are_scoped(world, as_token):
    ledu = codes(as_token(world.dispatcher).get("/organisations"))
    assert {"630202-CGJ", "630202100001"} <= ledu and "630203-CGJ" not in ledu
    departments = codes(as_token(world.admin).get("/organisations", {"kind": "department"}))
    assert departments == {"630200-CGJ", "630202-CGJ", "630202-ZJJ", "630203-CGJ"}
    serving = as_token(world.admin).get("/organisations", {"region": "630203"}).json()["items"]
    assert {o["code"] for o in serving} == {"630203", "630203-ZZZX", "630203-CGJ"}
    assert all(o["regions"] == ["630203"] for o in serving)


def _no_repeated_keys(pairs):
    keys = [key for key, _value in pairs]
    assert len(keys) == len(set(keys)), keys  # Swagger UI refuses a repeated key
    return dict(pairs)


def test_the_schema_names_every_operation_once():
    body = Client().get("/api/v1/openapi.json").content
    schema = json.loads(body, object_pairs_hook=_no_repeated_keys)
    ids = [op["operationId"] for path in schema["paths"].values() for op in path.values()]
    assert len(ids) == len(set(ids))
    assert {"TokenAuth", "SessionAuth"} <= set(schema["components"]["securitySchemes"])


def test_the_docs_load_nothing_from_another_host(world):
    client = Client()
    client.force_login(world.dispatcher)
    html = client.get("/api/v1/docs").content.decode()
    assert "vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "cdn" not in html.lower()
