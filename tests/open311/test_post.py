"""POST requests: form-encoded and multipart, every way to give a location, answers to
the category's questions, media, api keys and jurisdictions, idempotent retries and the
rate limit; every refusal changes nothing."""

import re
from io import BytesIO
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from gongzhi.cases.models import Attachment, Case
from gongzhi.open311.models import Open311Client, Open311Request
from gongzhi.open311.views import media_token
from tests.factories import photo

from . import local_schemas
from .conftest import get, post, valid, xml_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def frozen_clock(monkeypatch):
    """Rate windows at a fixed time, so that no window ends in the middle of a test."""
    monkeypatch.setattr(
        "gongzhi.core.ratelimit.time", SimpleNamespace(time=lambda: 1_800_000_000.0)
    )


def form(world, **overrides):
    data = {
        "api_key": world.key,
        "service_code": "G02.01",
        "lat": str(world.point[1]),
        "long": str(world.point[0]),
        "description": "西关路口井盖丢失，晚上很危险",
        "attribute[manhole_state]": "missing",
        "first_name": "秀兰",
        "last_name": "马",
        "phone": "13900001111",
        "email": "ma@example.com",
        "device_id": "phone-1",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def image(fmt="JPEG", size=(64, 48), name="photo.jpg", **save) -> SimpleUploadedFile:
    """Whatever the format, sent as image/jpeg (as a phone that guesses would)."""
    mode = "RGBA" if fmt == "PNG" else "RGB"
    colour = (200, 60, 40)
    return photo(name, size, fmt=fmt, mode=mode, colour=colour, content_type="image/jpeg", **save)


def test_a_post_makes_an_open311_case_with_the_answers(client, o311):
    response = post(client, "requests", form(o311, **{"attribute[lane]": "sidewalk"}))
    assert response.status_code == 201
    data = response.json()
    valid(local_schemas.POSTED, data)
    case = Case.objects.get(number=data[0]["service_request_id"])
    assert case.channel == "open311" and case.category.code == "G02.01"
    assert case.attributes == {"manhole_state": "missing", "lane": "sidewalk"}
    assert case.reporter_name == "秀兰 马" and case.reporter_phone == "13900001111"
    assert case.grid == o311.grid  # located and routed like any report
    assert case.open311.client == o311.api_client and case.open311.device_id == "phone-1"
    assert "token" not in data[0]
    assert data[0]["service_notice"] and case.number in data[0]["service_notice"]


def test_an_xml_post_answers_in_xml(client, o311):
    response = post(client, "requests", form(o311), fmt="xml")
    assert response.status_code == 201
    (answer,) = xml_data(response, "request")
    assert Case.objects.filter(number=answer["service_request_id"]).exists()


def test_an_address_instead_of_a_point(client, o311):
    response = post(
        client, "requests", form(o311, lat=None, long=None, address_string="乐都区碾伯镇西关街")
    )
    assert response.status_code == 201
    case = Case.objects.get()
    assert case.address == "乐都区碾伯镇西关街" and case.lat is None


def test_a_multi_value_answer_and_a_number(client, o311):
    data = form(o311, service_code="G01.03", **{"attribute[manhole_state]": None})
    data["attribute[waste][]"] = ["household", "bulky"]
    assert post(client, "requests", data).status_code == 201
    assert Case.objects.get().attributes == {"waste": ["household", "bulky"]}
    data = form(o311, service_code="G02.04", **{"attribute[manhole_state]": None})
    data["attribute[lamps_out]"] = "3"
    assert post(client, "requests", data).status_code == 201
    assert Case.objects.get(category__code="G02.04").attributes == {"lamps_out": 3}


@pytest.mark.parametrize(
    "overrides",
    [
        {"service_code": None},
        {"lat": None, "long": None},  # no location at all
        {"lat": None, "long": None, "address_id": "A-17"},  # no address repository here
        {"lat": "north", "long": "102.4"},
        {"lat": "95", "long": "102.4"},
        {"description": "长" * 4001},
        {"media_url": "javascript:alert(1)"},
        {"attribute[manhole_state]": None},  # a required question
        {"attribute[manhole_state]": "stolen"},  # not one of its answers
        {"attribute[colour]": "red"},  # no such question
        {"phone": "12"},
    ],
)
def test_bad_posts_are_400_and_change_nothing(client, o311, overrides):
    for fmt in ("json", "xml"):
        response = post(client, "requests", form(o311, **overrides), fmt=fmt)
        assert response.status_code == 400, response.content
    valid(
        local_schemas.ERRORS,
        response_json := post(client, "requests", form(o311, **overrides)).json(),
    )
    assert response_json[0]["code"] == 400
    assert not Case.objects.exists() and not Open311Request.objects.exists()


def test_an_unknown_service_is_400_and_an_unknown_jurisdiction_404(client, o311):
    """As GeoReport v2 lists a POST's errors."""
    response = post(client, "requests", form(o311, service_code="NOPE"))
    assert response.status_code == 400
    assert post(client, "requests", form(o311, jurisdiction_id="999999")).status_code == 404
    assert not Case.objects.exists()


def test_the_error_names_the_question(client, o311):
    response = post(client, "requests", form(o311, **{"attribute[manhole_state]": "stolen"}))
    assert "attribute[manhole_state]" in response.json()[0]["description"]


@pytest.mark.parametrize("key", [None, "", "not-a-key"])
def test_a_missing_or_bad_key_is_403(client, o311, key):
    response = post(client, "requests", form(o311, api_key=key))
    assert response.status_code == 403
    assert response.json() == [{"code": 403, "description": response.json()[0]["description"]}]
    assert not Case.objects.exists()


def test_a_disabled_client_is_403(client, o311):
    Open311Client.objects.filter(pk=o311.api_client.pk).update(is_active=False)
    assert post(client, "requests", form(o311)).status_code == 403


def test_jurisdictions_of_a_client(client, o311):
    o311.api_client.jurisdictions.set([o311.regions.ledu])
    # Its only jurisdiction need not be named; another one is refused; a point outside is 400.
    assert post(client, "requests", form(o311)).status_code == 201
    assert post(client, "requests", form(o311, jurisdiction_id="630203")).status_code == 403
    outside = form(o311, lat=str(o311.other_point[1]), long=str(o311.other_point[0]))
    assert post(client, "requests", outside).status_code == 400
    assert post(client, "requests", form(o311, jurisdiction_id="999999")).status_code == 404
    assert Case.objects.count() == 1


def test_a_retry_with_the_same_key_and_device_returns_the_first_request(client, o311):
    headers = {"HTTP_IDEMPOTENCY_KEY": "retry-0001-abcdef"}
    first = post(client, "requests", form(o311), **headers)
    again = post(client, "requests", form(o311), **headers)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()[0]["service_request_id"] == first.json()[0]["service_request_id"]
    assert Case.objects.count() == 1
    # The same header from another device, or without one, is a new report.
    other = post(client, "requests", form(o311, device_id="phone-2"), **headers)
    assert other.status_code == 201
    assert post(client, "requests", form(o311)).status_code == 201
    assert Case.objects.count() == 3


def test_a_post_repeated_without_a_key_within_ten_minutes_is_a_retry(client, o311, monkeypatch):
    # FixMyStreet sends no Idempotency-Key: a post repeated after a timeout must not double.
    clock = SimpleNamespace(now=1_800_000_000.0 - 5)  # five seconds before a window turns
    monkeypatch.setattr("gongzhi.open311.services.time", SimpleNamespace(time=lambda: clock.now))
    first = post(client, "requests", form(o311))
    clock.now += 30  # the retry lands in the next window
    again = post(client, "requests", form(o311), fmt="xml")
    assert (first.status_code, again.status_code) == (201, 200)
    number = first.json()[0]["service_request_id"]
    assert xml_data(again, "request")[0]["service_request_id"] == number
    assert Case.objects.count() == 1 and Open311Request.objects.count() == 1
    # Other words, another device, or the same words much later are new reports.
    assert (
        post(client, "requests", form(o311, description="西关路口又一个井盖丢失")).status_code
        == 201
    )
    assert post(client, "requests", form(o311, device_id="phone-2")).status_code == 201
    clock.now += 25 * 60
    assert post(client, "requests", form(o311)).status_code == 201
    assert Case.objects.count() == 4


def test_a_retry_by_another_client_is_its_own_request(client, o311):
    headers = {"HTTP_IDEMPOTENCY_KEY": "retry-0001-abcdef"}
    other = Open311Client(name="另一个应用")
    other_key = other.issue_key()
    other.save()
    first = post(client, "requests", form(o311), **headers)
    second = post(client, "requests", form(o311, api_key=other_key), **headers)
    assert first.json()[0]["service_request_id"] != second.json()[0]["service_request_id"]


def test_a_malformed_idempotency_key_is_400(client, o311):
    response = post(client, "requests", form(o311), HTTP_IDEMPOTENCY_KEY="no spaces!")
    assert response.status_code == 400 and not Case.objects.exists()


def test_a_token_client_gets_a_token_to_look_up(client, o311):
    Open311Client.objects.filter(pk=o311.api_client.pk).update(answer_with_token=True)
    data = post(client, "requests", form(o311)).json()
    valid(local_schemas.POSTED, data)
    assert "service_request_id" not in data[0]
    token = data[0]["token"]
    for fmt in ("json", "xml"):
        response = get(client, f"tokens/{token}", fmt)
        assert response.status_code == 200
    found = get(client, f"tokens/{token}").json()
    valid(local_schemas.TOKENS, found)
    assert found == [{"service_request_id": Case.objects.get().number, "token": token}]
    assert xml_data(get(client, f"tokens/{token}", "xml"), "request") == found
    assert get(client, "tokens/unknown").status_code == 404


def test_a_media_url_is_kept_and_shown(client, o311):
    url = "https://img.example.com/p/1.jpg"
    number = post(client, "requests", form(o311, media_url=url)).json()[0]["service_request_id"]
    assert get(client, f"requests/{number}").json()[0]["media_url"] == url


def test_a_jpeg_upload_is_stored_upright_without_gps_and_served(client, o311):
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was turned: stored upright
    exif.get_ifd(0x8825)[2] = (36.0, 28.0, 12.0)  # GPS latitude: dropped
    upload = image(size=(64, 48), exif=exif.tobytes())
    response = post(client, "requests", {**form(o311), "media": upload})
    assert response.status_code == 201
    attachment = Attachment.objects.get()
    with Image.open(attachment.image.path) as stored:
        assert stored.size == (48, 64)
        assert not stored.getexif()
    assert attachment.thumbnail
    number = response.json()[0]["service_request_id"]
    media_url = get(client, f"requests/{number}").json()[0]["media_url"]
    assert media_url.startswith("http://testserver/open311/v2/media/")
    served = client.get(media_url)
    assert served.status_code == 200
    assert Image.open(BytesIO(b"".join(served.streaming_content))).format == "JPEG"


def test_a_png_named_jpg_is_taken_for_what_it_is(client, o311):
    response = post(client, "requests", {**form(o311), "media": image("PNG", name="x.jpg")})
    assert response.status_code == 201
    assert Attachment.objects.get().image.name.endswith(".png")


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("notes.jpg", b"just some text, not a photo", content_type="image/jpeg"),
        # A decompression bomb: a tiny file that declares 64 million pixels.
        pytest.param("bomb", id="bomb"),
        pytest.param("gif", id="gif"),
    ],
)
def test_bad_media_is_refused_and_changes_nothing(client, o311, upload):
    if upload == "bomb":
        out = BytesIO()
        Image.new("1", (8000, 8000)).save(out, "PNG")
        assert len(out.getvalue()) < 100_000
        upload = SimpleUploadedFile("bomb.png", out.getvalue(), content_type="image/png")
    elif upload == "gif":
        upload = image("GIF", name="a.gif")
    response = post(client, "requests", {**form(o311), "media": upload})
    assert response.status_code == 400
    assert not Case.objects.exists() and not Attachment.objects.exists()


def test_over_the_clients_rate_is_429_with_retry_after(client, o311, frozen_clock):
    Open311Client.objects.filter(pk=o311.api_client.pk).update(rate="2/m")
    posts = [form(o311, description=f"西关路口井盖丢失 第{i}处") for i in range(4)]
    assert [post(client, "requests", posts[i]).status_code for i in range(2)] == [201, 201]
    for i, fmt in ((2, "json"), (3, "xml")):
        response = post(client, "requests", posts[i], fmt=fmt)
        assert response.status_code == 429
        assert int(response["Retry-After"]) > 0
    assert response.status_code == 429 and xml_data(response, "error")[0]["code"] == "429"
    assert Case.objects.count() == 2
    # Another client has its own allowance.
    other = Open311Client(name="另一个应用")
    other_key = other.issue_key()
    other.save()
    assert post(client, "requests", form(o311, api_key=other_key)).status_code == 201


def test_posts_without_a_key_where_allowed_are_limited_per_address(
    client, o311, settings, frozen_clock
):
    settings.GONGZHI = {
        **settings.GONGZHI,
        "OPEN311_ANONYMOUS_POSTS": True,
        "RATE_LIMITS": {**settings.GONGZHI["RATE_LIMITS"], "anonymous_report": "2/m"},
    }
    posts = [form(o311, api_key=None, description=f"西关路口井盖丢失 第{i}处") for i in range(4)]
    assert [post(client, "requests", posts[i]).status_code for i in range(3)] == [201, 201, 429]
    other = post(client, "requests", posts[3], REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 201
    case = Case.objects.filter(open311__client__isnull=True).first()
    assert case is not None and case.channel == "open311"


def test_behind_a_trusted_proxy_each_client_address_has_its_own_allowance(
    client, o311, settings, frozen_clock
):
    settings.GONGZHI = {
        **settings.GONGZHI,
        "OPEN311_ANONYMOUS_POSTS": True,
        "TRUSTED_PROXIES": "127.0.0.1",
        "RATE_LIMITS": {**settings.GONGZHI["RATE_LIMITS"], "anonymous_report": "2/m"},
    }
    posts = iter(form(o311, api_key=None, description=f"路口井盖丢失 第{i}处") for i in range(9))

    def via_proxy(forwarded):
        return post(
            client, "requests", next(posts), REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded
        ).status_code

    assert [via_proxy("1.1.1.1") for _ in range(3)] == [201, 201, 429]
    # Writing another address in front of its own does not give a client a new allowance.
    assert via_proxy("9.9.9.9, 1.1.1.1") == 429
    assert via_proxy("2.2.2.2") == 201  # another resident behind the same proxy


def test_photos_of_private_categories_are_not_served(client, o311):
    """A tip-off's photo is stored with the case but never served publicly."""
    data = form(o311, service_code="G03.02", **{"attribute[manhole_state]": None})
    response = post(client, "requests", {**data, "media": image()})
    assert response.status_code == 201
    attachment = Attachment.objects.get()
    assert client.get(f"/open311/v2/media/{media_token(attachment.pk)}").status_code == 404
    assert client.get(f"/open311/v2/media/{media_token(999999)}").status_code == 404


def test_photos_cannot_be_fetched_by_counting_their_ids(client, o311):
    response = post(client, "requests", {**form(o311), "media": image()})
    assert response.status_code == 201
    attachment = Attachment.objects.get()
    assert client.get(f"/open311/v2/media/{media_token(attachment.pk)}").status_code == 200
    assert client.get(f"/open311/v2/media/{attachment.pk}").status_code == 404
    forged = media_token(attachment.pk)[:-2] + "xx"
    assert client.get(f"/open311/v2/media/{forged}").status_code == 404


def test_a_datetime_answer_is_kept_with_its_offset_and_a_notice_asks_nothing(client, o311):
    data = form(o311, service_code="G05.01", **{"attribute[manhole_state]": None})
    response = post(client, "requests", {**data, "attribute[observed_at]": "2026-11-30T08:15"})
    assert response.status_code == 201
    assert Case.objects.get().attributes == {"observed_at": "2026-11-30T08:15:00+08:00"}
    bad = post(client, "requests", {**data, "attribute[observed_at]": "last night"})
    notice = post(client, "requests", {**data, "attribute[notice]": "ok"})
    assert (bad.status_code, notice.status_code) == (400, 400)
    assert Case.objects.count() == 1


def test_the_answers_show_on_the_case_page(client, o311):
    data = form(o311, **{"attribute[lane]": "sidewalk"})
    number = post(client, "requests", data).json()[0]["service_request_id"]
    client.force_login(o311.dispatcher)
    page = client.get(reverse("cases:detail", args=[number])).content.decode()
    shown = re.findall(r"<dt>([^<]*)</dt><dd data-testid=\"answer\">([^<]*)</dd>", page)
    assert shown == [("井盖是什么情况？", "缺失"), ("井盖在哪里？", "人行道")]
