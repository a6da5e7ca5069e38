"""Cameras and sensors from Excel, through the import page: the template, a good file
registered whole, a file with bad rows refused whole with every problem by row and column,
the importer's scope, and stream addresses from administrators only."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from gongzhi.core.models import AuditLog
from gongzhi.sensing.imports import CAMERA_KEYS, COLUMNS, DEVICE_KEYS
from gongzhi.sensing.models import Camera, Device
from tests.sensing.factories import camera_code

pytestmark = pytest.mark.django_db


def xlsx(keys, rows) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append([str(COLUMNS[k]) for k in keys])
    for row in rows:
        sheet.append([row.get(k) for k in keys])
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("ledger.xlsx", out.getvalue())


def camera_row(w, n, **extra) -> dict:
    lng, lat = w.point
    return {
        "code": camera_code("630202", 7000 + n),
        "name": f"西关{n}号探头",
        "type": "球机",
        "owner": w.police.name,
        "lng": lng + n * 0.0001,
        "lat": lat,
        "direction": 90,
        "field_of_view": 60,
        "range_m": 50,
        "social": "否",
        "enabled": "是",
        **extra,
    }


def upload(client, kind, file):
    return client.post(reverse("sensing:import", args=[kind]), {"file": file})


def problems(response) -> list[tuple[int, str, str]]:
    refused = response.context["refused"]
    return [(p.row, p.column, p.message) for p in refused.problems]


def test_the_template_has_the_columns(client, sns):
    client.force_login(sns.township_dispatcher)
    response = client.get(reverse("sensing:import_template", args=["camera"]))
    assert response.status_code == 200
    header = next(
        load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True)
    )
    assert list(header) == [str(COLUMNS[k]) for k in CAMERA_KEYS]
    assert client.get(reverse("sensing:import_template", args=["drone"])).status_code == 404


def test_a_good_file_registers_every_row(client, sns):
    w = sns
    client.force_login(w.township_dispatcher)
    response = upload(
        client,
        "camera",
        xlsx(CAMERA_KEYS, [camera_row(w, 1), camera_row(w, 2, type="dome", grid=w.grid_b.code)]),
    )
    assert response.status_code == 302
    one = Camera.objects.get(code=camera_code("630202", 7001))
    two = Camera.objects.get(code=camera_code("630202", 7002))
    assert one.type.code == "dome" and one.owner == w.police and one.grid == w.grid
    assert two.grid == w.grid_b
    assert AuditLog.objects.filter(action="import", actor=w.township_dispatcher).exists()


def test_bad_rows_import_nothing_and_each_problem_is_named(client, sns):
    w = sns
    client.force_login(w.township_dispatcher)
    before = Camera.objects.count()
    rows = [
        camera_row(w, 1),  # good
        camera_row(w, 2, code="12345"),  # row 3: not a national code
        camera_row(w, 3, type="无人机"),  # row 4: no such type
        camera_row(w, 1, name="重复"),  # row 5: the code of row 2 again
        camera_row(w, 5, social="也许", direction=400),  # row 6: two problems
        camera_row(w, 6, lng=None),  # row 7: no position
    ]
    response = upload(client, "camera", xlsx(CAMERA_KEYS, rows))
    assert response.status_code == 400
    assert Camera.objects.count() == before
    found = problems(response)
    cells = {(row, column) for row, column, _ in found}
    letter = {k: chr(ord("A") + i) for i, k in enumerate(CAMERA_KEYS)}
    assert (3, letter["code"]) in cells
    assert (4, letter["type"]) in cells
    assert (5, letter["code"]) in cells
    assert {(6, letter["social"]), (6, letter["direction"])} <= cells
    assert (7, letter["lng"]) in cells
    assert not any(row == 2 for row, _, _ in found)
    assert response.context["refused"].bad_rows == 5
    page = response.content.decode()
    assert 'data-testid="import-refused"' in page and 'data-row="6"' in page


def test_an_importer_registers_only_for_units_and_places_they_may(client, sns):
    w = sns
    client.force_login(w.police_officer)
    response = upload(
        client,
        "device",
        xlsx(
            DEVICE_KEYS,
            [
                {
                    "code": "nb-x-1",
                    "name": "井盖",
                    "type": "manhole_cover",
                    "owner": w.cgj.name,
                    "lng": w.point[0],
                    "lat": w.point[1],
                }
            ],
        ),  # fmt: skip
    )
    assert response.status_code == 400
    assert [(r, c) for r, c, _ in problems(response)] == [(2, "D")]
    assert not Device.objects.filter(code="nb-x-1").exists()


def test_stream_addresses_come_from_administrators_only(client, sns):
    w = sns
    stream = "rtsp://user:pw@10.0.0.9/live"
    client.force_login(w.township_dispatcher)
    response = upload(client, "camera", xlsx(CAMERA_KEYS, [camera_row(w, 1, stream_url=stream)]))
    assert response.status_code == 400
    assert [c for _, c, _ in problems(response)] == ["L"]
    client.force_login(w.admin)
    assert (
        upload(
            client, "camera", xlsx(CAMERA_KEYS, [camera_row(w, 1, stream_url=stream)])
        ).status_code
        == 302
    )
    assert Camera.objects.get(code=camera_code("630202", 7001)).stream_url == stream


def test_sensors_are_imported_and_a_missing_header_is_named(client, sns):
    w = sns
    client.force_login(w.handler)
    row = {"code": "nb-cover-77", "name": "西关街77号井盖", "type": "智能井盖", "owner": w.cgj.code,
           "lng": w.point[0], "lat": w.point[1], "address": "西关街77号", "threshold": 12}  # fmt: skip
    assert upload(client, "device", xlsx(DEVICE_KEYS, [row])).status_code == 302
    device = Device.objects.get(code="nb-cover-77")
    assert device.threshold == 12 and device.address == "西关街77号"
    response = upload(client, "device", xlsx(["code", "name"], [row]))
    assert response.status_code == 400 and problems(response)[0][0] == 1


def test_a_file_that_is_no_workbook_is_refused(client, sns):
    client.force_login(sns.township_dispatcher)
    response = upload(client, "camera", SimpleUploadedFile("x.xlsx", b"not a workbook"))
    assert response.status_code == 400
    assert 'data-testid="import-form-error"' in response.content.decode()
    response = upload(client, "camera", SimpleUploadedFile("x.csv", b"a,b"))
    assert response.status_code == 400


def test_a_code_registered_meanwhile_fails_the_whole_file(client, sns, monkeypatch):
    from gongzhi.sensing import imports
    from tests.sensing.factories import CameraFactory

    w = sns
    checked = imports.check_file

    def then_someone_registers(**kwargs):
        found = checked(**kwargs)
        CameraFactory(grid=w.grid, owner=w.police, code=camera_code("630202", 7002))
        return found

    monkeypatch.setattr(imports, "check_file", then_someone_registers)
    client.force_login(w.township_dispatcher)
    before = Camera.objects.count()
    response = upload(client, "camera", xlsx(CAMERA_KEYS, [camera_row(w, 1), camera_row(w, 2)]))
    assert response.status_code == 400
    assert Camera.objects.count() == before + 1  # only the other registration
    assert not Camera.objects.filter(code=camera_code("630202", 7001)).exists()
    assert "meanwhile" in problems(response)[0][2] or problems(response)
