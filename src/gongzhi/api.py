"""The project's JSON API (django-ninja): one NinjaAPI, one router per app, one error shape.

Every error, whatever raised it, is answered as::

    {"error": "<code>", "message": "<text for a person, in their language>", "field": "<name>"|null}

Authentication is the Django session (``django_auth``): a signed-in browser, or a script
that signed in through /accounts/login/ and sends the session cookie. Because a cookie is
sent by browsers on their own, unsafe methods also need the CSRF token (``X-CSRFToken``
header, value of the ``csrftoken`` cookie). Token authentication for machines comes later.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import django_auth

from gongzhi.cases.errors import CaseError

# Where a ninja validation error can come from; the field is the part of "loc" after it.
PARAM_SOURCES = frozenset({"query", "body", "path", "header", "cookie", "form", "file"})


class ErrorOut(Schema):
    error: str
    message: str
    field: str | None = None


class GongzhiAPI(NinjaAPI):
    """Mounts the app routers when the URLs or the schema are first built, not when this
    module is imported, so an app's ``api.py`` can import ``ErrorOut`` from here."""

    ROUTERS = [
        ("/cases", "gongzhi.cases.api.router"),
        ("/triage", "gongzhi.cases.triage_api.router"),
    ]
    _mounted = False

    def _mount(self) -> None:
        if not self._mounted:
            self._mounted = True
            for prefix, router in self.ROUTERS:
                self.add_router(prefix, router)

    @property
    def urls(self):
        self._mount()
        return super().urls

    def get_openapi_schema(self, *args, **kwargs):
        self._mount()
        return super().get_openapi_schema(*args, **kwargs)


api = GongzhiAPI(
    title="Gongzhi API",
    version="1",
    urls_namespace="api",
    docs_url="/docs",
    auth=django_auth,
)


def error_response(request, status: int, code: str, message: str, field: str | None = None):
    return api.create_response(
        request, {"error": code, "message": str(message), "field": field}, status=status
    )


@api.exception_handler(CaseError)
def _case_error(request, exc: CaseError):
    return error_response(request, exc.status, exc.code, exc.message, exc.field)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    # Bad input is the client's mistake: 400 (ninja's default is 422), first problem named.
    first = exc.errors[0] if exc.errors else {}
    loc = [str(part) for part in first.get("loc", ())]
    names = [p for p in loc if p not in PARAM_SOURCES and not p.isdigit()]
    field = names[-1] if names else None
    message = _("This value is not valid: %(problem)s") % {"problem": first.get("msg", "")}
    return error_response(request, 400, "invalid", message, field)


@api.exception_handler(AuthenticationError)
def _not_authenticated(request, exc):
    return error_response(request, 401, "not_authenticated", _("Please sign in first."))


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    if exc.status_code == 403 and "CSRF" in str(exc):
        message = _(
            "The CSRF check failed: send the csrftoken cookie's value in the X-CSRFToken header."
        )
        return error_response(request, 403, "csrf_failed", message)
    codes = {401: "not_authenticated", 403: "forbidden", 404: "not_found", 429: "throttled"}
    return error_response(request, exc.status_code, codes.get(exc.status_code, "error"), str(exc))


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error_response(request, 404, "not_found", _("Not found."))
