"""The meetings' pages through the Django test client: the committee calls a meeting and
takes its steps from the page, a villager signs in through the QR page and votes, names
are masked for residents, the QR code and the printable sheet are the committee's."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.deliberation.models import Attendance, Meeting, Vote

pytestmark = pytest.mark.django_db


def page(client, user, name, *args, **kw):
    client.force_login(user)
    return client.get(reverse(f"deliberation:{name}", args=args), kw)


def act(client, user, meeting, **data):
    client.force_login(user)
    return client.post(
        reverse("deliberation:meeting_act", args=[meeting.number]), data, follow=True
    )


def test_the_committee_calls_a_meeting_from_the_form(client, hall):
    w = hall
    client.force_login(w.clerk)
    url = reverse("deliberation:meeting_new")
    assert client.get(url).status_code == 200
    starts = (timezone.localtime() + dt.timedelta(days=12)).strftime("%Y-%m-%dT%H:%M")
    r = client.post(
        url,
        {
            "region": w.village.pk,
            "kind": "resident_assembly",
            "title": "议事",
            "place": "村委会",
            "starts_at": starts,
        },
    )
    assert r.status_code == 400 and "error-kind" in r.content.decode()
    assert not Meeting.objects.exists()
    r = client.post(
        url,
        {
            "region": w.village.pk,
            "kind": "village_assembly",
            "title": "修村道",
            "place": "村委会",
            "starts_at": starts,
        },
    )
    meeting = Meeting.objects.get()
    assert r.status_code == 302 and r.url == reverse("deliberation:meeting", args=[meeting.number])
    r = act(client, w.clerk, meeting, action="add_item", title="村道硬化方案", needs_vote="1")
    r = act(client, w.clerk, meeting, action="send_notice", expected_state="scheduled")
    assert Meeting.objects.get().state == "notified"
    assert 'data-state="notified"' in r.content.decode()
    client.force_login(w.villagers[0])
    assert client.get(url).status_code == 403


def test_steps_from_the_page_and_errors_said_plainly(client, hall, meet):
    w = hall
    meeting = meet.sitting(present=meet.adults()[:5])
    r = act(
        client, w.clerk, meeting, action="open_voting", minutes="30", expected_state="in_session"
    )
    body = r.content.decode()
    assert 'data-state="in_session"' in body and '<li class="error">' in body
    assert "5" in body.split('<li class="error">')[1].split("</li>")[0]  # the figures
    assert Meeting.objects.get(pk=meeting.pk).state == "in_session"
    r = act(client, w.clerk, meeting, action="sign_in", resident=meet.adults()[5].pk)
    assert Attendance.objects.filter(meeting=meeting).count() == 6
    r = act(client, w.villagers[0], meeting, action="open")  # not theirs
    assert Meeting.objects.get(pk=meeting.pk).state == "in_session"


def test_the_clerk_sees_names_a_villager_sees_them_masked(client, hall, meet):
    w = hall
    meeting = meet.sitting(present=[w.heads[3]])
    staff = page(client, w.clerk, "meeting", meeting.number).content.decode()
    assert w.heads[3].name in staff
    assert 'data-testid="qr"' in staff and 'data-testid="candidates"' in staff
    mine = page(client, w.villagers[0], "meeting", meeting.number).content.decode()
    assert w.heads[3].name not in mine and w.heads[3].name[0] + "**" in mine
    assert meeting.sign_in_token not in mine  # the key is at the door, not on the page
    assert 'data-testid="candidates"' not in mine
    assert page(client, w.outsider, "meeting", meeting.number).status_code == 404


def test_a_villager_signs_in_by_the_qr_page_and_votes(client, hall, meet):
    w = hall
    meeting = meet.sitting(present=meet.adults()[:13])
    client.force_login(w.villagers[9])
    url = reverse("deliberation:meeting_sign_in", args=[meeting.sign_in_token])
    assert 'data-testid="sign-in"' in client.get(url).content.decode()
    r = client.post(url)
    assert r.status_code == 302
    assert Attendance.objects.filter(meeting=meeting, resident=w.heads[9], method="qr").exists()
    forged = reverse("deliberation:meeting_sign_in", args=["z" * 43])
    assert client.post(forged).status_code == 404
    act(client, w.clerk, meeting, action="open_voting", minutes="30")
    item = meeting.items.get()
    body = page(client, w.villagers[9], "meeting", meeting.number).content.decode()
    assert 'data-testid="ballot"' in body
    act(client, w.villagers[9], meeting, action="vote", item=item.pk, choice="for")
    r = act(client, w.villagers[9], meeting, action="vote", item=item.pk, choice="against")
    assert Vote.objects.filter(item=item).count() == 1
    assert 'data-testid="my-ballot"' in r.content.decode()


def test_the_qr_code_and_sheet_are_for_the_committee(client, hall, meet):
    meeting = meet.call()
    r = page(client, hall.clerk, "meeting_qr", meeting.number)
    assert r.status_code == 200 and r["Content-Type"] == "image/png" and r.content[:4] == b"\x89PNG"
    r = page(client, hall.clerk, "meeting_sheet", meeting.number)
    assert r.status_code == 200 and r.content[:4] == b"%PDF"
    assert page(client, hall.villagers[0], "meeting_qr", meeting.number).status_code == 403
    assert page(client, hall.villagers[0], "meeting_sheet", meeting.number).status_code == 403


def test_the_list_is_scoped(client, hall, meet):
    meeting = meet.call()
    assert meeting.number in page(client, hall.villagers[2], "meetings").content.decode()
    assert meeting.number in page(client, hall.township_staff, "meetings").content.decode()
    assert meeting.number not in page(client, hall.outsider, "meetings").content.decode()
