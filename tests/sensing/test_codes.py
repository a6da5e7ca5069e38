"""GB/T 28181 national codes: the parts of a good one, and a clear message for a bad one."""

import pytest
from django.core.exceptions import ValidationError

from gongzhi.sensing.codes import (
    NETWORKS,
    TYPES,
    CodeError,
    parse,
    parse_camera,
    validate_camera_code,
)

pytestmark = pytest.mark.django_db


def test_a_valid_code_gives_its_parts_back(world):
    parsed = parse_camera("63020201001325000042")
    assert parsed.centre == "63020201"
    assert parsed.region == "630202"
    assert parsed.unit == "01"
    assert parsed.industry == "00"
    assert parsed.type == "132"
    assert parsed.serial == "5000042"
    assert parsed.network == "5"
    assert parsed.type_name == str(TYPES["132"])
    assert parsed.network_name == str(NETWORKS["5"])
    assert parsed.is_camera


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("6302020000132000001", "length"),  # 19 digits
        ("630202000013200000011", "length"),  # 21 digits
        ("", "not_digits"),
        ("6302020000132A000001", "not_digits"),
        ("６３０２０２００００１３２０００００１", "not_digits"),  # full-width digits
    ],
)
def test_a_code_of_the_wrong_shape_is_refused(world, code, reason):
    with pytest.raises(CodeError) as caught:
        parse(code)
    assert caught.value.code == reason


def test_the_message_says_how_many_digits_were_given(world):
    with pytest.raises(CodeError) as caught:
        parse("6302020000132000001")
    assert "20" in caught.value.message and "19" in caught.value.message


@pytest.mark.parametrize(
    "code",
    [
        "99020200001320000001",  # no province 99
        "63001200001320000001",  # a county under no city
        "63029900001320000001",  # 青海 is loaded and has no 630299
    ],
)
def test_a_code_of_no_real_region_is_refused(world, code):
    with pytest.raises(CodeError) as caught:
        parse(code)
    assert caught.value.code == "region"
    assert code[:6] in caught.value.message


def test_a_region_the_platform_does_not_hold_is_taken_on_trust(world):
    # Only 青海 is loaded: a 北京 code cannot be judged, and its province is real.
    assert parse("11010200001320000001").region == "110102"


def test_without_the_regions_check_only_the_shape_is_judged(db):
    assert parse("63029900001320000001", check_region=False).region == "630299"


@pytest.mark.parametrize("kind", ["000", "119", "999", "130"])
def test_a_type_gb28181_does_not_define_is_refused(world, kind):
    with pytest.raises(CodeError) as caught:
        parse(f"6302020000{kind}0000001")
    assert caught.value.code == "type"
    assert kind in caught.value.message


def test_a_device_that_is_no_camera_cannot_be_registered_as_one(world):
    assert parse("63020200002000000001").type == "200"  # the platform's signalling server
    with pytest.raises(CodeError) as caught:
        parse_camera("63020200002000000001")
    assert caught.value.code == "type"
    # A DVR's code is accepted: its channels are the cameras.
    assert parse_camera("63020200001110000001").type == "111"


def test_the_field_validator_gives_the_same_message(world):
    validate_camera_code("63020200001310000001")
    with pytest.raises(ValidationError) as caught:
        validate_camera_code("63020200001190000001")
    assert caught.value.code == "type"
    assert "119" in caught.value.messages[0]
