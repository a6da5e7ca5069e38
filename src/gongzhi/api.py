"""The project's JSON API (django-ninja): one NinjaAPI, one router per app, one error shape.

Every error, whatever raised it, is answered as::

    {"error": "<code>", "message": "<text for a person, in their language>", "field": "<name>"|null}

Authentication, either of:

* an API token (``Authorization: Bearer gz_…``) for apps and integrations, issued in the
  admin or by ``gongzhi tokens issue``; it acts as its user, with exactly that user's scope.
  A token that is unknown, expired or revoked is refused (401), whatever else is sent;
* the Django session of a signed-in browser. Because a cookie is sent by browsers on their
  own, unsafe methods also need the CSRF token (``X-CSRFToken`` header, value of the
  ``csrftoken`` cookie).
"""

from __future__ import annotations

import functools
import json

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import Swagger
from ninja.security import HttpBearer, django_auth

from gongzhi.core.api import PARAM_SOURCES
from gongzhi.core.errors import ServiceError
from gongzhi.core.ratelimit import RateLimited


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``: the request acts as the token's user."""

    def authenticate(self, request, token: str):
        from gongzhi.accounts.tokens import token_for  # the models are loaded by now

        found = token_for(token.strip())
        if found is None:
            # Refused outright rather than falling back on a session: a client that sends a
            # token means to act as that token's user.
            raise HttpError(401, _("The API token is unknown, has expired or was revoked."))
        request.user = found.user  # everything downstream scopes by request.user
        request.api_token = found
        return found.user


class OfflineSwagger(Swagger):
    """Swagger UI from our own static files (vendor/swagger-ui, copied from the npm package
    by scripts/build_assets.mjs): intranets are often offline and pages use no CDN."""

    template = "api/docs.html"

    def render_page(self, request, api, **kwargs):
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        return render(request, self.template, {"api": api, "swagger_settings": self.settings})


class GongzhiAPI(NinjaAPI):
    """Mounts the app routers when the URLs or the schema are first built, not when this
    module is imported, so an app's ``api.py`` can import ``ErrorOut`` from here."""

    ROUTERS = [
        ("/cases", "gongzhi.cases.api.router"),
        ("/triage", "gongzhi.cases.triage.api.router"),
        ("/regions", "gongzhi.regions.api.router"),
        ("/categories", "gongzhi.taxonomy.api.router"),
        ("/organisations", "gongzhi.accounts.api.router"),
        ("/mediation", "gongzhi.mediation.api.router"),
        ("/people", "gongzhi.people.api.router"),
        ("/sensing", "gongzhi.sensing.api.router"),
        ("/surveys", "gongzhi.surveys.api.router"),
        ("/legal", "gongzhi.legal.api.router"),
        ("/deliberation", "gongzhi.deliberation.api.router"),
        ("/community", "gongzhi.community.api.router"),
        ("/command", "gongzhi.command.api.router"),
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
    docs=OfflineSwagger(),
    description=(
        "Authenticate with `Authorization: Bearer <token>` (an administrator issues tokens in "
        "the admin or with `gongzhi tokens issue --user U --name N`; a token acts as its user, "
        "with that user's scope), or with a signed-in session (send the `csrftoken` cookie as "
        "`X-CSRFToken` on writes). Every error is "
        '`{"error": code, "message": text, "field": name or null}`.'
    ),
    auth=[TokenAuth(), django_auth],
)


def error_response(request, status: int, code: str, message: str, field: str | None = None):
    return api.create_response(
        request, {"error": code, "message": str(message), "field": field}, status=status
    )


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _sends_nul(request) -> bool:
    if "\x00" in request.path or _has_nul(dict(request.GET.lists())):
        return True
    if request.content_type == "application/json":
        if b"\\u0000" not in request.body:  # the JSON spelling of NUL: nearly never there
            return False
        try:
            return _has_nul(json.loads(request.body))
        except ValueError:
            return False  # not JSON: the parser answers that
    return request.method == "POST" and _has_nul(dict(request.POST.lists()))


def refuse_nul(run):
    """A NUL character is never meaningful text, and PostgreSQL cannot store one: refuse it
    in the path, the query or the body before anything reads the database."""

    @functools.wraps(run)
    def checked(request, *args, **kwargs):
        if _sends_nul(request):
            return error_response(
                request, 400, "invalid", _("The request contains a NUL character.")
            )
        return run(request, *args, **kwargs)

    return checked


api.add_decorator(refuse_nul, mode="view")


@api.exception_handler(ServiceError)
def _case_error(request, exc: ServiceError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


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


@api.exception_handler(RateLimited)
def _rate_limited(request, exc: RateLimited):
    response = error_response(
        request,
        429,
        "throttled",
        _("Too many requests: try again in %(n)d seconds.") % {"n": exc.retry_after},
    )
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error_response(request, 404, "not_found", _("Not found."))
