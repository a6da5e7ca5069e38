"""Two-factor sign-in for staff (issue 22, safeguard 1), enforcement on, through the pages
and the API a person uses."""

import re

import pytest
from axes.utils import reset
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongzhi.accounts import otp
from gongzhi.accounts.models import Role, TwoFactorExemption
from gongzhi.accounts.tokens import do_issue
from gongzhi.core.models import AuditLog
from tests.factories import PASSWORD, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN, VERIFY, ENROL = "/accounts/login/", "/accounts/2fa/", "/accounts/2fa/enrol/"


@pytest.fixture(autouse=True)
def enforced(settings):
    reset()
    settings.GONGZHI_TWO_FACTOR = True


@pytest.fixture
def unit():
    return OrganisationFactory()


@pytest.fixture
def dispatcher(unit):
    return UserFactory(username="zhang_dispatch", organisation=unit, role=Role.DISPATCHER)


def sign_in(client, user, next_url=""):
    data = {"username": user.username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN, data)


def code_for(device: TOTPDevice, *, later: int = 0) -> str:
    device.refresh_from_db()
    token = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    if later:
        token = totp(device.bin_key, step=device.step, t0=device.t0 - later * device.step, digits=6)
    return f"{token:06d}"


def enrol(client, user) -> list[str]:
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(ENROL, {"code": code_for(device), "next": "/cases/"})
    assert response.status_code == 200
    return re.findall(r"<li><code>([a-z0-9]+)</code></li>", response.content.decode())


def actions(user) -> list[str]:
    return list(AuditLog.objects.filter(object_id=str(user.pk)).values_list("action", flat=True))


def test_a_dispatcher_without_a_phone_is_sent_to_enrol_and_sees_nothing_else(client, dispatcher):
    response = sign_in(client, dispatcher, "/cases/")
    assert response.status_code == 302
    page = client.get("/cases/")
    assert page.status_code == 302 and page["Location"].startswith(ENROL)
    assert "next=%2Fcases%2F" in page["Location"]
    assert client.get("/accounts/me/")["Location"].startswith(ENROL)
    enrolment = client.get(ENROL)
    assert enrolment.status_code == 200
    body = enrolment.content.decode()
    assert 'src="data:image/svg+xml;base64,' in body  # the QR code, inline
    assert TOTPDevice.objects.get(user=dispatcher, confirmed=False).config_url.startswith(
        "otpauth://totp/"
    )
    assert enrolment["Cache-Control"].startswith("max-age=0")


def test_enrolment_shows_ten_recovery_codes_once_and_verifies_the_session(client, dispatcher):
    sign_in(client, dispatcher)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=dispatcher, confirmed=False)
    wrong = client.post(ENROL, {"code": "000000"})
    assert wrong.status_code == 400
    assert not TOTPDevice.objects.filter(user=dispatcher, confirmed=True).exists()
    codes = enrol(client, dispatcher)
    assert len(codes) == 10 and len(set(codes)) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/accounts/me/").status_code == 200  # verified now
    # Shown once: the codes are kept hashed-free only in the tokens table, never on a page.
    assert not any(c in client.get("/accounts/me/").content.decode() for c in codes)
    assert {"otp_failed", "otp_enrolled"} <= set(actions(dispatcher))


def test_next_sign_in_asks_for_the_code_from_the_phone(client, dispatcher):
    sign_in(client, dispatcher)
    enrol(client, dispatcher)
    client.post("/accounts/logout/")
    sign_in(client, dispatcher, "/accounts/me/")
    asked = client.get("/accounts/me/")
    assert asked["Location"].startswith(VERIFY)
    refused = client.post(VERIFY, {"code": "123456", "next": "/accounts/me/"})
    assert refused.status_code == 400
    assert client.get("/accounts/me/").status_code == 302
    device = TOTPDevice.objects.get(user=dispatcher)
    # The code of the next 30 s (the enrolment used this one: a code is good once).
    response = client.post(VERIFY, {"code": code_for(device, later=1), "next": "/accounts/me/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/me/"
    assert client.get("/accounts/me/").status_code == 200
    assert "otp_verified" in actions(dispatcher)


def test_a_recovery_code_signs_in_once(client, dispatcher):
    sign_in(client, dispatcher)
    codes = enrol(client, dispatcher)
    client.post("/accounts/logout/")
    sign_in(client, dispatcher)
    response = client.post(VERIFY, {"code": codes[3].upper(), "next": "/accounts/me/"})
    assert response.status_code == 302
    assert client.get("/accounts/me/").status_code == 200
    assert StaticToken.objects.filter(device__user=dispatcher).count() == 9
    client.post("/accounts/logout/")
    sign_in(client, dispatcher)
    again = client.post(VERIFY, {"code": codes[3], "next": "/accounts/me/"})
    assert again.status_code == 400
    assert client.get("/accounts/me/").status_code == 302
    assert "recovery_used" in actions(dispatcher)


def test_code_attempts_are_rate_limited(client, dispatcher, settings):
    settings.GONGZHI = {**settings.GONGZHI, "RATE_LIMITS": {"otp": "3/h"}}
    sign_in(client, dispatcher)
    enrol(client, dispatcher)  # one attempt
    client.post("/accounts/logout/")
    sign_in(client, dispatcher)
    assert client.post(VERIFY, {"code": "111111"}).status_code == 400
    assert client.post(VERIFY, {"code": "222222"}).status_code == 400
    device = TOTPDevice.objects.get(user=dispatcher)
    throttled = client.post(VERIFY, {"code": code_for(device, later=1)})
    assert throttled.status_code == 429  # even the right code, until the window ends
    assert client.get("/accounts/me/").status_code == 302
    assert "otp_throttled" in actions(dispatcher)


def test_residents_and_roles_that_do_not_ask_sign_in_with_a_password(client, unit):
    resident = UserFactory()
    handler = UserFactory(organisation=unit, role=Role.HANDLER)
    for person in (resident, handler):
        client.post("/accounts/logout/")
        sign_in(client, person)
        assert client.get("/accounts/me/").status_code == 200


def test_a_role_given_during_a_session_asks_for_the_second_step_at_the_next_page(client, unit):
    """Not up to five minutes later: the session was let in without a code only while the
    user's roles, exemptions and devices stay as they were."""
    handler = UserFactory(organisation=unit, role=Role.HANDLER)
    sign_in(client, handler)
    assert client.get("/accounts/me/").status_code == 200
    membership = handler.memberships.get()
    membership.role = Role.DISPATCHER  # the security administrator makes them a dispatcher
    membership.save()
    assert client.get("/accounts/me/")["Location"].startswith(ENROL)
    membership.role = Role.HANDLER
    membership.save()
    assert client.get("/accounts/me/").status_code == 200
    # An exemption withdrawn counts the same.
    exempt = UserFactory(organisation=unit, role=Role.DISPATCHER)
    TwoFactorExemption.objects.create(user=exempt, reason="demo")
    client.post("/accounts/logout/")
    sign_in(client, exempt)
    assert client.get("/accounts/me/").status_code == 200
    TwoFactorExemption.objects.filter(user=exempt).delete()
    assert client.get("/accounts/me/")["Location"].startswith(ENROL)


def test_an_optional_user_who_enrolled_is_asked_too(client, unit):
    handler = UserFactory(organisation=unit, role=Role.HANDLER)
    sign_in(client, handler)
    enrol(client, handler)
    client.post("/accounts/logout/")
    sign_in(client, handler)
    assert client.get("/accounts/me/")["Location"].startswith(VERIFY)


def test_an_exempt_user_and_enforcement_off_need_no_code(client, dispatcher, settings):
    TwoFactorExemption.objects.create(user=dispatcher, reason="demo")
    sign_in(client, dispatcher)
    assert client.get("/accounts/me/").status_code == 200
    TwoFactorExemption.objects.all().delete()
    client.post("/accounts/logout/")
    settings.GONGZHI_TWO_FACTOR = False
    sign_in(client, dispatcher)
    assert client.get("/accounts/me/").status_code == 200


def test_an_unverified_session_is_anonymous_on_the_api_and_tokens_still_work(client, dispatcher):
    sign_in(client, dispatcher)
    assert client.get("/api/v1/organisations").status_code == 401
    _token, raw = do_issue(user=dispatcher, name="app")
    response = client.get("/api/v1/organisations", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200


def test_the_admin_refuses_an_unverified_superuser(client):
    root = UserFactory(admin=True)
    client.post(LOGIN, {"username": root.username, "password": PASSWORD})
    assert client.get("/admin/")["Location"].startswith(ENROL)


def test_the_security_administrator_resets_a_lost_phone(client, unit, dispatcher):
    sign_in(client, dispatcher)
    enrol(client, dispatcher)
    officer = UserFactory(organisation=unit, role=Role.SECURITY_ADMIN)
    TwoFactorExemption.objects.create(user=officer, reason="test: the officer's own sign-in")
    other = client.__class__()
    other.post(LOGIN, {"username": officer.username, "password": PASSWORD})
    response = other.post(
        "/admin/accounts/user/",
        {"action": "reset_two_factor", "_selected_action": [dispatcher.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=dispatcher).exists()
    assert "otp_reset" in actions(dispatcher)
    # The dispatcher's next sign-in enrols again.
    client.post("/accounts/logout/")
    sign_in(client, dispatcher)
    assert client.get("/accounts/me/")["Location"].startswith(ENROL)


def test_a_dispatcher_cannot_reset_anyone(unit, dispatcher):
    with pytest.raises(otp.TwoFactorError):
        otp.do_reset(actor=dispatcher, user=UserFactory())


def test_a_polling_fragment_of_an_unverified_session_gets_401_not_the_sign_in_page(
    client, dispatcher
):
    sign_in(client, dispatcher)
    response = client.get("/notify/unread-count", headers={"HX-Request": "true"})
    assert response.status_code == 401 and not response.content
