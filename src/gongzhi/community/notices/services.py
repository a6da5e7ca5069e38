"""Notices (通知公告): the only module other rooms and apps call.

A notice is written as a draft by staff of its area, published (now, or scheduled for its
publish time and published once by ``jobs.tick``), and delivered once to each household its
audience reaches: one ``NoticeDelivery`` per household, the in-app inbox of every member
with an account, and an SMS to the head's phone where the notice asks for SMS (and always
for a household with no account, which has no inbox). A household's first reader marks it
read; a household answers once (a second answer is refused: the sender counts households,
and an answer that could change would make the counts they acted on wrong). The sender
reminds the households that have not read (or answered) once.

Answers: ``yes_no`` takes "yes"/"no"; ``choice`` one of ``answer_choices``; ``number`` a
number within ``answer_choices == [min, max]`` (either may be null).
"""

from __future__ import annotations

import os
import uuid
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import media
from gongzhi.core.errors import Conflict, NotAllowed, NotFound, ServiceError
from gongzhi.core.scope import scope_for
from gongzhi.notify import services as notify
from gongzhi.people import members

from ..choices import AnswerKind, NoticeState
from ..models import Estate, Notice, NoticeAttachment, NoticeDelivery

KIND = "community.notice"
REMIND_KIND = "community.notice.reminder"
MAX_FILES = 10
MAX_FILE_BYTES = 20 * 1024 * 1024
DOCUMENT_TYPES = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".txt"}
MAX_CHOICES = 10
BATCH = 5000
EDITABLE = (NoticeState.DRAFT, NoticeState.SCHEDULED)
SEEN_BY_RESIDENTS = (NoticeState.PUBLISHED, NoticeState.EXPIRED)


# --- who may do what ------------------------------------------------------------------


def staff_paths(user) -> tuple[bool, tuple[str, ...]]:
    """(everything, paths) where the user writes and manages notices: a community's or
    village's committee there, township and above their area."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False, ()
    scope = scope_for(user)
    return scope.everything, members.staff_paths(scope)


def is_staff(user) -> bool:
    everything, paths = staff_paths(user)
    return everything or bool(paths)


def may_manage(user, notice: Notice) -> bool:
    everything, paths = staff_paths(user)
    return everything or members.covers(paths, notice.region_path)


def managed(user):
    """The notices the user manages (the sender's side): their area's."""
    everything, paths = staff_paths(user)
    if everything:
        return Notice.objects.all()
    if not paths:
        return Notice.objects.none()
    q = Q()
    for p in paths:
        q |= Q(region_path__startswith=p)
    return Notice.objects.filter(q)


def household_of(user) -> int | None:
    me = members.villager(user)
    return me.household_id if me else None


def get_managed(*, actor, number: str) -> Notice:
    notice = managed(actor).select_related("region").filter(number=number).first()
    if notice is None:
        raise NotFound("not_found", _("There is no such notice."), "number")
    return notice


def get_delivery(*, actor, number: str) -> NoticeDelivery:
    """The actor's household's copy of a published notice (a notice not addressed to the
    household is "not found", as if it did not exist)."""
    household = household_of(actor)
    delivery = (
        NoticeDelivery.objects.select_related("notice", "notice__region")
        .filter(
            household_id=household,
            notice__number=number,
            notice__state__in=SEEN_BY_RESIDENTS,
        )
        .first()
        if household
        else None
    )
    if delivery is None:
        raise NotFound("not_found", _("There is no such notice."), "number")
    return delivery


def is_expired(notice: Notice, now=None) -> bool:
    now = now or timezone.now()
    return notice.state == NoticeState.EXPIRED or bool(
        notice.expires_at and notice.expires_at <= now
    )


# --- writing --------------------------------------------------------------------------


def _check_file(upload) -> tuple[str, bool]:
    """('image' or 'document', is_image) for an allowed file, else ServiceError."""
    ext = os.path.splitext(upload.name or "")[1].lower()
    if ext in {".jpg", ".jpeg", ".png", ".webp"}:
        return "image", True
    if ext not in DOCUMENT_TYPES:
        raise ServiceError(
            "file_type",
            _("Attachments may be photos (JPEG, PNG, WebP) or PDF, Word, Excel or text files."),
            "files",
        )
    if upload.size > MAX_FILE_BYTES:
        raise ServiceError("file_too_large", _("An attachment may be at most 20 MB."), "files")
    return "document", False


def _check_answer_form(kind: str, choices) -> list:
    if kind not in AnswerKind.values:
        raise ServiceError(
            "answer_kind", _("Choose what answer the notice asks for."), "answer_kind"
        )
    if kind == AnswerKind.CHOICE:
        cleaned = [str(c).strip() for c in choices or [] if str(c).strip()]
        if len(cleaned) < 2 or len(cleaned) > MAX_CHOICES:
            raise ServiceError("answer_choices", _("Give from 2 to 10 choices."), "answer_choices")
        if len(set(cleaned)) != len(cleaned) or any(len(c) > 60 for c in cleaned):
            raise ServiceError(
                "answer_choices",
                _("Each choice must be different and at most 60 characters."),
                "answer_choices",
            )
        return cleaned
    if kind == AnswerKind.NUMBER:
        bounds = list(choices or [None, None])[:2] + [None, None]
        low, high = (
            _number(b, field="answer_choices") if b not in (None, "") else None for b in bounds[:2]
        )
        if low is not None and high is not None and low > high:
            raise ServiceError(
                "answer_bounds", _("The lowest number is above the highest."), "answer_choices"
            )
        return [low, high]
    return []


def _number(value, *, field="answer"):
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ServiceError("answer_number", _("Enter a number."), field) from None
    if not number.is_finite() or abs(number) >= Decimal("1e12"):
        raise ServiceError("answer_number", _("Enter a number."), field)
    return int(number) if number == number.to_integral_value() else float(number)


def check_notice(
    *,
    actor,
    region,
    title: str,
    body: str,
    regions=(),
    estates=(),
    groups=(),
    households=(),
    publish_at=None,
    expires_at=None,
    answer_kind=AnswerKind.NONE,
    answer_choices=(),
    files=(),
    now=None,
) -> list:
    """Every problem of the input at once (a ServiceError carrying the others); the
    cleaned answer choices."""
    now = now or timezone.now()
    errors: list[ServiceError] = []
    everything, paths = staff_paths(actor)
    if region is None or not (everything or members.covers(paths, region.path)):
        raise NotAllowed(
            "not_allowed", _("You may write notices only for your own area."), "region"
        )
    if not (title or "").strip() or len(title) > 120:
        errors.append(ServiceError("title", _("Give a title of at most 120 characters."), "title"))
    if not (body or "").strip():
        errors.append(ServiceError("body", _("Write the notice's text."), "body"))
    if not (regions or estates or groups or households):
        errors.append(
            ServiceError(
                "audience",
                _("Choose who receives it: regions, estates, groups or households."),
                "audience",
            )
        )
    outside = [r for r in regions if not r.path.startswith(region.path)]
    outside += [e for e in estates if not e.region_path.startswith(region.path)]
    outside += [h for h in households if not h.region_path.startswith(region.path)]
    if outside:
        errors.append(
            ServiceError(
                "audience_outside",
                _("Everyone it goes to must be within the notice's area."),
                "audience",
            )
        )
    if expires_at is not None and expires_at <= max(publish_at or now, now):
        errors.append(
            ServiceError("expires_at", _("It must expire after it is published."), "expires_at")
        )
    cleaned = []
    try:
        cleaned = _check_answer_form(answer_kind, answer_choices)
    except ServiceError as e:
        errors.append(e)
    files = [f for f in files or [] if f]
    if len(files) > MAX_FILES:
        errors.append(ServiceError("too_many_files", _("At most 10 attachments."), "files"))
    else:
        photos = []
        for f in files:
            try:
                kind, _image = _check_file(f)
                if kind == "image":
                    photos.append(f)
            except ServiceError as e:
                errors.append(e)
        try:
            media.check_photos(photos)
        except ServiceError as e:
            e.field = "files"
            errors.append(e)
    if errors:
        raise ServiceError.first_of(errors)
    return cleaned


def _store_files(notice: Notice, files) -> None:
    for n, f in enumerate(x for x in files or [] if x):
        _kind, is_image = _check_file(f)
        if is_image:
            full, _thumb = media.prepared(media.check_photo(f), f"{notice.number}-{n + 1}")
            NoticeAttachment.objects.create(
                notice=notice, file=full, name=os.path.basename(f.name)[:200], is_image=True
            )
        else:
            f.seek(0)
            NoticeAttachment.objects.create(
                notice=notice,
                file=ContentFile(f.read(), name=os.path.basename(f.name)),
                name=os.path.basename(f.name)[:200],
                is_image=False,
            )


def do_create(
    *,
    actor,
    region,
    title: str,
    body: str,
    regions=(),
    estates=(),
    groups=(),
    households=(),
    publish_at=None,
    expires_at=None,
    by_sms=False,
    answer_kind=AnswerKind.NONE,
    answer_choices=(),
    files=(),
    now=None,
) -> Notice:
    """A draft; ``do_publish`` sends it (now, or at ``publish_at``)."""
    now = now or timezone.now()
    cleaned = check_notice(
        actor=actor,
        region=region,
        title=title,
        body=body,
        regions=regions,
        estates=estates,
        groups=groups,
        households=households,
        publish_at=publish_at,
        expires_at=expires_at,
        answer_kind=answer_kind,
        answer_choices=answer_choices,
        files=files,
        now=now,
    )
    with transaction.atomic():
        notice = Notice.objects.create(
            # The readable number is the row's own id (TZ-2026-000123): unique without a
            # sequence, so concurrent writers never share one.
            number=f"tmp-{uuid.uuid4().hex[:24]}",
            region=region,
            region_path=region.path,
            title=title.strip(),
            body=body.strip(),
            author=actor,
            publish_at=publish_at or now,
            expires_at=expires_at,
            by_sms=bool(by_sms),
            answer_kind=answer_kind,
            answer_choices=cleaned,
            created_at=now,
            updated_at=now,
        )
        notice.number = f"TZ-{timezone.localtime(now).year}-{notice.pk:06d}"
        Notice.objects.filter(pk=notice.pk).update(number=notice.number)
        notice.regions.set(regions)
        notice.estates.set(estates)
        notice.groups.set(groups)
        notice.households.set(households)
        _store_files(notice, files)
    return notice


def do_update(*, actor, notice: Notice, now=None, **fields) -> Notice:
    """Change a draft or a scheduled notice (not one already delivered)."""
    now = now or timezone.now()
    if not may_manage(actor, notice):
        raise NotAllowed("not_allowed", _("This notice is not your area's."), None)
    values = {
        "region": notice.region,
        "title": notice.title,
        "body": notice.body,
        "regions": list(notice.regions.all()),
        "estates": list(notice.estates.all()),
        "groups": list(notice.groups.all()),
        "households": list(notice.households.all()),
        "publish_at": notice.publish_at,
        "expires_at": notice.expires_at,
        "by_sms": notice.by_sms,
        "answer_kind": notice.answer_kind,
        "answer_choices": notice.answer_choices,
    }
    values.update({k: v for k, v in fields.items() if v is not None or k == "expires_at"})
    files = fields.get("files") or ()
    values.pop("files", None)
    cleaned = check_notice(
        actor=actor, files=files, now=now, **{k: v for k, v in values.items() if k != "by_sms"}
    )
    with transaction.atomic():
        changed = Notice.objects.filter(pk=notice.pk, state__in=EDITABLE).update(
            title=values["title"].strip(),
            body=values["body"].strip(),
            publish_at=values["publish_at"],
            expires_at=values["expires_at"],
            by_sms=bool(values["by_sms"]),
            answer_kind=values["answer_kind"],
            answer_choices=cleaned,
            updated_at=now,
        )
        if not changed:
            raise Conflict(
                "not_editable", _("A notice that has been sent can no longer be changed."), None
            )
        notice.refresh_from_db()
        notice.regions.set(values["regions"])
        notice.estates.set(values["estates"])
        notice.groups.set(values["groups"])
        notice.households.set(values["households"])
        _store_files(notice, files)
    return notice


def do_delete(*, actor, notice: Notice, now=None) -> None:
    if not may_manage(actor, notice):
        raise NotAllowed("not_allowed", _("This notice is not your area's."), None)
    deleted, _rows = Notice.objects.filter(pk=notice.pk, state=NoticeState.DRAFT).delete()
    if not deleted:
        raise Conflict("not_draft", _("Only a draft can be deleted; withdraw a sent notice."), None)


def do_withdraw(*, actor, notice: Notice, now=None) -> Notice:
    """Take a scheduled or sent notice back: residents no longer see it."""
    if not may_manage(actor, notice):
        raise NotAllowed("not_allowed", _("This notice is not your area's."), None)
    changed = Notice.objects.filter(
        pk=notice.pk,
        state__in=(NoticeState.SCHEDULED, NoticeState.PUBLISHED, NoticeState.EXPIRED),
    ).update(state=NoticeState.WITHDRAWN, updated_at=now or timezone.now())
    if not changed:
        raise Conflict("not_sent", _("Only a scheduled or sent notice can be withdrawn."), None)
    notice.refresh_from_db()
    return notice


# --- publishing -----------------------------------------------------------------------


def do_publish(*, actor, notice: Notice, now=None) -> Notice:
    """Send a draft now, or schedule it when its publish time is still to come."""
    now = now or timezone.now()
    if not may_manage(actor, notice):
        raise NotAllowed("not_allowed", _("This notice is not your area's."), None)
    if notice.state != NoticeState.DRAFT:
        raise Conflict("not_draft", _("This notice has already been sent or scheduled."), None)
    if notice.expires_at and notice.expires_at <= now:
        raise ServiceError("expires_at", _("It must expire after it is published."), "expires_at")
    if notice.publish_at > now:
        changed = Notice.objects.filter(pk=notice.pk, state=NoticeState.DRAFT).update(
            state=NoticeState.SCHEDULED, updated_at=now
        )
        if not changed:
            raise Conflict("not_draft", _("This notice has already been sent or scheduled."), None)
    elif not deliver(notice_id=notice.pk, now=now, states=(NoticeState.DRAFT,)):
        raise Conflict("not_draft", _("This notice has already been sent or scheduled."), None)
    notice.refresh_from_db()
    return notice


def audience_residents(notice: Notice):
    """The current residents of every household the notice reaches, within its area, as
    (household, region_path, grid, id_number, phone, relation) rows: one query."""
    from gongzhi.people.models import CareMembership, Resident

    reached = Q()
    for path in notice.regions.values_list("path", flat=True):
        reached |= Q(region_path__startswith=path)
    buildings = Estate.buildings.through.objects.filter(estate__in=notice.estates.all()).values(
        "building_id"
    )
    if notice.estates.exists():
        reached |= Q(household__house__building_id__in=buildings)
    if notice.households.exists():
        reached |= Q(
            household_id__in=notice.households.through.objects.filter(notice_id=notice.pk).values(
                "household_id"
            )
        )
    if notice.groups.exists():
        in_group = (
            CareMembership.objects.current(timezone.localdate())
            .filter(group__in=notice.groups.all())
            .values("resident__household_id")
        )
        reached |= Q(household_id__in=in_group)
    if not reached:
        return Resident.objects.none()
    return (
        Resident.objects.current()
        .filter(reached, region_path__startswith=notice.region_path)
        .values_list(
            "household_id",
            "household__region_path",
            "household__grid_id",
            "id_number",
            "phone",
            "relation",
        )
    )


def _tell(*, residents, kind: str, title: str, body: str, link: str, sms: bool):
    """Inbox rows for every account of the households' members; SMS to the head's phone of
    every household when ``sms``, else of those no account reaches. Returns the households
    texted. ``residents``: a values_list query as ``audience_residents`` gives."""
    User = get_user_model()
    rows = list(residents)
    by_number = {number.upper(): h for h, _p, _g, number, _ph, _r in rows if number}
    accounts = User.objects.filter(is_active=True, id_number__in=residents.values("id_number"))
    pairs = list(accounts.values_list("pk", "id_number"))
    reached = {by_number[n.upper()] for _pk, n in pairs if n and n.upper() in by_number}
    if pairs:
        notify.notify(recipients=accounts, kind=kind, title=title, body=body, link=link)
    phones: dict[int, str] = {}
    for h, _p, _g, _n, phone, relation in rows:
        if not phone or (not sms and h in reached):
            continue
        if h not in phones or relation == "head":
            phones[h] = phone
    notify.text_phones(
        [
            notify.PhoneText(phone=phone, kind=kind, title=title, body=body, link=link)
            for phone in phones.values()
        ]
    )
    return set(phones)


def deliver(*, notice_id: int, now=None, states=(NoticeState.SCHEDULED,)) -> int:
    """Deliver a notice once: the state moves to published by a conditional update, so of
    two schedulers (or a click and a scheduler) only one writes the deliveries. Returns the
    households reached (0: someone else delivered it, or it was withdrawn)."""
    now = now or timezone.now()
    with transaction.atomic():
        won = Notice.objects.filter(
            pk=notice_id, state__in=states, delivered_at__isnull=True
        ).update(state=NoticeState.PUBLISHED, delivered_at=now, updated_at=now)
        if not won:
            return 0
        notice = Notice.objects.get(pk=notice_id)
        residents = audience_residents(notice)
        households: dict[int, tuple[str, int | None]] = {}
        for h, path, grid, *_rest in residents:
            households.setdefault(h, (path, grid))
        link = f"/community/notices/{notice.number}/"
        texted = _tell(
            residents=residents,
            kind=KIND,
            title=notice.title,
            body=notice.body[:300],
            link=link,
            sms=notice.by_sms,
        )
        NoticeDelivery.objects.bulk_create(
            (
                NoticeDelivery(
                    notice_id=notice.pk,
                    household_id=h,
                    region_path=path,
                    grid_id=grid,
                    delivered_at=now,
                    by_sms=h in texted,
                )
                for h, (path, grid) in households.items()
            ),
            batch_size=BATCH,
        )
        Notice.objects.filter(pk=notice.pk).update(households_count=len(households))
    return len(households)


# --- the resident's side --------------------------------------------------------------


def do_read(*, actor, number: str, now=None) -> NoticeDelivery:
    """Open the household's copy: the first reader of the household marks it read."""
    now = now or timezone.now()
    delivery = get_delivery(actor=actor, number=number)
    if NoticeDelivery.objects.filter(pk=delivery.pk, read_at__isnull=True).update(
        read_at=now, read_by=actor
    ):
        delivery.read_at, delivery.read_by = now, actor
    else:
        delivery.refresh_from_db(fields=["read_at", "read_by"])
    return delivery


def check_answer(*, notice: Notice, value):
    """The answer as stored (``{"value": ...}``), or ServiceError."""
    kind = notice.answer_kind
    if kind == AnswerKind.NONE:
        raise ServiceError("no_answer", _("This notice asks for no answer."), "answer")
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ServiceError("answer_missing", _("Give your answer."), "answer")
    if kind == AnswerKind.YES_NO:
        if isinstance(value, bool):
            value = "yes" if value else "no"
        value = str(value).strip().lower()
        if value not in {"yes", "no"}:
            raise ServiceError("answer_yes_no", _("Answer yes or no."), "answer")
    elif kind == AnswerKind.CHOICE:
        value = str(value).strip()
        if value not in notice.answer_choices:
            raise ServiceError("answer_choice", _("Pick one of the choices given."), "answer")
    else:
        value = _number(value)
        low, high = (list(notice.answer_choices) + [None, None])[:2]
        if (low is not None and value < low) or (high is not None and value > high):
            raise ServiceError(
                "answer_bounds",
                _("The number must be between %(low)s and %(high)s.")
                % {"low": "—" if low is None else low, "high": "—" if high is None else high},
                "answer",
            )
    return {"value": value}


def do_answer(*, actor, number: str, value, now=None) -> NoticeDelivery:
    """The household's answer, once (the first one counts; a second is refused)."""
    now = now or timezone.now()
    delivery = get_delivery(actor=actor, number=number)
    notice = delivery.notice
    if is_expired(notice, now):
        raise Conflict("expired", _("This notice has expired: it can no longer be answered."), None)
    answer = check_answer(notice=notice, value=value)
    with transaction.atomic():
        won = NoticeDelivery.objects.filter(pk=delivery.pk, answered_at__isnull=True).update(
            answer=answer, answered_at=now, answered_by=actor
        )
        if not won:
            raise Conflict(
                "already_answered",
                _("Your household has already answered this notice."),
                "answer",
            )
        NoticeDelivery.objects.filter(pk=delivery.pk, read_at__isnull=True).update(
            read_at=now, read_by=actor
        )
    delivery.refresh_from_db()
    return delivery


# --- the sender's side ----------------------------------------------------------------


def pending(notice: Notice):
    """The deliveries still waiting: not read, or (where an answer is asked) not answered."""
    q = Q(read_at__isnull=True)
    if notice.answer_kind != AnswerKind.NONE:
        q |= Q(answered_at__isnull=True)
    return NoticeDelivery.objects.filter(q, notice=notice)


def do_remind(*, actor, notice: Notice, now=None) -> int:
    """Remind, once, every household that has not read (or answered): inbox and SMS.
    Returns how many households were reminded; the second time is refused."""
    from gongzhi.people.models import Resident

    now = now or timezone.now()
    if not may_manage(actor, notice):
        raise NotAllowed("not_allowed", _("This notice is not your area's."), None)
    if notice.state != NoticeState.PUBLISHED or is_expired(notice, now):
        raise Conflict(
            "not_published", _("Only a sent notice that has not expired can be reminded."), None
        )
    with transaction.atomic():
        won = Notice.objects.filter(
            pk=notice.pk, state=NoticeState.PUBLISHED, reminded_at__isnull=True
        ).update(reminded_at=now)
        if not won:
            raise Conflict("already_reminded", _("The reminder has already been sent once."), None)
        waiting = pending(notice)
        households = waiting.values("household_id")
        residents = (
            Resident.objects.current()
            .filter(household_id__in=households)
            .values_list(
                "household_id",
                "household__region_path",
                "household__grid_id",
                "id_number",
                "phone",
                "relation",
            )
        )
        count = waiting.update(reminded_at=now)
        if count:
            _tell(
                residents=residents,
                kind=REMIND_KIND,
                title=_("Reminder: %(title)s") % {"title": notice.title},
                body=notice.body[:300],
                link=f"/community/notices/{notice.number}/",
                sms=True,
            )
    notice.refresh_from_db()
    return count


def expire_due(*, now) -> int:
    return Notice.objects.filter(
        state=NoticeState.PUBLISHED, expires_at__isnull=False, expires_at__lte=now
    ).update(state=NoticeState.EXPIRED, updated_at=now)


def publish_due(*, now) -> int:
    """Deliver every scheduled notice whose time has come (each once)."""
    due = list(
        Notice.objects.filter(state=NoticeState.SCHEDULED, publish_at__lte=now).values_list(
            "pk", flat=True
        )
    )
    return sum(1 for pk in due if deliver(notice_id=pk, now=now))
