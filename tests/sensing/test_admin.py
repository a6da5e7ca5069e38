"""Administrators edit the types and register cameras through the services' checks."""

import pytest
from django.urls import reverse

from gongzhi.sensing.models import Camera, CameraType, DeviceType

pytestmark = pytest.mark.django_db


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def camera_form(w, **fields):
    return {
        "code": "63020200001320000777",
        "name": "西关市场",
        "type": w.types.camera("bullet").pk,
        "owner": w.police.pk,
        "lng": "102.415",
        "lat": "36.47",
        "grid": "",
        "region": "",
        "direction": "45",
        "field_of_view": "90",
        "range_m": "60",
        "stream_url": "",
        "enabled": "on",
        **fields,
    }


def test_the_seeded_types_are_listed(client, sns):
    client.force_login(sns.admin)
    html = client.get(admin_url(DeviceType, "changelist")).content.decode()
    for name in ("智能井盖", "水位监测", "独居老人烟感", "燃气泄漏报警", "消防栓水压"):
        assert name in html
    assert "球机" in client.get(admin_url(CameraType, "changelist")).content.decode()


def test_a_device_type_must_raise_a_real_case_category(client, sns):
    kind = sns.types.device("hydrant")
    client.force_login(sns.admin)
    data = {
        f.name: getattr(kind, f.name)
        for f in DeviceType._meta.fields
        if f.editable and f.name not in ("id", "created_at", "updated_at")
    }
    data.update(category_code="NOPE", urgent="", enabled="on")
    response = client.post(admin_url(DeviceType, "change", kind.pk), data)
    assert response.status_code == 200  # the form again, with the error
    kind.refresh_from_db()
    assert kind.category_code == "G05.01"
    data.update(category_code="G05.04")
    assert client.post(admin_url(DeviceType, "change", kind.pk), data).status_code == 302
    kind.refresh_from_db()
    assert kind.category_code == "G05.04"


def test_a_camera_with_a_bad_code_is_refused_in_the_admin_too(client, sns):
    client.force_login(sns.admin)
    response = client.post(admin_url(Camera, "add"), camera_form(sns, code="63020200009990000777"))
    assert response.status_code == 200
    assert "999" in response.content.decode()
    assert not Camera.objects.filter(name="西关市场").exists()


def test_a_camera_added_in_the_admin_is_placed_by_its_point(client, sns):
    client.force_login(sns.admin)
    response = client.post(admin_url(Camera, "add"), camera_form(sns))
    assert response.status_code == 302
    camera = Camera.objects.get(name="西关市场")
    assert (camera.grid, camera.region_path) == (sns.grid_b, sns.grid_b.region_path)
