"""Open311 writes: authenticating a client, a new service request (a case through
``cases.services.do_report``) and a service-request update (a workflow action through
``do_transition`` as the client's bound user, like the case page).

Everything is checked before anything is written (rule 6); a retried post returns the
first result (rule 7): a request by its Idempotency-Key, scoped to the client's key and
the device, or, when it came without one, by what was posted (``retry_keys``); an update by
the client's own ``update_id``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import math
import re
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.cases.choices import Channel
from gongzhi.cases.intake import services as cases
from gongzhi.cases.intake.forms import IDEMPOTENCY_KEY_RE
from gongzhi.cases.models import Case
from gongzhi.cases.workflow import services as transitions
from gongzhi.cases.workflow import table as workflow
from gongzhi.core import ratelimit
from gongzhi.core.errors import ServiceError
from gongzhi.regions.lookup import locate
from gongzhi.regions.models import Region
from gongzhi.triage import places

from . import reads, statuses
from .errors import Open311Error, bad, forbidden, not_found
from .models import Open311Client, Open311Request, Open311Update, hash_key

MAX_DESCRIPTION = 4000
RETRY_WINDOW_S = 600  # a post without a key, repeated within this, is taken for a retry


def _setting(name: str, default):
    return settings.GONGZHI.get(name, default)


# --- who is asking ------------------------------------------------------------------------


def authenticate(api_key: str) -> Open311Client | None:
    """The client behind ``api_key``; None for a post without a key where the platform takes
    them (``OPEN311_ANONYMOUS_POSTS``). A missing, unknown or disabled key is a 403."""
    if not api_key:
        if _setting("OPEN311_ANONYMOUS_POSTS", False):
            return None
        raise forbidden(_("An api_key is required."))
    client = Open311Client.objects.filter(key_hash=hash_key(api_key), is_active=True).first()
    if client is None:
        raise forbidden(_("The api_key is not valid."))
    Open311Client.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
    return client


def check_rate(*, client: Open311Client | None, address: str) -> None:
    """Per key for a client, per network address for a post without a key; 429 when over."""
    try:
        if client is not None:
            ratelimit.check("open311_client", str(client.pk), client.rate)
        else:
            ratelimit.check("open311_anonymous", address, ratelimit.rate("anonymous_report"))
    except ratelimit.RateLimited as limited:
        raise Open311Error(
            429,
            _("Too many requests: try again in %(s)d seconds.") % {"s": limited.retry_after},
            retry_after=limited.retry_after,
        ) from None


def _client_place(client: Open311Client | None, place: Region | None) -> Region | None:
    """The jurisdiction a client posts to: the one it names, which must be one of its own;
    a client limited to one jurisdiction need not name it."""
    if client is None:
        return place
    own = list(client.jurisdictions.all())
    if not own:
        return place
    if place is None:
        if len(own) == 1:
            return own[0]
        raise bad(_("jurisdiction_id is required."))
    if place.pk not in {r.pk for r in own}:
        raise forbidden(
            _("This api_key may not post to jurisdiction “%(id)s”.") % {"id": place.code}
        )
    return place


# --- a new request --------------------------------------------------------------------------


@dataclass
class Submission:
    """A POSTed request as the form gives it. Name and phone become the case's (masked)
    reporter fields; the e-mail address is accepted as the standard allows but not kept: a
    case has no place for it and nothing here writes to the reporter by e-mail."""

    service_code: str = ""
    lat: str = ""
    long: str = ""
    address_string: str = ""
    address_id: str = ""
    description: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    email: str = ""
    device_id: str = ""
    account_id: str = ""
    media_url: str = ""
    attributes: dict[str, list[str]] = field(default_factory=dict)


def _point(submission: Submission) -> tuple[float, float] | None:
    if not submission.lat and not submission.long:
        return None
    try:
        lat, lng = float(submission.lat), float(submission.long)
    except ValueError:
        raise bad(_("lat and long must both be numbers (WGS84).")) from None
    if not (math.isfinite(lat) and math.isfinite(lng) and -90 <= lat <= 90 and -180 <= lng <= 180):
        raise bad(_("lat and long must both be numbers (WGS84)."))
    return lng, lat


_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def check_request(
    *, client: Open311Client | None, submission: Submission, place: Region | None
) -> cases.Report:
    """The report to make, or an Open311 error; nothing is written. What only intake knows
    (the answers to the category's questions, the platform's area) is checked by intake
    itself, inside ``do_request``."""
    place = _client_place(client, place)
    if not submission.service_code:
        raise bad(_("service_code is required."))
    try:
        category = reads.enabled_category(submission.service_code)
    except Open311Error as error:  # GeoReport v2: an unknown service_code on a POST is a 400
        raise bad(error.description) from None
    point = _point(submission)
    address = submission.address_string.strip()
    if point is None and not address:
        if submission.address_id:
            raise bad(_("address_id is not supported here: send lat and long or address_string."))
        raise bad(_("A location is required: lat and long, or address_string."))
    if point is not None and place is not None:
        hit = locate(*point)
        if hit is None or not hit.region_path.startswith(place.path):
            raise bad(_("The location is outside jurisdiction “%(id)s”.") % {"id": place.code})
    if point is None and place is not None:
        # Intake places a case without a point by the names in its address: a client bound
        # to one county must not reach another by naming it, nor leave the place open.
        named = places.locate_text(address)
        if named is None:
            raise bad(
                _(
                    "address_string names no place inside jurisdiction “%(id)s”: send lat and "
                    "long, or an address with its township or community."
                )
                % {"id": place.code}
            )
        if not named.region_path.startswith(place.path):
            raise bad(_("The location is outside jurisdiction “%(id)s”.") % {"id": place.code})
    description = submission.description.strip()
    if len(description) > MAX_DESCRIPTION:
        raise bad(_("description may be at most 4000 characters."))
    if submission.media_url and (
        len(submission.media_url) > 500 or not _URL.match(submission.media_url)
    ):
        raise bad(_("media_url must be an http or https URL."))
    name = " ".join(p for p in (submission.first_name.strip(), submission.last_name.strip()) if p)
    report = cases.Report(
        channel=Channel.OPEN311,
        title=description[:30] or category.name,
        description=description,
        category=category,
        lng=point[0] if point else None,
        lat=point[1] if point else None,
        address=address,
        reporter_name=name,
        reporter_phone=submission.phone.strip(),
        # The answers as posted: intake's one check (``check_report``) asks the category's
        # questions, as on every channel; its errors name the question (``attribute[code]``).
        answers=submission.attributes,
    )
    return report


def idempotency_key(*, client: Open311Client | None, device_id: str, raw: str) -> str | None:
    """The key stored on the case: the Idempotency-Key header bound to the client's key and
    the device, so that one client's key never finds another client's case."""
    if not raw:
        return None
    if not re.match(IDEMPOTENCY_KEY_RE, raw):
        raise bad(_("The Idempotency-Key header must be 8 to 64 letters, digits, “-” or “_”."))
    owner = client.key_hash if client is not None else "anonymous"
    return _stored_key("o311", f"open311:{owner}:{device_id}:{raw}")


def retry_keys(
    *,
    client: Open311Client | None,
    submission: Submission,
    place: Region | None,
    media=(),
    now=None,
) -> tuple[str, str]:
    """Keys for a post that came without an Idempotency-Key (FixMyStreet sends none), made
    from what was posted: one for this ten-minute window, one for the window before.

    A client that timed out and posts the same request again within ten minutes finds the
    first case instead of making a second; the same words posted later, from another device
    or through another client make a new one. The window's key on the case lets the unique
    index settle two copies that arrive at the same moment.
    """
    owner = client.key_hash if client is not None else "anonymous"
    content = json.dumps(
        [
            dataclasses.asdict(submission),
            place.code if place is not None else "",
            [(getattr(m, "name", ""), getattr(m, "size", 0)) for m in media],
        ],
        sort_keys=True,
        ensure_ascii=False,
    )
    window = int((time.time() if now is None else now) // RETRY_WINDOW_S)
    return tuple(
        _stored_key("o311r", f"open311-retry:{owner}:{w}:{content}") for w in (window, window - 1)
    )


def _stored_key(prefix: str, message: str) -> str:
    """A key for ``Case.idempotency_key``: an HMAC, so it does not name the client or device."""
    digest = hmac.new(settings.SECRET_KEY.encode(), message.encode(), hashlib.sha256).hexdigest()
    return f"{prefix}-{digest[:48]}"


def do_request(
    *,
    client: Open311Client | None,
    submission: Submission,
    place: Region | None,
    media=(),
    key: str | None = None,
) -> tuple[Open311Request, bool]:
    """Create the case (or find the first one, for a retry). Returns (request row, created)."""
    report = check_request(client=client, submission=submission, place=place)
    if key is None:
        key, earlier = retry_keys(client=client, submission=submission, place=place, media=media)
        row = (
            Open311Request.objects.select_related("case")
            .filter(case__idempotency_key=earlier)
            .first()
        )
        if row is not None:  # posted again just after a window turned
            return row, False
    report.idempotency_key = key
    try:
        with transaction.atomic():
            case, created = cases.do_report(report=report, photos=media)
            if not created:
                row = Open311Request.objects.filter(case=case).first()
                if row is None:  # the key was used by a report through another channel
                    raise bad(_("This Idempotency-Key was already used."))
                return row, False
            row = Open311Request.objects.create(
                case=case,
                client=client,
                device_id=submission.device_id[:100],
                account_id=submission.account_id[:100],
                media_url=submission.media_url,
            )
    except ServiceError as error:
        raise Open311Error.from_case_error(error) from None
    return row, True


def token(value: str) -> list[dict]:
    row = Open311Request.objects.filter(token=value).select_related("case").first()
    if row is None:
        raise not_found(_("There is no token “%(token)s”.") % {"token": value})
    return [{"service_request_id": row.case.number, "token": row.token}]


# --- an update (mySociety) -----------------------------------------------------------------


@dataclass
class UpdateSubmission:
    service_request_id: str = ""
    update_id: str = ""
    status: str = ""
    updated_datetime: str = ""
    description: str = ""
    media_url: str = ""


def _choose_action(case: Case, status: str) -> str:
    for action in statuses.ACTIONS.get(status, ()):
        if case.state in workflow.RULES[action].sources:
            return action
    if statuses.extended(case.state) == status:
        return statuses.SAME_STATUS_ACTION
    raise bad(
        _("An update with status “%(status)s” cannot be applied to a request that is “%(now)s”.")
        % {"status": status, "now": statuses.extended(case.state)}
    )


def do_update(
    *, client: Open311Client | None, submission: UpdateSubmission, place: Region | None
) -> tuple[Open311Update, bool]:
    """Take the workflow action the update's status maps to, as the client's bound user.
    Returns (update row, created); the same ``update_id`` again returns the first."""
    if client is None or not client.may_post_updates or client.update_user is None:
        raise forbidden(_("This api_key may not post updates."))
    if not submission.update_id:
        raise bad(_("update_id is required."))
    if len(submission.update_id) > 100:
        raise bad(_("update_id may be at most 100 characters."))
    found = Open311Update.objects.filter(client=client, update_id=submission.update_id).first()
    if found is not None:
        return found, False
    if submission.status not in statuses.EXTENDED:
        raise bad(_("status must be one of: %(list)s.") % {"list": ", ".join(statuses.EXTENDED)})
    if submission.updated_datetime:
        reads._moment(submission.updated_datetime, "updated_datetime")
    if len(submission.description) > MAX_DESCRIPTION:
        raise bad(_("description may be at most 4000 characters."))
    case = Case.objects.filter(number=submission.service_request_id.strip()).first()
    if case is None or (place is not None and not case.region_path.startswith(place.path)):
        raise not_found(_("There is no request “%(id)s”.") % {"id": submission.service_request_id})
    own = list(client.jurisdictions.all())
    if own and not any(case.region_path.startswith(r.path) for r in own):
        raise forbidden(_("This api_key may not update requests outside its jurisdictions."))
    action = _choose_action(case, submission.status)
    text = submission.description.strip()
    try:
        with transaction.atomic():
            case = transitions.do_transition(
                case=case,
                action=action,
                actor=client.update_user,
                data={"note": text, "reason": text, "result": text},
            )
            row = Open311Update.objects.create(
                client=client, update_id=submission.update_id, event=case.last_event
            )
    except ServiceError as error:
        raise Open311Error.from_case_error(error) from None
    except IntegrityError:  # the same update_id posted twice at once: the first one stands
        found = Open311Update.objects.filter(client=client, update_id=submission.update_id).first()
        if found is None:
            raise
        return found, False
    return row, True
