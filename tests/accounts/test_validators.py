"""Mobile numbers and 18-digit resident ID numbers (GB 11643-1999), as a person enters them."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from gongzhi.accounts.models import User
from gongzhi.accounts.validators import id_check_digit, validate_id_number, validate_mobile


def make_id(region="630202", born="19900307", sequence="123") -> str:
    first17 = region + born + sequence
    return first17 + id_check_digit(first17)


# A published example of the standard: 11010519491231002X (check digit X).
def test_check_digit_of_the_standard_example():
    assert id_check_digit("11010519491231002") == "X"
    validate_id_number("11010519491231002X")


@pytest.mark.parametrize(
    "number",
    [
        make_id(),
        make_id("630102", "19650101", "001"),
        make_id("630224", "20000229", "458"),  # a real leap day
        make_id("632123", "19800815", "999"),
    ],
)
def test_valid_numbers_pass(number):
    validate_id_number(number)


def test_every_wrong_check_digit_is_refused():
    good = make_id()
    for digit in "0123456789X":
        if digit == good[-1]:
            continue
        with pytest.raises(ValidationError) as info:
            validate_id_number(good[:17] + digit)
        assert info.value.code == "invalid_id_check"


@pytest.mark.parametrize(
    "born", ["19900230", "19901301", "19900001", "19000229", "18991231", "21000101"]
)
def test_impossible_or_future_birth_dates_are_refused(born):
    with pytest.raises(ValidationError) as info:
        validate_id_number(make_id(born=born))
    assert info.value.code == "invalid_id_birth"


def test_a_birth_date_tomorrow_is_refused():
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    with pytest.raises(ValidationError):
        validate_id_number(make_id(born=tomorrow.strftime("%Y%m%d")))


@pytest.mark.parametrize(
    "number",
    ["", "63020219900307123", "6302021990030712345", "63020219900307123Y", "X30202199003071230"],
)
def test_malformed_numbers_are_refused(number):
    with pytest.raises(ValidationError) as info:
        validate_id_number(number)
    assert info.value.code == "invalid_id_format"


def x_number() -> str:
    """An ID number whose check digit is X (search the sequence numbers for one)."""
    for sequence in range(1000):
        number = make_id(sequence=f"{sequence:03d}")
        if number.endswith("X"):
            return number
    raise AssertionError("no X check digit found")


@pytest.mark.django_db
def test_lower_case_x_is_accepted_and_stored_upper_case():
    number = x_number()
    user = User(username="xuser", id_number=number[:17] + "x")
    user.full_clean(exclude=["password"])
    assert user.id_number == number
    user.save()
    user.refresh_from_db()
    assert user.id_number == number


@pytest.mark.django_db
def test_save_normalises_even_without_clean():
    number = x_number()
    user = User.objects.create(username="direct", id_number=" " + number[:17] + "x ")
    user.refresh_from_db()
    assert user.id_number == number


@pytest.mark.django_db
def test_model_validation_reports_the_field():
    good = make_id()
    wrong = good[:17] + ("0" if good[-1] != "0" else "1")
    user = User(username="bad", id_number=wrong, mobile="12345678901")
    with pytest.raises(ValidationError) as info:
        user.full_clean(exclude=["password"])
    assert set(info.value.message_dict) == {"id_number", "mobile"}


@pytest.mark.parametrize("mobile", ["13812341234", "19912345678", "15000000000", "17712345678"])
def test_valid_mobiles(mobile):
    validate_mobile(mobile)


@pytest.mark.parametrize(
    "mobile",
    [
        "",
        "12812341234",
        "1381234123",
        "138123412345",
        "+8613812341234",
        "1381234123a",
        "23812341234",
    ],
)
def test_invalid_mobiles(mobile):
    with pytest.raises(ValidationError):
        validate_mobile(mobile)
