"""The surveys app's writes: ``check_*`` validates and checks access (changing nothing),
``do_*`` writes in one transaction. The only module other apps import.

Sampling (``do_draw_sample``) is stratified by township. The frame of a township is its
current adult residents (18 or over on the wave's first day) with a phone, from the people
register, one per phone number; a township with no such resident falls back on the hotline's
callers: the distinct reporter phones of cases located in it. Allocation: ``equal`` draws
``per_township`` in every township; ``proportional`` shares ``per_township × townships`` by
population (largest remainders, at least one each). The draw is a seeded simple random
sample in each township (``random.Random(f"{seed}:{township code}")`` over the frame in a
fixed order), so the same wave and seed draw the same people again.

Calls: an outcome per call (answered with the answers, refused, no answer, call back at a
time). Every call counts as an attempt; a member who refused or did not answer stays on the
calling list until the wave's ``max_attempts``. A member answers once, by phone or by their
link, never twice.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts import services as accounts
from gongzhi.accounts.models import Role
from gongzhi.cases.models import Case
from gongzhi.core.scope import scope_for
from gongzhi.people.models import Resident
from gongzhi.regions.models import Grid, Region, RegionLevel

from .choices import Allocation, Channel, MemberState, Outcome, Source, WaveState
from .errors import SurveyError
from .models import (
    SUPERVISORS,
    Answer,
    Question,
    Questionnaire,
    Response,
    SampleMember,
    Wave,
    new_token,
)

ADULT_AGE = 18
MAX_PER_TOWNSHIP = 2000
# Who may phone a member they see: the hotline's operators and their supervisors.
CALLING_ROLES = frozenset({Role.HOTLINE_OPERATOR, Role.DISPATCHER, Role.ADMINISTRATOR})
# The wave's states as a table: (action, from) → to.
TRANSITIONS = {
    ("open", WaveState.DRAFT): WaveState.FIELDING,
    ("close", WaveState.FIELDING): WaveState.CLOSED,
}


# -- places and populations ----------------------------------------------------------------


def townships_of(region: Region) -> list[Region]:
    """The strata of a wave over ``region``: its townships (itself if it is one)."""
    if region.level == RegionLevel.TOWNSHIP:
        return [region]
    return list(
        Region.objects.filter(level=RegionLevel.TOWNSHIP, path__startswith=region.path).order_by(
            "path"
        )
    )


def _by_township(rows, townships: list[Region]) -> dict[int, int]:
    """Sum ``(region path, n)`` rows into the township whose path starts the row's."""
    paths = {t.path: t.pk for t in townships}
    out = dict.fromkeys(paths.values(), 0)
    for path, n in rows:
        town = next((pk for p, pk in paths.items() if (path or "").startswith(p)), None)
        if town is not None:
            out[town] += n or 0
    return out


def _under_any(lookup: str, townships: list[Region]) -> Q:
    return reduce(or_, (Q(**{f"{lookup}__startswith": t.path}) for t in townships), Q(pk__in=[]))


def populations(townships: list[Region]) -> dict[int, int]:
    """Each township's population: the sum of its grids' ``population`` where the grids give
    one, else the count of its current residents in the register, else 0 (unknown). Two
    queries, whatever the number of townships."""
    if not townships:
        return {}
    grids = _by_township(
        Grid.objects.filter(_under_any("region_path", townships), is_active=True)
        .values("region_path")
        .annotate(n=Sum("population"))
        .values_list("region_path", "n"),
        townships,
    )
    missing = [t for t in townships if not grids[t.pk]]
    if missing:
        register = _by_township(
            Resident.objects.current()
            .filter(_under_any("region_path", missing))
            .values("region_path")
            .annotate(n=Count("pk"))
            .values_list("region_path", "n"),
            missing,
        )
        grids.update(register)
    return grids


def allocate(wave: Wave, townships: list[Region], sizes: dict[int, int]) -> dict[int, int]:
    """How many to draw in each township (see the module's docstring)."""
    if wave.allocation == Allocation.EQUAL or not sum(sizes.values()):
        return {t.pk: wave.per_township for t in townships}
    total = wave.per_township * len(townships)
    people = sum(sizes.values())
    exact = {t.pk: total * sizes.get(t.pk, 0) / people for t in townships}
    shares = {pk: max(1, int(x)) for pk, x in exact.items()}
    left = total - sum(shares.values())
    for pk in sorted(exact, key=lambda pk: exact[pk] - int(exact[pk]), reverse=True)[
        : max(0, left)
    ]:
        shares[pk] += 1
    return shares


def register_frame(town: Region, on: dt.date) -> list[tuple[str, int, int | None]]:
    """(phone, resident id, grid id) of the township's current adults with a phone."""
    born_by = (
        on.replace(year=on.year - ADULT_AGE)
        if not (on.month == 2 and on.day == 29)
        else (dt.date(on.year - ADULT_AGE, 2, 28))
    )
    rows = (
        Resident.objects.current()
        .filter(region_path__startswith=town.path, birth_date__lte=born_by)
        .exclude(phone="")
        .order_by("pk")
        .values_list("phone", "pk", "grid_id")
    )
    seen, frame = set(), []
    for phone, pk, grid in rows:
        phone = phone.strip()
        if phone and phone not in seen:
            seen.add(phone)
            frame.append((phone, pk, grid))
    return frame


def caller_frame(town: Region) -> list[tuple[str, None, int | None]]:
    """(phone, None, grid id) of the distinct reporter phones of cases in the township."""
    rows = (
        Case.objects.filter(region_path__startswith=town.path)
        .exclude(reporter_phone="")
        .order_by("pk")
        .values_list("reporter_phone", "grid_id")
    )
    seen, frame = set(), []
    for phone, grid in rows:
        phone = phone.strip()
        if phone and phone not in seen:
            seen.add(phone)
            frame.append((phone, None, grid))
    return frame


# -- waves ---------------------------------------------------------------------------------


def _supervises(user, region: Region) -> bool:
    scope = scope_for(user)
    return bool(scope.roles & SUPERVISORS) and scope.covers_region_path(region.path)


def check_create_wave(
    *,
    actor,
    questionnaire: Questionnaire | None,
    region: Region | None,
    name: str,
    start: dt.date | None,
    end: dt.date | None,
    per_township: int,
    allocation: str,
    max_attempts: int = 3,
) -> None:
    errors = []
    if not (name or "").strip():
        errors.append(SurveyError("required", _("Give the wave a name."), "name"))
    if questionnaire is None or not questionnaire.enabled:
        errors.append(
            SurveyError("questionnaire", _("Choose an enabled questionnaire."), "questionnaire")
        )
    elif not questionnaire.questions.filter(enabled=True).exists():
        errors.append(
            SurveyError("questionnaire", _("The questionnaire has no questions."), "questionnaire")
        )
    if region is None or region.level not in (
        RegionLevel.CITY,
        RegionLevel.COUNTY,
        RegionLevel.TOWNSHIP,
    ):
        errors.append(SurveyError("region", _("Choose a city, a county or a township."), "region"))
    elif not _supervises(actor, region):
        errors.append(SurveyError("not_allowed", _("This region is outside your scope."), "region"))
    if start is None or end is None or end < start:
        errors.append(SurveyError("period", _("The period must end on or after its start."), "end"))
    if not 1 <= (per_township or 0) <= MAX_PER_TOWNSHIP:
        errors.append(
            SurveyError(
                "size",
                _("The sample size per township must be between 1 and 2000."),
                "per_township",
            )
        )
    if allocation not in Allocation.values:
        errors.append(SurveyError("allocation", _("Choose an allocation."), "allocation"))
    if not 1 <= (max_attempts or 0) <= 10:
        errors.append(
            SurveyError("attempts", _("Calls per member must be between 1 and 10."), "max_attempts")
        )
    if errors:
        raise SurveyError.first_of(errors)


def do_create_wave(*, actor, seed: int | None = None, **fields) -> Wave:
    check_create_wave(actor=actor, **fields)
    fields["name"] = fields["name"].strip()
    return Wave.objects.create(
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        seed=random.SystemRandom().randrange(1, 2**31) if seed is None else seed,
        **fields,
    )


def _locked(wave: Wave) -> Wave:
    return Wave.objects.select_for_update().get(pk=wave.pk)


def check_draw_sample(*, actor, wave: Wave) -> None:
    if not _supervises(actor, wave.region):
        raise SurveyError("not_allowed", _("This wave is outside your scope."))
    if wave.state != WaveState.DRAFT:
        raise SurveyError("state", _("A sample is drawn only for a wave in draft."))
    if wave.members.exists():
        raise SurveyError("drawn", _("The sample of this wave has been drawn already."))


def do_draw_sample(*, actor, wave: Wave, operators=()) -> dict:
    """Draw the wave's sample (see the module's docstring) and share it among
    ``operators`` in turn. ``{"drawn", "register", "callers", "short": [township codes]}``."""
    with transaction.atomic():
        wave = _locked(wave)
        check_draw_sample(actor=actor, wave=wave)
        towns = townships_of(wave.region)
        sizes = allocate(wave, towns, populations(towns))
        members, counts, short = [], defaultdict(int), []
        for town in towns:
            frame, source = register_frame(town, wave.start), Source.REGISTER
            if not frame:
                frame, source = caller_frame(town), Source.CALLER
            want = sizes[town.pk]
            rng = random.Random(f"{wave.seed}:{town.code}")
            drawn = rng.sample(frame, want) if len(frame) > want else frame
            if len(drawn) < want:
                short.append(town.code)
            for phone, resident, grid in drawn:
                members.append(
                    SampleMember(
                        wave=wave,
                        region=town,
                        grid_id=grid,
                        region_path=town.path,
                        source=source,
                        resident_id=resident,
                        phone=phone,
                        token=new_token(),
                    )
                )
            counts[source] += len(drawn)
        operators = list(operators)
        for i, member in enumerate(members):
            member.operator = operators[i % len(operators)] if operators else None
        SampleMember.objects.bulk_create(members, batch_size=500)
    return {
        "drawn": len(members),
        "register": counts[Source.REGISTER],
        "callers": counts[Source.CALLER],
        "short": short,
    }


def check_assign(*, actor, wave: Wave, operators) -> None:
    if not _supervises(actor, wave.region):
        raise SurveyError("not_allowed", _("This wave is outside your scope."))
    if wave.state == WaveState.CLOSED:
        raise SurveyError("state", _("The wave is closed."))
    if not operators:
        raise SurveyError("required", _("Choose at least one operator."), "operators")


def do_assign(*, actor, wave: Wave, operators) -> int:
    """Share the wave's open members that no operator has yet among ``operators``."""
    operators = list(operators)
    check_assign(actor=actor, wave=wave, operators=operators)
    with transaction.atomic():
        free = list(
            wave.members.open().filter(operator__isnull=True).select_for_update().order_by("pk")
        )
        for i, member in enumerate(free):
            member.operator = operators[i % len(operators)]
            member.save(update_fields=["operator", "updated_at"])
    return len(free)


def check_transition(*, actor, wave: Wave, action: str) -> str:
    if not _supervises(actor, wave.region):
        raise SurveyError("not_allowed", _("This wave is outside your scope."))
    target = TRANSITIONS.get((action, wave.state))
    if target is None:
        raise SurveyError("state", _("This cannot be done to the wave in its present state."))
    if action == "open" and not wave.members.exists():
        raise SurveyError("empty", _("Draw the sample before the wave goes into the field."))
    return target


def do_transition(*, actor, wave: Wave, action: str) -> Wave:
    """Open (draft → in the field) or close (in the field → closed) a wave."""
    with transaction.atomic():
        wave = _locked(wave)
        wave.state = check_transition(actor=actor, wave=wave, action=action)
        wave.save(update_fields=["state", "updated_at"])
    return wave


# -- calls and links -----------------------------------------------------------------------


def questions_of(wave: Wave) -> list[Question]:
    return list(
        wave.questionnaire.questions.filter(enabled=True)
        .select_related("scale")
        .prefetch_related("scale__options")
        .order_by("order", "pk")
    )


def _answers(wave: Wave, answers: dict) -> list[Answer]:
    """Unsaved answers for ``{question id: option id}``, every enabled question answered
    with one of its scale's options; else a ``SurveyError`` naming each question missed."""
    answers = {str(k): v for k, v in (answers or {}).items()}
    out, errors = [], []
    for question in questions_of(wave):
        chosen = answers.get(str(question.pk))
        option = next((o for o in question.scale.options.all() if str(o.pk) == str(chosen)), None)
        if option is None:
            errors.append(
                SurveyError(
                    "answer",
                    _("Answer the question: %(q)s") % {"q": question.text},
                    f"q{question.pk}",
                )
            )
            continue
        out.append(
            Answer(
                question=question,
                option=option,
                score=option.score,
                positive=option.positive,
                measure=question.measure,
            )
        )
    if errors:
        raise SurveyError.first_of(errors)
    return out


def _in_field(wave: Wave, today: dt.date | None = None) -> bool:
    return wave.state == WaveState.FIELDING


def check_call(
    *,
    user,
    member: SampleMember,
    outcome: str,
    answers: dict | None = None,
    callback_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> list[Answer]:
    """The call may be recorded: the user calls and sees the member, the wave is in the
    field, the member is open, and the outcome is complete. Returns the answers to write."""
    scope = scope_for(user)
    if not (scope.everything or scope.roles & CALLING_ROLES) or not (
        SampleMember.objects.visible_to(user).filter(pk=member.pk).exists()
    ):
        raise SurveyError("not_allowed", _("This member is not on your calling list."))
    if not _in_field(member.wave):
        raise SurveyError("state", _("The wave is not in the field."))
    if not member.is_open:
        raise SurveyError("closed", _("This member needs no more calls."))
    if outcome not in Outcome.values:
        raise SurveyError("outcome", _("Choose the outcome of the call."), "outcome")
    if outcome == Outcome.CALL_BACK:
        now = now or timezone.now()
        if callback_at is None or callback_at <= now:
            raise SurveyError(
                "callback_at", _("Give a time in the future to call back."), "callback_at"
            )
        if callback_at > now + dt.timedelta(days=60):
            raise SurveyError("callback_at", _("Call back within 60 days."), "callback_at")
    if outcome == Outcome.ANSWERED:
        return _answers(member.wave, answers)
    return []


def do_record_call(
    *,
    user,
    member: SampleMember,
    outcome: str,
    answers: dict | None = None,
    callback_at: dt.datetime | None = None,
) -> SampleMember:
    now = timezone.now()
    with transaction.atomic():
        member = SampleMember.objects.select_for_update().select_related("wave").get(pk=member.pk)
        rows = check_call(
            user=user,
            member=member,
            outcome=outcome,
            answers=answers,
            callback_at=callback_at,
            now=now,
        )
        member.attempts += 1
        member.last_called_at = now
        member.callback_at = callback_at if outcome == Outcome.CALL_BACK else None
        member.state = {
            Outcome.ANSWERED: MemberState.ANSWERED,
            Outcome.REFUSED: MemberState.REFUSED,
            Outcome.NO_ANSWER: MemberState.NO_ANSWER,
            Outcome.CALL_BACK: MemberState.CALL_BACK,
        }[outcome]
        member.save(
            update_fields=["attempts", "last_called_at", "callback_at", "state", "updated_at"]
        )
        if rows:
            _respond(member, rows, Channel.PHONE, operator=user)
    return member


def _respond(member: SampleMember, rows: list[Answer], channel: str, operator=None) -> Response:
    response = Response.objects.create(
        member=member,
        wave_id=member.wave_id,
        region_id=member.region_id,
        channel=channel,
        operator=operator if getattr(operator, "is_authenticated", False) else None,
    )
    for row in rows:
        row.response = response
    Answer.objects.bulk_create(rows)
    return response


def member_for_token(token: str) -> SampleMember:
    """The member whose link this is, if the link still works; else a ``SurveyError``."""
    member = (
        SampleMember.objects.select_related("wave", "wave__questionnaire", "region")
        .filter(token=(token or "")[:32])
        .first()
    )
    if member is None:
        raise SurveyError("unknown", _("This survey link is not valid."))
    if member.wave.state != WaveState.FIELDING:
        raise SurveyError("expired", _("This survey has ended. Thank you."))
    if member.is_completed:
        raise SurveyError("done", _("This survey has been answered already. Thank you."))
    return member


def check_link(*, token: str, answers: dict) -> tuple[SampleMember, list[Answer]]:
    member = member_for_token(token)
    return member, _answers(member.wave, answers)


def do_submit_link(*, token: str, answers: dict) -> SampleMember:
    """The member's own answers through their link: once only, while the wave is in the field."""
    with transaction.atomic():
        member, rows = check_link(token=token, answers=answers)
        member = SampleMember.objects.select_for_update().select_related("wave").get(pk=member.pk)
        if member.is_completed:  # answered meanwhile (by phone, or a second tab)
            raise SurveyError("done", _("This survey has been answered already. Thank you."))
        member.state = MemberState.BY_LINK
        member.callback_at = None
        member.save(update_fields=["state", "callback_at", "updated_at"])
        _respond(member, rows, Channel.LINK)
    return member


def reveal_phone(*, viewer, member: SampleMember, request=None) -> str:
    """The member's number to dial, audited (``accounts.services.reveal``); a refusal raises
    ``PermissionDenied`` and is audited too."""
    return accounts.reveal(
        viewer=viewer, obj=member, fields=["phone"], request=request, reason="survey call"
    )["phone"]


def state_counts(wave: Wave) -> dict[str, int]:
    rows = wave.members.values("state").annotate(n=Count("pk"))
    return {r["state"]: r["n"] for r in rows}
