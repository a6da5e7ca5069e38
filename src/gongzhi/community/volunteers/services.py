"""Volunteers (群防群治): registration and the committee's check, teams, shifts and events
with a number of places, sign-ups, check-in (QR code or the team leader) and the hours it
gives. ``check_*`` validate and write nothing; ``do_*`` write, in one transaction.

Other rooms (patrols) use ``volunteer_of(user)`` and ``is_leader(user, team)``."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import Conflict, NotAllowed, ServiceError
from gongzhi.core.scope import scope_for
from gongzhi.people import members
from gongzhi.regions.models import Region, RegionLevel

from ..choices import CheckInMethod, ShiftKind, ShiftState, SignUpState, VolunteerState
from ..models import Shift, SignUp, Team, TeamMember, Volunteer

CHECK_IN_SALT = "gongzhi.community.volunteers.check-in"
# The QR code works from this long before the start until this long after the end.
CHECK_IN_EARLY = dt.timedelta(minutes=30)
CHECK_IN_LATE = dt.timedelta(minutes=30)
MAX_HOURS = Decimal("24")
MAX_CAPACITY = 500


# ---- who is who -----------------------------------------------------------------------


def volunteer_of(user) -> Volunteer | None:
    """The user's volunteer record if the community has approved it, else None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return (
        Volunteer.objects.select_related("region")
        .filter(user=user, state=VolunteerState.APPROVED)
        .first()
    )


def is_staff(user, region_path: str) -> bool:
    """The committee of the community, or those who oversee it."""
    return members.is_committee(user, region_path) or members.oversees(user, region_path)


def is_leader(user, team: Team) -> bool:
    return bool(
        team is not None and team.leader_id and user.is_authenticated and team.leader_id == user.pk
    )


def may_manage(user, shift: Shift) -> bool:
    """Who runs a shift: the community's committee, or the leader of the shift's team."""
    if members.is_committee(user, shift.region_path):
        return True
    return shift.team_id is not None and is_leader(user, shift.team)


def staff_area(user) -> tuple[bool, tuple[str, ...]]:
    scope = scope_for(user)
    return scope.everything, members.staff_paths(scope)


# ---- registration ---------------------------------------------------------------------


def check_register(*, user, region: Region | None = None, skills: str = "", phone: str = ""):
    """(region, resident_id, household_id, name): from the register when the user is in
    it, else the community they name (the committee then checks who they are)."""
    if not user.is_authenticated:
        raise NotAllowed("sign_in", _("Sign in first."))
    if len(skills) > 200:
        raise ServiceError("invalid", _("Keep the skills under 200 characters."), "skills")
    if len(phone) > 20:
        raise ServiceError("invalid", _("That phone number is too long."), "phone")
    old = Volunteer.objects.filter(user=user).first()
    if old is not None and old.state in (VolunteerState.PENDING, VolunteerState.APPROVED):
        raise Conflict("registered", _("You are already registered as a volunteer."))
    v = members.villager(user)
    name = user.display_name or user.username
    if v is not None:
        from gongzhi.people.models import Resident

        name = Resident.objects.values_list("name", flat=True).get(pk=v.resident_id)
        return Region.objects.get(pk=v.region_id), v.resident_id, v.household_id, name
    if region is None:
        raise ServiceError(
            "invalid", _("Choose the community or village you volunteer in."), "region"
        )
    if region.level != RegionLevel.COMMUNITY:
        raise ServiceError("invalid", _("Choose a community or village."), "region")
    return region, None, None, name


def do_register(
    *, user, region: Region | None = None, skills: str = "", phone: str = "", now=None
) -> Volunteer:
    skills, phone = (skills or "").strip(), (phone or "").strip()
    place, resident_id, household_id, name = check_register(
        user=user, region=region, skills=skills, phone=phone
    )
    now = now or timezone.now()
    fields = {
        "region": place,
        "region_path": place.path,
        "resident_id": resident_id,
        "household_id": household_id,
        "name": name[:50],
        "phone": phone or (user.mobile or ""),
        "skills": skills,
        "state": VolunteerState.PENDING,
        "checked_by": None,
        "checked_at": None,
        "reason": "",
    }
    with transaction.atomic():
        try:
            # A rejected or departed volunteer registers again on the same record (one per
            # account); the hours already served stay.
            volunteer, _created = Volunteer.objects.update_or_create(user=user, defaults=fields)
        except IntegrityError as e:
            raise Conflict("registered", _("You are already registered as a volunteer.")) from e
        _tell_committee(volunteer)
    return volunteer


def check_review(*, actor, volunteer: Volunteer, approve: bool, reason: str = "") -> None:
    if not members.is_committee(actor, volunteer.region_path):
        raise NotAllowed("not_committee", _("Only the community's committee checks volunteers."))
    if volunteer.state != VolunteerState.PENDING:
        raise Conflict("not_pending", _("This registration has already been checked."))
    if not approve and not reason.strip():
        raise ServiceError("invalid", _("Say why the registration is not accepted."), "reason")
    if len(reason) > 200:
        raise ServiceError("invalid", _("Keep the reason under 200 characters."), "reason")


def do_review(
    *, actor, volunteer: Volunteer, approve: bool, reason: str = "", now=None
) -> Volunteer:
    """The committee approves or rejects (with a reason) a pending registration; the
    volunteer hears of it in their inbox."""
    reason = (reason or "").strip()
    check_review(actor=actor, volunteer=volunteer, approve=approve, reason=reason)
    now = now or timezone.now()
    state = VolunteerState.APPROVED if approve else VolunteerState.REJECTED
    with transaction.atomic():
        done = Volunteer.objects.filter(pk=volunteer.pk, state=VolunteerState.PENDING).update(
            state=state, checked_by=actor, checked_at=now, reason=reason, updated_at=now
        )
        if not done:
            raise Conflict("not_pending", _("This registration has already been checked."))
        volunteer.refresh_from_db()
        _tell_volunteer(volunteer)
    return volunteer


def do_leave(*, user, now=None) -> Volunteer:
    volunteer = Volunteer.objects.filter(user=user).exclude(state=VolunteerState.LEFT).first()
    if volunteer is None:
        raise ServiceError("not_volunteer", _("You are not registered as a volunteer."))
    Volunteer.objects.filter(pk=volunteer.pk).update(
        state=VolunteerState.LEFT, updated_at=now or timezone.now()
    )
    volunteer.refresh_from_db()
    return volunteer


# ---- teams ----------------------------------------------------------------------------


def check_team(*, actor, region: Region, name: str, leader=None) -> None:
    if region.level != RegionLevel.COMMUNITY:
        raise ServiceError("invalid", _("Choose a community or village."), "region")
    if not members.is_committee(actor, region.path):
        raise NotAllowed("not_committee", _("Only the community's committee creates teams."))
    if not name.strip() or len(name) > 100:
        raise ServiceError("invalid", _("Give the team a name (up to 100 characters)."), "name")
    if leader is not None:
        v = volunteer_of(leader)
        if not (
            (v is not None and v.region_id == region.pk)
            or members.is_committee(leader, region.path)
        ):
            raise ServiceError(
                "invalid",
                _("The leader must be an approved volunteer of this community or its staff."),
                "leader",
            )


def do_create_team(*, actor, region: Region, name: str, leader=None, now=None) -> Team:
    name = (name or "").strip()
    check_team(actor=actor, region=region, name=name, leader=leader)
    with transaction.atomic():
        team = Team.objects.create(region=region, region_path=region.path, name=name, leader=leader)
        v = volunteer_of(leader) if leader is not None else None
        if v is not None:
            TeamMember.objects.create(team=team, volunteer=v)
    return team


def check_add_member(*, actor, team: Team, volunteer: Volunteer) -> None:
    if not (is_leader(actor, team) or members.is_committee(actor, team.region_path)):
        raise NotAllowed("not_leader", _("Only the team leader or the committee adds members."))
    if volunteer.state != VolunteerState.APPROVED or volunteer.region_id != team.region_id:
        raise ServiceError(
            "invalid", _("Only approved volunteers of this community join the team."), "volunteer"
        )
    if TeamMember.objects.filter(team=team, volunteer=volunteer).exists():
        raise Conflict("member", _("This volunteer is already in the team."))


def do_add_member(*, actor, team: Team, volunteer: Volunteer, now=None) -> TeamMember:
    check_add_member(actor=actor, team=team, volunteer=volunteer)
    try:
        with transaction.atomic():
            member = TeamMember.objects.create(team=team, volunteer=volunteer)
    except IntegrityError as e:
        raise Conflict("member", _("This volunteer is already in the team.")) from e
    _notify(
        [volunteer.user_id],
        kind="community.volunteer_team",
        title=_("You joined the team %(team)s") % {"team": team.name},
        link=_link("community:volunteer_team", team.pk),
    )
    return member


def do_ask_to_join(*, user, team: Team, now=None) -> None:
    """An approved volunteer asks to join: the leader (or, without one, the committee)
    hears of it with a link to the team's page, where they add them."""
    volunteer = volunteer_of(user)
    if volunteer is None or volunteer.region_id != team.region_id or not team.enabled:
        raise NotAllowed(
            "not_volunteer", _("Only approved volunteers of this community join its teams.")
        )
    if TeamMember.objects.filter(team=team, volunteer=volunteer).exists():
        raise Conflict("member", _("You are already in this team."))
    recipients = [team.leader_id] if team.leader_id else _committee_ids(team.region_path)
    _notify(
        recipients,
        kind="community.volunteer_join",
        title=_("%(name)s asks to join %(team)s") % {"name": volunteer.name, "team": team.name},
        link=_link("community:volunteer_team", team.pk) + f"?add={volunteer.pk}",
    )


# ---- shifts ---------------------------------------------------------------------------


def check_shift(
    *,
    actor,
    region: Region | None,
    team: Team | None,
    kind: str,
    title: str,
    starts_at,
    ends_at,
    capacity: int,
    lng=None,
    lat=None,
    now=None,
) -> Region:
    errors = []
    if team is not None:
        region = team.region
    if region is None or region.level != RegionLevel.COMMUNITY:
        raise ServiceError("invalid", _("Choose a community or village."), "region")
    if not (
        members.is_committee(actor, region.path) or (team is not None and is_leader(actor, team))
    ):
        raise NotAllowed(
            "not_allowed", _("Only the committee or the team's leader creates shifts.")
        )
    if kind not in ShiftKind.values:
        errors.append(ServiceError("invalid", _("Choose the kind."), "kind"))
    if not title.strip() or len(title) > 120:
        errors.append(ServiceError("invalid", _("Give a title (up to 120 characters)."), "title"))
    if not starts_at or not ends_at or ends_at <= starts_at:
        errors.append(ServiceError("invalid", _("The end must be after the start."), "ends_at"))
    elif ends_at - starts_at > dt.timedelta(hours=int(MAX_HOURS)):
        errors.append(ServiceError("invalid", _("A shift lasts 24 hours at most."), "ends_at"))
    elif starts_at < (now or timezone.now()) - dt.timedelta(days=1):
        errors.append(ServiceError("invalid", _("The start is in the past."), "starts_at"))
    if not isinstance(capacity, int) or not 1 <= capacity <= MAX_CAPACITY:
        errors.append(
            ServiceError(
                "invalid", _("Places: between 1 and %(n)s.") % {"n": MAX_CAPACITY}, "capacity"
            )
        )
    if (lng is None) != (lat is None) or (
        lng is not None and not (-180 <= lng <= 180 and -90 <= lat <= 90)
    ):
        errors.append(ServiceError("invalid", _("Pick the place on the map again."), "lng"))
    if errors:
        raise ServiceError.first_of(errors)
    return region


def do_create_shift(
    *,
    actor,
    kind: str,
    title: str,
    starts_at,
    ends_at,
    capacity: int,
    region: Region | None = None,
    team: Team | None = None,
    place: str = "",
    lng=None,
    lat=None,
    now=None,
) -> Shift:
    title, place = (title or "").strip(), (place or "").strip()[:200]
    region = check_shift(
        actor=actor,
        region=region,
        team=team,
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        lng=lng,
        lat=lat,
        now=now,
    )
    return Shift.objects.create(
        region=region,
        region_path=region.path,
        team=team,
        kind=kind,
        title=title,
        place=place,
        lng=lng,
        lat=lat,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        created_by=actor,
    )


def check_sign_up(*, user, shift: Shift, now=None) -> Volunteer:
    volunteer = volunteer_of(user)
    if volunteer is None:
        raise NotAllowed("not_volunteer", _("Only volunteers the community has approved sign up."))
    if not shift.region_path.startswith(volunteer.region_path):
        raise NotAllowed("not_here", _("This shift is in another community."))
    if shift.state != ShiftState.OPEN or shift.starts_at <= (now or timezone.now()):
        raise Conflict("closed", _("Sign-up for this shift has closed."))
    if SignUp.objects.filter(shift=shift, volunteer=volunteer, state__in=_HOLDING).exists():
        raise Conflict("signed_up", _("You have already signed up for this shift."))
    return volunteer


_HOLDING = (SignUpState.SIGNED_UP, SignUpState.ATTENDED, SignUpState.ABSENT)


def _full() -> Conflict:
    return Conflict("full", _("Sorry, all places of this shift are taken."))


def do_sign_up(*, user, shift: Shift, now=None) -> SignUp:
    """Take a place. The place and the sign-up are written together: the conditional
    ``taken < capacity`` update means the last place goes to one volunteer only."""
    now = now or timezone.now()
    volunteer = check_sign_up(user=user, shift=shift, now=now)
    try:
        with transaction.atomic():
            took = Shift.objects.filter(
                pk=shift.pk, state=ShiftState.OPEN, taken__lt=F("capacity"), starts_at__gt=now
            ).update(taken=F("taken") + 1, updated_at=now)
            if not took:
                raise _full()
            old = SignUp.objects.filter(
                shift=shift, volunteer=volunteer, state=SignUpState.CANCELLED
            ).first()
            if old is not None:
                # One row per volunteer and shift: signing up again reuses the cancelled one.
                if not SignUp.objects.filter(pk=old.pk, state=SignUpState.CANCELLED).update(
                    state=SignUpState.SIGNED_UP, updated_at=now
                ):
                    raise Conflict("signed_up", _("You have already signed up for this shift."))
                old.refresh_from_db()
                signup = old
            else:
                signup = SignUp.objects.create(shift=shift, volunteer=volunteer)
    except IntegrityError as e:
        raise Conflict("signed_up", _("You have already signed up for this shift.")) from e
    shift.refresh_from_db(fields=["taken"])
    return signup


def do_cancel_sign_up(*, user, signup: SignUp, now=None) -> SignUp:
    """The volunteer gives their place back, before the shift starts."""
    now = now or timezone.now()
    if signup.volunteer.user_id != user.pk:
        raise NotAllowed("not_yours", _("This is not your sign-up."))
    if signup.shift.starts_at <= now:
        raise Conflict("started", _("The shift has started; it can no longer be cancelled."))
    with transaction.atomic():
        if not SignUp.objects.filter(pk=signup.pk, state=SignUpState.SIGNED_UP).update(
            state=SignUpState.CANCELLED, updated_at=now
        ):
            raise Conflict("not_signed_up", _("This sign-up is not active."))
        Shift.objects.filter(pk=signup.shift_id, taken__gt=0).update(
            taken=F("taken") - 1, updated_at=now
        )
    signup.refresh_from_db()
    return signup


# ---- check-in and hours ---------------------------------------------------------------


def check_in_token(shift: Shift) -> str:
    """What the shift's QR code carries: the shift's id, signed (so no one makes up a
    code for a shift), with the start so a moved shift needs a new code."""
    return signing.dumps([shift.pk, int(shift.starts_at.timestamp())], salt=CHECK_IN_SALT)


def read_token(token: str) -> tuple[int, int]:
    try:
        shift_id, start = signing.loads(token, salt=CHECK_IN_SALT)
        return int(shift_id), int(start)
    except (signing.BadSignature, ValueError, TypeError) as e:
        raise ServiceError(
            "bad_code", _("This code is not valid. Scan the code shown at the shift.")
        ) from e


def shift_hours(shift: Shift) -> Decimal:
    seconds = Decimal((shift.ends_at - shift.starts_at).total_seconds())
    return (seconds / 3600).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def check_qr(*, user, shift: Shift, token: str, now=None) -> SignUp:
    now = now or timezone.now()
    shift_id, start = read_token(token)
    if shift_id != shift.pk or start != int(shift.starts_at.timestamp()):
        raise ServiceError("other_shift", _("This code belongs to another shift."))
    if now < shift.starts_at - CHECK_IN_EARLY:
        raise ServiceError(
            "too_early", _("Check-in opens 30 minutes before the start. Please come back then.")
        )
    if now > shift.ends_at + CHECK_IN_LATE or shift.state == ShiftState.CANCELLED:
        raise ServiceError("expired", _("This code has expired: the shift is over."))
    signup = (
        SignUp.objects.select_related("shift", "volunteer")
        .filter(shift=shift, volunteer__user=user)
        .first()
    )
    if signup is None or signup.state == SignUpState.CANCELLED:
        raise NotAllowed("not_signed_up", _("You have not signed up for this shift."))
    if signup.state == SignUpState.ATTENDED:
        raise Conflict("checked_in", _("You are already checked in."))
    return signup


def do_check_in_qr(*, user, shift: Shift, token: str, now=None) -> SignUp:
    """The volunteer's phone opened the shift's QR link: check them in."""
    now = now or timezone.now()
    signup = check_qr(user=user, shift=shift, token=token, now=now)
    return _attend(signup, hours=shift_hours(shift), method=CheckInMethod.QR, by=user, now=now)


def _hours(value) -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    except ArithmeticError as e:
        raise ServiceError("invalid", _("Give the hours as a number."), "hours") from e
    if not Decimal("0") < hours <= MAX_HOURS:
        raise ServiceError("invalid", _("Hours: more than 0, at most 24."), "hours")
    return hours


def do_check_in_by_leader(
    *, actor, signup: SignUp, hours=None, reason: str = "", now=None
) -> SignUp:
    """The leader (or the committee) checks a volunteer in from the list, or corrects the
    hours of one already in; hours other than the shift's length need a reason."""
    now = now or timezone.now()
    shift = signup.shift
    if not may_manage(actor, shift):
        raise NotAllowed("not_leader", _("Only the team leader or the committee checks in."))
    reason = (reason or "").strip()
    full = shift_hours(shift)
    hours = full if hours in (None, "") else _hours(hours)
    if hours != full and not reason:
        raise ServiceError("invalid", _("Say why the hours differ from the shift's."), "reason")
    if now < shift.starts_at - CHECK_IN_EARLY:
        raise ServiceError("too_early", _("The shift has not started yet."))
    if signup.state == SignUpState.ATTENDED:
        return _adjust(signup, hours=hours, by=actor, reason=reason, now=now)
    if signup.state != SignUpState.SIGNED_UP:
        raise Conflict("not_signed_up", _("This sign-up is not active."))
    return _attend(signup, hours=hours, method=CheckInMethod.LEADER, by=actor, now=now)


def _attend(signup: SignUp, *, hours: Decimal, method: str, by, now) -> SignUp:
    from ..points.services import do_award

    with transaction.atomic():
        if not SignUp.objects.filter(pk=signup.pk, state=SignUpState.SIGNED_UP).update(
            state=SignUpState.ATTENDED,
            checked_in_at=now,
            checked_in_by=by,
            method=method,
            hours=hours,
            updated_at=now,
        ):
            raise Conflict("checked_in", _("Already checked in."))
        Volunteer.objects.filter(pk=signup.volunteer_id).update(hours=F("hours") + hours)
        household_id = signup.volunteer.household_id
        if household_id:
            do_award(
                household_id=household_id,
                rule_code="volunteer_hour",
                quantity=hours,
                source=f"signup:{signup.pk}",
                by=by,
                now=now,
            )
    signup.refresh_from_db()
    return signup


def _adjust(signup: SignUp, *, hours: Decimal, by, reason: str, now) -> SignUp:
    """Corrected hours: the volunteer's total and the household's points follow (one
    correcting entry, which takes back only what the balance still holds)."""
    from ..points.services import do_correct_hours

    with transaction.atomic():
        locked = SignUp.objects.select_for_update().get(pk=signup.pk)
        old = locked.hours or Decimal(0)
        delta = hours - old
        if delta:
            SignUp.objects.filter(pk=locked.pk).update(hours=hours, updated_at=now)
            Volunteer.objects.filter(pk=locked.volunteer_id).update(hours=F("hours") + delta)
            do_correct_hours(
                source=f"signup:{locked.pk}", old=old, hours=hours, by=by, reason=reason, now=now
            )
    signup.refresh_from_db()
    return signup


def _close(shift_id: int, *, now) -> bool:
    """Close an open shift (the hours and points of those checked in were given at their
    check-in; those still only signed up are marked absent). The conditional update makes
    the leader's button and the tick close it once; False if it was closed already."""
    with transaction.atomic():
        if not Shift.objects.filter(pk=shift_id, state=ShiftState.OPEN).update(
            state=ShiftState.DONE, updated_at=now
        ):
            return False
        SignUp.objects.filter(shift_id=shift_id, state=SignUpState.SIGNED_UP).update(
            state=SignUpState.ABSENT, updated_at=now
        )
    return True


def do_finish_shift(*, actor, shift: Shift, now=None) -> Shift:
    """Close a shift after it ended: those still only signed up are marked absent."""
    now = now or timezone.now()
    if not may_manage(actor, shift):
        raise NotAllowed("not_leader", _("Only the team leader or the committee closes shifts."))
    if now < shift.starts_at:
        raise Conflict("not_started", _("The shift has not started yet."))
    if not _close(shift.pk, now=now):
        raise Conflict("not_open", _("This shift is already closed."))
    shift.refresh_from_db()
    return shift


def close_after() -> dt.timedelta:
    """How long after its end a shift nobody closed closes itself (the leader may still
    check people in until then): ``GONGZHI["COMMUNITY_SHIFT_CLOSE_HOURS"]``."""
    return dt.timedelta(hours=float(settings.GONGZHI.get("COMMUNITY_SHIFT_CLOSE_HOURS", 12)))


def close_ended_shifts(*, now=None) -> int:
    """The tick's part: close the open shifts that ended ``close_after()`` ago, exactly as
    the leader's button does. Returns how many this call closed."""
    now = now or timezone.now()
    due = Shift.objects.filter(state=ShiftState.OPEN, ends_at__lte=now - close_after())
    return sum(_close(pk, now=now) for pk in due.values_list("pk", flat=True))


# ---- notices --------------------------------------------------------------------------


def _link(name: str, *args) -> str:
    from django.urls import reverse

    return reverse(name, args=args)


def _committee_ids(path: str) -> list[int]:
    from gongzhi.accounts.models import OrganisationKind, User

    ids = []
    for user in User.objects.filter(
        is_active=True, memberships__organisation__kind=OrganisationKind.COMMUNITY
    ).distinct():
        if members.is_committee(user, path):
            ids.append(user.pk)
    return ids


def _notify(recipients, *, kind: str, title: str, body: str = "", link: str = "") -> None:
    from gongzhi.notify import services as notify

    if recipients:
        notify.notify(recipients=recipients, kind=kind, title=title, body=body, link=link)


def _tell_committee(volunteer: Volunteer) -> None:
    _notify(
        _committee_ids(volunteer.region_path),
        kind="community.volunteer_registered",
        title=_("New volunteer to check: %(name)s") % {"name": volunteer.name},
        link=_link("community:volunteer_desk"),
    )


def _tell_volunteer(volunteer: Volunteer) -> None:
    if volunteer.state == VolunteerState.APPROVED:
        title = _("You are registered as a volunteer of %(place)s") % {
            "place": volunteer.region.name
        }
        body = ""
    else:
        title = _("Your volunteer registration was not accepted")
        body = volunteer.reason
    _notify(
        [volunteer.user_id],
        kind="community.volunteer_checked",
        title=title,
        body=body,
        link=_link("community:volunteers"),
    )
