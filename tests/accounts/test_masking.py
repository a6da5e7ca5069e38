"""The masking functions, on the values people actually have."""

import pytest

from gongzhi.accounts import masking


@pytest.mark.parametrize(
    "value, expected",
    [("13812341234", "138****1234"), ("", ""), (None, ""), ("  13812341234 ", "138****1234")],
)
def test_mask_mobile(value, expected):
    assert masking.mask_mobile(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("630202199003071234", "630202********1234"),
        ("63020219900307123x", "630202********123X"),
        ("", ""),
    ],
)
def test_mask_id_number(value, expected):
    assert masking.mask_id_number(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("张三", "张*"),
        ("张三丰", "张**"),
        ("欧阳娜娜", "欧阳**"),
        ("欧阳", "欧*"),  # just a surname: keep one character
        ("诸葛亮", "诸葛*"),
        ("马", "*"),
        ("", ""),
        ("Tashi Dorje", "Tashi *****"),
    ],
)
def test_mask_name(value, expected):
    assert masking.mask_name(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("青海省海东市乐都区碾伯镇西关街12号3单元402室", "青海省海东市乐都区碾伯镇西关街****"),
        ("乐都区高庙镇高庙村一组5号", "乐都区高庙镇高庙村****"),
        ("平安区平安镇东村", "平安区平安镇****"),
        ("某地", "某****"),
        ("", ""),
    ],
)
def test_mask_address(value, expected):
    assert masking.mask_address(value) == expected


def test_no_mask_leaks_the_hidden_digits():
    value = "630202199003071234"
    masked = masking.mask_id_number(value)
    assert "19900307" not in masked and len(masked) == len(value)


def test_unknown_kind_is_an_error():
    with pytest.raises(ValueError):
        masking.mask("passport", "E123")
