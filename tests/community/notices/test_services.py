"""The notices rules through the services: who may write, delivery to the audience's
households (once, with inbox rows and SMS), the first reader, answers of each kind, expiry,
scheduling and the one reminder."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongzhi.community.choices import AnswerKind, NoticeState
from gongzhi.community.jobs import tick
from gongzhi.community.models import Notice, NoticeAttachment, NoticeDelivery
from gongzhi.community.notices import queries, services
from gongzhi.core.errors import Conflict, NotAllowed, NotFound, ServiceError
from gongzhi.notify.models import Delivery, Notification

from .conftest import a_photo, later, write

pytestmark = pytest.mark.django_db


def test_a_village_notice_reaches_every_household_once_with_inbox_rows(nw):
    notice = write(nw)
    assert notice.state == NoticeState.PUBLISHED and notice.households_count == 12
    assert notice.number.startswith("TZ-") and notice.delivered_at
    rows = NoticeDelivery.objects.filter(notice=notice)
    assert rows.count() == 12
    assert set(rows.values_list("grid_id", flat=True)) == {nw.village_grid.pk}
    assert set(rows.values_list("region_path", flat=True)) == {nw.village.path}
    # Every villager with an account: 12 heads, a spouse and a child.
    told = Notification.objects.filter(kind=services.KIND)
    assert told.count() == 14
    assert told.filter(recipient=nw.spouse, link=f"/community/notices/{notice.number}/").exists()
    assert not told.filter(recipient__in=nw.urban_residents).exists()


def test_estates_groups_and_households_are_audiences_within_the_area(nw):
    notice = write(
        nw, by=nw.community_staff, region=nw.regions.xiguan, regions=[], estates=[nw.estate]
    )
    assert notice.households_count == 4
    one = write(nw, regions=[], households=[nw.households[3]])
    assert list(
        NoticeDelivery.objects.filter(notice=one).values_list("household_id", flat=True)
    ) == [nw.households[3].pk]
    with pytest.raises(ServiceError) as e:
        write(nw, regions=[nw.regions.xiguan])
    assert e.value.code == "audience_outside"
    with pytest.raises(ServiceError) as e:
        write(nw, regions=[])
    assert e.value.code == "audience"


def test_only_staff_of_the_area_write_and_manage(nw):
    with pytest.raises(NotAllowed):
        write(nw, by=nw.community_staff)
    with pytest.raises(NotAllowed):
        write(nw, by=nw.villagers[0])
    notice = write(nw, by=nw.township_staff)  # the township oversees the village
    assert services.managed(nw.clerk).filter(pk=notice.pk).exists()
    assert not services.managed(nw.other_clerk).filter(pk=notice.pk).exists()
    assert not services.managed(nw.community_staff).filter(pk=notice.pk).exists()
    with pytest.raises(NotFound):
        services.get_managed(actor=nw.other_clerk, number=notice.number)
    with pytest.raises(NotAllowed):
        services.do_remind(actor=nw.community_staff, notice=notice)


def test_bad_input_is_refused_and_nothing_written(nw):
    with pytest.raises(ServiceError) as e:
        write(
            nw,
            title="",
            body="",
            answer_kind=AnswerKind.CHOICE,
            answer_choices=["只有一个"],
            expires_at=later(hours=-1),
        )
    codes = {x.code for x in e.value.all}
    assert {"title", "body", "answer_choices", "expires_at"} <= codes
    with pytest.raises(ServiceError) as e:
        write(nw, answer_kind=AnswerKind.NUMBER, answer_choices=[10, 1])
    assert e.value.code == "answer_bounds"
    bad = SimpleUploadedFile("x.exe", b"MZ...", content_type="application/octet-stream")
    with pytest.raises(ServiceError) as e:
        write(nw, files=[bad])
    assert e.value.code == "file_type"
    fake = SimpleUploadedFile("fake.jpg", b"not an image", content_type="image/jpeg")
    with pytest.raises(ServiceError) as e:
        write(nw, files=[fake])
    assert e.value.code == "photo_unreadable"
    assert not Notice.objects.exists() and not NoticeAttachment.objects.exists()


def test_images_and_attachments_are_stored(nw, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    pdf = SimpleUploadedFile("通知.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    notice = write(nw, files=[a_photo(), pdf])
    files = list(notice.attachments.order_by("id"))
    assert [f.is_image for f in files] == [True, False]
    assert files[1].name == "通知.pdf"


def test_the_first_reader_of_a_household_wins(nw):
    notice = write(nw)
    first = services.do_read(actor=nw.spouse, number=notice.number)
    again = services.do_read(actor=nw.villagers[0], number=notice.number)
    assert again.read_by_id == nw.spouse.pk and again.read_at == first.read_at
    assert queries.receipts(notice)["read"] == 1


def test_a_household_sees_only_notices_addressed_to_it(nw):
    notice = write(nw, regions=[], households=[nw.households[0]])
    assert services.do_read(actor=nw.child, number=notice.number).household_id == (
        nw.households[0].pk
    )
    for other in (nw.villagers[1], nw.outsider, nw.urban_residents[0], nw.nobody):
        with pytest.raises(NotFound):
            services.do_read(actor=other, number=notice.number)
        assert not queries.for_household(other).exists()
    draft = write(nw, publish=False)
    with pytest.raises(NotFound):
        services.do_read(actor=nw.villagers[0], number=draft.number)
    services.do_withdraw(actor=nw.clerk, notice=notice)
    with pytest.raises(NotFound):
        services.do_read(actor=nw.child, number=notice.number)


@pytest.mark.parametrize(
    ("kind", "choices", "good", "stored", "bad", "code"),
    [
        (AnswerKind.YES_NO, [], "YES", "yes", "maybe", "answer_yes_no"),
        (AnswerKind.CHOICE, ["上午", "下午"], "下午", "下午", "晚上", "answer_choice"),
        (AnswerKind.NUMBER, [0, 10], "3", 3, "11", "answer_bounds"),
        (AnswerKind.NUMBER, [None, None], "2.5", 2.5, "两个", "answer_number"),
    ],
)
def test_answers_of_each_kind(nw, kind, choices, good, stored, bad, code):
    notice = write(nw, answer_kind=kind, answer_choices=choices)
    with pytest.raises(ServiceError) as e:
        services.do_answer(actor=nw.villagers[0], number=notice.number, value=bad)
    assert e.value.code == code
    with pytest.raises(ServiceError):
        services.do_answer(actor=nw.villagers[0], number=notice.number, value="")
    assert not NoticeDelivery.objects.filter(answered_at__isnull=False).exists()
    d = services.do_answer(actor=nw.villagers[0], number=notice.number, value=good)
    assert d.answer == {"value": stored} and d.read_at  # answering reads it too
    # Once per household: the spouse's second answer is refused, the first one stays.
    with pytest.raises(Conflict) as e:
        services.do_answer(actor=nw.spouse, number=notice.number, value=good)
    assert e.value.code == "already_answered"
    assert NoticeDelivery.objects.get(pk=d.pk).answered_by_id == nw.villagers[0].pk


def test_answers_summary(nw):
    choice = write(nw, answer_kind=AnswerKind.CHOICE, answer_choices=["甲", "乙", "丙"])
    for n, pick in enumerate(["甲", "乙", "甲"]):
        services.do_answer(actor=nw.villagers[n], number=choice.number, value=pick)
    summary = queries.receipts(choice)
    assert summary["answered"] == 3 and summary["unanswered"] == 9
    assert summary["answers"]["counts"] == [
        {"choice": "甲", "count": 2},
        {"choice": "乙", "count": 1},
        {"choice": "丙", "count": 0},
    ]
    number = write(nw, answer_kind=AnswerKind.NUMBER)
    for n, value in enumerate([2, 3, 5]):
        services.do_answer(actor=nw.villagers[n], number=number.number, value=value)
    assert queries.answers_summary(number) == {"count": 3, "sum": 10, "mean": 3.33}


def test_an_expired_notice_is_read_only(nw):
    notice = write(nw, answer_kind=AnswerKind.YES_NO, expires_at=later(hours=1))
    with pytest.raises(Conflict) as e:
        services.do_answer(
            actor=nw.villagers[0], number=notice.number, value="yes", now=later(hours=2)
        )
    assert e.value.code == "expired"
    assert tick(now=later(hours=2))["notices"]["expired"] == 1
    notice.refresh_from_db()
    assert notice.state == NoticeState.EXPIRED
    assert services.do_read(actor=nw.villagers[0], number=notice.number).read_at
    with pytest.raises(Conflict):
        services.do_remind(actor=nw.clerk, notice=notice)


def test_a_scheduled_notice_is_published_once_at_its_time(nw):
    notice = write(nw, publish_at=later(hours=3))
    assert notice.state == NoticeState.SCHEDULED and not notice.deliveries.exists()
    assert tick(now=later(hours=1))["notices"]["published"] == 0
    assert tick(now=later(hours=4))["notices"]["published"] == 1
    assert tick(now=later(hours=5))["notices"]["published"] == 0
    notice.refresh_from_db()
    assert notice.state == NoticeState.PUBLISHED and notice.deliveries.count() == 12
    assert Notification.objects.filter(kind=services.KIND).count() == 14
    with pytest.raises(Conflict):
        services.do_publish(actor=nw.clerk, notice=notice)


def test_a_scheduled_notice_can_be_changed_until_sent(nw):
    notice = write(nw, publish_at=later(hours=3))
    changed = services.do_update(actor=nw.clerk, notice=notice, title="改期通知")
    assert changed.title == "改期通知"
    tick(now=later(hours=4))
    with pytest.raises(Conflict):
        services.do_update(actor=nw.clerk, notice=notice, title="再改")


def test_remind_once_reaches_only_those_still_waiting(nw):
    notice = write(nw, answer_kind=AnswerKind.YES_NO)
    services.do_answer(actor=nw.villagers[0], number=notice.number, value="yes")
    services.do_read(actor=nw.villagers[1], number=notice.number)  # read, not answered
    reminded = services.do_remind(actor=nw.clerk, notice=notice)
    assert reminded == 11
    told = Notification.objects.filter(kind=services.REMIND_KIND)
    assert not told.filter(recipient__in=[nw.villagers[0], nw.spouse]).exists()
    assert told.filter(recipient=nw.villagers[1]).exists()
    with pytest.raises(Conflict) as e:
        services.do_remind(actor=nw.clerk, notice=notice)
    assert e.value.code == "already_reminded"
    assert told.count() == 11


def test_sms_where_asked_and_for_households_without_an_account(nw, settings):
    settings.GONGZHI_SMS_GATEWAY_URL = "http://127.0.0.1:9/sms/send"
    nw.villagers[5].is_active = False
    nw.villagers[5].save(update_fields=["is_active"])
    write(nw)
    texts = Delivery.objects.filter(channel="sms", recipient__isnull=True)
    assert list(texts.values_list("target", flat=True)) == [nw.heads[5].phone]
    assert NoticeDelivery.objects.filter(by_sms=True).count() == 1
    texts.delete()
    write(nw, by_sms=True)
    assert texts.count() == 12
    assert set(texts.values_list("target", flat=True)) == {h.phone for h in nw.heads}


def test_a_draft_is_deleted_a_sent_notice_withdrawn(nw):
    draft = write(nw, publish=False)
    sent = write(nw)
    with pytest.raises(Conflict):
        services.do_delete(actor=nw.clerk, notice=sent)
    services.do_delete(actor=nw.clerk, notice=draft)
    assert not Notice.objects.filter(pk=draft.pk).exists()
    assert services.do_withdraw(actor=nw.clerk, notice=sent).state == NoticeState.WITHDRAWN
