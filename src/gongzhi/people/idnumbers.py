"""Resident ID numbers (居民身份证号码, GB 11643-1999): 18 characters, the issuing place (6),
the date of birth (8), a sequence number whose last digit is odd for a man and even for a
woman (3), and an ISO 7064 MOD 11-2 check character (0–9 or X).

The check itself is ``accounts.validators.validate_id_number`` (the platform's one rule);
this module adds what the register derives from a valid number. Old 15-digit numbers were
all replaced by 2013 and are refused.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from gongzhi.accounts.validators import validate_id_number

from .choices import Sex


@dataclass(frozen=True)
class IdNumber:
    number: str
    birth_date: dt.date
    sex: str


def normalise_id_number(value: str | None) -> str:
    """As typed → as stored: full-width digits (a Chinese input method) to ASCII, spaces
    dropped, a small x made capital."""
    value = unicodedata.normalize("NFKC", value or "")
    return "".join(value.split()).upper()


def parse_id_number(value: str | None) -> IdNumber:
    """The number with its date of birth and sex; ``ValidationError`` (with the accounts
    validator's message and code) when it is not a valid 18-character number."""
    number = normalise_id_number(value)
    validate_id_number(number)
    born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    sex = Sex.MALE if int(number[16]) % 2 else Sex.FEMALE
    return IdNumber(number=number, birth_date=born, sex=sex)


def valid_id_number(value: str | None) -> IdNumber | None:
    """The parsed number, or None when it is not valid."""
    try:
        return parse_id_number(value)
    except ValidationError:
        return None
