"""三员分立 (issue 22, safeguard 2): the system, security and audit administrators, each in
the admin with their own work and none with another's."""

import pytest
from django.test import Client

from gongzhi.accounts.models import Membership, Role, TwoFactorExemption
from gongzhi.core import audit
from tests.factories import PASSWORD, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit():
    return OrganisationFactory(kind="command_centre")


def admin_client(user) -> Client:
    # Their own sign-in runs the second step in tests/trust/test_two_factor.py; here the
    # duties are the point.
    TwoFactorExemption.objects.get_or_create(user=user, defaults={"reason": "test"})
    client = Client()
    client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    return client


@pytest.fixture
def system(unit):
    return admin_client(
        UserFactory(username="sys_admin", organisation=unit, role=Role.ADMINISTRATOR)
    )


@pytest.fixture
def security(unit):
    return admin_client(
        UserFactory(username="sec_admin", organisation=unit, role=Role.SECURITY_ADMIN)
    )


@pytest.fixture
def auditor(unit):
    return admin_client(UserFactory(username="aud_admin", organisation=unit, role=Role.AUDIT_ADMIN))


AUDIT_LOG = "/admin/core/auditlog/"
USERS = "/admin/accounts/user/"
MEMBERSHIPS = "/admin/accounts/membership/"
CALENDAR = "/admin/core/calendarday/"
ORGANISATIONS = "/admin/accounts/organisation/"


def test_each_opens_the_admin_without_the_is_staff_flag(system, security, auditor):
    for client in (system, security, auditor):
        assert client.get("/admin/").status_code == 200


def test_a_dispatcher_does_not_open_the_admin(unit):
    client = admin_client(UserFactory(organisation=unit, role=Role.DISPATCHER))
    assert client.get("/admin/").status_code == 302


def test_the_audit_administrator_reads_the_log_and_changes_nothing_else(auditor, unit):
    audit.record(actor=None, action="probe")
    assert auditor.get(AUDIT_LOG).status_code == 200
    assert auditor.get(USERS).status_code == 403
    assert auditor.get(MEMBERSHIPS + "add/").status_code == 403
    assert auditor.get(CALENDAR).status_code == 403
    someone = UserFactory()
    response = auditor.post(
        MEMBERSHIPS + "add/", {"user": someone.pk, "organisation": unit.pk, "role": "administrator"}
    )
    assert response.status_code == 403
    assert not Membership.objects.filter(user=someone).exists()


def test_the_security_administrator_manages_accounts_but_reads_no_audit_nor_config(security, unit):
    assert security.get(AUDIT_LOG).status_code == 403
    assert security.get(CALENDAR).status_code == 403
    assert security.get(ORGANISATIONS + "add/").status_code == 403
    assert security.get(USERS).status_code == 200
    someone = UserFactory()
    response = security.post(
        MEMBERSHIPS + "add/", {"user": someone.pk, "organisation": unit.pk, "role": "dispatcher"}
    )
    assert response.status_code == 302
    assert Membership.objects.filter(user=someone, role=Role.DISPATCHER).exists()


def test_the_security_administrator_cannot_grant_themselves_a_role(security, unit):
    me = Membership.objects.get(user__username="sec_admin").user
    response = security.post(
        MEMBERSHIPS + "add/", {"user": me.pk, "organisation": unit.pk, "role": "audit_admin"}
    )
    assert response.status_code == 200  # the form again, with the refusal
    assert not Membership.objects.filter(user=me, role=Role.AUDIT_ADMIN).exists()
    own = Membership.objects.get(user=me)
    assert security.get(f"{MEMBERSHIPS}{own.pk}/change/").status_code in (200, 403)
    assert security.post(f"{MEMBERSHIPS}{own.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Membership.objects.filter(pk=own.pk).exists()


def test_no_one_holds_two_duties(security, unit):
    someone = UserFactory(organisation=unit, role=Role.AUDIT_ADMIN)
    response = security.post(
        MEMBERSHIPS + "add/", {"user": someone.pk, "organisation": unit.pk, "role": "administrator"}
    )
    assert response.status_code == 200
    assert not Membership.objects.filter(user=someone, role=Role.ADMINISTRATOR).exists()
    # Made behind the admin's back (a shell): the person holds no duty at all (fail closed).
    Membership.objects.create(
        user=someone, organisation=OrganisationFactory(), role=Role.ADMINISTRATOR
    )
    assert admin_client(someone).get(AUDIT_LOG).status_code == 302  # not even the door


def test_the_system_administrator_configures_but_grants_no_role_nor_reads_the_audit(system, unit):
    assert system.get(CALENDAR).status_code == 200
    assert system.get(ORGANISATIONS + "add/").status_code == 200
    assert system.get(AUDIT_LOG).status_code == 403
    assert system.get(USERS).status_code == 403
    someone = UserFactory()
    response = system.post(
        MEMBERSHIPS + "add/", {"user": someone.pk, "organisation": unit.pk, "role": "dispatcher"}
    )
    assert response.status_code == 403
    assert not Membership.objects.filter(user=someone).exists()


def test_the_security_administrator_cannot_make_a_superuser(security, unit):
    someone = UserFactory(organisation=unit, role=Role.HANDLER)
    page = security.get(f"{USERS}{someone.pk}/change/")
    assert page.status_code == 200
    assert 'name="is_superuser"' not in page.content.decode()
    assert 'name="user_permissions"' not in page.content.decode()


def test_the_security_administrator_sees_no_secret_of_a_phone(security, unit):
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    someone = UserFactory(organisation=unit, role=Role.DISPATCHER)
    device = TOTPDevice.objects.create(user=someone, name="TOTP", confirmed=True)
    recovery = StaticDevice.objects.create(user=someone, name="recovery", confirmed=True)
    StaticToken.objects.create(device=recovery, token="abcdefgh")
    page = security.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert page.status_code == 200
    assert device.key not in page.content.decode()
    assert security.get(f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/").status_code in (403, 404)
    listing = security.get(f"/admin/otp_static/staticdevice/{recovery.pk}/change/")
    assert listing.status_code == 200 and "abcdefgh" not in listing.content.decode()


def test_the_security_administrator_cannot_take_over_another_administrator(security, unit):
    """Setting another administrator's password or removing their phone would let the
    security administrator sign in as them: only the superuser may."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    other = UserFactory(organisation=unit, role=Role.AUDIT_ADMIN)
    staff = UserFactory(organisation=unit, role=Role.DISPATCHER)
    assert security.get(f"{USERS}{other.pk}/password/").status_code == 403
    assert security.get(f"{USERS}{staff.pk}/password/").status_code == 200
    theirs = TOTPDevice.objects.create(user=other, name="TOTP", confirmed=True)
    staffs = TOTPDevice.objects.create(user=staff, name="TOTP", confirmed=True)
    url = f"/admin/otp_totp/totpdevice/{theirs.pk}/delete/"
    assert security.post(url, {"post": "yes"}).status_code == 403
    security.post(USERS, {"action": "reset_two_factor", "_selected_action": [other.pk, staff.pk]})
    assert TOTPDevice.objects.filter(pk=theirs.pk).exists()
    assert not TOTPDevice.objects.filter(pk=staffs.pk).exists()
