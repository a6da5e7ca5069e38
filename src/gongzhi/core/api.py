"""What every app's API shares: the error shape, pagination and a bounded date type.

The project's NinjaAPI (``gongzhi.api``) mounts the app routers and answers every error in
this shape; apps import these from here, never from the project module above them.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

# Where a ninja validation error can come from; the field is the part of "loc" after it.
PARAM_SOURCES = frozenset({"query", "body", "path", "header", "cookie", "form", "file"})


class FieldErrorOut(Schema):
    error: str
    message: str
    field: str | None = None


class ErrorOut(Schema):
    error: str
    message: str
    field: str | None = None
    # When the input has several problems: every one of them, the first as above.
    errors: list[FieldErrorOut] | None = None


# A calendar day in a query: bounded, so that a far-off year neither overflows nor meets the
# local mean time zone offsets of the distant past (+08:05:43 is no RFC 3339 offset).
Day = Annotated[dt.date, Field(ge=dt.date(2000, 1, 1), le=dt.date(2099, 12, 31))]
# A row's id as a client sends it: a number the database can hold (a bigger one is a 400,
# not an overflow in the driver).
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 429: ErrorOut}
MAX_PAGE_SIZE = 200


class Pages(PageNumberPagination):
    """``?page=N&page_size=M`` (default 50, at most 200); answers ``{items, count}``."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE)

    def __init__(self, **kwargs):
        super().__init__(page_size=50, max_page_size=MAX_PAGE_SIZE, **kwargs)
