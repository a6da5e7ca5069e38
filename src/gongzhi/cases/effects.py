"""Who hears about what happened to a case. Called after the commit, never inside it."""

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Role, User
from gongzhi.notify import services as notify


def _members(organisation, *roles):
    if organisation is None:
        return User.objects.none()
    return User.objects.filter(
        is_active=True, memberships__organisation=organisation, memberships__role__in=roles
    ).distinct()


def _send(case, event, recipients, title, channels=("in_app",)):
    actor_id = getattr(event, "actor_id", None)
    if isinstance(recipients, QuerySet):
        # Left as a query: notify() reads the recipients once (a report pays for each read).
        recipients = recipients.exclude(pk=actor_id) if actor_id is not None else recipients
    else:
        recipients = [u for u in recipients if u.pk != actor_id]
        if not recipients:
            return
    notify.notify(
        recipients=recipients,
        kind=f"case.{event.action}",
        title=f"{title} · {case.number}",
        body=f"{case.title}\n{event.note}".strip(),
        link=reverse("cases:detail", args=[case.number]),
        data={"case": case.number, "action": event.action, "state": case.state},
        channels=channels,
    )


def tell_owner(case, event):
    _send(
        case,
        event,
        _members(case.owner, Role.HANDLER, Role.LEADER),
        _("Case dispatched to your unit") if event.action == "dispatch" else _("Case update"),
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


def tell_command(case, event):
    _send(case, event, _members(case.command, Role.DISPATCHER), _("Case needs the command centre"))


def tell_verifiers(case, event):
    workers = list(User.objects.filter(grid_assignments__grid=case.grid_id)) if case.grid_id else []
    _send(
        case,
        event,
        workers or _members(case.command, Role.DISPATCHER),
        _("Case resolved: please verify on the spot"),
    )


def tell_reporter(case, event):
    if case.reporter is not None:
        _send(case, event, [case.reporter], _("News about your report"))


def ask_reporter_for_callback(case, event):
    if case.reporter is not None:
        _send(case, event, [case.reporter], _("Your report was closed: was it solved?"))


def warn_owner(case, event):
    _send(case, event, _members(case.owner, Role.HANDLER, Role.LEADER), _("Case due soon"))


def tell_overdue(case, event):
    _send(case, event, _members(case.owner, Role.HANDLER, Role.LEADER), _("Case overdue"))
    _send(case, event, _members(case.command, Role.DISPATCHER), _("Case overdue"))
