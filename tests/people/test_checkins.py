"""The daily check-in (平安打卡): the person's one-button page without a login (first tap of
the local day counts, a second changes nothing), the scan that tells the grid worker and the
family of a missed day and the community of two in a row — each exactly once — a check-in
resolving the alerts, and the staff pages seen only within their area."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from gongzhi.core.errors import NotAllowed, NotFound, ServiceError
from gongzhi.core.models import AuditLog
from gongzhi.notify.models import Delivery, DeliveryStatus, Notification
from gongzhi.people import checkins
from gongzhi.people.choices import AlertLevel
from gongzhi.people.models import CareGroup, CheckIn, CheckInAlert
from tests.factories import OrganisationFactory, UserFactory
from tests.people.factories import CareMembershipFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = dt.date(2025, 3, 1)  # the plan starts; 3 March is the first day that counts
D1, D2, D3 = dt.date(2025, 3, 2), dt.date(2025, 3, 3), dt.date(2025, 3, 4)
FAMILY_PHONE = "13812345678"
WORKER_PHONE = "13700001111"


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


def zh(text: str) -> str:
    """What the person's page says (always in Chinese, once the catalogue is translated)."""
    with translation.override("zh-hans"):
        return gettext(text)


@pytest.fixture
def sms(settings):
    settings.GONGZHI_SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"  # configured; nothing sent


@pytest.fixture
def plan(ppl):
    ppl.grid_worker.mobile = WORKER_PHONE
    ppl.grid_worker.save(update_fields=["mobile"])
    return checkins.do_start_plan(
        resident=ppl.resident,
        actor=ppl.grid_worker,
        family_name="韩小明",
        family_phone=FAMILY_PHONE,
        started_on=START,
    )


def told(user, kind="people.checkin_missed"):
    return Notification.objects.filter(recipient=user, kind=kind)


def texts():
    """The numbers texted (SMS deliveries not skipped), in order."""
    return [d.target for d in sent_sms()]


def sent_sms():
    return list(
        Delivery.objects.filter(channel="sms").exclude(status=DeliveryStatus.SKIPPED).order_by("pk")
    )


# -- the tap --------------------------------------------------------------------------------


def test_the_first_tap_of_the_day_counts_and_a_second_changes_nothing(plan):
    first = checkins.do_check_in(token=plan.token, now=at(D1, 8, 5))
    again = checkins.do_check_in(token=plan.token, by_family=True, now=at(D1, 18, 0))
    assert first.first and not again.first
    (row,) = CheckIn.objects.filter(plan=plan)
    assert (row.day, row.at, row.by_family) == (D1, at(D1, 8, 5), False)


def test_the_day_is_the_local_day_in_shanghai(plan):
    # 23:30 and 00:30 in 青海 are the same UTC day, but two days of check-ins.
    checkins.do_check_in(token=plan.token, now=at(D1, 23, 30))
    checkins.do_check_in(token=plan.token, now=at(D2, 0, 30))
    assert sorted(plan.checkins.values_list("day", flat=True)) == [D1, D2]


def test_a_wrong_or_ended_link_checks_nobody_in(ppl, plan):
    with pytest.raises(NotFound):
        checkins.do_check_in(token="x" * 43, now=at(D1, 9))
    checkins.do_end_plan(plan=plan, actor=ppl.grid_worker, on=D1)
    with pytest.raises(NotFound):
        checkins.do_check_in(token=plan.token, now=at(D1, 9))
    assert not CheckIn.objects.exists()


# -- the scan -------------------------------------------------------------------------------


def test_a_missed_day_alerts_the_worker_and_the_family_once(ppl, plan, sms):
    # The start day never counts; the first day counts from 20:00.
    assert checkins.alert_missed(now=at(D1, 9)) == {"worker": 0, "community": 0}
    assert checkins.alert_missed(now=at(D1, 19, 59)) == {"worker": 0, "community": 0}
    assert checkins.alert_missed(now=at(D1, 20, 0)) == {"worker": 1, "community": 0}
    # Scanned again that evening and the next morning (catching up on yesterday): nothing more.
    checkins.alert_missed(now=at(D1, 20, 1))
    checkins.alert_missed(now=at(D2, 7, 0))
    assert told(ppl.grid_worker).count() == 1
    # One SMS each to the grid worker's mobile and the family's phone.
    assert texts() == [WORKER_PHONE, FAMILY_PHONE]
    assert not told(ppl.community_officer, "people.checkin_missed_twice").exists()
    alert = CheckInAlert.objects.get()
    assert (alert.day, alert.level, alert.resolved_at) == (D1, AlertLevel.WORKER, None)
    notice = told(ppl.grid_worker).get()
    assert ppl.resident.name not in notice.title  # masked in the inbox
    assert notice.link == reverse("people:checkin_plan", args=[plan.pk])
    worker_sms, family_sms = sent_sms()
    # The worker's text is their notice's, to them; neither says the full name.
    assert (worker_sms.recipient, worker_sms.notification) == (ppl.grid_worker, notice)
    assert all(ppl.resident.name not in d.payload["text"] for d in (worker_sms, family_sms))
    assert notice.title in worker_sms.payload["text"]


def test_a_worker_without_a_mobile_gets_a_skipped_sms_with_the_reason(ppl, plan, sms):
    ppl.grid_worker.mobile = ""
    ppl.grid_worker.save(update_fields=["mobile"])
    checkins.alert_missed(now=at(D1, 20, 30))
    assert told(ppl.grid_worker).count() == 1 and texts() == [FAMILY_PHONE]
    skipped = Delivery.objects.get(channel="sms", status=DeliveryStatus.SKIPPED)
    assert skipped.recipient == ppl.grid_worker and "no address" in skipped.last_error


def test_a_check_in_in_time_alerts_nobody(ppl, plan, sms):
    checkins.do_check_in(token=plan.token, by_family=True, now=at(D1, 19, 30))
    assert checkins.alert_missed(now=at(D1, 21)) == {"worker": 0, "community": 0}
    assert not Notification.objects.exists() and texts() == []


def test_two_missed_days_in_a_row_alert_the_community_once(ppl, plan, sms):
    checkins.alert_missed(now=at(D1, 20, 30))
    for moment in (at(D2, 20, 30), at(D2, 20, 31), at(D3, 6, 0)):
        checkins.alert_missed(now=moment)
    assert told(ppl.grid_worker).count() == 2  # one for each missed day
    assert texts() == [WORKER_PHONE, FAMILY_PHONE] * 2
    assert told(ppl.community_officer, "people.checkin_missed_twice").count() == 1
    # The community's staff, not its grid workers (they had their own alert).
    assert not told(ppl.grid_worker, "people.checkin_missed_twice").exists()
    assert not told(ppl.grid_b_worker, "people.checkin_missed_twice").exists()
    assert set(CheckInAlert.objects.values_list("day", "level")) == {
        (D1, AlertLevel.WORKER),
        (D2, AlertLevel.WORKER),
        (D2, AlertLevel.COMMUNITY),
    }


def test_a_day_checked_in_between_breaks_the_row(ppl, plan, sms):
    checkins.alert_missed(now=at(D1, 20, 30))
    checkins.do_check_in(token=plan.token, now=at(D2, 10))
    checkins.alert_missed(now=at(D2, 20, 30))
    checkins.alert_missed(now=at(D3, 20, 30))
    assert told(ppl.grid_worker).count() == 2  # D1 and D3
    assert not told(ppl.community_officer, "people.checkin_missed_twice").exists()


def test_a_check_in_resolves_the_open_alerts(ppl, plan, sms):
    checkins.alert_missed(now=at(D2, 20, 30))  # D1 went unscanned: no stale alert for it
    checkins.alert_missed(now=at(D3, 20, 30))
    assert CheckInAlert.objects.filter(resolved_at__isnull=True).count() == 4  # D2, D3 × 2
    checkins.do_check_in(token=plan.token, now=at(D3, 21, 15))  # late, but it counts
    assert not CheckInAlert.objects.filter(resolved_at__isnull=True).exists()
    assert checkins.alert_missed(now=at(D3, 22)) == {"worker": 0, "community": 0}


def test_an_ended_plan_is_not_scanned_and_its_alerts_close(ppl, plan, sms):
    checkins.alert_missed(now=at(D1, 20, 30))
    checkins.do_end_plan(plan=plan, actor=ppl.grid_worker, on=D2)
    assert not CheckInAlert.objects.filter(resolved_at__isnull=True).exists()
    assert checkins.tick(now=at(D2, 20, 30)) == {"checkin_alerts": {"worker": 0, "community": 0}}


def test_without_a_family_phone_only_the_worker_is_told(ppl, sms):
    plan = checkins.do_start_plan(
        resident=ppl.resident_b, actor=ppl.community_officer, started_on=START
    )
    assert plan.worker == ppl.grid_b_worker  # the grid's own worker
    checkins.alert_missed(now=at(D1, 20, 30))
    assert told(ppl.grid_b_worker).count() == 1 and texts() == []


# -- checked in again -----------------------------------------------------------------------


def test_a_check_in_after_a_miss_texts_the_family_once(ppl, plan, sms):
    checkins.alert_missed(now=at(D1, 20, 30))
    checkins.alert_missed(now=at(D2, 20, 30))  # two days: the community too
    assert texts() == [WORKER_PHONE, FAMILY_PHONE] * 2
    checkins.do_check_in(token=plan.token, now=at(D3, 8, 5))
    checkins.do_check_in(token=plan.token, now=at(D3, 9, 0))  # a second tap changes nothing
    checkins.do_check_in(token=plan.token, now=at(D3 + dt.timedelta(days=1), 8, 0))
    assert texts() == [WORKER_PHONE, FAMILY_PHONE] * 2 + [FAMILY_PHONE]
    again = sent_sms()[-1]
    assert again.recipient is None and "08:05" in again.payload["text"]
    assert ppl.resident.name not in again.payload["text"]


def test_the_check_in_page_after_a_miss_texts_the_family(plan, sms):
    checkins.alert_missed(now=at(D1, 20, 30))
    phone = Client()
    url = reverse("people:checkin_tap", args=[plan.token])
    assert phone.post(url, {}).status_code == 302
    assert texts() == [WORKER_PHONE, FAMILY_PHONE, FAMILY_PHONE]


def test_no_again_text_without_a_miss_or_when_the_family_taps(ppl, plan, sms):
    checkins.do_check_in(token=plan.token, now=at(D1, 9))
    assert texts() == []
    checkins.alert_missed(now=at(D2, 20, 30))
    checkins.do_check_in(token=plan.token, by_family=True, now=at(D2, 21))
    assert texts() == [WORKER_PHONE, FAMILY_PHONE]  # the family tapped: they know


# -- starting a plan ------------------------------------------------------------------------


def test_only_staff_governing_the_grid_start_a_plan(ppl, plan):
    with pytest.raises(NotFound):  # another grid: they do not even see the person
        checkins.do_start_plan(resident=ppl.resident, actor=ppl.grid_b_worker)
    with pytest.raises(NotFound):
        checkins.do_start_plan(resident=ppl.resident, actor=ppl.other_dispatcher)
    with pytest.raises(NotAllowed):  # sees people under correction, does not govern
        justice = ppl.justice_officer
        CareMembershipFactory(
            resident=ppl.resident_b, group=CareGroup.objects.get(code="community_correction")
        )
        checkins.do_start_plan(resident=ppl.resident_b, actor=justice)
    with pytest.raises(ServiceError) as error:  # one open plan per person
        checkins.do_start_plan(resident=ppl.resident, actor=ppl.community_officer)
    assert error.value.field == "resident"


def test_a_family_phone_must_be_a_mobile(ppl):
    with pytest.raises(ServiceError) as error:
        checkins.do_start_plan(
            resident=ppl.resident,
            actor=ppl.grid_worker,
            family_name="韩小明",
            family_phone="0972-1234567",
        )
    assert error.value.field == "family_phone"


# -- the person's page ----------------------------------------------------------------------


def csrf_of(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())[1]


def test_the_page_taps_once_a_day_with_csrf_on(plan):
    phone = Client(enforce_csrf_checks=True)
    url = reverse("people:checkin_tap", args=[plan.token])
    page = phone.get(url)
    assert page.status_code == 200 and b"<script" not in page.content
    assert len(page.content) < 4000  # a tiny page for the cheapest phone
    assert zh("I am well · Check in") in page.content.decode()
    assert phone.post(url, {}).status_code == 403  # no CSRF token, no tap
    response = phone.post(url, {"csrfmiddlewaretoken": csrf_of(page)})
    assert response.status_code == 302
    done = phone.get(response["Location"])
    checkin = CheckIn.objects.get(plan=plan)
    text = done.content.decode()
    assert zh("Checked in today") in text and 'data-testid="checkin-button"' not in text
    assert checkin.at.astimezone(SHANGHAI).strftime("%H:%M") in text
    again = phone.post(url, {"csrfmiddlewaretoken": csrf_of(page)}, follow=True)
    assert zh("Already checked in today: nothing changed.") in again.content.decode()
    assert CheckIn.objects.filter(plan=plan).count() == 1


def test_a_family_member_taps_for_them(plan):
    phone = Client()
    url = reverse("people:checkin_tap", args=[plan.token])
    page = phone.get(url + "?by=family")
    assert zh("They are well · Check in for them") in page.content.decode()
    phone.post(url, {"by": "family"})
    assert CheckIn.objects.get(plan=plan).by_family


def test_a_wrong_or_ended_link_says_so_in_chinese(ppl, plan):
    phone = Client(HTTP_ACCEPT_LANGUAGE="en")
    wrong = phone.get(reverse("people:checkin_tap", args=["A" * 43]))
    message = zh(
        "This check-in link is not valid or has ended. Please ask your grid worker for a new card."
    )
    assert wrong.status_code == 404 and message in wrong.content.decode()
    checkins.do_end_plan(plan=plan, actor=ppl.grid_worker)
    url = reverse("people:checkin_tap", args=[plan.token])
    assert phone.get(url).status_code == 404
    assert phone.post(url).status_code == 404
    assert not CheckIn.objects.exists()


def test_taps_are_rate_limited_per_link(plan, settings):
    settings.GONGZHI = {**settings.GONGZHI, "RATE_LIMITS": {"checkin_tap": "2/h"}}
    phone = Client()
    url = reverse("people:checkin_tap", args=[plan.token])
    assert [phone.post(url).status_code for _ in range(3)] == [302, 302, 429]


# -- the staff pages ------------------------------------------------------------------------


@pytest.fixture
def other_township(ppl):
    """The staff of 平安镇 (another county's township)."""
    from gongzhi.accounts.models import OrganisationKind, Role
    from gongzhi.regions.models import Region

    town = OrganisationFactory(
        kind=OrganisationKind.TOWNSHIP,
        name="平安镇人民政府",
        regions=[Region.objects.get(code="630203100")],
    )
    return UserFactory(username="pazf", display_name="马镇长", organisation=town, role=Role.LEADER)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_community_sees_todays_state_and_the_open_alerts(ppl, plan, sms):
    today = checkins.local_day()
    mine = checkins.do_start_plan(
        resident=ppl.resident_b,
        actor=ppl.community_officer,
        started_on=today - dt.timedelta(days=5),
    )
    plan.started_on = today - dt.timedelta(days=5)
    plan.save()
    yesterday = today - dt.timedelta(days=1)
    checkins.do_check_in(token=plan.token, now=at(yesterday, 9))
    checkins.do_check_in(token=plan.token)  # checked in today; mine missed yesterday
    checkins.alert_missed(now=at(yesterday, 21))
    page = signed_in(ppl.community_officer).get(reverse("people:checkins"))
    text = page.content.decode()
    assert page.status_code == 200
    assert f'data-plan="{plan.pk}"' in text and f'data-plan="{mine.pk}"' in text
    assert 'data-testid="figure-checked">1<' in text and 'data-testid="figure-alerts">1<' in text
    assert text.count('data-testid="alert-row"') == 2  # mine: the worker and the community
    assert FAMILY_PHONE not in text and "138****5678" in text  # masked on lists
    assert "韩小明" not in text
    missed = signed_in(ppl.community_officer).get(reverse("people:checkins") + "?show=missed")
    assert f'data-plan="{mine.pk}"' in missed.content.decode()
    assert f'data-plan="{plan.pk}"' not in missed.content.decode()


def test_staff_see_only_their_area(ppl, plan, other_township):
    for user in (other_township, ppl.grid_b_worker):
        client = signed_in(user)
        listed = client.get(reverse("people:checkins"))
        assert listed.status_code == 200 and 'data-testid="plan-row"' not in listed.content.decode()
        for name in ("checkin_plan", "checkin_card"):
            assert client.get(reverse(f"people:{name}", args=[plan.pk])).status_code == 404
        assert client.post(reverse("people:checkin_end", args=[plan.pk])).status_code == 404
    resident_account = ppl.other_resident  # a resident's account: no register at all
    assert signed_in(resident_account).get(reverse("people:checkins")).status_code == 403
    assert (
        signed_in(ppl.grid_worker).get(reverse("people:checkin_plan", args=[plan.pk])).status_code
        == 200
    )


def test_a_worker_starts_a_plan_and_prints_the_card(ppl):
    CareMembershipFactory(resident=ppl.resident, group=CareGroup.objects.get(code="elderly_alone"))
    client = signed_in(ppl.grid_worker)
    form = client.get(reverse("people:checkin_new"))
    assert f'value="{ppl.resident.pk}"' in form.content.decode()  # offered: lives alone
    response = client.post(
        reverse("people:checkin_new"),
        {"resident": ppl.resident.pk, "family_name": "韩小明", "family_phone": "138 1234 5678"},
    )
    plan = ppl.resident.checkin_plans.get()
    assert response["Location"] == reverse("people:checkin_card", args=[plan.pk])
    assert (plan.family_phone, plan.worker) == (FAMILY_PHONE, ppl.grid_worker)
    card = client.get(response["Location"])
    assert reverse("people:checkin_tap", args=[plan.token]) in card.content.decode()
    assert AuditLog.objects.filter(action="checkin_card", object_id=str(plan.pk)).count() == 1
    # The same person again: refused beside the field.
    again = client.post(reverse("people:checkin_new"), {"id_number": ppl.resident.id_number})
    assert again.status_code == 400 and 'data-testid="error-resident"' in again.content.decode()


def test_a_plan_is_ended_from_its_page(ppl, plan):
    client = signed_in(ppl.community_officer)
    client.post(reverse("people:checkin_end", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.ended_on == checkins.local_day()
    assert client.get(reverse("people:checkin_tap", args=[plan.token])).status_code == 404


def test_the_card_shows_a_qr_code_once_qrcode_is_installed(ppl, plan):
    pytest.importorskip("qrcode")
    card = signed_in(ppl.grid_worker).get(reverse("people:checkin_card", args=[plan.pk]))
    assert card.content.decode().count('data-testid="qr"') == 2  # the person's and the family's


def test_moving_out_ends_the_daily_check_in(plan, ppl):
    from gongzhi.people import services

    checkins.alert_missed(now=at(D1, 21, 0))
    assert CheckInAlert.objects.filter(plan=plan, resolved_at__isnull=True).exists()
    services.do_move_out(resident=ppl.resident, actor=ppl.grid_worker, on=D2)
    plan.refresh_from_db()
    assert plan.ended_on == D2
    assert not CheckInAlert.objects.filter(plan=plan, resolved_at__isnull=True).exists()
    assert checkins.plan_for_token(plan.token) is None  # the link no longer checks in
