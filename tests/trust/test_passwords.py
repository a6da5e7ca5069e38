"""Self-service password change, the idle timeout and the password policy (issue 22,
safeguard 1), through the pages."""

import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from gongzhi.accounts import sessions
from gongzhi.accounts.models import Role
from gongzhi.core.models import AuditLog
from tests.factories import PASSWORD, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGE = "/accounts/password/"
NEW = "Huangshui!River7"


@pytest.fixture
def person():
    return UserFactory(
        username="wang_fang",
        organisation=OrganisationFactory(),
        role=Role.HANDLER,
        mobile="13897205869",
        id_number="",
    )


def signed_in(user) -> Client:
    client = Client()
    assert (
        client.post(
            "/accounts/login/", {"username": user.username, "password": PASSWORD}
        ).status_code
        == 302
    )
    return client


@pytest.mark.parametrize(
    "password, code",
    [
        ("Ab!12345678x", "password_pattern"),  # counting digits
        ("Xy#aaaaaaa9", "password_pattern"),  # one character repeated
        ("Qwerty!2580x", "password_pattern"),  # a keyboard row
        ("1qaz2WSX!9k", "password_pattern"),  # a keyboard column
        ("Ab1!Ab1!Ab1!", "password_repeated"),  # a short part repeated
        ("Wang_Fang#2580", "password_username"),
        ("Tel#205869Xx", "password_mobile"),
        ("Password123!", "password_common_base"),
    ],
)
def test_patterned_passwords_are_refused(person, password, code):
    with pytest.raises(ValidationError) as refused:
        validate_password(password, person)
    assert code in {e.code for e in refused.value.error_list}


def test_common_passwords_are_refused(person):
    with pytest.raises(ValidationError) as refused:
        validate_password("iloveyou", person)
    assert "password_too_common" in {e.code for e in refused.value.error_list}


@pytest.mark.parametrize("password", [NEW, "Gongzhi#Haidong-97", "tea&Mountain5river"])
def test_good_passwords_pass(person, password):
    validate_password(password, person)


def test_change_needs_the_old_password_and_applies_the_policy(person):
    client = signed_in(person)
    with translation.override("zh-hans"):
        wrong = client.post(
            CHANGE, {"old_password": "nope", "new_password1": NEW, "new_password2": NEW}
        )
        weak = client.post(
            CHANGE,
            {
                "old_password": PASSWORD,
                "new_password1": "Abcd!1234x",
                "new_password2": "Abcd!1234x",
            },
        )
    assert wrong.status_code == 200
    assert wrong.context["form"].errors.as_data()["old_password"][0].code == "password_incorrect"

    assert weak.status_code == 200 and "new_password2" in weak.context["form"].errors
    person.refresh_from_db()
    assert person.check_password(PASSWORD)  # nothing changed


def test_changing_the_password_signs_out_every_other_session(person):
    here, elsewhere = signed_in(person), signed_in(person)
    assert elsewhere.get("/accounts/me/").status_code == 200
    response = here.post(
        CHANGE, {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 302
    assert here.get("/accounts/me/").status_code == 200  # this session goes on
    assert elsewhere.get("/accounts/me/").status_code == 302  # the other one has ended
    person.refresh_from_db()
    assert person.check_password(NEW)
    assert AuditLog.objects.filter(action="password_change", object_id=str(person.pk)).exists()


def test_an_idle_staff_session_ends_with_a_message_on_the_login_page(person, settings):
    settings.GONGZHI_IDLE_TIMEOUT_MINUTES = 30
    client = signed_in(person)
    assert client.get("/accounts/me/").status_code == 200
    session = client.session
    session[sessions.LAST_SEEN] = time.time() - 31 * 60
    session.save()
    response = client.get("/accounts/me/")
    assert response.status_code == 302 and "reason=idle" in response["Location"]
    with translation.override("zh-hans"):
        login = client.get(response["Location"])
    assert 'id="idle-timeout"' in login.content.decode()
    assert client.get("/accounts/me/").status_code == 302  # signed out
    assert AuditLog.objects.filter(action="session_timeout", object_id=str(person.pk)).exists()


def test_the_clock_slides_with_each_request(person, settings):
    settings.GONGZHI_IDLE_TIMEOUT_MINUTES = 30
    client = signed_in(person)
    client.get("/accounts/me/")
    session = client.session
    session[sessions.LAST_SEEN] = time.time() - 29 * 60
    session.save()
    assert client.get("/accounts/me/").status_code == 200  # in time: the clock restarts
    assert client.session[sessions.LAST_SEEN] > time.time() - 60


def test_a_residents_session_does_not_time_out(settings):
    settings.GONGZHI_IDLE_TIMEOUT_MINUTES = 30
    resident = UserFactory()
    client = signed_in(resident)
    client.get("/accounts/me/")
    assert client.session[sessions.LAST_SEEN] == 0
