"""Issue 22, defect 3: the demo's logins (a superuser among them) share a published
password, so ``gongzhi demo load`` refuses a database that is not a demo, and says loudly
what the demo logins are."""

import io

import pytest
from django.core.management import CommandError, call_command

from gongzhi.accounts.models import User
from gongzhi.demo import loader
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_demo_is_refused_in_a_database_with_real_accounts(db):
    UserFactory(username="chen.admin", admin=True)  # made with `gongzhi createsuperuser`
    with pytest.raises(CommandError) as refused:
        call_command("demo", "load", stdout=io.StringIO(), stderr=io.StringIO())
    assert "createsuperuser" in str(refused.value)
    assert not User.objects.filter(username__startswith="demo_").exists()
    assert list(User.objects.values_list("username", flat=True)) == ["chen.admin"]


def test_the_demo_is_refused_where_reports_already_came_in(world):
    from gongzhi.cases.models import Case
    from tests.factories import report_case

    report_case(world, world.manhole, reporter=None)
    User.objects.all().delete()  # even without any account left
    assert Case.objects.exists()
    with pytest.raises(CommandError):
        call_command("demo", "load", stdout=io.StringIO(), stderr=io.StringIO())
    assert not User.objects.exists()


@pytest.fixture
def quick_load(monkeypatch):
    """The demo's own loading takes minutes; what is tested here is the guard around it."""
    calls = []

    def load(*, stdout=None):
        loader.check_demo_database()
        calls.append(1)
        if not User.objects.filter(username="demo_admin").exists():
            User.objects.create_user("demo_admin", password="x", is_superuser=True, is_staff=True)
        return {
            "regions": {},
            "cases": {"skipped": True},
            "triage_model": None,
            "logins": [
                {
                    "role": "administrator",
                    "username": "demo_admin",
                    "password": "Gongzhi@2026",
                    "name": "",
                    "organisation": "",
                }
            ],
        }

    monkeypatch.setattr("gongzhi.demo.management.commands.demo.load", load)
    return calls


def test_an_empty_database_takes_the_demo_with_a_loud_warning(db, quick_load):
    err = io.StringIO()
    call_command("demo", "load", stdout=io.StringIO(), stderr=err)
    assert quick_load == [1]
    warning = err.getvalue()
    assert "demo_admin" in warning or "published" in warning
    assert "createsuperuser" in warning


def test_a_demo_database_takes_the_demo_again(db, quick_load):
    call_command("demo", "load", stdout=io.StringIO(), stderr=io.StringIO())
    call_command("demo", "load", stdout=io.StringIO(), stderr=io.StringIO())
    assert quick_load == [1, 1]
