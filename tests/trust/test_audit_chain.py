"""Issue 22, safeguard 3: a tamper-evident audit log.

Rows are numbered without gaps and hash-chained; ``gongzhi audit verify`` finds a changed
row, a removed row and a rewritten log (against an export kept off-site), and exits
non-zero. On PostgreSQL the database itself refuses UPDATE, DELETE and TRUNCATE of the
table. Sign-ins, failed sign-ins and admin changes are recorded.
"""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from gongzhi.core import audit
from gongzhi.core.models import AuditLog
from tests.concurrency import race
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the triggers and the lock are PostgreSQL's"
)
TABLE = AuditLog._meta.db_table


def _write(n=5, who=None):
    return [audit.record(actor=who, action="export", reason=f"row {i}") for i in range(n)]


def _verify(*args):
    """The command's exit code and what it printed, in English (it speaks the platform's
    language, Chinese, unless told otherwise)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        with translation.override("en"):
            call_command("audit", "verify", *args, stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def _behind_the_apps_back(sql, params=()):
    """Change the table as someone with raw database access would; on PostgreSQL that
    takes a superuser who first switches the append-only trigger off."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER core_auditlog_no_change")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER core_auditlog_no_change")


def test_rows_are_numbered_and_chained_and_verify(world):
    rows = _write(4, world.admin)
    assert [r.seq for r in rows] == [rows[0].seq + i for i in range(4)]
    assert all(b.prev_hash == a.row_hash for a, b in zip(rows, rows[1:], strict=False))
    code, out, err = _verify()
    assert code == 0 and err == ""
    assert json.loads(out.splitlines()[0])["last_seq"] == rows[-1].seq


def test_verify_names_a_row_changed_behind_the_apps_back(world):
    rows = _write(5)
    _behind_the_apps_back(
        f"UPDATE {TABLE} SET reason = %s WHERE seq = %s", ["nothing to see", rows[2].seq]
    )
    code, _out, err = _verify()
    assert code == 2
    assert f"Row {rows[2].seq} was changed" in err
    assert err.count("changed") == 1  # the rows after it still verify


def test_verify_finds_a_removed_row(world):
    rows = _write(5)
    _behind_the_apps_back(f"DELETE FROM {TABLE} WHERE seq = %s", [rows[1].seq])
    code, _out, err = _verify()
    assert code == 2
    assert f"Gap: expected row {rows[1].seq}, found row {rows[2].seq}" in err


def test_an_export_is_kept_off_site_and_shows_a_rewritten_log(world, tmp_path):
    rows = _write(3)
    kept = tmp_path / "audit.jsonl"
    call_command("audit", "export", "--since", "2000-01-01", str(kept), stdout=io.StringIO())
    lines = [json.loads(line) for line in kept.read_text().splitlines()]
    assert [line["seq"] for line in lines][-3:] == [r.seq for r in rows]
    assert _verify("--file", str(kept))[0] == 0
    assert _verify("--against", str(kept))[0] == 0
    # Someone holding the secret key rewrites a row and the chain after it: the database
    # verifies on its own, the export kept elsewhere does not agree.
    victim = AuditLog.objects.get(seq=rows[1].seq)
    victim.reason = "rewritten"
    previous = victim.prev_hash
    for row in AuditLog.objects.filter(seq__gte=victim.seq).order_by("seq"):
        if row.pk == victim.pk:
            row = victim
        new_hash = audit.row_hash(row, previous)
        _behind_the_apps_back(
            f"UPDATE {TABLE} SET reason = %s, prev_hash = %s, row_hash = %s WHERE id = %s",
            [row.reason, previous, new_hash, row.pk],
        )
        previous = new_hash
    assert _verify()[0] == 0
    code, _out, err = _verify("--against", str(kept))
    assert code == 2 and f"Row {rows[1].seq} differs from the export" in err
    # An edited export does not verify either.
    lines[-1]["reason"] = "edited"
    kept.write_text("".join(json.dumps(line) + "\n" for line in lines))
    code, _out, err = _verify("--file", str(kept))
    assert code == 2 and f"Row {rows[-1].seq} was changed" in err


def test_a_row_hashed_under_a_retired_key_still_verifies(world, settings):
    _write(2)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
    _write(2)
    assert _verify()[0] == 0


def test_deleting_a_user_leaves_their_rows_as_they_were(world):
    user = UserFactory()
    row = audit.record(actor=user, action="export", reason="before")
    user.delete()
    kept = AuditLog.objects.get(pk=row.pk)
    assert (kept.actor_name, kept.actor_ref) == (user.username, str(row.actor_ref))
    assert _verify()[0] == 0
    web = Client()
    web.force_login(world.admin)
    page = web.get(reverse("admin:core_auditlog_change", args=[row.pk]))
    assert page.status_code == 200 and user.username in page.content.decode()


@postgres_only
@pytest.mark.parametrize(
    "sql",
    [
        f"UPDATE {TABLE} SET reason = 'x'",
        f"DELETE FROM {TABLE}",
        f"SET LOCAL gongzhi.audit_allow_truncate = 'off'; TRUNCATE {TABLE}",
    ],
)
def test_postgresql_refuses_to_change_or_empty_the_log(world, sql):
    _write(2)
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditLog.objects.count() >= 2


def test_sign_ins_failed_sign_ins_and_sign_outs_are_recorded(world):
    user = UserFactory()
    web = Client()
    url = reverse("login")
    web.post(url, {"username": user.username, "password": "wrong"}, REMOTE_ADDR="10.0.0.9")
    failed = AuditLog.objects.filter(action="login_failed").latest("seq")
    assert failed.reason == f"username: {user.username}" and failed.ip_address == "10.0.0.9"
    assert "wrong" not in json.dumps(audit.content(failed))
    web.post(url, {"username": user.username, "password": PASSWORD})
    signed_in = AuditLog.objects.filter(action="login").latest("seq")
    assert signed_in.actor_ref == str(user.pk)
    web.post(reverse("logout"))
    assert AuditLog.objects.filter(action="logout", actor_ref=str(user.pk)).exists()


def test_a_configuration_change_in_the_admin_is_recorded(world):
    web = Client()
    web.force_login(world.admin)
    response = web.post(
        reverse("admin:core_calendarday_add"),
        {"date": "2031-10-01", "is_workday": "", "name": "国庆节"},
    )
    assert response.status_code == 302
    row = AuditLog.objects.filter(action="admin_add").latest("seq")
    assert row.actor_ref == str(world.admin.pk)
    assert row.object_type == "core.calendarday" and "国庆节" in row.object_repr


def test_rows_deleted_together_from_the_admin_list_are_each_recorded(world):
    """Django writes the history of a bulk deletion in one statement that sends no signal:
    the admin's delete action records each row itself."""
    from gongzhi.core.models import CalendarDay

    days = [
        CalendarDay.objects.create(date=f"2031-10-0{d}", is_workday=False, name="国庆节")
        for d in (1, 2, 3)
    ]
    web = Client()
    web.force_login(world.admin)
    url = reverse("admin:core_calendarday_changelist")
    chosen = {"action": "delete_selected", "_selected_action": [d.pk for d in days]}
    assert web.post(url, chosen).status_code == 200  # the confirmation page: nothing yet
    assert not AuditLog.objects.filter(action="admin_delete").exists()
    assert web.post(url, {**chosen, "post": "yes"}).status_code == 302
    assert not CalendarDay.objects.filter(pk__in=[d.pk for d in days]).exists()
    rows = AuditLog.objects.filter(action="admin_delete").order_by("seq")
    assert sorted(r.object_id for r in rows) == sorted(str(d.pk) for d in days)
    assert {r.object_type for r in rows} == {"core.calendarday"}
    assert {r.actor_ref for r in rows} == {str(world.admin.pk)}
    # One row alone is saved singly by Django and recorded once, not twice.
    one = CalendarDay.objects.create(date="2031-10-04", is_workday=False, name="国庆节")
    web.post(url, {"action": "delete_selected", "_selected_action": [one.pk], "post": "yes"})
    assert AuditLog.objects.filter(action="admin_delete", object_id=str(one.pk)).count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_writers_at_the_same_instant_keep_one_unbroken_chain():
    before = AuditLog.objects.count()
    results, errors = race(*[lambda: _write(5) for _ in range(6)])
    assert errors == [None] * 6
    seqs = sorted(r.seq for batch in results for r in batch)
    assert len(seqs) == 30 and seqs == list(range(seqs[0], seqs[0] + 30))
    assert AuditLog.objects.count() == before + 30
    assert _verify()[0] == 0


def test_a_calendar_imported_on_the_command_line_is_recorded(tmp_path):
    path = tmp_path / "holidays.csv"
    path.write_text("date,kind,name\n2031-10-01,holiday,国庆节\n", encoding="utf-8")
    call_command("calendar", "import", str(path), stdout=io.StringIO())
    row = AuditLog.objects.filter(action="calendar_import").latest("seq")
    assert row.reason.startswith("1 new, 0 replaced; holidays.csv")
    assert "outside a request" in row.reason
