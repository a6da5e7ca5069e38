"""Openness' services (``check_*`` / ``do_*``, keyword-only). The matters room's workflow
calls ``create_publication`` from its publish steps and ``check_result_ready`` before the
result is published; the pages and the API call the rest.

Who may do what: a **villager** of the matter's village objects to a running publication
and rates the result; the village's **committee** answers objections, plans the
implementation, reports progress (so does a task's owner) and stops a task with a reason."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import media
from gongzhi.core.errors import Conflict, NotAllowed, NotFound, ServiceError
from gongzhi.notify import services as notify

from .. import members, notices
from ..choices import ImplementationState, MatterState, ObjectionState, PublicationKind
from ..models import Implementation, Matter, Objection, Progress, Publication, Rating

DAYS_DEFAULT, DAYS_MIN, DAYS_MAX = 7, 5, 30
MAX_TEXT = 10_000
MIN_OBJECTION = 5
MAX_OBJECTION = 2_000
MIN_ANSWER = 5
MIN_NOTE = 2
MAX_NOTE = 2_000
MIN_STOP_REASON = 5
MAX_MONEY = Decimal("9999999999.99")
FINISHED = (ImplementationState.COMPLETED, ImplementationState.STOPPED)
OPEN_TASK = (ImplementationState.PLANNED, ImplementationState.UNDER_WAY)
PLANNABLE = (MatterState.PUBLISHED, MatterState.IMPLEMENTING)


def _today(now) -> dt.date:
    return timezone.localdate(now or timezone.now())


def _require_committee(actor, region_path: str) -> None:
    if not members.is_committee(actor, region_path):
        raise NotAllowed(
            "not_committee", _("Only the village's or community's committee may do this.")
        )


def _money(value, field: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        amount = Decimal(str(value).strip()).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ServiceError("invalid", _("Please enter an amount in yuan."), field) from None
    if amount < 0 or amount > MAX_MONEY or not amount.is_finite():
        raise ServiceError("invalid", _("Please enter an amount in yuan."), field)
    return amount


def _whole(value, field: str, low: int, high: int, message: str) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ServiceError("invalid", message, field) from None
    if not low <= number <= high:
        raise ServiceError("out_of_range", message, field)
    return number


# -- publication (公示) -------------------------------------------------------------------


def publication_link(publication) -> str:
    return reverse("deliberation:publication", args=[publication.pk])


def create_publication(*, matter, kind: str, params: dict, actor, now) -> Publication:
    """Validate ``params`` (``text``, ``days``), create the matter's publication of ``kind``
    (a PublicationKind) starting today and tell every household (inbox rows in this
    transaction, texts when it commits). Raises ServiceError on bad input."""
    if kind not in PublicationKind.values:
        raise ServiceError("invalid", _("Unknown kind of publication."), "kind")
    params = params or {}
    text = str(params.get("text") or "").strip()
    errors = []
    if not text:
        errors.append(ServiceError("required", _("Write the text to be published."), "text"))
    elif len(text) > MAX_TEXT:
        errors.append(ServiceError("too_long", _("The text is too long."), "text"))
    days_message = _("The publication period is %(low)d to %(high)d days.") % {
        "low": DAYS_MIN,
        "high": DAYS_MAX,
    }
    days = params.get("days")
    try:
        days = (
            DAYS_DEFAULT
            if days in (None, "")
            else _whole(days, "days", DAYS_MIN, DAYS_MAX, days_message)
        )
    except ServiceError as error:
        errors.append(error)
    if errors:
        raise ServiceError.first_of(errors)
    if Publication.objects.filter(matter=matter, kind=kind).exists():
        raise Conflict("already_published", _("This has already been published."))
    starts = _today(now)
    try:
        with transaction.atomic():
            publication = Publication.objects.create(
                matter=matter,
                region_id=matter.region_id,
                region_path=matter.region_path,
                kind=kind,
                text=text,
                starts_on=starts,
                ends_on=starts + dt.timedelta(days=days),
                published_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError:  # published by someone else at the same moment
        raise Conflict("already_published", _("This has already been published.")) from None
    title = (
        _("Published: %(title)s")
        if kind == PublicationKind.RESOLUTION
        else _("Result published: %(title)s")
    ) % {"title": matter.title}
    publication.households_told = notices.tell_households(
        region_id=matter.region_id,
        kind=f"deliberation.publication.{kind}",
        title=title,
        body=_("Open until %(date)s; objections may be raised there.")
        % {"date": publication.ends_on.isoformat()},
        link=publication_link(publication),
    )
    publication.save(update_fields=["households_told", "updated_at"])
    return publication


def check_result_ready(matter) -> None:
    """Refuse to publish a matter's result while it has no implementation or one of them
    is neither completed nor stopped."""
    tasks = list(matter.implementations.values_list("state", flat=True))
    if not tasks:
        raise Conflict(
            "no_implementation", _("The result can be published only once work has been planned.")
        )
    if any(state not in FINISHED for state in tasks):
        raise Conflict(
            "not_finished",
            _("The result can be published only when every task is completed or stopped."),
        )


def running(publication, *, today: dt.date) -> bool:
    return publication.starts_on <= today <= publication.ends_on


# -- objections ---------------------------------------------------------------------------


def check_object(*, actor, publication, today: dt.date) -> members.Villager:
    me = members.villager(actor, on=today)
    if me is None or me.region_id != publication.region_id:
        raise NotAllowed(
            "not_villager", _("Only residents of this village or community may object.")
        )
    if not me.adult:
        raise NotAllowed("not_adult", _("Only adult residents may object."))
    if not running(publication, today=today):
        raise Conflict("not_running", _("Objections are taken only while the notice is up."))
    return me


def do_object(*, actor, publication, body, now=None) -> Objection:
    today = _today(now)
    check_object(actor=actor, publication=publication, today=today)
    body = str(body or "").strip()
    if len(body) < MIN_OBJECTION:
        raise ServiceError(
            "too_short",
            _("Please write at least %(n)d characters.") % {"n": MIN_OBJECTION},
            "body",
        )
    if len(body) > MAX_OBJECTION:
        raise ServiceError("too_long", _("The objection is too long."), "body")
    with transaction.atomic():
        # The lock makes two quick submissions by one person queue behind each other.
        Publication.objects.select_for_update().filter(pk=publication.pk).first()
        if Objection.objects.filter(
            publication=publication, author=actor, state=ObjectionState.OPEN
        ).exists():
            raise Conflict(
                "open_objection",
                _("You already have an objection waiting for an answer here."),
            )
        objection = Objection.objects.create(publication=publication, author=actor, body=body)
        committee = _committee_users(publication.region_id)
        if committee:
            notify.notify(
                recipients=committee,
                kind="deliberation.objection",
                title=_("An objection to the publication of %(title)s")
                % {"title": publication.matter.title},
                link=publication_link(publication),
            )
    return objection


def do_answer_objection(*, actor, objection, answer, now=None) -> Objection:
    now = now or timezone.now()
    publication = objection.publication
    _require_committee(actor, publication.region_path)
    answer = str(answer or "").strip()
    if len(answer) < MIN_ANSWER:
        raise ServiceError(
            "too_short", _("Please write at least %(n)d characters.") % {"n": MIN_ANSWER}, "answer"
        )
    if len(answer) > MAX_OBJECTION:
        raise ServiceError("too_long", _("The answer is too long."), "answer")
    with transaction.atomic():
        row = Objection.objects.select_for_update().get(pk=objection.pk)
        if row.state != ObjectionState.OPEN:
            raise Conflict("answered", _("This objection has already been answered."))
        row.state, row.answer, row.answered_by, row.answered_at = (
            ObjectionState.ANSWERED,
            answer,
            actor,
            now,
        )
        row.save(update_fields=["state", "answer", "answered_by", "answered_at", "updated_at"])
        if row.author_id:
            notify.notify(
                recipients=[row.author_id],
                kind="deliberation.objection_answered",
                title=_("Your objection has been answered"),
                body=answer[:200],
                link=publication_link(publication),
            )
    return row


# -- implementation -----------------------------------------------------------------------


def _start_implementing(matter, now) -> None:
    """PUBLISHED → IMPLEMENTING through the matters room's workflow."""
    try:
        from ..matters.services import do_step
    except ImportError:  # the matters room's door is not there yet
        do_step = None
    if do_step is not None:
        do_step(actor=None, matter=matter, action="start", now=now)
        return
    Matter.objects.filter(pk=matter.pk, state=MatterState.PUBLISHED).update(
        state=MatterState.IMPLEMENTING, updated_at=now
    )


def held(task) -> Decimal:
    """``committed`` for one task already read."""
    if task.state == ImplementationState.STOPPED:
        return task.spent or Decimal(0)
    return task.budget or Decimal(0)


def committed(tasks) -> Decimal:
    """What the tasks hold of the matter's budget: each task's budget, but a stopped task
    only what it spent (the rest is free for other tasks)."""
    rows = tasks.aggregate(
        live=Sum("budget", filter=~Q(state=ImplementationState.STOPPED)),
        stopped=Sum("spent", filter=Q(state=ImplementationState.STOPPED)),
    )
    return (rows["live"] or Decimal(0)) + (rows["stopped"] or Decimal(0))


def check_owner(owner, region_path: str):
    if owner is not None and not members.is_committee(owner, region_path):
        raise ServiceError(
            "owner_not_staff",
            _("The owner must be a staff member of this village or community."),
            "owner",
        )


def do_add_implementation(
    *, actor, matter, title, owner=None, owner_name="", due_on, budget=None, now=None
) -> Implementation:
    now = now or timezone.now()
    _require_committee(actor, matter.region_path)
    errors = []
    title = str(title or "").strip()
    if not title:
        errors.append(ServiceError("required", _("Name the task."), "title"))
    elif len(title) > 100:
        errors.append(ServiceError("too_long", _("At most 100 characters."), "title"))
    owner_name = str(owner_name or "").strip()
    if owner is not None:
        try:
            check_owner(owner, matter.region_path)
        except ServiceError as error:
            errors.append(error)
        owner_name = owner_name or owner.display_name or owner.username
    if not owner_name:
        errors.append(ServiceError("required", _("Name who is responsible."), "owner_name"))
    elif len(owner_name) > 60:
        errors.append(ServiceError("too_long", _("At most 60 characters."), "owner_name"))
    if isinstance(due_on, str):
        try:
            due_on = dt.date.fromisoformat(due_on.strip())
        except ValueError:
            due_on = None
    if not isinstance(due_on, dt.date):
        errors.append(ServiceError("invalid", _("Give the date it is due."), "due_on"))
    elif due_on < _today(now):
        errors.append(ServiceError("past", _("The due date may not be in the past."), "due_on"))
    try:
        budget = _money(budget, "budget")
    except ServiceError as error:
        errors.append(error)
    if errors:
        raise ServiceError.first_of(errors)
    with transaction.atomic():
        locked = Matter.objects.select_for_update().get(pk=matter.pk)
        if locked.state not in PLANNABLE:
            raise Conflict(
                "not_published",
                _("Work can be planned only after the resolution has been published."),
            )
        if locked.budget is not None and budget:
            planned = committed(locked.implementations.all())
            if planned + budget > locked.budget:
                raise ServiceError(
                    "over_budget",
                    _("The tasks' budgets would exceed the matter's budget of ¥%(budget)s.")
                    % {"budget": locked.budget},
                    "budget",
                )
        task = Implementation.objects.create(
            matter=locked,
            region_id=locked.region_id,
            region_path=locked.region_path,
            title=title,
            owner=owner,
            owner_name=owner_name,
            due_on=due_on,
            budget=budget,
        )
        if locked.state == MatterState.PUBLISHED:
            _start_implementing(locked, now)
    matter.refresh_from_db(fields=["state"])
    return task


def may_report(user, task) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return task.owner_id == user.pk or members.is_committee(user, task.region_path)


def _store_photos(task, images) -> list[dict]:
    stored = []
    stamp = timezone.now()
    for n, image in enumerate(images):
        full, thumb = media.prepared(image, f"impl-{task.pk}-{stamp:%H%M%S}-{n + 1}")
        folder = f"deliberation/progress/{stamp:%Y/%m}"
        stored.append(
            {
                "full": default_storage.save(f"{folder}/{full.name}", full),
                "thumb": default_storage.save(f"{folder}/{thumb.name}", thumb),
            }
        )
    return stored


def _drop_photos(stored) -> None:
    for photo in stored:
        for path in photo.values():
            default_storage.delete(path)


def do_progress(
    *,
    actor,
    implementation,
    percent,
    note,
    photos=(),
    spent=None,
    over_budget_reason="",
    now=None,
) -> Progress:
    """Report progress: the percentage never goes back, 100% completes the task; money
    spent beyond the task's budget is refused unless a reason is given (it is kept in the
    note, for everyone to read)."""
    now = now or timezone.now()
    if not may_report(actor, implementation):
        raise NotAllowed(
            "not_owner", _("Only the task's owner or the committee may report progress.")
        )
    errors = []
    try:
        percent = _whole(percent, "percent", 0, 100, _("Progress is a number from 0 to 100."))
    except ServiceError as error:
        errors.append(error)
    note = str(note or "").strip()
    if len(note) < MIN_NOTE:
        errors.append(ServiceError("required", _("Say what was done."), "note"))
    elif len(note) > MAX_NOTE:
        errors.append(ServiceError("too_long", _("The note is too long."), "note"))
    try:
        spent = _money(spent, "spent")
    except ServiceError as error:
        errors.append(error)
    try:
        images = media.check_photos(photos)
    except ServiceError as error:
        errors.append(error)
        images = []
    if errors:
        raise ServiceError.first_of(errors)
    reason = str(over_budget_reason or "").strip()
    stored = _store_photos(implementation, images)
    try:
        with transaction.atomic():
            task = Implementation.objects.select_for_update().get(pk=implementation.pk)
            if task.state == ImplementationState.STOPPED:
                raise Conflict("stopped", _("This task was stopped: no more progress is taken."))
            if task.state in FINISHED:
                raise Conflict("finished", _("This task is already finished."))
            if percent < task.percent:
                raise ServiceError(
                    "backwards",
                    _("Progress may not go back: it is already %(n)d%%.") % {"n": task.percent},
                    "percent",
                )
            if spent is not None and task.budget is not None and spent > task.budget:
                if not reason:
                    raise ServiceError(
                        "over_budget",
                        _(
                            "¥%(spent)s is more than the budget of ¥%(budget)s: "
                            "give the reason for spending more."
                        )
                        % {"spent": spent, "budget": task.budget},
                        "over_budget_reason",
                    )
                note = f"{note}\n" + _("Over budget because: %(reason)s") % {"reason": reason}
            update = Progress.objects.create(
                implementation=task,
                at=now,
                by=actor,
                percent=percent,
                note=note,
                photos=stored,
                spent=spent,
            )
            task.percent = percent
            if spent is not None:
                task.spent = spent
            if percent == 100:
                task.state, task.completed_on = ImplementationState.COMPLETED, _today(now)
            elif task.state == ImplementationState.PLANNED:
                task.state = ImplementationState.UNDER_WAY
            task.save(update_fields=["percent", "spent", "state", "completed_on", "updated_at"])
    except Exception:
        _drop_photos(stored)  # no row points at them
        raise
    implementation.refresh_from_db()
    return update


def check_stop(*, actor, implementation) -> None:
    _require_committee(actor, implementation.region_path)
    if implementation.state in FINISHED:
        raise Conflict("finished", _("This task is already finished."))


def do_stop(*, actor, implementation, reason, now=None) -> Implementation:
    """Stop (中止) a task that will not be carried out, e.g. made moot, with the reason
    published beside it: it is no longer late, its unspent budget is free for other tasks
    and it does not hold up the result (``check_result_ready``). Only the committee; a
    finished task is refused (409) and nothing changes."""
    now = now or timezone.now()
    check_stop(actor=actor, implementation=implementation)
    reason = str(reason or "").strip()
    if len(reason) < MIN_STOP_REASON:
        raise ServiceError(
            "required",
            _("Give the reason for stopping in at least %(n)d characters.")
            % {"n": MIN_STOP_REASON},
            "reason",
        )
    if len(reason) > MAX_NOTE:
        raise ServiceError("too_long", _("The reason is too long."), "reason")
    with transaction.atomic():
        task = Implementation.objects.select_for_update().get(pk=implementation.pk)
        if task.state in FINISHED:  # stopped or completed meanwhile
            raise Conflict("finished", _("This task is already finished."))
        task.state, task.stopped_at, task.stopped_by, task.stop_reason = (
            ImplementationState.STOPPED,
            now,
            actor,
            reason,
        )
        task.save(update_fields=["state", "stopped_at", "stopped_by", "stop_reason", "updated_at"])
        if task.owner_id and task.owner_id != actor.pk:
            notify.notify(
                recipients=[task.owner_id],
                kind="deliberation.task_stopped",
                title=_("Task stopped: %(title)s") % {"title": task.title},
                body=reason[:200],
                link=reverse("deliberation:implementation", args=[task.pk]),
            )
    implementation.refresh_from_db()
    return task


# -- ratings ------------------------------------------------------------------------------


def check_rate(*, actor, matter, today: dt.date) -> members.Villager:
    me = members.villager(actor, on=today)
    if me is None or me.region_id != matter.region_id:
        raise NotAllowed("not_villager", _("Only residents of this village or community may rate."))
    if matter.state != MatterState.DONE:
        raise Conflict("not_done", _("The result can be rated once it has been published."))
    return me


def do_rate(*, actor, matter, stars, comment="", now=None) -> Rating:
    me = check_rate(actor=actor, matter=matter, today=_today(now))
    stars = _whole(stars, "stars", 1, 5, _("Choose from 1 to 5 stars."))
    comment = str(comment or "").strip()
    if len(comment) > 300:
        raise ServiceError("too_long", _("At most 300 characters."), "comment")
    try:
        with transaction.atomic():
            return Rating.objects.create(
                matter=matter,
                user=actor,
                household_id=me.household_id,
                stars=stars,
                comment=comment,
            )
    except IntegrityError:
        raise Conflict("rated", _("You have already rated this result.")) from None


# -- lookups for the pages and the API ------------------------------------------------------


def get_publication(*, actor, pk) -> Publication:
    found = (
        Publication.objects.visible_to(actor).select_related("matter", "region").filter(pk=pk)
    ).first()
    if found is None:
        raise NotFound("not_found", _("Not found."))
    return found


def get_implementation(*, actor, pk) -> Implementation:
    found = (
        Implementation.objects.visible_to(actor)
        .select_related("matter", "region", "owner")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound("not_found", _("Not found."))
    return found


def get_matter(*, actor, number) -> Matter:
    found = Matter.objects.visible_to(actor).filter(number=str(number or "")[:20]).first()
    if found is None:
        raise NotFound("not_found", _("Not found."))
    return found


def get_objection(*, actor, pk) -> Objection:
    found = (
        Objection.objects.select_related("publication", "publication__matter")
        .filter(pk=pk, publication__in=Publication.objects.visible_to(actor))
        .first()
    )
    if found is None:
        raise NotFound("not_found", _("Not found."))
    return found


def _committee_users(region_id: int) -> list[int]:
    from gongzhi.accounts.models import Membership, OrganisationKind

    return list(
        Membership.objects.filter(
            organisation__kind=OrganisationKind.COMMUNITY,
            organisation__regions=region_id,
            role__in=members.COMMITTEE_ROLES,
            user__is_active=True,
        )
        .values_list("user_id", flat=True)
        .distinct()
    )


def village_staff(region_id: int):
    """The committee's staff of a village: the owners a task may be given to."""
    from django.contrib.auth import get_user_model

    ids = _committee_users(region_id)
    return get_user_model().objects.filter(pk__in=ids).order_by("display_name", "pk")


def _township_users(region_path: str) -> list[int]:
    from gongzhi.accounts.models import Membership, OrganisationKind
    from gongzhi.regions.models import path_prefixes

    return list(
        Membership.objects.filter(
            organisation__kind=OrganisationKind.TOWNSHIP,
            organisation__regions__path__in=path_prefixes(region_path)[:-1],
            user__is_active=True,
        )
        .values_list("user_id", flat=True)
        .distinct()
    )
