"""The surveys app's service error (a page shows its message, the API its shape)."""

from gongzhi.core.errors import ServiceError


class SurveyError(ServiceError):
    pass
