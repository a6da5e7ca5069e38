"""The register's rules for one value at a time, as pure functions (no database): what a
resident's name, ID number, phone, address, household number, moving-in day and stay must
be, with the message a user reads. The Excel import checks 100,000 rows with these; the
services check one form with the same rules.

Each ``check_*`` takes the raw value and a list to append problems to (a ``ServiceError``
naming its field) and returns the cleaned value (or None / "" when it is not valid), so
that a caller collects every problem of a row at once.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gongzhi.accounts.validators import normalise_phone
from gongzhi.core.errors import ServiceError

from .idnumbers import IdNumber, normalise_id_number, parse_id_number

NAME_MIN, NAME_MAX = 2, 50
ADDRESS_MIN, ADDRESS_MAX = 4, 200
HOUSEHOLD_NUMBER_MAX = 30


def clean_text(value) -> str:
    """Spaces collapsed, ends trimmed (a cell or a form field as typed)."""
    return " ".join(str(value if value is not None else "").split())


def id_error(value, field: str, error: ValidationError) -> ServiceError:
    if len(normalise_id_number(str(value or ""))) == 15:
        message = _("Old 15-digit ID numbers are no longer valid: enter the 18-character number.")
    else:
        message = error.messages[0]
    return ServiceError("invalid_id_number", message, field)


def check_name(value, errors: list[ServiceError], field: str = "name") -> str:
    name = clean_text(value)
    if not (NAME_MIN <= len(name) <= NAME_MAX):
        errors.append(ServiceError("required", _("Give the resident's full name."), field))
    return name


def check_id_number(value, errors: list[ServiceError], field: str = "id_number") -> IdNumber | None:
    try:
        return parse_id_number(str(value if value is not None else ""))
    except ValidationError as error:
        errors.append(id_error(value, field, error))
        return None


def check_phone(value, errors: list[ServiceError], field: str = "phone") -> str:
    value = str(value if value is not None else "").strip()
    if not value:
        return ""
    phone = normalise_phone(value)
    if not phone:
        errors.append(ServiceError("invalid_phone", _("The phone number is not valid."), field))
        return ""
    return phone


def check_address(
    value, errors: list[ServiceError], field: str = "address", *, message=None
) -> str:
    """A house's (or, with its own ``message``, a building's) address."""
    address = clean_text(value)
    if not (ADDRESS_MIN <= len(address) <= ADDRESS_MAX):
        errors.append(ServiceError("required", message or _("Give the house's address."), field))
    return address


def check_household_number(value, errors: list[ServiceError], field: str = "number") -> str:
    number = clean_text(value)
    if len(number) > HOUSEHOLD_NUMBER_MAX:
        errors.append(ServiceError("invalid", _("The household number is too long."), field))
    return number


def check_moved_in(
    moved_in: dt.date,
    *,
    born: dt.date | None,
    today: dt.date,
    errors: list[ServiceError],
    field: str = "moved_in",
) -> None:
    if moved_in > today:
        errors.append(
            ServiceError("invalid", _("The day they moved in cannot be in the future."), field)
        )
    elif born is not None and moved_in < born:
        errors.append(
            ServiceError("invalid", _("The day they moved in is before they were born."), field)
        )


def check_stay_end(
    until: dt.date | None, *, since: dt.date, errors: list[ServiceError], field: str = "stay_until"
) -> None:
    """A stay always ends, after it starts."""
    if until is None:
        errors.append(ServiceError("required", _("A tenant's stay needs the day it ends."), field))
    elif until <= since:
        errors.append(ServiceError("invalid", _("The stay must end after it starts."), field))


def duplicate_id_error(
    *, visible: bool, household: str, address: str, place: str, field: str = "id_number"
) -> ServiceError:
    """A number already registered to a current resident: the household and its (masked)
    address when the user may see it, only its community when not."""
    if visible:
        message = _(
            "This ID number is already registered to a current resident of household "
            "%(household)s at %(address)s."
        ) % {"household": household, "address": address}
    else:
        message = _(
            "This ID number is already registered to a current resident in %(place)s: "
            "they must be moved out there first."
        ) % {"place": place}
    return ServiceError("duplicate_id_number", message, field)


def head_taken_error(field: str = "relation") -> ServiceError:
    return ServiceError(
        "head_taken", _("This household already has a head: change that resident first."), field
    )


def out_of_scope_error(field: str) -> ServiceError:
    return ServiceError("out_of_scope", _("That place is outside your area."), field)
