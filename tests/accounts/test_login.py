"""Log-in lockout (django-axes) and the password policy, through the real pages."""

import pytest
from axes.models import AccessAttempt
from axes.utils import reset
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from gongzhi.accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
GOOD = "Haidong#Grid2026"


@pytest.fixture
def person():
    reset()
    return UserFactory(username="li_jianguo", password=GOOD, display_name="李建国")


def log_in(client, password, username="li_jianguo"):
    return client.post(LOGIN, {"username": username, "password": password})


def templates(response) -> set[str]:
    return {t.name for t in response.templates}


def test_right_password_logs_in(client, person):
    response = log_in(client, GOOD)
    assert response.status_code == 302
    assert client.get("/accounts/me/").status_code == 200


def test_five_wrong_passwords_lock_the_account(client, person):
    for _ in range(4):
        response = log_in(client, "wrong-password")
        assert response.status_code == 200  # the form again, with an error
        assert "registration/login.html" in templates(response)
    response = log_in(client, "wrong-password")
    assert response.status_code == 429
    assert "registration/locked_out.html" in templates(response)
    # Now even the right password is refused, and no session is opened.
    response = log_in(client, GOOD)
    assert response.status_code == 429
    assert "registration/locked_out.html" in templates(response)
    assert client.get("/accounts/me/").status_code == 302  # still logged out


def test_lockout_is_per_user_name(client, person):
    UserFactory(username="other_person", password=GOOD)
    for _ in range(5):
        log_in(client, "wrong-password")
    assert log_in(client, GOOD, username="other_person").status_code == 302


def test_behind_a_trusted_proxy_the_lockout_is_per_client_address(client, person, settings):
    settings.GONGZHI = {**settings.GONGZHI, "TRUSTED_PROXIES": "127.0.0.1"}
    through = {"REMOTE_ADDR": "127.0.0.1"}
    for _ in range(5):
        client.post(
            LOGIN,
            {"username": "li_jianguo", "password": "wrong-password"},
            HTTP_X_FORWARDED_FOR="1.1.1.1",
            **through,
        )
    locked = client.post(
        LOGIN,
        {"username": "li_jianguo", "password": GOOD},
        HTTP_X_FORWARDED_FOR="1.1.1.1",
        **through,
    )
    assert locked.status_code == 429
    # The same account from another resident's address, through the same proxy, is not.
    response = client.post(
        LOGIN,
        {"username": "li_jianguo", "password": GOOD},
        HTTP_X_FORWARDED_FOR="2.2.2.2",
        **through,
    )
    assert response.status_code == 302


def test_a_success_resets_the_counter(client, person):
    for _ in range(4):
        log_in(client, "wrong-password")
    assert log_in(client, GOOD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(4):
        assert log_in(client, "wrong-password").status_code == 200
    assert log_in(client, GOOD).status_code == 302


def test_reset_unlocks(client, person):
    for _ in range(5):
        log_in(client, "wrong-password")
    assert AccessAttempt.objects.filter(username="li_jianguo").exists()
    reset(username="li_jianguo")
    assert log_in(client, GOOD).status_code == 302


@pytest.mark.parametrize(
    "password",
    [
        "short1A!",  # too short
        "abcdefghijkl",  # one character class
        "abcdefgh1234",  # two classes
        "12345678901234",  # numeric
        "Password1234",  # a common password (3 classes, 12 characters)
        "li_jianguo2026",  # too like the user name
    ],
)
def test_weak_passwords_are_refused(person, password):
    with pytest.raises(ValidationError):
        validate_password(password, user=person)


@pytest.mark.parametrize("password", [GOOD, "Gongzhi@2026", "qinghai-haidong-7"])
def test_strong_passwords_pass(person, password):
    validate_password(password, user=person)


def test_admin_refuses_to_create_a_user_with_a_weak_password(admin_client):
    url = "/admin/accounts/user/add/"
    data = {
        "username": "new_worker",
        "display_name": "马海英",
        "usable_password": "true",
        "password1": "abcdefgh1234",
        "password2": "abcdefgh1234",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["password2"]
    assert not User.objects.filter(username="new_worker").exists()

    data["password1"] = data["password2"] = "Haidong#Ledu26"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = User.objects.get(username="new_worker")
    assert created.check_password("Haidong#Ledu26")
    assert created.display_name == "马海英"
