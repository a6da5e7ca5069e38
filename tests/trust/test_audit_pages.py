"""The audit administrator verifies the audit log's chain and exports it from the admin
(issue 22, safeguard 3), without the server's command line; others may not."""

import json

import pytest
from django.utils import translation

from gongzhi.core import audit
from gongzhi.core.models import AuditLog
from tests.factories import UserFactory
from tests.trust.test_audit_chain import TABLE, _behind_the_apps_back
from tests.trust.test_three_admins import admin_client, auditor, security, unit  # noqa: F401

pytestmark = pytest.mark.django_db

VERIFY = "/admin/core/auditlog/verify/"
EXPORT = "/admin/core/auditlog/export/"


def test_the_audit_administrator_verifies_the_chain_and_sees_a_changed_row(auditor):  # noqa: F811
    rows = [audit.record(actor=None, action="probe", reason=f"row {i}") for i in range(4)]
    page = auditor.get(VERIFY, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-ok="1"' in page
    assert AuditLog.objects.filter(action="audit_verify").count() == 1

    _behind_the_apps_back(f"UPDATE {TABLE} SET reason = 'x' WHERE seq = %s", [rows[1].seq])
    with translation.override("en"):
        page = auditor.get(VERIFY).content.decode()
    assert 'data-ok="0"' in page
    assert f"{rows[1].seq}" in page and 'data-testid="audit-problems"' in page


def test_the_export_is_the_rows_with_their_hashes_and_is_recorded(auditor):  # noqa: F811
    made = [audit.record(actor=None, action="probe", reason=f"row {i}") for i in range(3)]
    response = auditor.get(EXPORT)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    lines = [json.loads(x) for x in b"".join(response.streaming_content).decode().splitlines()]
    # The rows made, then the export's own record (written before the rows are streamed).
    assert [r["seq"] for r in lines][-4:-1] == [r.seq for r in made]
    assert lines[-1]["action"] == "audit_export"
    assert audit.verify_rows(lines, start_seq=None, prev_hash=None).ok
    assert AuditLog.objects.filter(action="audit_export").exists()
    assert auditor.get(EXPORT + "?since=2026-02-30").status_code == 302  # not a date: refused


def test_the_security_administrator_may_not_verify_nor_export(security, unit):  # noqa: F811
    assert security.get(VERIFY).status_code == 403
    assert security.get(EXPORT).status_code == 403
    other = admin_client(UserFactory(organisation=unit, role="dispatcher"))
    assert other.get(EXPORT).status_code == 302  # not the admin's: to the sign-in
