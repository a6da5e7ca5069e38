"""Who hears about what happened to a case (``TOLD``: called after the commit, never inside
it), and what a step does to the case's other records inside its own transaction
(``WITHIN_STEP``)."""

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.accounts.models import Membership, Organisation, Role, User
from gongzhi.cases.choices import Channel, State
from gongzhi.cases.workflow import suspension
from gongzhi.notify import services as notify


def _members(organisation, *roles):
    if organisation is None:
        return User.objects.none()
    return User.objects.filter(
        is_active=True, memberships__organisation=organisation, memberships__role__in=roles
    ).distinct()


def _item(case, event, recipients, title, link=None) -> notify.Item:
    return notify.Item(
        recipients=recipients,
        kind=f"case.{event.action}",
        title=f"{title} · {case.number}",
        body=f"{case.title}\n{event.note}".strip(),
        link=link or reverse("cases:detail", args=[case.number]),
        data={"case": case.number, "action": event.action, "state": case.state},
    )


def _send(case, event, recipients, title, channels=("in_app",), link=None):
    actor_id = getattr(event, "actor_id", None)
    if isinstance(recipients, QuerySet):
        # Left as a query: notify() reads the recipients once (a report pays for each read).
        recipients = recipients.exclude(pk=actor_id) if actor_id is not None else recipients
    else:
        recipients = [u for u in recipients if u.pk != actor_id]
        if not recipients:
            return
    notify.notify_each([_item(case, event, recipients, title, link)], channels=channels)


def _owner_title(event):
    if event.action == "dispatch":
        return _("Case dispatched to your unit")
    if event.action == "transfer":
        return _("Case transferred to your unit")
    if event.action == "withdraw":
        return _("Case withdrawn by its reporter")
    if event.action == "decide_suspension":
        if event.data.get("approved"):
            return _("Suspension approved: the case's clocks are stopped")
        return _("Suspension refused: carry on handling the case")
    if event.action == "resume":
        return _("Case resumed: its clocks run again")
    return _("Case update")


def tell_owner(case, event):
    tell_owners([(case, event)])


def tell_owners(pairs) -> None:
    items = [item for _case, item in owner_notices(pairs)]
    if items:
        notify.notify_each(items)


tell_owner.many = tell_owners  # the engine tells a batch (intake's follow-up) at once


def owner_notices(pairs) -> list[tuple]:
    """The owning units' notices for a batch of (case, event), as (case, item) for
    ``notify.notify_each``: one read of every unit's handlers and leaders (intake's
    follow-up prepares them before it takes any lock)."""
    units = {case.owner_id for case, _event in pairs if case.owner_id is not None}
    people: dict[int, set[int]] = {}
    for unit, user in Membership.objects.filter(
        organisation_id__in=units, role__in=[Role.HANDLER, Role.LEADER], user__is_active=True
    ).values_list("organisation_id", "user_id"):
        people.setdefault(unit, set()).add(user)
    notices = []
    for case, event in pairs:
        sent_to = event.data.get("organisation") if event.action in SENDS_TO_UNIT else None
        if sent_to and case.owner is not None and sent_to != case.owner.code:
            continue  # dispatched on since (intake's follow-up runs late): that unit was told
        recipients = people.get(case.owner_id, set()) - {event.actor_id}
        if recipients:
            notices.append((case, _item(case, event, recipients, _owner_title(event))))
    return notices


# Steps that name the unit they sent the case to (a later step may have moved it on).
SENDS_TO_UNIT = {"dispatch", "transfer"}


def tell_previous_owner(case, event):
    """The unit a case was transferred away from: it need not work on it any more."""
    code = event.data.get("from")
    unit = Organisation.objects.filter(code=code).first() if code else None
    if unit is not None:
        _send(
            case,
            event,
            _members(unit, Role.HANDLER, Role.LEADER),
            _("Case transferred away from your unit"),
        )


def tell_owner_heads(case, event):
    if case.owner is not None:
        notify.notify_organisation_heads(
            organisation=case.owner,
            kind="case.supervise",
            title=_("Supervision: %(number)s") % {"number": case.number},
            body=event.note,
            link=reverse("cases:detail", args=[case.number]),
            data={"case": case.number, "count": case.supervision_count},
        )
    _send(
        case, event, _members(case.owner, Role.HANDLER), _("Your unit's case is being supervised")
    )


def tell_co_handlers(case, event):
    for co in case.co_handlers.select_related("organisation"):
        _send(
            case,
            event,
            _members(co.organisation, Role.HANDLER, Role.LEADER),
            _("Your unit is summoned to help with a case"),
        )


# What the command centre is told, by what happened: a dispatcher scanning the inbox should
# not have to open each notice to tell a returned case from an extension request.
COMMAND_TITLES = {
    "return": gettext_lazy("Case returned by its unit"),
    "verify_fail": gettext_lazy("Case failed verification and is reopened"),
    "escalate": gettext_lazy("Case escalated to your centre"),
    "request_extension": gettext_lazy("Deadline extension requested"),
    "callback": gettext_lazy("Reporter not satisfied: case reopened"),
    "withdraw": gettext_lazy("Case withdrawn by its reporter"),
    "request_suspension": gettext_lazy("Suspension requested"),
    "resume": gettext_lazy("Suspended case resumed"),
}


def tell_command(case, event):
    title = COMMAND_TITLES.get(event.action) or _("Case needs the command centre")
    _send(case, event, _members(case.command, Role.DISPATCHER), str(title))


def tell_verifiers(case, event):
    workers = list(User.objects.filter(grid_assignments__grid=case.grid_id)) if case.grid_id else []
    _send(
        case,
        event,
        workers or _members(case.command, Role.DISPATCHER),
        _("Case resolved: please verify on the spot"),
    )


# The reporter's notices open the tracking page: their view of the report, where the
# callback is answered (the case page is the units' desk). A caller without an account (the
# hotline's) is told by SMS at the number they gave, in Chinese whatever the operator reads.
CALLER_TEXTS = {
    "registered": gettext_lazy("Your report is registered"),
    "reject": gettext_lazy("Your report was not accepted"),
    "merge": gettext_lazy("Your report is handled together with an earlier one"),
    "verify_pass": gettext_lazy("Your report was handled"),
    "answer": gettext_lazy("Your question was answered"),
}
CALLER_NOTES = {
    "registered": gettext_lazy("Keep the number to ask about its progress."),
    "verify_pass": gettext_lazy("We will call you to ask whether the problem is solved."),
}


def caller_phone(case) -> str:
    """The number to text about a case: a hotline caller's, who has no account (an account
    holder is told in the app, an Open311 client follows its requests itself), never an
    anonymous reporter's."""
    if case.channel != Channel.HOTLINE or case.reporter_id is not None or case.is_anonymous:
        return ""
    return case.reporter_phone


def caller_text(case, what: str, note: str = "") -> notify.PhoneText | None:
    """The SMS to the caller about ``what`` (a key of CALLER_TEXTS), or None."""
    phone = caller_phone(case)
    if not phone:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        title = f"{CALLER_TEXTS[what]} · {case.number}"
        parts = [note or "", str(CALLER_NOTES[what]) if what in CALLER_NOTES else ""]
        body = " ".join(p.strip() for p in parts if p and p.strip())
    return notify.PhoneText(
        phone=phone, kind=f"case.{what}", title=title, body=body, link=case.tracking_url()
    )


def _text_caller(case, what: str, note: str = "") -> None:
    text = caller_text(case, what, note)
    if text is not None:
        notify.text_phones([text])


def tell_reporter(case, event):
    if case.reporter is not None:
        _send(case, event, [case.reporter], _("News about your report"), link=case.tracking_url())
    elif event.action in CALLER_TEXTS:
        note = event.note
        if event.action == "merge":
            note = _("Case %(number)s") % {"number": event.data.get("into", "")}
        _text_caller(case, event.action, note)


def ask_reporter_for_callback(case, event):
    if case.reporter is not None:
        title = _("Your report was closed: was it solved?")
        _send(case, event, [case.reporter], title, link=case.tracking_url())
    else:
        _text_caller(case, "verify_pass", case.result)


def _command_step(event) -> bool:
    """A notice of the command centre's own clock (accepting, dispatching): no unit has
    the case yet."""
    return bool(event.data.get("stage"))


def warn_owner(case, event):
    if _command_step(event):
        _send(case, event, _members(case.command, Role.DISPATCHER), _("Case waiting: due soon"))
        return
    _send(case, event, _members(case.owner, Role.HANDLER, Role.LEADER), _("Case due soon"))


def tell_overdue(case, event):
    if not _command_step(event):
        _send(case, event, _members(case.owner, Role.HANDLER, Role.LEADER), _("Case overdue"))
    _send(case, event, _members(case.command, Role.DISPATCHER), _("Case overdue"))


# Who hears of each step, after its commit: the workflow's actions and the deadline scan
# send these, and the demo tells its history by the same table. A step whose effects depend
# on where it led maps its next state to them: a callback tells the command centre only
# when it reopens the case.
TOLD = {
    "reject": (tell_reporter,),
    "dispatch": (tell_owner,),
    "transfer": (tell_owner, tell_previous_owner),
    "withdraw": (tell_owner, tell_command),
    "return": (tell_command,),
    "add_co_handlers": (tell_co_handlers,),
    "resolve": (tell_verifiers,),
    "verify_pass": (ask_reporter_for_callback,),
    "verify_fail": (tell_command, tell_owner),
    "escalate": (tell_command,),
    "merge": (tell_reporter,),
    "supervise": (tell_owner_heads,),
    "request_extension": (tell_command,),
    "decide_extension": (tell_owner,),
    "answer": (tell_reporter,),
    "request_suspension": (tell_command,),
    "decide_suspension": (tell_owner,),
    "resume": (tell_owner, tell_command),
    "callback": {State.REOPENED: (tell_command,)},
    "deadline_warning": (warn_owner,),
    "overdue": (tell_overdue,),
}


# What a step does to the case's other records inside its transaction, once its handler
# accepted the input: a case that leaves its unit's hands (resolved, returned, transferred,
# withdrawn) lapses the unit's undecided suspension request (and ends a running suspension).
LEAVES_UNIT = (suspension.leave_unit,)
WITHIN_STEP: dict[str, tuple] = {
    "resolve": LEAVES_UNIT,
    "return": LEAVES_UNIT,
    "transfer": LEAVES_UNIT,
    "withdraw": LEAVES_UNIT,
}


def told_for(event) -> tuple:
    """The effects a timeline entry sends after its commit."""
    effects = TOLD.get(event.action, ())
    if isinstance(effects, dict):
        return effects.get(event.to_state, ())
    return effects
