"""What Open311 GET answers: services, service definitions, requests and their updates,
shaped as the GeoReport v2 dicts. Nothing here names who reported a case: no name,
phone, e-mail or account; phone and ID numbers and house addresses written into the text
are masked however they are written, addresses are cut before the house number
(accounts.masking), and a point is given to about 100 m. Cases of the categories an
administrator keeps out of public feeds (``Category.is_public``: tip-offs, disputes, people
in need of care …) are not listed at all."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Max, OuterRef, Prefetch, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from gongzhi.accounts import masking
from gongzhi.cases import channels
from gongzhi.cases.choices import FINAL_STATES
from gongzhi.cases.models import Attachment, Case, CaseEvent
from gongzhi.cases.workflow import table as workflow
from gongzhi.regions.models import Region
from gongzhi.taxonomy import attributes as questions
from gongzhi.taxonomy.models import Category, CategoryAttribute

from . import statuses
from .errors import bad, not_found
from .models import JURISDICTION_LEVELS, Open311Request

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
FORMATS = ["application/json", "text/xml"]
WINDOW = dt.timedelta(days=90)
MAX_REQUESTS = 1000


def when(value: dt.datetime | None) -> str | None:
    """ISO 8601 with the offset, in the platform's time zone."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


# Three decimals of a degree are about 110 m north-south (less east-west): enough to find
# the pothole's street, not enough to find the reporter's door.
PUBLIC_DECIMALS = 3


def scrub(text: str | None) -> str | None:
    """Mask the personal data that a reporter typed into free text (phones and ID numbers
    in any writing, landlines, house addresses): anonymous readers may unmask nothing."""
    return masking.mask_personal_in_text(text)


def coarse(degrees: float | None) -> float | None:
    return None if degrees is None else round(degrees, PUBLIC_DECIMALS)


# --- jurisdictions, discovery, services -------------------------------------------------


def jurisdiction(code: str | None) -> Region | None:
    """The city or county named by ``jurisdiction_id`` (None: the whole platform)."""
    if not code:
        return None
    found = (
        Region.objects.filter(code=code, level__in=JURISDICTION_LEVELS)
        .only("pk", "code", "path", "name")
        .first()
    )
    if found is None:
        raise not_found(_("There is no jurisdiction “%(id)s”.") % {"id": code})
    return found


def _changeset() -> str | None:
    latest = [
        Category.objects.aggregate(m=Max("updated_at"))["m"],
        CategoryAttribute.objects.aggregate(m=Max("updated_at"))["m"],
    ]
    latest = [m for m in latest if m]
    return when(max(latest)) if latest else None


def discovery(*, base_url: str) -> dict:
    changeset = _changeset()
    return {
        "changeset": changeset,
        "contact": settings.GONGZHI.get("OPEN311_CONTACT", ""),
        "key_service": _("API keys are issued by the platform's administrators."),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base_url,
                "changeset": changeset,
                "type": "production",
                "formats": FORMATS,
            }
        ],
    }


def services() -> list[dict]:
    categories = channels.offered(
        Category.objects.filter(enabled=True).only("code", "name", "full_name", "keywords", "path")
    )
    groups = dict(Category.objects.filter(level=1).values_list("code", "name"))
    with_questions = set(
        CategoryAttribute.objects.filter(enabled=True).values_list("category_id", flat=True)
    )
    return [
        {
            "service_code": c.code,
            "service_name": c.name,
            "description": c.full_name,
            "metadata": c.pk in with_questions,
            "type": "realtime",
            "keywords": ",".join(c.keywords.split()) or None,
            "group": groups.get(c.path.strip("/").split("/")[0]),
        }
        for c in categories
    ]


def enabled_category(code: str) -> Category:
    found = Category.objects.filter(code=code, enabled=True).first() if code else None
    if found is None:
        raise not_found(_("There is no service “%(code)s”.") % {"code": code})
    return found


def service_definition(code: str) -> dict:
    category = enabled_category(code)
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": q.variable,
                "code": q.code,
                "datatype": q.datatype,
                "required": q.required,
                "datatype_description": q.datatype_description or None,
                "order": q.order,
                "description": q.description,
                "values": [{"key": v.key, "name": v.name} for v in q.values.all()],
            }
            for q in questions.questions(category)
        ],
    }


# --- requests -----------------------------------------------------------------------------


def public(queryset, prefix: str = ""):
    """Leave out the cases of categories an administrator keeps out of public feeds (and of
    every category below those)."""
    for path in Category.unlisted_paths():
        queryset = queryset.exclude(**{f"{prefix}category__path__startswith": path})
    return queryset


def _cases(place: Region | None):
    latest_note = (
        CaseEvent.objects.filter(case=OuterRef("pk"), is_public=True)
        .exclude(note="")
        .order_by("-at", "-id")
        .values("note")[:1]
    )
    first_photo = (
        Attachment.objects.filter(case=OuterRef("pk"), stage=Attachment.Stage.REPORT)
        .order_by("pk")
        .values("pk")[:1]
    )
    cases = (
        public(Case.objects.all())
        .select_related("category", "owner", "command", "open311")
        .annotate(status_notes=Subquery(latest_note), photo_id=Subquery(first_photo))
        .order_by("-created_at", "-id")
    )
    if place is not None:
        cases = cases.filter(region_path__startswith=place.path)
    return cases


def as_request(case: Case, media_url) -> dict:
    try:
        extra = case.open311
    except Open311Request.DoesNotExist:
        extra = None
    agency = case.owner or case.command
    return {
        "service_request_id": case.number,
        "status": statuses.status(case.state),
        "status_notes": scrub(case.status_notes) or None,
        "service_name": case.category.name,
        "service_code": case.category.code,
        "description": scrub(case.description)[:4000] or None,
        "agency_responsible": agency.name if agency else None,
        "service_notice": None,
        "requested_datetime": when(case.created_at),
        "updated_datetime": when(case.updated_at),
        "expected_datetime": when(case.resolve_due),
        "address": masking.mask_address(case.address) or None,
        "address_id": None,
        "zipcode": None,
        "lat": coarse(case.lat),
        "long": coarse(case.lng),
        "media_url": (extra.media_url if extra and extra.media_url else None)
        or (media_url(case.photo_id) if case.photo_id else None),
    }


def with_extensions(cases):
    """For ``extensions=true``: the public timeline and the report's photos of every case of
    the page, in two queries rather than two per case."""
    return cases.prefetch_related(
        Prefetch(
            "events",
            queryset=CaseEvent.objects.filter(is_public=True).order_by("at", "id"),
            to_attr="public_events",
        ),
        Prefetch(
            "attachments",
            queryset=Attachment.objects.filter(stage=Attachment.Stage.REPORT).order_by("pk"),
            to_attr="report_photos",
        ),
    )


def _action_label(action: str) -> str:
    rule = workflow.RULES.get(action)
    return str(rule.label) if rule else action


def as_extended_request(case: Case, media_url) -> dict:
    """The request plus what the common ``extensions=true`` adds (Chicago, Bonn …): our own
    lifecycle state and channel, every photo of the report, and the public timeline."""
    return {
        **as_request(case, media_url),
        "extended_attributes": {
            "channel": case.channel,
            "state": case.state,
            "extended_status": statuses.extended(case.state),
            "photos": [media_url(p.pk) for p in case.report_photos],
        },
        "notes": [
            {
                "datetime": when(e.at),
                "type": e.action,
                "description": scrub(e.note) or _action_label(e.action),
            }
            for e in case.public_events
        ],
    }


@dataclass
class RequestQuery:
    service_request_id: str = ""
    service_code: str = ""
    start_date: str = ""
    end_date: str = ""
    status: str = ""
    page: str = ""
    page_size: str = ""
    extensions: str = ""


def _moment(value: str, name: str) -> dt.datetime | None:
    if not value:
        return None
    moment = parse_datetime(value.replace(" ", "+")) if "T" in value else None
    if moment is None:
        day = parse_date(value)
        moment = dt.datetime.combine(day, dt.time.min) if day else None
    if moment is None:
        raise bad(_("%(name)s is not an ISO 8601 date and time.") % {"name": name})
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _positive(value: str, name: str, default: int, maximum: int) -> int:
    if not value:
        return default
    if not value.isdigit() or not 1 <= int(value) <= maximum:
        raise bad(
            _("%(name)s must be a whole number from 1 to %(max)d.") % {"name": name, "max": maximum}
        )
    return int(value)


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def requests(*, query: RequestQuery, place: Region | None, media_url) -> list[dict]:
    """GET requests: by id (a comma list that overrides every other filter), or by service,
    status and period: at most 90 days (the last 90 when no dates are given) and at most
    1000 requests, newest first, a page at a time."""
    cases = _cases(place)
    shape = as_request
    if _extensions(query.extensions):
        cases, shape = with_extensions(cases), as_extended_request
    ids = _split(query.service_request_id)
    if ids:
        if len(ids) > MAX_REQUESTS:
            raise bad(_("Ask for at most %(n)d requests at once.") % {"n": MAX_REQUESTS})
        return [shape(c, media_url) for c in cases.filter(number__in=ids)]
    codes = _split(query.service_code)
    if codes:
        cases = cases.filter(category__code__in=codes)
    wanted = set(_split(query.status))
    if wanted - {"open", "closed"}:
        raise bad(_("status must be open, closed or both."))
    if wanted == {"open"}:
        cases = cases.exclude(state__in=FINAL_STATES)
    elif wanted == {"closed"}:
        cases = cases.filter(state__in=FINAL_STATES)
    start = _moment(query.start_date, "start_date")
    end = _moment(query.end_date, "end_date")
    if start and end and end < start:
        raise bad(_("end_date is before start_date."))
    if start and end and end - start > WINDOW:
        raise bad(_("The period may not span more than 90 days."))
    if end is None:
        end = start + WINDOW if start else timezone.now()
    if start is None:
        start = end - WINDOW
    cases = cases.filter(created_at__gte=start, created_at__lte=end)
    size = _positive(query.page_size, "page_size", MAX_REQUESTS, MAX_REQUESTS)
    page = _positive(query.page, "page", 1, 1_000_000)
    offset = (page - 1) * size
    if offset >= MAX_REQUESTS:
        return []
    window = cases[offset : min(offset + size, MAX_REQUESTS)]
    return [shape(c, media_url) for c in window]


def _extensions(value: str) -> bool:
    if value not in ("", "true", "false"):
        raise bad(_("extensions must be true or false."))
    return value == "true"


def request(*, number: str, place: Region | None, media_url, extensions: str = "") -> list[dict]:
    cases, shape = _cases(place), as_request
    if _extensions(extensions):
        cases, shape = with_extensions(cases), as_extended_request
    case = cases.filter(number=number).first()
    if case is None:
        raise not_found(_("There is no request “%(id)s”.") % {"id": number})
    return [shape(case, media_url)]


def report_photo(pk: int, place: Region | None = None) -> Attachment:
    """A photo sent with a report: public like the request it belongs to."""
    photos = public(Attachment.objects.filter(pk=pk, stage=Attachment.Stage.REPORT), "case__")
    if place is not None:
        photos = photos.filter(case__region_path__startswith=place.path)
    found = photos.first()
    if found is None:
        raise not_found(_("There is no such photo."))
    return found


# --- updates (mySociety) ----------------------------------------------------------------


def updates(*, start_date: str, end_date: str, place: Region | None) -> list[dict]:
    """The public timeline entries of the period (the last 90 days by default), oldest
    first, at most 1000."""
    start, end = _moment(start_date, "start_date"), _moment(end_date, "end_date")
    if start and end and end < start:
        raise bad(_("end_date is before start_date."))
    events = public(CaseEvent.objects.filter(is_public=True), "case__").select_related("case")
    if place is not None:
        events = events.filter(case__region_path__startswith=place.path)
    if start is None and end is None:
        start = timezone.now() - WINDOW
    if start is not None:
        events = events.filter(at__gte=start)
    if end is not None:
        events = events.filter(at__lte=end)
    return [as_update(e) for e in events.order_by("at", "id")[:MAX_REQUESTS]]


def as_update(event: CaseEvent) -> dict:
    state = event.to_state or event.case.state
    return {
        "update_id": str(event.pk),
        "service_request_id": event.case.number,
        "status": statuses.extended(state),
        "updated_datetime": when(event.at),
        "description": scrub(event.note) or None,
        "media_url": None,
        "external_status_code": state,
    }
