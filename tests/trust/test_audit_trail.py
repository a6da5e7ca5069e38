"""Issue 22, defect 1: the audit trail could be bypassed and erased.

Granting superuser or the administrator role (admin, command line, shell) must write an
audit row; a deleted user's rows must still say who acted; login records and audit rows
cannot be deleted in the admin; issuing API tokens and reading the audit log are audited.
"""

import io

import pytest
from axes.models import AccessLog
from django.core.management import call_command
from django.test import Client

from gongzhi.accounts import tokens
from gongzhi.accounts.models import Membership, Role, User
from gongzhi.core import audit
from gongzhi.core.models import AuditLog
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(world):
    web = Client()
    web.force_login(world.admin)
    return web


def _grants(user):
    return AuditLog.objects.filter(
        action="privilege_grant", object_type="accounts.user", object_id=str(user.pk)
    )


def _user_form(user, **changes):
    """The admin's change form of ``user`` as the browser posts it, with no membership rows."""
    data = {
        "username": user.username,
        "display_name": user.display_name,
        "mobile": user.mobile,
        "id_number": user.id_number,
        "email": user.email,
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not False}


def test_making_a_superuser_in_the_admin_is_audited_with_who_did_it(world, admin_client):
    target = world.handler
    response = admin_client.post(
        f"/admin/accounts/user/{target.pk}/change/",
        _user_form(target, is_staff="on", is_superuser="on"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    target.refresh_from_db()
    assert target.is_superuser
    entry = _grants(target).get()
    assert entry.actor == world.admin and "is_superuser" in entry.fields
    assert entry.ip_address == "127.0.0.1"


def test_giving_the_administrator_role_in_the_admin_is_audited(world, admin_client):
    target = world.handler
    response = admin_client.post(
        "/admin/accounts/membership/add/",
        {"user": target.pk, "organisation": world.cgj.pk, "role": Role.ADMINISTRATOR, "title": ""},
    )
    assert response.status_code == 302
    entry = _grants(target).get()
    assert entry.actor == world.admin and entry.fields == ["administrator"]


def test_createsuperuser_on_the_command_line_is_audited(db):
    call_command(
        "createsuperuser",
        username="root2",
        email="root2@example.org",
        interactive=False,
        stdout=io.StringIO(),
    )
    entry = _grants(User.objects.get(username="root2")).get()
    assert entry.actor is None and entry.reason  # says it came from outside a request


def test_a_grant_from_the_shell_is_audited(world):
    target = world.handler
    target.is_superuser = True
    target.save()
    Membership.objects.create(
        user=world.zjj_handler, organisation=world.zjj, role=Role.ADMINISTRATOR
    )
    assert _grants(target).exists()
    assert _grants(world.zjj_handler).exists()
    target.is_superuser = False
    target.save()
    assert AuditLog.objects.filter(action="privilege_revoke", object_id=str(target.pk)).exists()


def test_a_deleted_users_audit_rows_still_say_who_acted(world):
    actor = UserFactory(username="leaving", display_name="离职人员")
    audit.record(actor=actor, action="unmask", obj=world.resident, fields=["mobile"])
    actor_pk = actor.pk
    actor.delete()
    entry = AuditLog.objects.get(action="unmask")
    assert not User.objects.filter(pk=entry.actor_id).exists()  # the row is never updated
    assert entry.actor_name == "leaving" and entry.actor_ref == str(actor_pk)


def test_login_records_cannot_be_deleted_in_the_admin(world, admin_client):
    record = AccessLog.objects.create(username="x", ip_address="10.0.0.1", user_agent="t")
    listing = admin_client.get("/admin/axes/accesslog/")
    assert listing.status_code == 200
    assert "delete_selected" not in listing.content.decode()
    bulk = admin_client.post(
        "/admin/axes/accesslog/",
        {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302, 403)
    assert (
        admin_client.post(f"/admin/axes/accesslog/{record.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert AccessLog.objects.filter(pk=record.pk).exists()


def test_audit_rows_cannot_be_deleted_in_the_admin(world, admin_client):
    entry = audit.record(actor=world.admin, action="unmask", obj=world.resident)
    admin_client.post(
        "/admin/core/auditlog/",
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert (
        admin_client.post(f"/admin/core/auditlog/{entry.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert AuditLog.objects.filter(pk=entry.pk).exists()


def test_reading_the_audit_log_is_audited(world, admin_client):
    entry = audit.record(actor=world.operator, action="unmask", obj=world.resident)
    assert admin_client.get("/admin/core/auditlog/").status_code == 200
    assert admin_client.get(f"/admin/core/auditlog/{entry.pk}/change/").status_code == 200
    reads = AuditLog.objects.filter(action="audit_read", actor=world.admin)
    assert reads.count() == 2
    assert reads.filter(object_id=str(entry.pk)).exists()


def test_issuing_a_token_on_the_command_line_is_audited(world):
    out = io.StringIO()
    call_command(
        "tokens",
        "issue",
        "--user",
        "operator",
        "--name",
        "bridge",
        stdout=out,
        stderr=io.StringIO(),
    )
    token = world.operator.api_tokens.get()
    entry = AuditLog.objects.get(action="token_issue")
    assert entry.object_id == str(token.pk) and entry.object_type == "accounts.apitoken"
    assert out.getvalue().strip() not in entry.reason + entry.object_repr  # never the token


def test_issuing_a_token_in_the_admin_is_audited(world, admin_client):
    response = admin_client.post(
        "/admin/accounts/apitoken/add/", {"name": "bridge", "user": world.operator.pk}
    )
    assert response.status_code == 302
    entry = AuditLog.objects.get(action="token_issue")
    assert entry.actor == world.admin
    tokens.do_revoke(token=world.operator.api_tokens.get(), actor=world.admin)
    assert AuditLog.objects.filter(action="token_revoke", actor=world.admin).exists()


def test_issuing_an_open311_key_in_the_admin_is_audited(world, admin_client):
    from gongzhi.open311.models import Open311Client

    response = admin_client.post(
        "/admin/open311/open311client/add/",
        {
            "name": "FixMyStreet 海东",
            "contact": "ops@example.com",
            "is_active": "on",
            "rate": "60/m",
        },
    )
    assert response.status_code == 302
    client = Open311Client.objects.get()
    entry = AuditLog.objects.get(action="key_issue")
    assert entry.actor == world.admin and entry.object_id == str(client.pk)
    admin_client.post(
        "/admin/open311/open311client/",
        {"action": "issue_new_key", "_selected_action": [client.pk]},
    )
    assert AuditLog.objects.filter(action="key_issue", object_id=str(client.pk)).count() == 2
