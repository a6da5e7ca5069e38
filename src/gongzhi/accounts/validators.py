"""Mainland phone numbers and 18-digit resident ID numbers (GB 11643-1999)."""

import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
ID_RE = re.compile(r"^\d{17}[\dX]$")
# A landline with its area code (010…, 0972…: 10–12 digits), a local number (7–8 digits,
# not starting 0 or 1), or a 400/800 service line.
_LANDLINE_RE = re.compile(r"^(?:0\d{9,11}|[2-9]\d{6,7}|[48]00\d{7})$")
_PHONE_SEPARATORS = re.compile(r"[\s\-()（）]")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def normalise_phone(value: str) -> str | None:
    """A phone number as typed → its plain digits, or None when it is no mainland number.

    Full-width digits (typed with a Chinese input method) become ASCII; spaces, dashes and
    brackets go; a +86 / 0086 country code is dropped from a mobile number."""
    phone = _PHONE_SEPARATORS.sub("", unicodedata.normalize("NFKC", value or ""))
    for prefix in ("+86", "0086"):
        if phone.startswith(prefix):
            phone = phone[len(prefix) :]
            return phone if MOBILE_RE.match(phone) else None
    if MOBILE_RE.match(phone) or _LANDLINE_RE.match(phone):
        return phone
    return None


def validate_mobile(value: str) -> None:
    if not MOBILE_RE.match(value or ""):
        raise ValidationError(
            _("Enter a mainland mobile number of 11 digits starting with 13–19."),
            code="invalid_mobile",
        )


def validate_id_number(value: str) -> None:
    value = (value or "").upper()
    if not ID_RE.match(value):
        raise ValidationError(
            _("A resident ID number has 17 digits and a check digit (0–9 or X)."),
            code="invalid_id_format",
        )
    try:
        born = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(
            _("The date of birth in this ID number does not exist."), code="invalid_id_birth"
        ) from None
    if born > datetime.date.today() or born.year < 1900:
        raise ValidationError(
            _("The date of birth in this ID number does not exist."), code="invalid_id_birth"
        )
    if id_check_digit(value[:17]) != value[17]:
        raise ValidationError(
            _("The check digit of this ID number is wrong."), code="invalid_id_check"
        )
