"""The intake pages through Django's test client: 随手拍, the 12345 hotline form, the
category and nearby fragments, and public tracking with the reporter's callback."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from gongzhi.cases.choices import State
from gongzhi.cases.models import Attachment, Callback, Case
from gongzhi.cases.workflow import table as workflow
from tests.factories import call_case, jpeg, report_case

pytestmark = pytest.mark.django_db

REPORT = reverse("cases:report")
HOTLINE = reverse("cases:hotline")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "en"


def login(client, world, person):
    client.force_login(person)
    return client


def quick_data(world, **overrides):
    data = {
        "category": world.manhole.pk,
        "lng": world.point[0],
        "lat": world.point[1],
        "description": "西关路口井盖丢失，晚上很危险",
        "idempotency_key": "3f2a9c1e-1111-4a4a-9b9b-000000000001",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def hotline_data(world, **overrides):
    data = {
        "reporter_name": "王建国",
        "reporter_phone": "13812345678",
        "address": "乐都区碾伯镇西关街12号",
        "category": world.pothole.pk,
        "description": "西关街路面坑洼，车辆通行困难",
        "idempotency_key": "7b1e0c2d-2222-4b4b-8c8c-000000000002",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def track_url(case, token=None):
    url = reverse("cases:track", args=[case.number])
    return url if token is None else f"{url}?t={token}"


def make_case(world, **overrides):
    overrides = {"title": "", "description": "西关路口井盖丢失", **overrides}
    return report_case(world, world.manhole, **overrides)


def close(world, case):
    w = world
    steps = [("accept", w.dispatcher, {})] if case.state == State.REPORTED else []
    for action, actor, params in steps + [
        ("dispatch", w.dispatcher, {}),
        ("sign_for", w.handler, {}),
        ("resolve", w.handler, {"result": "已补装井盖"}),
        ("verify_pass", w.grid_worker, {}),
    ]:
        case = workflow.transition(case_id=case.pk, action=action, actor=actor, **params)
    return case


# --- who may open which page ------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "who", "status"),
    [
        (REPORT, "resident", 200),
        (REPORT, "grid_worker", 200),
        (REPORT, "operator", 403),
        (REPORT, "dispatcher", 403),
        (REPORT, "handler", 403),
        (REPORT, "leader", 403),
        (HOTLINE, "operator", 200),
        (HOTLINE, "dispatcher", 200),
        (HOTLINE, "admin", 200),
        (HOTLINE, "resident", 403),
        (HOTLINE, "grid_worker", 403),
        (HOTLINE, "handler", 403),
        (HOTLINE, "leader", 403),
    ],
)
def test_pages_open_to_their_roles_only(client, world, url, who, status):
    login(client, world, getattr(world, who))
    assert client.get(url).status_code == status
    if status == 403:
        assert client.post(url, {}).status_code == 403


@pytest.mark.parametrize(
    "url", [REPORT, HOTLINE, reverse("cases:nearby"), reverse("cases:category_search")]
)
def test_intake_pages_need_a_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_quick_report_page_has_camera_input_map_and_retry_key(client, world):
    html = login(client, world, world.resident).get(REPORT).content.decode()
    assert re.search(
        r'<input[^>]*type="file"[^>]*name="photos"[^>]*accept="image/\*"[^>]*'
        r'capture="environment"[^>]*multiple',
        html,
    )
    assert 'data-testid="map"' in html and reverse("regions:layers") in html
    assert 'name="idempotency_key"' in html
    assert reverse("cases:category_search") in html and reverse("cases:nearby") in html


# --- 随手拍 -----------------------------------------------------------------------------


def test_a_quick_report_with_photos_is_stored_and_redirects_to_tracking(client, world):
    login(client, world, world.resident)
    photos = [jpeg("upright.jpg"), jpeg("turned.jpg", size=(64, 48), orientation=6)]
    response = client.post(REPORT, {**quick_data(world), "photos": photos})
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == track_url(case, case.tracking_token)
    assert case.channel == "quick_report" and case.reporter == world.resident
    assert case.grid == world.grid and case.state == State.REPORTED
    assert case.title.startswith("西关路口井盖丢失")
    attachments = list(case.attachments.order_by("id"))
    assert [a.stage for a in attachments] == ["report", "report"]
    # The EXIF orientation was applied to the stored copy, and the EXIF block dropped.
    with Image.open(attachments[1].image.path) as stored:
        assert stored.size == (48, 64)
        assert not stored.getexif()
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert case.number in page.content.decode()
    assert [str(m) for m in page.context["messages"]] == [
        f"Thank you! Your report was received as case {case.number}."
    ]


def test_a_grid_workers_report_uses_the_grid_worker_channel(client, world):
    login(client, world, world.grid_worker)
    assert client.post(REPORT, quick_data(world)).status_code == 302
    case = Case.objects.get()
    assert case.channel == "grid_worker" and case.reporter == world.grid_worker
    assert case.state == State.ACCEPTED  # the world's channel policy accepts patrol reports


def test_a_double_submit_with_the_same_key_makes_one_case(client, world):
    login(client, world, world.resident)
    first = client.post(REPORT, {**quick_data(world), "photos": [jpeg()]})
    again = client.post(REPORT, {**quick_data(world), "photos": [jpeg()]})
    assert Case.objects.count() == 1 and Attachment.objects.count() == 1
    assert first["Location"] == again["Location"]
    page = client.get(again["Location"])
    assert "already received" in " ".join(str(m) for m in page.context["messages"])


def test_the_same_key_from_another_person_does_not_return_their_case(client, world):
    login(client, world, world.resident).post(REPORT, quick_data(world))
    login(client, world, world.other_resident).post(REPORT, quick_data(world))
    assert Case.objects.count() == 2
    assert {c.reporter for c in Case.objects.all()} == {world.resident, world.other_resident}


def test_an_anonymous_report_keeps_no_reporter_but_can_be_tracked(client, world):
    login(client, world, world.resident)
    response = client.post(REPORT, quick_data(world, is_anonymous="on"))
    case = Case.objects.get()
    assert case.is_anonymous and case.reporter is None
    assert client.get(response["Location"]).status_code == 200
    assert client.get(track_url(case)).status_code == 404  # no token: not "their" case any more


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"description": ""}, "description"),
        ({"category": None}, "category"),
        ({"category": "999999"}, "category"),
        ({"category": "99999999999999999999"}, "category"),
        ({"lng": None, "lat": None}, "location"),
        ({"lng": "abc"}, "location"),
        ({"lat": None}, "location"),
        ({"description": "x" * 5001}, "description"),
    ],
)
def test_bad_input_is_refused_next_to_its_field_and_stores_nothing(client, world, overrides, field):
    login(client, world, world.resident)
    response = client.post(REPORT, {**quick_data(world, **overrides), "photos": [jpeg()]})
    assert response.status_code == 400
    html = response.content.decode()
    assert f'data-testid="error-{field}"' in html
    assert 'data-testid="form-error"' in html
    assert not Case.objects.exists() and not Attachment.objects.exists()
    # What was typed is still there, and the same retry key is kept for the next attempt.
    assert 'value="3f2a9c1e-1111-4a4a-9b9b-000000000001"' in html


@pytest.mark.parametrize(
    ("overrides", "field", "chinese"),
    [
        ({"description": ""}, "description", "请描述问题"),
        ({"category": None}, "category", "请选择"),
    ],
)
def test_a_chinese_reader_gets_the_errors_in_chinese(client, world, overrides, field, chinese):
    login(client, world, world.resident)
    response = client.post(
        REPORT, quick_data(world, **overrides), headers={"Accept-Language": "zh-Hans"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    message = re.search(rf'data-testid="error-{field}"[^>]*>(.*?)</', html, re.S).group(1)
    assert chinese in message, message
    assert not Case.objects.exists()


def test_the_chosen_category_is_shown_again_after_an_error(client, world):
    login(client, world, world.resident)
    html = client.post(REPORT, quick_data(world, description="")).content.decode()
    assert re.search(r'data-testid="category-chosen">道路与井盖 / 井盖缺失破损<', html)


def test_a_file_that_is_not_an_image_is_refused_even_if_named_jpg(client, world):
    login(client, world, world.resident)
    fake = SimpleUploadedFile(
        "photo.jpg", b"%PDF-1.4 not a photo at all", content_type="image/jpeg"
    )
    response = client.post(REPORT, {**quick_data(world), "photos": [jpeg(), fake]})
    assert response.status_code == 400
    assert 'data-testid="error-photos"' in response.content.decode()
    assert not Case.objects.exists() and not Attachment.objects.exists()


def test_at_most_six_photos(client, world):
    login(client, world, world.resident)
    photos = [jpeg(f"p{i}.jpg") for i in range(7)]
    response = client.post(REPORT, {**quick_data(world), "photos": photos})
    assert response.status_code == 400
    assert 'data-testid="error-photos"' in response.content.decode()
    assert not Case.objects.exists()


def test_my_recent_reports_are_listed_on_the_report_page(client, world):
    mine = make_case(world)
    make_case(world, description="别人的报告", reporter=world.other_resident)
    html = login(client, world, world.resident).get(REPORT).content.decode()
    numbers = re.findall(r'data-testid="my-report" data-number="([^"]+)"', html)
    assert numbers == [mine.number]
    assert track_url(mine, mine.tracking_token) in html


# --- 12345 hotline ----------------------------------------------------------------------


def test_the_hotline_requires_the_callers_phone(client, world):
    login(client, world, world.operator)
    response = client.post(HOTLINE, hotline_data(world, reporter_phone=""))
    assert response.status_code == 400
    assert 'data-testid="error-reporter_phone"' in response.content.decode()
    response = client.post(HOTLINE, hotline_data(world, reporter_phone="12345"))
    assert response.status_code == 400
    assert 'data-testid="error-reporter_phone"' in response.content.decode()
    assert not Case.objects.exists()


def test_an_empty_hotline_form_names_every_missing_field_at_once(client, world):
    # The caller is waiting on the line: one round trip shows all that is missing.
    login(client, world, world.operator)
    empty = hotline_data(world, description="", reporter_phone="", category="", address="")
    html = client.post(HOTLINE, empty).content.decode()
    for field in ("description", "reporter_phone", "category", "address"):
        assert f'data-testid="error-{field}"' in html
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("１３９１２３４５６７８", "13912345678"),  # full-width, from a Chinese input method
        ("+86 139 1234 5678", "13912345678"),
        ("0972-8612345", "09728612345"),  # 海东's area code
        ("(0972) 861 2345", "09728612345"),
        ("400-123-4567", "4001234567"),
    ],
)
def test_phone_numbers_are_stored_as_plain_digits(client, world, typed, stored):
    login(client, world, world.operator)
    assert client.post(HOTLINE, hotline_data(world, reporter_phone=typed)).status_code == 302
    assert Case.objects.get().reporter_phone == stored


@pytest.mark.parametrize("typed", ["1391234567", "23912345678", "139123456789", "+86 0972861234"])
def test_a_number_that_is_no_phone_is_refused(client, world, typed):
    login(client, world, world.operator)
    response = client.post(HOTLINE, hotline_data(world, reporter_phone=typed))
    assert response.status_code == 400
    assert 'data-testid="error-reporter_phone"' in response.content.decode()
    assert not Case.objects.exists()


def test_the_hotline_requires_an_address_or_a_point(client, world):
    login(client, world, world.operator)
    response = client.post(HOTLINE, hotline_data(world, address=""))
    assert response.status_code == 400
    assert 'data-testid="error-address"' in response.content.decode()
    assert not Case.objects.exists()
    # A point on the map is enough.
    response = client.post(
        HOTLINE, hotline_data(world, address="", lng=world.point[0], lat=world.point[1])
    )
    assert response.status_code == 302
    assert Case.objects.get().grid == world.grid


def test_a_hotline_case_is_saved_and_a_fresh_form_shows_its_number(client, world):
    login(client, world, world.operator)
    response = client.post(HOTLINE, hotline_data(world, is_urgent="on"))
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{HOTLINE}?saved={case.number}"
    assert case.channel == "hotline" and case.reporter is None and case.entered_by == world.operator
    assert case.reporter_phone == "13812345678" and case.reporter_name == "王建国"
    assert case.is_urgent and case.state == State.ACCEPTED
    # The timeline says which operator took the call, for their centre.
    reported = case.events.get(action="report")
    assert reported.actor == world.operator
    assert reported.actor_organisation == world.operator.memberships.get().organisation
    page = client.get(response["Location"])
    html = page.content.decode()
    assert f'data-testid="hotline-saved" data-number="{case.number}"' in html
    assert reverse("cases:detail", args=[case.number]) in html
    # A fresh form: nothing of the last call is left in it, and a new retry key will be made.
    assert "13812345678" not in html and 'name="idempotency_key" value=""' in html
    # Another operator cannot read somebody else's saved panel from the URL.
    other = login(client, world, world.dispatcher).get(response["Location"]).content.decode()
    assert 'data-testid="hotline-saved"' not in other


def test_the_platforms_own_notes_are_shown_in_the_readers_language(client, world):
    login(client, world, world.operator)
    client.post(HOTLINE, hotline_data(world), HTTP_ACCEPT_LANGUAGE="zh-hans")
    case = Case.objects.get()
    assert case.events.get(action="accept").note == "该渠道的事件自动受理。"  # as written
    url = track_url(case, case.tracking_token)
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Accepted automatically for this channel." in english and "自动受理" not in english
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "该渠道的事件自动受理。" in chinese


def test_the_category_note_follows_the_reader_too(world):
    from django.utils import translation

    case = make_case(world)
    with translation.override("zh-hans"):
        workflow.transition(
            case_id=case.pk, action="categorise", actor=world.dispatcher, category=world.manhole
        )
    event = case.events.get(action="categorise")
    assert event.note.startswith("类别设为")  # as written, in Chinese
    with translation.override("en"):
        assert event.display_note() == f"Category set to “{world.manhole.full_name}”."


def test_a_retried_hotline_submission_makes_one_case(client, world):
    login(client, world, world.operator)
    client.post(HOTLINE, hotline_data(world))
    client.post(HOTLINE, hotline_data(world))
    assert Case.objects.count() == 1


# --- fragments ----------------------------------------------------------------------------


def test_category_search_lists_matches_with_their_full_path(client, world):
    login(client, world, world.resident)
    html = client.get(reverse("cases:category_search"), {"q": "井盖"}).content.decode()
    options = re.findall(r'data-id="(\d+)" data-name="([^"]+)"', html)
    assert options[0] == (str(world.manhole.pk), "道路与井盖 / 井盖缺失破损")
    assert client.get(reverse("cases:category_search"), {"q": ""}).content.strip() == b""


def test_category_search_shows_twelve_offered_categories_when_reserved_ones_match_too(
    client, world
):
    # Three categories of the repairs room's reserved tree match better (exact names) than
    # the twelve ordinary ones: the search leaves them out itself, and still finds twelve.
    from gongzhi.taxonomy.models import Category

    repairs = Category.objects.get(code="RP")
    for i in range(3):
        Category.objects.create(code=f"RPX{i}", name=f"蓝莓{i}", parent=repairs)
    ordinary = Category.objects.get(pk=world.pothole.pk).parent
    for i in range(14):
        Category.objects.create(code=f"BX{i:02d}", name=f"路边蓝莓摊{i:02d}", parent=ordinary)
    login(client, world, world.resident)
    html = client.get(reverse("cases:category_search"), {"q": "蓝莓"}).content.decode()
    names = re.findall(r'data-id="\d+" data-name="([^"]+)"', html)
    assert len(names) == 12
    assert all("路边蓝莓摊" in n for n in names)


def test_nearby_shows_open_cases_of_the_same_category_within_200_m(client, world):
    near = make_case(world, lng=world.point[0] + 0.001, lat=world.point[1])  # ~90 m east
    make_case(world, lng=world.point[0] + 0.01, lat=world.point[1])  # ~900 m: too far
    make_case(world, category_id=world.pothole.pk)  # another category
    login(client, world, world.dispatcher)
    response = client.get(
        reverse("cases:nearby"),
        {"category": world.manhole.pk, "lng": world.point[0], "lat": world.point[1]},
    )
    html = response.content.decode()
    assert re.findall(r'data-testid="nearby-case" data-number="([^"]+)"', html) == [near.number]
    assert 'data-count="1"' in html
    assert re.search(r"\b(8\d|9\d) m\b", html)  # the distance
    assert reverse("cases:detail", args=[near.number]) in html  # staff get a link
    # Incomplete or nonsense queries answer with nothing rather than an error.
    for query in [
        {"category": "x", "lng": "nan", "lat": "1"},
        {"category": "99999999999999999999", "lng": "102.4", "lat": "36.4"},
        {"lng": "102.4"},
    ]:
        bad = client.get(reverse("cases:nearby"), query)
        assert bad.status_code == 200 and b"nearby-hint" not in bad.content


def test_a_call_without_a_pin_is_checked_against_the_place_its_address_names(client, world):
    here = make_case(world)  # in 西关社区1号网格
    make_case(world, lng=world.point[0] + 0.015, lat=world.point[1])  # in 2号网格
    login(client, world, world.operator)
    query = {"category": world.manhole.pk, "text": "井盖丢了"}
    html = client.get(
        reverse("cases:nearby"), {**query, "address": "碾伯镇西关社区1号网格幸福路口"}
    ).content.decode()
    assert re.findall(r'data-testid="nearby-case" data-number="([^"]+)"', html) == [here.number]
    assert 'data-testid="nearby-by-place"' in html and "西关社区1号网格" in html
    # The whole community when the address names no grid.
    html = client.get(reverse("cases:nearby"), {**query, "address": "西关社区"}).content.decode()
    assert 'data-count="2"' in html
    # Only a county, or nothing known: too coarse to say anything.
    for address in ["乐都区", "不知道哪里"]:
        html = client.get(reverse("cases:nearby"), {**query, "address": address}).content.decode()
        assert "nearby-hint" not in html


# --- tracking -----------------------------------------------------------------------------


def test_tracking_needs_the_right_token_or_the_reporter(client, world):
    case = make_case(world)
    assert client.get(track_url(case)).status_code == 404
    assert client.get(track_url(case, "wrong-token")).status_code == 404
    assert client.get(track_url(case, "非ASCII的令牌")).status_code == 404
    assert client.get(track_url(case, case.tracking_token)).status_code == 200
    missing = reverse("cases:track", args=["HD-20200101-000001"])
    assert client.get(f"{missing}?t={case.tracking_token}").status_code == 404
    assert login(client, world, world.resident).get(track_url(case)).status_code == 200
    assert login(client, world, world.other_resident).get(track_url(case)).status_code == 404


def test_the_tracking_page_shows_progress_but_no_personal_data(client, world):
    w = world
    case = call_case(
        w,
        w.manhole,
        title="",
        description="路口井盖丢失，联系电话13812345678",
        address="乐都区碾伯镇西关街12号3单元",
        reporter_name="王建国",
        reporter_phone="13987654321",
    )
    case = workflow.transition(case_id=case.pk, action="dispatch", actor=w.dispatcher)
    workflow.transition(
        case_id=case.pk, action="comment", actor=w.dispatcher, note="内部意见：先别告诉群众"
    )
    workflow.transition(case_id=case.pk, action="sign_for", actor=w.handler)
    response = client.get(track_url(case, case.tracking_token))
    assert response.status_code == 200
    html = response.content.decode()
    assert case.number in html and "道路与井盖 / 井盖缺失破损" in html
    assert 'data-testid="progress" data-stage="3"' in html
    for secret in [
        "13812345678",
        "13987654321",
        "王建国",
        "西关街12号",
        "内部意见",
        w.operator.display_name,
        w.dispatcher.display_name,
        w.handler.display_name,
        w.grid_worker.display_name,
    ]:
        assert secret not in html, secret
    assert "138****5678" in html  # a phone number typed into the text is masked
    actions = re.findall(r'<li data-action="([a-z_]+)"', html)
    assert actions == ["sign_for", "dispatch", "accept", "report"]  # newest first
    assert "乐都区城市管理局" in html  # the unit it was dispatched to is public


def test_times_on_the_tracking_page_are_in_beijing_time(client, world, settings):
    settings.TIME_ZONE = "UTC"  # even if the server runs in UTC
    case = make_case(world)
    html = client.get(track_url(case, case.tracking_token)).content.decode()
    from zoneinfo import ZoneInfo

    local = case.created_at.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")
    assert local in html


def test_report_photos_are_served_to_those_who_may_track(client, world):
    login(client, world, world.resident)
    client.post(REPORT, {**quick_data(world), "photos": [jpeg()]})
    case, photo = Case.objects.get(), Attachment.objects.get()
    client.logout()
    url = f"{track_url(case, case.tracking_token)}&photo={photo.pk}&size=thumb"
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    assert url.replace("&amp;", "&") in client.get(
        track_url(case, case.tracking_token)
    ).content.decode().replace("&amp;", "&")
    assert client.get(f"{track_url(case, 'nope')}&photo={photo.pk}").status_code == 404
    for bad in ["999", "99999999999999999999", "x", "-1"]:
        assert client.get(f"{track_url(case, case.tracking_token)}&photo={bad}").status_code == 404


def test_the_reporter_rates_a_closed_case_and_unsatisfied_reopens_it(client, world):
    case = close(world, make_case(world))
    # Token only: no form, a pointer to logging in instead.
    html = client.get(track_url(case, case.tracking_token)).content.decode()
    assert 'data-testid="callback"' not in html and 'data-testid="callback-login"' in html
    login(client, world, world.resident)
    html = client.get(track_url(case, case.tracking_token)).content.decode()
    assert 'data-testid="callback"' in html
    response = client.post(
        track_url(case, case.tracking_token),
        {"resolved": "no", "satisfaction": "unsatisfied", "comment": "还是没修好"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == State.REOPENED
    callback = Callback.objects.get()
    assert (callback.resolved, callback.satisfaction, callback.by_phone) == (
        False,
        "unsatisfied",
        False,
    )
    html = client.get(response["Location"]).content.decode()
    assert 'data-testid="callback"' not in html
    assert 'data-testid="progress" data-stage="1"' in html


def test_the_reporters_notices_open_the_page_where_they_answer(
    client, world, django_capture_on_commit_callbacks
):
    from gongzhi.notify.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        case = close(world, make_case(world))
    asked = Notification.objects.get(recipient=world.resident, kind="case.verify_pass")
    assert asked.link == track_url(case, case.tracking_token)
    login(client, world, world.resident)
    assert 'data-testid="callback"' in client.get(asked.link).content.decode()
    # Staff are still sent to the case page.
    staff = Notification.objects.exclude(recipient=world.resident).first()
    assert staff.link == reverse("cases:detail", args=[case.number])


def test_a_satisfied_rating_keeps_the_case_closed_and_is_asked_only_once(client, world):
    case = close(world, make_case(world))
    login(client, world, world.resident)
    url = track_url(case, case.tracking_token)
    assert client.post(url, {"resolved": "yes", "satisfaction": "satisfied"}).status_code == 302
    case.refresh_from_db()
    assert case.state == State.CLOSED
    html = client.get(url).content.decode()
    assert 'data-testid="callback"' not in html and '<li data-action="callback">' in html
    assert client.post(url, {"resolved": "yes", "satisfaction": "satisfied"}).status_code == 403
    assert Callback.objects.count() == 1


def test_an_incomplete_rating_is_shown_in_place(client, world):
    case = close(world, make_case(world))
    login(client, world, world.resident)
    response = client.post(track_url(case, case.tracking_token), {"resolved": "yes"})
    assert response.status_code == 400
    html = response.content.decode()
    # Spoken to the reporter as "you"; both missing answers are named at once.
    assert 'data-testid="error-satisfaction"' in html and "how satisfied you are" in html
    html = client.post(track_url(case, case.tracking_token), {}).content.decode()
    assert 'data-testid="error-satisfaction"' in html and 'data-testid="error-resolved"' in html
    case.refresh_from_db()
    assert case.state == State.CLOSED and not Callback.objects.exists()


def test_a_case_without_an_account_is_rated_by_hotline_callback(client, world):
    case = call_case(
        world,
        world.manhole,
        title="",
        description="路口井盖丢失",
        reporter_name="",
        reporter_phone="13812345678",
    )
    case = close(world, case)
    html = client.get(track_url(case, case.tracking_token)).content.decode()
    assert 'data-testid="callback"' not in html and 'data-testid="callback-login"' not in html
    assert 'data-testid="callback-by-phone"' in html
    response = client.post(
        track_url(case, case.tracking_token), {"resolved": "yes", "satisfaction": "satisfied"}
    )
    assert response.status_code == 403 and not Callback.objects.exists()


def test_the_token_link_from_the_redirect_is_the_only_way_in(client, world):
    login(client, world, world.resident)
    location = client.post(REPORT, quick_data(world))["Location"]
    token = parse_qs(urlsplit(location).query)["t"][0]
    assert token == Case.objects.get().tracking_token


def test_the_hotline_form_says_where_a_typed_address_will_place_the_call(client, world):
    w = world
    login(client, w, w.operator)
    url = reverse("cases:address_hint")
    html = client.get(url, {"address": "乐都区碾伯镇西关社区西关街"}).content.decode()
    assert f'data-region="{w.regions.xiguan.code}"' in html
    assert "碾伯镇" in html and "西关社区" in html
    unknown = client.get(url, {"address": "不知道在哪里"}).content.decode()
    assert 'data-testid="address-hint" data-region=""' in unknown
    assert client.get(url, {"address": ""}).content.decode().strip() == ""
    # Where a pin-less call goes is for those who take calls: a resident's 随手拍 asks only
    # whether the address and the pin agree; a handler reports nothing and may not ask.
    login(client, w, w.resident)
    resident = client.get(url, {"address": "碾伯镇"})
    assert (
        resident.status_code == 200
        and 'data-testid="address-hint"' not in resident.content.decode()
    )
    login(client, w, w.handler)
    assert client.get(url, {"address": "碾伯镇"}).status_code == 403
