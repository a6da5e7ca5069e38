"""The sensing pages through the Django test client: who sees which camera and sensor on
every surface (list, record, map layers, Excel download), the stream address shown to
administrators only, the add and edit forms with the service's errors beside their fields,
the filters, the figures page and the menu."""

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from playwright.sync_api import expect

from gongzhi.core.navigation import menu_for
from gongzhi.sensing.models import Camera, Device
from tests.sensing.factories import CameraFactory, camera_code

pytestmark = pytest.mark.django_db

CAMERA_ROW = re.compile(r'data-testid="camera-row" data-id="(\d+)"')
DEVICE_ROW = re.compile(r'data-testid="device-row" data-id="(\d+)"')
STREAM = "rtsp://admin:Secret123@10.1.2.3:554/h264"


def as_user(client, user):
    client.force_login(user)
    return client


def listed(client, name, pattern, **params) -> set[int]:
    response = client.get(reverse(name), params)
    assert response.status_code == 200
    return {int(pk) for pk in pattern.findall(response.content.decode())}


def workbook_rows(response) -> list[tuple]:
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    return list(sheet.iter_rows(values_only=True))


@pytest.fixture
def w(sns):
    Camera.objects.filter(pk=sns.camera.pk).update(stream_url=STREAM)
    sns.camera.refresh_from_db()
    return sns


# -- scope on every surface --------------------------------------------------------------------


def scope_cases(w):
    """(user, cameras seen, devices seen)."""
    return [
        (w.admin, {w.camera.pk, w.camera_b.pk, w.other_camera.pk}, {w.cover.pk}),
        (w.township_dispatcher, {w.camera.pk, w.camera_b.pk}, {w.cover.pk}),
        (w.other_township_dispatcher, {w.other_camera.pk}, set()),
        (w.police_officer, {w.camera.pk, w.camera_b.pk}, set()),
        (w.handler, set(), {w.cover.pk}),
    ]


def test_lists_show_what_the_rule_allows(client, w):
    for user, cameras, devices in scope_cases(w):
        as_user(client, user)
        assert listed(client, "sensing:cameras", CAMERA_ROW) == cameras, user.username
        assert listed(client, "sensing:devices", DEVICE_ROW) == devices, user.username


def test_a_record_outside_the_scope_is_not_found(client, w):
    as_user(client, w.other_township_dispatcher)
    assert client.get(reverse("sensing:camera", args=[w.camera.pk])).status_code == 404
    assert client.get(reverse("sensing:camera_edit", args=[w.camera.pk])).status_code == 404
    assert client.get(reverse("sensing:device", args=[w.cover.pk])).status_code == 404
    assert client.get(reverse("sensing:camera", args=[w.other_camera.pk])).status_code == 200
    as_user(client, w.handler)
    assert client.get(reverse("sensing:camera", args=[w.camera.pk])).status_code == 404
    assert client.get(reverse("sensing:device", args=[w.cover.pk])).status_code == 200


def test_grid_workers_and_residents_are_refused(client, w):
    for user in (w.grid_worker, w.resident):
        as_user(client, user)
        for name in ("sensing:cameras", "sensing:devices", "sensing:map", "sensing:figures"):
            assert client.get(reverse(name)).status_code == 403, (user.username, name)
        assert client.get(reverse("sensing:map_cameras")).status_code == 403


def test_the_map_layers_are_scoped(client, w):
    for user, cameras, devices in scope_cases(w):
        as_user(client, user)
        got = client.get(reverse("sensing:map_cameras")).json()
        assert {f["properties"]["id"] for f in got["features"]} == cameras, user.username
        got = client.get(reverse("sensing:map_devices")).json()
        assert {f["properties"]["id"] for f in got["features"]} == devices, user.username


def test_the_exports_are_scoped(client, w):
    for user, cameras, devices in scope_cases(w):
        as_user(client, user)
        codes = {r[0] for r in workbook_rows(client.get(reverse("sensing:cameras_export")))[1:]}
        assert codes == set(Camera.objects.filter(pk__in=cameras).values_list("code", flat=True))
        codes = {r[0] for r in workbook_rows(client.get(reverse("sensing:devices_export")))[1:]}
        assert codes == set(Device.objects.filter(pk__in=devices).values_list("code", flat=True))


# -- the stream address ------------------------------------------------------------------------


def test_the_stream_address_is_shown_to_administrators_only(client, w):
    camera_page = reverse("sensing:camera", args=[w.camera.pk])
    edit_page = reverse("sensing:camera_edit", args=[w.camera.pk])
    as_user(client, w.admin)
    assert STREAM in client.get(camera_page).content.decode()
    assert STREAM in client.get(edit_page).content.decode()
    rows = workbook_rows(client.get(reverse("sensing:cameras_export")))
    assert any(STREAM in row for row in rows)
    for user in (w.township_dispatcher, w.police_officer):
        as_user(client, user)
        for response in (
            client.get(camera_page),
            client.get(edit_page),
            client.get(reverse("sensing:cameras")),
            client.get(reverse("sensing:map_cameras")),
        ):
            assert response.status_code == 200
            assert "Secret123" not in response.content.decode(), user.username
        rows = workbook_rows(client.get(reverse("sensing:cameras_export")))
        assert not any("Secret123" in str(cell) for row in rows for cell in row)


def test_an_edit_by_someone_not_shown_the_stream_keeps_it(client, w):
    as_user(client, w.police_officer)
    page = reverse("sensing:camera_edit", args=[w.camera.pk])
    form = client.get(page).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "stream_url"}
    data.update(name="西关街口（新）", enabled="on")
    response = client.post(page, data)
    assert response.status_code == 302, response.context["form"].errors
    w.camera.refresh_from_db()
    assert w.camera.name == "西关街口（新）" and w.camera.stream_url == STREAM


# -- forms -------------------------------------------------------------------------------------


def camera_form(w, **extra) -> dict:
    lng, lat = w.point
    return {
        "code": camera_code("630202", 9001),
        "name": "西关新摄像机",
        "type": w.types.camera("dome").pk,
        "owner": w.police.pk,
        "lng": lng,
        "lat": lat,
        "direction": "180",
        "field_of_view": "90",
        "range_m": "80",
        "enabled": "on",
        **extra,
    }


def test_a_dispatcher_adds_a_camera_and_sees_it_in_its_grid(client, w):
    as_user(client, w.township_dispatcher)
    response = client.post(reverse("sensing:camera_new"), camera_form(w))
    camera = Camera.objects.get(code=camera_code("630202", 9001))
    assert response.status_code == 302 and response.url == reverse(
        "sensing:camera", args=[camera.pk]
    )
    assert camera.grid == w.grid and camera.direction == 180 and camera.owner == w.police
    page = client.get(response.url).content.decode()
    assert "西关新摄像机" in page and "180°" in page


def test_bad_input_is_shown_beside_its_fields_and_nothing_is_saved(client, w):
    as_user(client, w.township_dispatcher)
    before = Camera.objects.count()
    response = client.post(
        reverse("sensing:camera_new"),
        camera_form(w, code="123", direction="400", lng="", lat="", owner=""),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"code", "direction", "lng", "owner"} <= set(errors), errors
    page = response.content.decode()
    assert 'data-testid="error-code"' in page and 'data-testid="form-error"' in page
    assert Camera.objects.count() == before


def test_a_duplicate_code_is_refused_on_its_field(client, w):
    as_user(client, w.admin)
    response = client.post(reverse("sensing:camera_new"), camera_form(w, code=w.camera.code))
    assert response.status_code == 400 and "code" in response.context["form"].errors


def test_an_owner_may_not_register_for_another_unit(client, w):
    as_user(client, w.police_officer)
    response = client.post(reverse("sensing:device_new"), {
        "code": "nb-cover-9", "name": "井盖9", "type": w.types.device("manhole_cover").pk,
        "owner": w.cgj.pk, "lng": w.point[0], "lat": w.point[1], "enabled": "on",
    })  # fmt: skip
    assert response.status_code == 400
    assert not Device.objects.filter(code="nb-cover-9").exists()


def test_a_sensor_is_added_and_edited(client, w):
    as_user(client, w.handler)
    data = {
        "code": "nb-cover-10", "name": "西关街井盖10", "type": w.types.device("manhole_cover").pk,
        "owner": w.cgj.pk, "lng": w.point[0], "lat": w.point[1], "enabled": "on",
        "threshold": "20", "address": "西关街10号",
    }  # fmt: skip
    assert client.post(reverse("sensing:device_new"), data).status_code == 302
    device = Device.objects.get(code="nb-cover-10")
    assert device.threshold == 20 and device.grid == w.grid
    data.update(threshold="999")  # beyond the 0–90° a cover can read
    response = client.post(reverse("sensing:device_edit", args=[device.pk]), data)
    assert response.status_code == 400 and "threshold" in response.context["form"].errors
    device.refresh_from_db()
    assert device.threshold == 20


# -- filters, pages, record pages -------------------------------------------------------------


def test_the_filters(client, w):
    Camera.objects.filter(pk=w.camera_b.pk).update(offline_since=w.camera_b.last_seen_at)
    Camera.objects.filter(pk=w.camera.pk).update(type=w.types.camera("dome"))
    as_user(client, w.admin)
    assert listed(client, "sensing:cameras", CAMERA_ROW, grid=w.grid_b.pk) == {w.camera_b.pk}
    assert listed(client, "sensing:cameras", CAMERA_ROW, owner=w.other_cgj.pk) == {
        w.other_camera.pk
    }
    assert listed(client, "sensing:cameras", CAMERA_ROW, status="offline") == {w.camera_b.pk}
    assert listed(client, "sensing:cameras", CAMERA_ROW, type=w.types.camera("dome").pk) == {
        w.camera.pk
    }
    assert listed(client, "sensing:cameras", CAMERA_ROW, q="广场") == {w.camera_b.pk}


def test_the_list_is_paged_and_its_queries_do_not_grow(client, w, django_assert_max_num_queries):
    for _ in range(60):
        CameraFactory(grid=w.grid, owner=w.police)
    as_user(client, w.admin)
    client.get(reverse("sensing:cameras"))  # warm the session and the menu
    with django_assert_max_num_queries(20):
        first = listed(client, "sensing:cameras", CAMERA_ROW)
    assert len(first) == 50
    assert len(listed(client, "sensing:cameras", CAMERA_ROW, page=2)) == 13


def test_a_device_page_draws_its_readings_and_lists_its_alarms(client, w):
    from django.utils import timezone

    from gongzhi.sensing.models import Alarm, Reading

    now = timezone.now()
    Reading.objects.bulk_create(
        [Reading(device=w.cover, at=now - timezone.timedelta(minutes=i), value=i) for i in range(5)]
    )
    Alarm.objects.create(device=w.cover, raised_at=now, value=30, case_number="SJ-1")
    as_user(client, w.handler)
    page = client.get(reverse("sensing:device", args=[w.cover.pk])).content.decode()
    assert 'id="sensing-readings"' in page and 'data-testid="readings-chart"' in page
    assert 'data-testid="alarm-row"' in page and "SJ-1" in page


def test_a_camera_view_on_the_map_is_a_wedge_or_a_circle(client, w):
    Camera.objects.filter(pk=w.camera_b.pk).update(direction=None)
    as_user(client, w.admin)
    features = {
        f["properties"]["id"]: f
        for f in client.get(reverse("sensing:map_cameras")).json()["features"]
    }
    wedge = features[w.camera.pk]["geometry"]["coordinates"][0]
    circle = features[w.camera_b.pk]["geometry"]["coordinates"][0]
    # The wedge starts and ends at the camera; facing east (90°), it lies east of it.
    assert wedge[0] == wedge[-1] == [round(w.camera.lng, 6), round(w.camera.lat, 6)]
    assert all(p[0] >= w.camera.lng for p in wedge)
    assert circle[0] == circle[-1] and min(p[0] for p in circle) < w.camera_b.lng
    assert features[w.camera.pk]["properties"]["status"] == "online"


def test_grids_with_no_camera_are_marked(client, w):
    as_user(client, w.township_dispatcher)
    grids = {
        f["properties"]["code"]: f["properties"]["cameras"]
        for f in client.get(reverse("sensing:map_grids")).json()["features"]
    }
    assert grids[w.grid.code] == 1 and grids[w.grid_b.code] == 1
    assert grids[w.dongguan_grid.code] == 0
    assert w.other_grid.code not in grids


def test_a_bad_bbox_is_refused_as_json(client, w):
    as_user(client, w.admin)
    response = client.get(reverse("sensing:map_cameras"), {"bbox": "1,2,x"})
    assert response.status_code == 400 and response.json()["field"] == "bbox"


def test_the_figures_page(client, w):
    Camera.objects.filter(pk=w.camera_b.pk).update(offline_since=w.camera_b.last_seen_at)
    as_user(client, w.township_dispatcher)
    response = client.get(reverse("sensing:figures"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="cameras-online">1 / 2<' in page
    assert 'data-testid="camera-rate">50.0%<' in page
    assert client.get(reverse("sensing:figures"), {"days": "0"}).status_code == 400
    assert client.get(reverse("sensing:figures"), {"days": "x"}).status_code == 400


def test_the_figures_show_which_rule_on_which_camera_is_mostly_dismissed(client, w):
    from django.utils import timezone

    from gongzhi.sensing.choices import EventState
    from gongzhi.sensing.models import Event

    def event(camera, rule, state):
        Event.objects.create(camera=camera, rule_code=rule, at=timezone.now(), state=state)

    for state in (EventState.DISMISSED, EventState.DISMISSED, EventState.DISMISSED):
        event(w.camera, "water_edge", state)
    event(w.camera, "water_edge", EventState.CONFIRMED)
    event(w.camera, "crowd", EventState.CONFIRMED)
    event(w.camera, "crowd", EventState.NEW)  # not decided: not counted
    as_user(client, w.township_dispatcher)
    page = client.get(reverse("sensing:figures")).content.decode()
    table = page[page.index('data-testid="false-alarms"') :]
    table = table[: table.index("</table>")]
    rows = re.findall(r"<tr><td>.*?</tr>", table, re.S)
    assert "water_edge" in rows[0] and ">75.0%<" in rows[0] and ">4<" in rows[0]
    assert "crowd" in rows[1] and ">0.0%<" in rows[1] and ">1<" in rows[1]


def test_the_menu_shows_the_entries_to_those_who_see_cameras(w):
    def names(user):
        return {item.name for items in menu_for(user).values() for item in items}

    assert {"sensing_cameras", "sensing_console"} <= names(w.township_dispatcher)
    assert "sensing_console" not in names(w.police_officer)  # an owner's officer keeps no watch
    assert "sensing_map" in names(w.police_officer)
    assert "sensing_cameras" not in names(w.grid_worker)
    assert "sensing_cameras" not in names(w.zjj_handler)  # a department owning nothing


# -- in a real Chromium ------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_dispatcher_adds_a_camera_and_finds_it_on_the_map(chromium, live_server, sns):
    from tests.web.phone import log_in

    w = sns
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.base_url = live_server.url
    try:
        log_in(page, w.township_dispatcher.username, w.password)
        page.goto(live_server.url + reverse("sensing:camera_new"))
        lng, lat = w.point
        page.fill("#id_code", camera_code("630202", 9002))
        page.fill("#id_name", "西关浏览器探头")
        page.select_option("#id_type", str(w.types.camera("panoramic").pk))
        page.select_option("#id_owner", str(w.police.pk))
        page.fill("#id_lng", str(lng))
        page.fill("#id_lat", str(lat))
        page.fill("#id_direction", "")
        page.click("[data-testid=submit]")
        page.wait_for_selector("[data-testid=camera-name]")
        assert page.locator("[data-testid=camera-name]").inner_text() == "西关浏览器探头"

        page.goto(live_server.url + reverse("sensing:map"))
        expect(page.locator("[data-testid=sensing-map]")).to_have_attribute("data-ready", "1")
        counter = page.locator("#sensing-map-count")
        expect(counter).to_have_attribute("data-layers", "cameras,devices,grids")
        assert "3" in page.locator("[data-testid=map-count]").inner_text()  # 3 cameras

        page.goto(live_server.url + reverse("sensing:figures"))
        expect(page.locator("[data-testid=chart-grids]")).to_have_attribute("data-ready", "1")
        assert page.locator("[data-testid=chart-grids] canvas").count() == 1
        assert not errors, errors
    finally:
        context.close()


def test_a_camera_playing_a_sample_video_credits_it_without_showing_where(client, w):
    Camera.objects.filter(pk=w.camera.pk).update(
        stream_url="/srv/videos/one-by-one-person-detection.mp4"
    )
    as_user(client, w.township_dispatcher)
    page = client.get(reverse("sensing:camera", args=[w.camera.pk])).content.decode()
    assert "CC BY 4.0" in page and "/srv/videos" not in page
    Camera.objects.filter(pk=w.camera.pk).update(stream_url=STREAM)
    page = client.get(reverse("sensing:camera", args=[w.camera.pk])).content.decode()
    assert "CC BY" not in page
