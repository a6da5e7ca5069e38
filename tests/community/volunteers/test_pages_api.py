"""What a resident, a team leader and the committee see and do on the pages and through the
API: register, the desk (masked, reveal audited), sign up and the full error, the QR page,
the leader's list, the QR PNG and sheet, the certificate PDF and its text, scoping."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from gongzhi.community.models import Shift, SignUp, Volunteer
from gongzhi.community.volunteers import services
from gongzhi.core.models import AuditLog
from tests.api import conftest as api_fixtures

pytestmark = pytest.mark.django_db
as_token = api_fixtures.as_token


def _text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def test_register_on_the_page_and_the_desk_checks(vol, client):
    w = vol.w
    client.force_login(w.urban_residents[0])
    page = client.get(reverse("community:volunteers"))
    assert page.status_code == 200 and b"register-form" in page.content
    r = client.post(reverse("community:volunteers"), {"skills": "急救", "phone": ""})
    assert r.status_code == 302
    v = Volunteer.objects.get(user=w.urban_residents[0])
    assert v.state == "pending"
    # A resident has no desk.
    assert client.get(reverse("community:volunteer_desk")).status_code == 403
    client.force_login(w.community_staff)
    desk = client.get(reverse("community:volunteer_desk")).content.decode()
    assert v.name not in desk and 'data-testid="approve"' in desk  # masked by default
    revealed = client.get(reverse("community:volunteer_desk") + "?reveal=1").content.decode()
    assert v.name in revealed
    assert AuditLog.objects.filter(action="unmask", object_id=str(v.pk)).exists()
    r = client.post(reverse("community:volunteer_desk_act", args=[v.pk]), {"action": "approve"})
    assert r.status_code == 302
    assert Volunteer.objects.get(pk=v.pk).state == "approved"
    # Another village's committee does not see this community's volunteers.
    client.force_login(w.clerk)
    assert (
        v.name not in client.get(reverse("community:volunteer_desk") + "?reveal=1").content.decode()
    )
    assert (
        client.post(
            reverse("community:volunteer_desk_act", args=[v.pk]), {"action": "approve"}
        ).status_code
        == 404
    )


def test_the_villages_secretary_may_not_reveal_volunteers_its_clerk_may(vol, client, as_token):
    # One audited reveal for every community list: a leader's request is refused and
    # recorded, on the page and in the API, and the names stay masked.
    w = vol.w
    v = services.do_register(user=w.villagers[0], region=w.village, skills="", phone="")
    client.force_login(w.secretary)
    page = client.get(reverse("community:volunteer_desk"))
    assert v.name not in page.content.decode() and b'data-testid="reveal"' not in page.content
    refused = client.get(reverse("community:volunteer_desk") + "?reveal=1")
    assert refused.status_code == 403 and b'data-testid="reveal-refused"' in refused.content
    assert v.name not in refused.content.decode()
    api = as_token(w.secretary).get("/community/volunteers?reveal=true")
    assert api.status_code == 403 and api.json()["error"] == "not_permitted"
    assert AuditLog.objects.filter(actor=w.secretary, action="unmask_denied").count() == 2
    assert not AuditLog.objects.filter(action="unmask").exists()
    listed = as_token(w.clerk).get("/community/volunteers?reveal=true").json()
    assert [r["name"] for r in listed] == [v.name]
    assert AuditLog.objects.filter(actor=w.clerk, action="unmask", object_id=str(v.pk)).exists()


def test_desk_flags_someone_not_in_the_register(vol, client):
    w = vol.w
    services.do_register(user=w.nobody, region=w.regions.xiguan)
    client.force_login(w.community_staff)
    assert b"not-in-register" in client.get(reverse("community:volunteer_desk")).content


def test_sign_up_on_the_page_and_the_leaders_list(vol, client):
    w = vol.w
    a = vol.approved(w.urban_residents[0])
    b = vol.approved(w.urban_residents[1])
    s = vol.shift(capacity=1)
    client.force_login(a.user)
    home = client.get(reverse("community:volunteers")).content.decode()
    assert s.title in home
    act = reverse("community:volunteer_shift_act", args=[s.pk])
    client.post(act, {"action": "sign_up"})
    assert SignUp.objects.filter(shift=s, volunteer=a, state="signed_up").exists()
    client.force_login(b.user)
    r = client.post(act, {"action": "sign_up"}, follow=True)
    assert "名额已满" in r.content.decode()
    page = client.get(reverse("community:volunteer_shift", args=[s.pk])).content.decode()
    assert 'data-testid="full"' in page and 'data-testid="leader-panel"' not in page
    # The committee: the list, check-in, QR PNG and the printable sheet.
    client.force_login(w.community_staff)
    page = client.get(reverse("community:volunteer_shift", args=[s.pk])).content.decode()
    assert 'data-testid="leader-panel"' in page and 'data-testid="signup-row"' in page
    png = client.get(reverse("community:volunteer_shift_qr", args=[s.pk]))
    assert png["Content-Type"] == "image/png" and png.content[:4] == b"\x89PNG"
    sheet = client.get(reverse("community:volunteer_shift_sheet", args=[s.pk]))
    assert sheet.content.startswith(b"%PDF")
    assert "/volunteers/check-in/" in _text(sheet.content)
    # A volunteer may not fetch the code.
    client.force_login(b.user)
    assert client.get(reverse("community:volunteer_shift_qr", args=[s.pk])).status_code == 403


def test_qr_page_checks_in_while_signed_in(vol, client, monkeypatch):
    w = vol.w
    a = vol.approved(w.urban_residents[0])
    s = vol.shift(starts_in=dt.timedelta(minutes=10), hours=2)
    services.do_sign_up(user=a.user, shift=s)
    url = reverse("community:volunteer_check_in", args=[s.pk, services.check_in_token(s)])
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(a.user)
    assert b'data-testid="check-in"' in client.get(url).content
    r = client.post(url, follow=True)
    assert b'data-testid="checked-in"' in r.content
    assert Volunteer.objects.get(pk=a.pk).hours == Decimal("2.0")
    forged = reverse("community:volunteer_check_in", args=[s.pk, "forged:token"])
    r = client.post(forged)
    assert r.status_code == 400 and b"check-in-error" in r.content


def test_certificate_pdf_lists_the_services(vol, client):
    w = vol.w
    a = vol.approved(w.urban_residents[0])
    s = vol.shift(hours=3, title="邻里节志愿服务", kind="festival")
    u = services.do_sign_up(user=a.user, shift=s)
    services.do_check_in_by_leader(actor=w.community_staff, signup=u, now=s.starts_at)
    client.force_login(a.user)
    r = client.get(reverse("community:volunteer_certificate"))
    assert r["Content-Type"] == "application/pdf"
    text = _text(r.content)
    for part in (a.name, w.regions.xiguan.name, "3.0", "邻里节志愿服务", "ZY"):
        assert part in text, part
    # Staff of the area get it too; another village's staff do not.
    client.force_login(w.community_staff)
    assert (
        client.get(reverse("community:volunteer_certificate_for", args=[a.pk])).status_code == 200
    )
    client.force_login(w.clerk)
    assert (
        client.get(reverse("community:volunteer_certificate_for", args=[a.pk])).status_code == 404
    )


def test_the_api_walk_and_the_full_error(vol, as_token):
    w = vol.w
    staff = as_token(w.community_staff)
    me = as_token(w.urban_residents[0])
    r = me.post("/community/volunteers/register", {"skills": "义诊"})
    assert r.status_code == 201 and r.json()["in_register"] is True
    other = as_token(w.nobody)
    r = other.post("/community/volunteers/register", {})
    assert r.status_code == 400 and r.json()["field"] == "region"
    r = other.post("/community/volunteers/register", {"region": w.regions.xiguan.code})
    assert r.status_code == 201 and r.json()["in_register"] is False
    listed = staff.get("/community/volunteers").json()
    assert len(listed) == 2 and all("*" in v["name"] for v in listed)
    assert me.get("/community/volunteers").status_code == 403
    vid = me.get("/community/volunteers/me").json()["volunteer"]["id"]
    r = staff.post(f"/community/volunteers/{vid}/review", {"approve": True})
    assert r.status_code == 200 and r.json()["state"] == "approved"
    start = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).replace(microsecond=0)
    r = staff.post(
        "/community/volunteer-shifts",
        {
            "kind": "clinic",
            "title": "义诊",
            "region": w.regions.xiguan.code,
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
            "capacity": 1,
            "lng": 102.4,
            "lat": 36.47,
        },
    )
    assert r.status_code == 201, r.content
    sid = r.json()["id"]
    assert [s["id"] for s in me.get("/community/volunteer-shifts?open=true").json()] == [sid]
    assert me.post(f"/community/volunteer-shifts/{sid}/sign-up").status_code == 201
    r = me.post(f"/community/volunteer-shifts/{sid}/sign-up")
    assert r.status_code == 409 and r.json()["error"] == "signed_up"
    # Not approved: refused. A village's villager does not even see the shift.
    assert other.post(f"/community/volunteer-shifts/{sid}/sign-up").status_code in (403, 404)
    assert as_token(w.villagers[0]).get(f"/community/volunteer-shifts/{sid}").status_code == 404
    detail = staff.get(f"/community/volunteer-shifts/{sid}").json()
    assert detail["taken"] == 1 and len(detail["signups"]) == 1
    su = detail["signups"][0]["id"]
    r = staff.post(f"/community/volunteer-shifts/{sid}/signups/{su}/check-in", {})
    assert r.status_code == 400 and r.json()["error"] == "too_early"
    r = me.post(f"/community/volunteer-shifts/{sid}/check-in", {"token": "forged"})
    assert r.status_code == 400 and r.json()["error"] == "bad_code"
    r = me.post(f"/community/volunteer-shifts/{sid}/cancel")
    assert r.status_code == 200 and r.json()["state"] == "cancelled"


def test_committee_creates_a_shift_on_the_page(vol, client):
    w = vol.w
    client.force_login(w.urban_residents[0])
    assert client.get(reverse("community:volunteer_shift_new")).status_code == 403
    client.force_login(w.community_staff)
    assert client.get(reverse("community:volunteer_shift_new")).status_code == 200
    form = {
        "region": w.regions.xiguan.pk,
        "kind": "clinic",
        "title": "义诊",
        "place": "社区服务站",
        "lng": "102.405",
        "lat": "36.47",
        "starts_at": "2030-05-01T09:00",
        "ends_at": "2030-05-01T08:00",
        "capacity": "3",
    }
    r = client.post(reverse("community:volunteer_shift_new"), form)
    assert r.status_code == 400 and not Shift.objects.exists()
    form["ends_at"] = "2030-05-01T12:00"
    r = client.post(reverse("community:volunteer_shift_new"), form)
    s = Shift.objects.get()
    assert r.status_code == 302 and (s.capacity, s.lat) == (3, 36.47)
