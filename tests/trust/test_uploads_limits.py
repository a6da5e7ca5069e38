"""Uploads on the 随手拍 page as an attacker sends them (issue 22, defect 9): a small PNG
declaring a huge canvas must be refused without being decoded, and a body larger than any
report may be is refused from its Content-Length, before it is read."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from gongzhi.cases.models import Case

pytestmark = pytest.mark.django_db

REPORT = reverse("cases:report")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "en"


def png(width, height) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, format="PNG")
    return SimpleUploadedFile("bomb.png", out.getvalue(), content_type="image/png")


def test_a_small_png_of_6300_by_6300_pixels_is_refused_undecoded(world, monkeypatch):
    upload = png(6300, 6300)  # before the watch below: saving it loads the new image
    decoded = []
    real_load = Image.Image.load

    def load(self):
        if self.size == (6300, 6300):
            decoded.append(self.size)
        return real_load(self)

    monkeypatch.setattr(Image.Image, "load", load)
    assert upload.size < 100_000  # a few kilobytes on the wire
    client = Client()
    client.force_login(world.grid_worker)
    data = {
        "category": world.manhole.pk,
        "lng": world.point[0],
        "lat": world.point[1],
        "description": "西关路口井盖丢失，晚上很危险",
        "photos": [upload],
    }
    response = client.post(REPORT, data)
    assert response.status_code == 400
    assert "too many pixels" in response.content.decode()
    assert decoded == []
    assert Case.objects.count() == 0


class Body(io.RawIOBase):
    """A request body that counts what is read of it and breaks off after ``cut`` bytes (a
    client that would go on sending 100 MB)."""

    def __init__(self, cut: int):
        self.read_bytes, self.cut = 0, cut

    def readable(self):
        return True

    def readinto(self, buffer):
        if self.read_bytes >= self.cut:
            raise OSError("the client is still sending")
        n = min(len(buffer), self.cut - self.read_bytes)
        buffer[:n] = b"x" * n
        self.read_bytes += n
        return n


def test_a_100_mb_upload_is_refused_before_it_is_read(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.grid_worker)
    body = Body(cut=2 * 1024 * 1024)
    response = client.generic(
        "POST",
        REPORT,
        b"",
        content_type="multipart/form-data; boundary=----gongzhi",
        CONTENT_LENGTH=str(100 * 1024 * 1024),
        **{"wsgi.input": body},
    )
    assert response.status_code == 413
    assert body.read_bytes == 0
    assert "too large" in response.content.decode()


def test_a_stored_photo_cannot_be_found_by_counting_case_numbers(world):
    """Whatever serves the media folder later (a proxy, object storage), a report's photo
    is not at a name made of its case number alone."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, format="JPEG")
    client = Client()
    client.force_login(world.grid_worker)
    data = {
        "category": world.manhole.pk,
        "lng": world.point[0],
        "lat": world.point[1],
        "description": "西关路口井盖丢失，晚上很危险",
        "photos": [SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg")],
    }
    assert client.post(REPORT, data).status_code == 302
    case = Case.objects.get()
    (attachment,) = case.attachments.all()
    for stored in (attachment.image.name, attachment.thumbnail.name):
        stem = stored.rsplit("/", 1)[-1].split(".")[0]
        assert stem.startswith(case.number + "-")
        assert len(stem) - len(case.number) > 20  # 128 random bits follow the number


def test_the_asgi_server_refuses_a_100_mb_upload_from_its_headers():
    """Under gunicorn/uvicorn Django would receive the whole body (spooled to disk) before any
    middleware: the application `gongzhi serve` runs answers 413 without reading any of it."""
    import asyncio

    from gongzhi.asgi import application

    received, sent = [], []

    async def receive():
        received.append(1)
        return {"type": "http.request", "body": b"x" * 65536, "more_body": True}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": REPORT,
        "raw_path": REPORT.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"multipart/form-data; boundary=----gongzhi"),
            (b"content-length", str(100 * 1024 * 1024).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    asyncio.run(asyncio.wait_for(application(scope, receive, send), timeout=60))
    assert received == []
    assert sent[0]["status"] == 413
