"""Open311 GeoReport v2 endpoints (mounted at /open311/v2/). Thin: parse the query or the
form, call one read or service function, answer in the format the suffix names. Clients
authenticate with their api_key, not a session, so posts need no CSRF token."""

from __future__ import annotations

import re

from django.core import signing
from django.http import FileResponse, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.core.clientip import client_address

from . import reads, services
from .errors import Open311Error, bad, not_found
from .render import respond

_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")


def _refuse_nul(request, kwargs) -> None:
    """A NUL character has no place in any parameter (PostgreSQL refuses it in a query, and
    a text column cannot keep it): a 400 before anything reads the database."""
    values = [*kwargs.values()]
    for data in (request.GET, request.POST) if request.method == "POST" else (request.GET,):
        for name, items in data.lists():
            values += [name, *items]
    if any("\x00" in str(v) for v in values):
        raise bad(_("A parameter contains a NUL character."))


def open311(view):
    """Turn an Open311Error into the error list, in the request's format."""

    def wrapped(request, *args, fmt="xml", **kwargs):
        try:
            _refuse_nul(request, kwargs)
            return view(request, *args, fmt=fmt, **kwargs)
        except Open311Error as error:
            response = respond(error.as_list(), fmt, root="errors", status=error.status)
            if error.retry_after is not None:
                response["Retry-After"] = str(error.retry_after)
            return response

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _params(data, names) -> dict[str, str]:
    return {n: (data.get(n) or "").strip() for n in names}


def _place(request, data=None):
    data = request.GET if data is None else data
    return reads.jurisdiction((data.get("jurisdiction_id") or "").strip())


# A photo's address carries its id signed, so that nobody can walk the photos by counting.
MEDIA_SALT = "gongzhi.open311.media"


def media_token(pk: int) -> str:
    return signing.dumps(pk, salt=MEDIA_SALT, compress=False)


def _media_url(request):
    def url(pk: int) -> str:
        return request.build_absolute_uri(reverse("open311:media", args=[media_token(pk)]))

    return url


@require_GET
@open311
def discovery(request, fmt):
    base = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt}))
    return respond(reads.discovery(base_url=base.rsplit("/", 1)[0] + "/"), fmt, root="discovery")


@require_GET
@open311
def service_list(request, fmt):
    _place(request)
    return respond(reads.services(), fmt, root="services")


@require_GET
@open311
def service_definition(request, code, fmt):
    _place(request)
    return respond(reads.service_definition(code), fmt, root="service_definition")


@csrf_exempt
@require_http_methods(["GET", "POST"])
@open311
def request_list(request, fmt):
    if request.method == "POST":
        return _create(request, fmt)
    query = reads.RequestQuery(**_params(request.GET, reads.RequestQuery.__dataclass_fields__))
    data = reads.requests(query=query, place=_place(request), media_url=_media_url(request))
    return respond(data, fmt, root="service_requests")


def _attributes(data) -> dict[str, list[str]]:
    answers: dict[str, list[str]] = {}
    for name in data:
        match = _ATTRIBUTE.match(name)
        if match:
            answers.setdefault(match.group(1), []).extend(data.getlist(name))
    return answers


def _create(request, fmt):
    data = request.POST
    client = services.authenticate((data.get("api_key") or "").strip())
    services.check_rate(client=client, address=client_address(request))
    fields = _params(data, services.Submission.__dataclass_fields__.keys() - {"attributes"})
    submission = services.Submission(**fields, attributes=_attributes(data))
    key = services.idempotency_key(
        client=client,
        device_id=submission.device_id,
        raw=request.headers.get("Idempotency-Key", "").strip(),
    )
    media = request.FILES.getlist("media")
    if len(media) > 1:
        raise Open311Error(400, _("Send at most one media file."))
    row, created = services.do_request(
        client=client, submission=submission, place=_place(request, data), media=media, key=key
    )
    answer = (
        {"token": row.token}
        if client and client.answer_with_token
        else {"service_request_id": row.case.number}
    )
    answer["service_notice"] = _("Received as case %(number)s.") % {"number": row.case.number}
    answer["account_id"] = row.account_id or None
    return respond([answer], fmt, root="service_requests", status=201 if created else 200)


@require_GET
@open311
def request_detail(request, number, fmt):
    data = reads.request(
        number=number,
        place=_place(request),
        media_url=_media_url(request),
        extensions=(request.GET.get("extensions") or "").strip(),
    )
    return respond(data, fmt, root="service_requests")


@require_GET
@open311
def token(request, value, fmt):
    _place(request)
    return respond(services.token(value), fmt, root="service_requests")


@csrf_exempt
@require_http_methods(["GET", "POST"])
@open311
def updates(request, fmt):
    if request.method == "GET":
        data = reads.updates(
            start_date=(request.GET.get("start_date") or "").strip(),
            end_date=(request.GET.get("end_date") or "").strip(),
            place=_place(request),
        )
        return respond(data, fmt, root="service_request_updates")
    data = request.POST
    client = services.authenticate((data.get("api_key") or "").strip())
    services.check_rate(client=client, address=client_address(request))
    fields = _params(data, services.UpdateSubmission.__dataclass_fields__)
    row, created = services.do_update(
        client=client, submission=services.UpdateSubmission(**fields), place=_place(request, data)
    )
    answer = [{"update_id": str(row.event_id)}]
    return respond(answer, fmt, root="service_request_updates", status=201 if created else 200)


@require_GET
def media(request, token: str):
    """A photo sent with a report (metadata already stripped when it was stored)."""
    try:
        pk = signing.loads(token, salt=MEDIA_SALT)
    except signing.BadSignature:
        return HttpResponse(status=404)
    if not isinstance(pk, int):
        return HttpResponse(status=404)
    try:
        attachment = reads.report_photo(pk)
    except Open311Error:
        return HttpResponse(status=404)
    response = FileResponse(attachment.image.open("rb"))
    response["Cache-Control"] = "public, max-age=86400"
    return response


def unknown_format(request, rest=""):
    """Any other path or format: the Open311 404, in XML (the mandatory format)."""
    error = not_found(_("There is no such resource."))
    return respond(error.as_list(), "xml", root="errors", status=404)
