import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from gongzhi.people.idnumbers import parse_id_number, valid_id_number
from tests.people.factories import id_number

# A published sample number (GB 11643's worked example): born 1949-12-31, a woman.
SAMPLE = "11010519491231002X"


def test_a_valid_number_gives_birth_date_and_sex():
    parsed = valid_id_number(SAMPLE)
    assert parsed.number == SAMPLE
    assert parsed.birth_date == dt.date(1949, 12, 31)
    assert parsed.sex == "female"
    man = valid_id_number(id_number(dt.date(1988, 2, 29), 7, sex="male"))
    assert (man.birth_date, man.sex) == (dt.date(1988, 2, 29), "male")


def test_a_number_as_typed_is_normalised():
    typed = " １１０１０５１９４９１２３１００２x "  # full-width digits, a small x, spaces
    assert valid_id_number(typed).number == SAMPLE


def test_a_wrong_check_character_is_refused():
    assert valid_id_number("110105194912310021") is None
    with pytest.raises(ValidationError) as error:
        parse_id_number("110105194912310021")
    assert error.value.code == "invalid_id_check"


@pytest.mark.parametrize("born", ["19490230", "19491301", "21000101", "18991231"])
def test_a_birth_date_that_does_not_exist_is_refused(born):
    from gongzhi.accounts.validators import id_check_digit

    first17 = f"110105{born}002"
    with pytest.raises(ValidationError) as error:
        parse_id_number(first17 + id_check_digit(first17))
    assert error.value.code == "invalid_id_birth"


def test_an_old_fifteen_digit_number_is_refused():
    assert valid_id_number("110105491231002") is None
    assert valid_id_number("") is None
    assert valid_id_number("11010519491231002") is None  # 17 characters
