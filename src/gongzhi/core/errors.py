"""Errors a case service raises. Views turn them into a Chinese message, the API into
``{"error": code, "message": ..., "field": ...}``. And how a refused request is logged."""

from __future__ import annotations

import logging


class ServiceError(Exception):
    status = 400

    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.code, self.message, self.field = code, str(message), field
        self.others: list[ServiceError] = []  # more problems found in the same input

    @classmethod
    def first_of(cls, errors: list[ServiceError]) -> ServiceError:
        """One error that carries the rest: a form shows them all at once, and the API names
        the first as before and lists all of them under ``errors``."""
        first = errors[0]
        first.others = list(errors[1:])
        return first

    @property
    def all(self) -> list[ServiceError]:
        return [self, *self.others]

    def as_dict(self) -> dict:
        out = {"error": self.code, "message": self.message, "field": self.field}
        if self.others:
            out["errors"] = [
                {"error": e.code, "message": e.message, "field": e.field} for e in self.all
            ]
        return out


class NotAllowed(ServiceError):
    status = 403


class NotFound(ServiceError):
    status = 404


class Conflict(ServiceError):
    """The case moved on since the user looked at it (another user acted first)."""

    status = 409


class RefusalsInOneLine(logging.Filter):
    """Django logs a request refused with PermissionDenied (403) with the exception's
    traceback, twenty lines for a user who clicked a link they may not follow: a refusal is
    the platform working, so it is one line; a server error (5xx) keeps its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", 500) < 500:
            record.exc_info = record.exc_text = None
        return True
