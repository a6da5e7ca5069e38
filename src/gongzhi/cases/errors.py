"""Errors a case service raises. Views turn them into a Chinese message, the API into
``{"error": code, "message": ..., "field": ...}``."""


class CaseError(Exception):
    status = 400

    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.code, self.message, self.field = code, str(message), field

    def as_dict(self) -> dict:
        return {"error": self.code, "message": self.message, "field": self.field}


class NotAllowed(CaseError):
    status = 403


class NotFound(CaseError):
    status = 404


class Conflict(CaseError):
    """The case moved on since the user looked at it (another user acted first)."""

    status = 409
