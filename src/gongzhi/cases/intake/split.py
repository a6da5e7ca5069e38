"""拆分: a call that raises several problems becomes linked cases, one per problem.

The original keeps the first part (its title, description and category); every other part
becomes a case of its own through the normal intake (``intake.services.do_report``: same
reporter, place, channel and urgency, its report photos referenced, routed and clocked like
any case), linked both ways (``Case.split_from`` / ``split_cases``). A part may name the unit
to dispatch it to (a dispatcher's choice). All of it is one transaction: a part refused
leaves nothing changed.

The case page and the API (``POST …/transitions`` with action ``split``) call ``do_split``
with the same fields: part-<i>-title, part-<i>-description, part-<i>-category (an id) and
part-<i>-organisation (an id, optional), from 0.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.cases import channels
from gongzhi.cases.intake import services as intake
from gongzhi.cases.models import Attachment, Case
from gongzhi.cases.workflow import inputs
from gongzhi.cases.workflow.table import FLOW, RULES, transition
from gongzhi.core.errors import ServiceError
from gongzhi.core.scope import scope_for
from gongzhi.taxonomy.models import Category


@dataclass
class Part:
    index: int
    title: str
    description: str
    category: Category
    organisation: int | None


def _field(part: dict, name: str) -> str:
    return f"part-{part['index']}-{name}"


def _check_part(case: Case, part: dict, n: int) -> Part:
    description = part["description"]
    title = part["title"] or description[:30]
    if len(description) < 2 and len(title) < 2:
        raise ServiceError(
            "empty_part",
            _("Part %(n)d is empty: describe its problem.") % {"n": n},
            _field(part, "description"),
        )
    if len(title) > 120 or len(description) > 5000:
        raise ServiceError(
            "too_long",
            _("The description of part %(n)d is too long.") % {"n": n},
            _field(part, "description"),
        )
    raw = part["category"]
    category = None
    if raw.isdigit() and 0 < int(raw) <= 2**31 - 1:
        category = Category.objects.filter(pk=int(raw), enabled=True).first()
    if category is None:
        raise ServiceError(
            "invalid_category",
            _("Choose a category for part %(n)d.") % {"n": n},
            _field(part, "category"),
        )
    if not channels.offered([category], channel=case.channel):
        raise ServiceError(
            "invalid_category",
            _("The category of part %(n)d is not for this kind of report: choose another.")
            % {"n": n},
            _field(part, "category"),
        )
    return Part(part["index"], title, description or title, category, part["organisation"])


def check_split(*, case: Case, actor, data, expected_state=None) -> tuple[list[Part], str]:
    """The parts, checked, and the note; refused with a clear message before anything is
    written when there are fewer than two, one is empty or names a category that is not
    offered here, or the actor may not split the case (or dispatch a part)."""
    params = inputs.parse(actor, case, "split", data)
    FLOW.check(case, "split", actor, expected_state=expected_state)
    raw = params["parts"]
    if len(raw) < 2:
        raise ServiceError("too_few_parts", _("Split a case into at least two parts."), "parts")
    parts = [_check_part(case, part, n) for n, part in enumerate(raw, start=1)]
    if any(p.organisation for p in parts) and not FLOW.permitted(
        RULES["dispatch"], actor, case, scope_for(actor)
    ):
        raise ServiceError(
            "not_permitted",
            _("Only the command centre's dispatcher may choose the units of the parts."),
            _field(raw[0], "organisation"),
        )
    return parts, params.get("note", "")


def _report(case: Case, part: Part) -> intake.Report:
    return intake.Report(
        channel=case.channel,
        title=part.title,
        description=part.description,
        category=part.category,
        lng=case.lng,
        lat=case.lat,
        crs="wgs84",
        address=case.address,
        reporter_name=case.reporter_name,
        reporter_phone=case.reporter_phone,
        is_anonymous=case.is_anonymous,
        is_urgent=case.is_urgent,
    )


def _dispatch(case: Case, organisation: int, actor) -> Case:
    if case.state == "reported":
        case = transition(case_id=case.pk, action="accept", actor=actor)
    return transition(case_id=case.pk, action="dispatch", actor=actor, organisation=organisation)


def _already_split(case: Case, parts: list[Part]) -> list[Case] | None:
    """The cases of an earlier split into exactly these parts (a double click, a retry), or
    None: splitting into what the case was already split into makes nothing new."""
    first = parts[0]
    if (case.title, case.category_id) != (first.title, first.category.pk):
        return None
    wanted = len(parts) - 1
    earlier = list(case.split_cases.order_by("-id")[:wanted])[::-1]
    if len(earlier) < wanted:
        return None
    made = sorted((c.title, c.category_id) for c in earlier)
    if made != sorted((p.title, p.category.pk) for p in parts[1:]):
        return None
    return earlier


def do_split(*, case: Case, actor, data, expected_state=None) -> tuple[Case, list[Case]]:
    """Split the case as ``data`` says; returns the original and the new cases. The same split
    sent twice (a double click, a client's retry) splits once: the case's row is locked
    first, and a repeat returns the cases the first one made."""
    parts, note = check_split(case=case, actor=actor, data=data, expected_state=expected_state)
    photos = list(case.attachments.filter(stage=Attachment.Stage.REPORT).order_by("id"))
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        earlier = _already_split(locked, parts)
        if earlier is not None:
            return locked, earlier
        made = []
        for part in parts[1:]:
            new, _created = intake.do_report(
                report=_report(case, part), reporter=case.reporter, entered_by=actor
            )
            reported = new.events.filter(action="report").first()
            for photo in photos:  # the same files, referenced: not copied
                Attachment.objects.create(
                    case=new,
                    stage=Attachment.Stage.REPORT,
                    image=photo.image.name,
                    thumbnail=photo.thumbnail.name,
                    uploaded_by=photo.uploaded_by,
                    event=reported,
                )
            made.append(new)
        first = parts[0]
        case = transition(
            case_id=case.pk,
            action="split",
            actor=actor,
            expected_state=expected_state,
            part={
                "title": first.title,
                "description": first.description,
                "category": first.category,
            },
            into=made,
            note=note,
        )
        for new in made:
            FLOW.record(
                new,
                "split_from",
                actor=actor,
                data={"case": case.number},
                is_public=True,
                actor_organisation=case.last_event.actor_organisation,
            )
        if first.organisation:
            case = _dispatch(case, first.organisation, actor)
        for part, new in zip(parts[1:], made, strict=True):
            if part.organisation:
                _dispatch(new, part.organisation, actor)
    # The original as its last step left it (``last_event``: the API names the entry).
    return case, [Case.objects.get(pk=c.pk) for c in made]
