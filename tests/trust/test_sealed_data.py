"""Personal data encrypted at rest (issue 22, safeguard 4): ID numbers and phones are stored
sealed under a key kept outside the database, found again through a keyed digest, and the
keys rotate by a command."""

import json

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from gongzhi.accounts.models import User
from gongzhi.cases.models import Case
from gongzhi.core import crypto
from gongzhi.core.errors import ServiceError
from gongzhi.core.fields import seal_rows
from gongzhi.core.models import AuditLog
from gongzhi.people import services as people
from gongzhi.people.models import Resident
from tests.factories import call_case
from tests.people.conftest import ppl  # noqa: F401 (the register's fixture)

pytestmark = pytest.mark.django_db


def _stored(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.fixture
def own_keys(tmp_path, settings, monkeypatch):
    """A key file of the test's own, so a rotation does not touch the suite's keys."""
    monkeypatch.delenv("GONGZHI_FIELD_KEYS", raising=False)
    settings.GONGZHI_FIELD_KEY_FILE = str(tmp_path / "field_keys.json")
    crypto.reload()
    yield tmp_path / "field_keys.json"
    crypto.reload()


def test_a_callers_phone_is_stored_sealed_and_found_by_the_hotline(client, world):
    w = world
    case = call_case(w, w.manhole, title="井盖丢失", reporter_phone="13900002222")
    stored = _stored("cases_case", "reporter_phone", case.pk)
    assert stored.startswith(crypto.PREFIX) and "13900002222" not in stored
    assert "2222" not in _stored("cases_case", "reporter_phone_digest", case.pk)
    assert Case.objects.get(pk=case.pk).reporter_phone == "13900002222"
    # The operator's lookup by number still finds the caller's case.
    client.force_login(w.operator)
    html = client.post(
        reverse("cases:caller_history"), {"reporter_phone": "139 0000 2222"}
    ).content.decode()
    assert 'data-count="1"' in html and case.number in html


def test_the_register_keeps_id_numbers_sealed_and_still_refuses_a_second_current_one(ppl):  # noqa: F811
    w = ppl
    number = w.resident.id_number
    stored = _stored("people_resident", "id_number", w.resident.pk)
    assert number not in stored and stored.startswith(crypto.PREFIX)
    assert "1234" not in _stored("people_resident", "phone", w.resident.pk)
    assert Resident.objects.get(id_number=number) == w.resident
    with pytest.raises(ServiceError) as refused:
        people.check_resident(
            data=people.ResidentIn(
                name="韩成",
                id_number=number,
                household_id=w.household_b.pk,
            ),
            actor=w.grid_worker,
        )
    assert "id_number" in [e.field for e in refused.value.all]


def test_an_account_is_matched_to_the_register_through_the_digests(ppl):  # noqa: F811
    w = ppl
    w.resident_user = User.objects.create_user(
        "hancl", password="x", id_number=w.resident.id_number, mobile="13909721234"
    )
    residents = Resident.objects.filter(pk=w.resident.pk).values("id_number")
    assert list(User.objects.filter(id_number__in=residents)) == [w.resident_user]
    assert list(User.objects.filter(mobile="13909721234")) == [w.resident_user]
    assert User.objects.filter(id_number="").exclude(pk=w.resident_user.pk).exists()
    assert not User.objects.filter(id_number__in=[]).exists()


def test_searching_inside_a_sealed_value_is_refused_not_silently_wrong(ppl):  # noqa: F811
    with pytest.raises(FieldError):
        list(Resident.objects.filter(phone__contains="1234"))
    with pytest.raises(FieldError):
        list(Resident.objects.filter(id_number__startswith="6302"))


def test_keys_rotate_and_retire_and_every_value_reads_the_same(own_keys, world, capsys):
    w = world
    case = call_case(w, w.manhole, reporter_phone="13900005555")
    before = _stored("cases_case", "reporter_phone", case.pk)
    old = json.loads(own_keys.read_text())

    call_command("keys", "rotate", "--digest")
    rotated = json.loads(own_keys.read_text())
    assert rotated["seal"][1:] == old["seal"] and rotated["digest"][1:] == old["digest"]
    after = _stored("cases_case", "reporter_phone", case.pk)
    assert after != before and after.startswith(crypto.PREFIX)
    assert Case.objects.get(reporter_phone="13900005555") == case

    call_command("keys", "retire")
    retired = json.loads(own_keys.read_text())
    assert retired == {"seal": rotated["seal"][:1], "digest": rotated["digest"][:1]}
    assert Case.objects.get(reporter_phone="13900005555").pk == case.pk
    capsys.readouterr()
    call_command("keys", "status")
    assert "cases.Case: reporter_phone: 0 to seal again" in capsys.readouterr().out
    actions = set(AuditLog.objects.values_list("action", flat=True))
    assert {"keys_rotated", "keys_retired"} <= actions
    # The old key opens nothing any more: a copy of the database with it reveals nothing.
    from cryptography.fernet import Fernet, InvalidToken

    with pytest.raises(InvalidToken):
        Fernet(old["seal"][0].encode()).decrypt(after[len(crypto.PREFIX) :].encode())


def test_values_stored_before_sealing_are_sealed_by_the_migration_step(own_keys, world):
    w = world
    case = call_case(w, w.manhole, reporter_phone="13900006666")
    with connection.cursor() as cursor:  # as a database from before this release holds it
        cursor.execute(
            "UPDATE cases_case SET reporter_phone = %s, reporter_phone_digest = '' WHERE id = %s",
            ["13900006666", case.pk],
        )
    assert Case.objects.get(pk=case.pk).reporter_phone == "13900006666"  # plain still reads
    seal_rows("cases", "case", ["reporter_phone"])(django_apps, None)
    assert "13900006666" not in _stored("cases_case", "reporter_phone", case.pk)
    assert Case.objects.get(reporter_phone="13900006666") == case


def test_a_wrong_key_file_says_so(own_keys, world, monkeypatch):
    w = world
    case = call_case(w, w.manhole, reporter_phone="13900007777")
    other = crypto.Keys([crypto.new_seal_key()], [crypto.new_digest_key()])
    monkeypatch.setenv("GONGZHI_FIELD_KEYS", other.as_json())
    crypto.reload()
    with pytest.raises(ImproperlyConfigured, match="GONGZHI_FIELD_KEY_FILE"):
        Case.objects.get(pk=case.pk).reporter_phone  # noqa: B018
