"""The daily check-in (平安打卡): an elderly person living alone, or a family member on their
behalf, taps one button each day on a page reached by a secret link; a missed day is told
to the grid worker (in the app and by SMS) and the family (by SMS), two missed days in a row
to the community. The person's next check-in after a miss texts the family that it is over.

When a day counts as missed: **a day's check-in is due by 20:00 local time (Asia/Shanghai),
from the day after the plan starts.** The scan run at or after 20:00 looks at today; before
20:00 it looks at yesterday, so a watcher that was down in the evening catches up the next
morning (about the last day only: nobody is sent a string of stale alerts). A tap after 20:00
still counts for its day and resolves the alerts already sent. 20:00 leaves the whole day to
check in, and is still early enough for a grid worker or a neighbour to knock that evening;
nobody is texted at midnight. The day the plan starts is not counted: the plan may be
started in the evening, and the worker usually makes the first tap with the person.

Exactly once: the unique ``CheckInAlert`` row (plan, day, level) is the claim. Each plan is
handled in its own transaction that locks the plan's row (as a tap does), inserts the alert
in a savepoint and sends only when that insert succeeded; the in-app notices are written
and the SMS queued in the same transaction, so a failed send leaves no claim behind and the
next run tries again. Two scanners at once wait for each other on the plan's row; the
second finds the row taken and sends nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from gongzhi.accounts import masking
from gongzhi.accounts.models import Membership, OrganisationKind, Role
from gongzhi.accounts.validators import MOBILE_RE, normalise_phone
from gongzhi.core.errors import Conflict, NotAllowed, NotFound, ServiceError
from gongzhi.notify import services as notify
from gongzhi.regions.models import GridAssignment

from .access import access_for
from .choices import AlertLevel
from .models import CheckIn, CheckInAlert, CheckInPlan, Resident

log = logging.getLogger(__name__)

# A day's check-in is due by this local time; after it the day counts as missed.
DUE_BY = dt.time(20, 0)
TOKEN_BYTES = 32  # token_urlsafe(32): 43 characters, the model's field length
# Taps per link: the elderly tap a few times a day at most; more is a stuck phone or a
# script. Set GONGZHI["RATE_LIMITS"]["checkin_tap"] to change it.
TAP_RATE = "10/h"


# -- days ----------------------------------------------------------------------------------


def local(now: dt.datetime | None = None) -> dt.datetime:
    """``now`` in the site's time zone (Asia/Shanghai), whatever zone a request activated."""
    return timezone.localtime(now or timezone.now(), timezone.get_default_timezone())


def local_day(now: dt.datetime | None = None) -> dt.date:
    return local(now).date()


def last_due_day(now: dt.datetime | None = None) -> dt.date:
    """The latest day whose check-in time is over: today from 20:00, else yesterday."""
    moment = local(now)
    today = moment.date()
    return today if moment.time() >= DUE_BY else today - dt.timedelta(days=1)


def counts(plan: CheckInPlan, day: dt.date) -> bool:
    """Whether ``day`` is one the person is expected to check in on."""
    return day > plan.started_on and (plan.ended_on is None or day < plan.ended_on)


# -- plans ---------------------------------------------------------------------------------


def _text(value) -> str:
    return " ".join(str(value or "").split())


def _check_governs(actor, resident: Resident) -> None:
    if not Resident.objects.visible_to(actor).filter(pk=resident.pk).exists():
        raise NotFound("not_found", _("There is no such resident in your area."))
    if not access_for(actor).governs(grid_id=resident.grid_id, region_path=resident.region_path):
        raise NotAllowed(
            "not_permitted", _("Only the staff of the resident's grid may start a daily check-in.")
        )


def grid_worker(grid_id: int | None):
    """The grid's worker: a full-time one first."""
    if grid_id is None:
        return None
    assignment = (
        GridAssignment.objects.filter(grid_id=grid_id, user__is_active=True)
        .select_related("user")
        .order_by(
            Case(
                When(duty=GridAssignment.Duty.PRIMARY, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            "id",
        )
        .first()
    )
    return assignment.user if assignment else None


def check_start_plan(
    *,
    resident: Resident,
    actor,
    family_name: str = "",
    family_phone: str = "",
    worker=None,
    started_on: dt.date | None = None,
) -> dict:
    """Everything a new plan needs, every problem named at once; writes nothing."""
    _check_governs(actor, resident)
    if not resident.is_current:
        raise Conflict("moved_out", _("This resident has moved out."))
    errors: list[ServiceError] = []
    if CheckInPlan.objects.filter(resident=resident, ended_on__isnull=True).exists():
        errors.append(
            ServiceError("already", _("This resident already has a daily check-in."), "resident")
        )
    name = _text(family_name)
    if len(name) > 50:
        errors.append(ServiceError("invalid", _("The name is too long."), "family_name"))
    phone = ""
    if (family_phone or "").strip():
        phone = normalise_phone(family_phone) or ""
        if not MOBILE_RE.match(phone):
            errors.append(
                ServiceError(
                    "invalid_phone",
                    _("Give the family member's mobile number: the alert is sent by SMS."),
                    "family_phone",
                )
            )
            phone = ""
    if phone and not name:
        errors.append(ServiceError("required", _("Give the family member's name."), "family_name"))
    if worker is not None:
        if not GridAssignment.objects.filter(user=worker, grid_id=resident.grid_id).exists():
            errors.append(
                ServiceError("invalid", _("Choose a grid worker of the resident's grid."), "worker")
            )
    else:
        worker = grid_worker(resident.grid_id)
    if errors:
        raise ServiceError.first_of(errors)
    return {
        "family_name": name,
        "family_phone": phone,
        "worker": worker,
        "started_on": started_on or local_day(),
    }


def do_start_plan(
    *,
    resident: Resident,
    actor,
    family_name: str = "",
    family_phone: str = "",
    worker=None,
    started_on: dt.date | None = None,
) -> CheckInPlan:
    """Start the daily check-in for a resident, with a new secret link (one open plan per
    resident), the grid's worker responsible unless another is named."""
    fields = check_start_plan(
        resident=resident,
        actor=actor,
        family_name=family_name,
        family_phone=family_phone,
        worker=worker,
        started_on=started_on,
    )
    try:
        with transaction.atomic():
            return CheckInPlan.objects.create(
                resident=resident,
                token=secrets.token_urlsafe(TOKEN_BYTES),
                grid_id=resident.grid_id,
                region_path=resident.region_path,
                **fields,
            )
    except IntegrityError:
        raise ServiceError(
            "already", _("This resident already has a daily check-in."), "resident"
        ) from None


def do_end_plan(*, plan: CheckInPlan, actor, on: dt.date | None = None) -> CheckInPlan:
    """End the plan from ``on`` (today): its link stops working, its open alerts close."""
    _check_governs(actor, plan.resident)
    with transaction.atomic():
        row = CheckInPlan.objects.select_for_update().get(pk=plan.pk)
        if row.ended_on is not None:
            raise Conflict("ended", _("This daily check-in has already ended."))
        row.ended_on = on or local_day()
        if row.ended_on < row.started_on:
            raise ServiceError("invalid", _("The end cannot be before the start."), "ended_on")
        row.save(update_fields=["ended_on", "updated_at"])
        row.alerts.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())
    return row


# -- the tap -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tapped:
    plan: CheckInPlan
    checkin: CheckIn
    first: bool  # False: already checked in today, nothing changed


def plan_for_token(token: str) -> CheckInPlan | None:
    """The open plan a link opens, or None (a wrong or ended link, or a person moved out)."""
    if not isinstance(token, str) or not (20 <= len(token) <= 64):
        return None
    return (
        CheckInPlan.objects.filter(
            token=token, ended_on__isnull=True, resident__moved_out__isnull=True
        )
        .select_related("resident")
        .first()
    )


def todays_checkin(plan: CheckInPlan, now: dt.datetime | None = None) -> CheckIn | None:
    return plan.checkins.filter(day=local_day(now)).first()


def do_check_in(*, token: str, by_family: bool = False, now: dt.datetime | None = None) -> Tapped:
    """Count today's check-in: the first tap of the (local) day counts, a second changes
    nothing. A check-in resolves the alerts sent about the days before."""
    plan = plan_for_token(token)
    if plan is None:
        raise NotFound("not_found", _("This check-in link is not valid or has ended."))
    now = now or timezone.now()
    day = local_day(now)
    with transaction.atomic():
        # The plan's row orders a tap and a scan of the same plan (see the module's docstring).
        CheckInPlan.objects.select_for_update().filter(pk=plan.pk).first()
        checkin, first = CheckIn.objects.get_or_create(
            plan=plan, day=day, defaults={"at": now, "by_family": bool(by_family)}
        )
        if first:
            resolved = plan.alerts.filter(resolved_at__isnull=True, day__lte=day).update(
                resolved_at=now
            )
            # The family was texted of the miss: tell them it is over. Not when they tapped.
            if resolved and plan.family_phone and not by_family:
                _text_checked_in_again(plan, now)
    return Tapped(plan=plan, checkin=checkin, first=first)


def _text_checked_in_again(plan: CheckInPlan, now: dt.datetime) -> None:
    # Queued in the tap's transaction: sent once it commits, never for a rolled-back tap.
    with translation.override(settings.LANGUAGE_CODE):
        notify.text_phones(
            [
                notify.PhoneText(
                    phone=plan.family_phone,
                    kind="people.checkin_again",
                    title=_("Daily check-in: %(name)s checked in again at %(time)s")
                    % {
                        "name": masking.mask_name(plan.resident.name),
                        "time": local(now).strftime("%H:%M"),
                    },
                )
            ]
        )


# -- the scan ------------------------------------------------------------------------------


def _community_staff(plan: CheckInPlan) -> list:
    """The staff of the community or village committee serving the plan's place (not its
    grid workers, who had the first alert); failing them, anyone of that committee."""
    prefixes = _prefixes(plan.region_path)
    members = Membership.objects.filter(
        organisation__kind=OrganisationKind.COMMUNITY,
        organisation__is_active=True,
        organisation__regions__path__in=prefixes,
        user__is_active=True,
    ).exclude(role=Role.RESIDENT)
    staff = members.exclude(role=Role.GRID_WORKER)
    ids = set(staff.values_list("user_id", flat=True)) or set(
        members.values_list("user_id", flat=True)
    )
    return sorted(ids)


def _prefixes(path: str) -> list[str]:
    """ "/63/6302/" → ["/63/", "/63/6302/"]: the paths of the place and the places above."""
    parts = [p for p in path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[: n + 1]) + "/" for n in range(len(parts))]


def _workers(plan: CheckInPlan) -> list:
    if plan.worker_id and plan.worker.is_active:
        return [plan.worker]
    worker = grid_worker(plan.grid_id)
    return [worker] if worker else []


def _claim(plan: CheckInPlan, day: dt.date, level: str, now) -> bool:
    """Insert the alert row; False when another run already has it."""
    try:
        with transaction.atomic():
            CheckInAlert.objects.create(plan=plan, day=day, level=level, at=now)
    except IntegrityError:
        return False
    return True


def _send(plan: CheckInPlan, day: dt.date, level: str) -> None:
    name = masking.mask_name(plan.resident.name)
    when = formats.date_format(day, "MONTH_DAY_FORMAT")
    link = reverse("people:checkin_plan", args=[plan.pk])
    data = {"plan": plan.pk, "day": day.isoformat(), "level": level}
    if level == AlertLevel.WORKER:
        title = _("No daily check-in from %(name)s on %(day)s") % {"name": name, "day": when}
        body = _("Please call or visit them today to see that they are well.")
        # In the app and by SMS to the worker's mobile: the evening alert must reach them
        # away from the screen. A worker without a mobile gets a delivery marked skipped,
        # with the reason, in notify's admin (numbers masked there).
        notify.notify_each(
            [
                notify.Item(
                    recipients=_workers(plan),
                    kind="people.checkin_missed",
                    title=title,
                    body=body,
                    link=link,
                    data=data,
                )
            ],
            channels=("in_app", "sms"),
        )
        if plan.family_phone:
            notify.text_phones(
                [
                    notify.PhoneText(
                        phone=plan.family_phone,
                        kind="people.checkin_missed",
                        title=_("Daily check-in: %(name)s has not checked in on %(day)s")
                        % {"name": name, "day": when},
                        body=_(
                            "The grid worker has been told. Please call them to see that "
                            "they are well."
                        ),
                    )
                ]
            )
    else:
        recipients = _community_staff(plan)
        if not recipients:
            log.warning("no community staff to tell of missed check-ins of plan %s", plan.pk)
        notify.notify_each(
            [
                notify.Item(
                    recipients=recipients,
                    kind="people.checkin_missed_twice",
                    title=_("%(name)s has missed two daily check-ins in a row") % {"name": name},
                    body=_(
                        "No check-in on %(day)s nor the day before. Make sure someone has "
                        "seen them."
                    )
                    % {"day": when},
                    link=link,
                    data=data,
                )
            ]
        )


def _candidates(day: dt.date):
    """Open plans with no check-in on ``day`` that lack an alert they are due."""
    before = day - dt.timedelta(days=1)

    def checked(on):
        return Exists(CheckIn.objects.filter(plan=OuterRef("pk"), day=on))

    def alerted(level):
        return Exists(CheckInAlert.objects.filter(plan=OuterRef("pk"), day=day, level=level))

    return (
        CheckInPlan.objects.filter(
            ended_on__isnull=True, started_on__lt=day, resident__moved_out__isnull=True
        )
        .filter(~checked(day))
        .filter(
            ~alerted(AlertLevel.WORKER)
            | (Q(started_on__lt=before) & ~checked(before) & ~alerted(AlertLevel.COMMUNITY))
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def alert_missed(now: dt.datetime | None = None) -> dict:
    """Alert about the last day whose check-in time is over (``last_due_day``): the grid
    worker and the family after one missed day, the community after two in a row; each
    once per plan, day and level however many scanners run. Returns the alerts sent."""
    now = now or timezone.now()
    day = last_due_day(now)
    before = day - dt.timedelta(days=1)
    sent = {AlertLevel.WORKER.value: 0, AlertLevel.COMMUNITY.value: 0}
    for pk in list(_candidates(day)):
        with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
            plan = (
                CheckInPlan.objects.select_for_update(of=("self",))
                .select_related("resident", "worker")
                .filter(pk=pk, ended_on__isnull=True)
                .first()
            )
            if plan is None or not counts(plan, day):
                continue
            days = set(plan.checkins.filter(day__in=[day, before]).values_list("day", flat=True))
            if day in days:
                continue  # checked in since the candidates were read
            levels = [AlertLevel.WORKER]
            if counts(plan, before) and before not in days:
                levels.append(AlertLevel.COMMUNITY)
            for level in levels:
                if _claim(plan, day, level, now):
                    _send(plan, day, level)
                    sent[level.value] += 1
    return sent


def tick(now=None) -> dict:
    """The check-ins' periodic job (``gongzhi.core.periodic``)."""
    return {"checkin_alerts": alert_missed(now=now)}


__all__ = [
    "DUE_BY",
    "Tapped",
    "alert_missed",
    "check_start_plan",
    "do_check_in",
    "do_end_plan",
    "do_start_plan",
    "last_due_day",
    "local_day",
    "plan_for_token",
    "tick",
    "todays_checkin",
]
