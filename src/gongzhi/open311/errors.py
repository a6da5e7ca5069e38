"""Open311 errors: a list of {code, description}, with the HTTP status as the code.

404: an unknown resource or jurisdiction; 403: a missing or bad api_key, or an action the
client may not take; 429: over the rate limit; 400: everything else."""

from gongzhi.core.errors import ServiceError


class Open311Error(Exception):
    def __init__(self, status: int, description: str, retry_after: int | None = None):
        super().__init__(description)
        self.status, self.description, self.retry_after = status, str(description), retry_after

    def as_list(self) -> list[dict]:
        return [{"code": self.status, "description": self.description}]

    @classmethod
    def from_case_error(cls, error: ServiceError) -> "Open311Error":
        # A case's 409 (it moved on meanwhile) is one more reason the post cannot be applied.
        status = error.status if error.status in (403, 404) else 400
        if error.code == "not_allowed_in_state":  # the case's state, not the client's rights
            status = 400
        if (error.field or "").startswith("attribute["):  # which question, as it was posted
            return cls(status, f"{error.field}: {error.message}")
        return cls(status, error.message)


def bad(description) -> Open311Error:
    return Open311Error(400, description)


def forbidden(description) -> Open311Error:
    return Open311Error(403, description)


def not_found(description) -> Open311Error:
    return Open311Error(404, description)
